// The decode stage: input bytes to UTF-8 (see encoding.h), as a Stage so the tools and the
// pipeline driver run it like any other.
//
//   zhcanon::io::Decoder decoder({.on_invalid = zhcanon::OnInvalid::kSkip});
//   decoder.Process(doc, diag);
#pragma once

#include "zhcanon/core/stage.h"
#include "zhcanon/io/encoding.h"

namespace zhcanon::io {

class Decoder : public Stage {
 public:
  explicit Decoder(DecodeOptions options = {}) : options_(options) {}
  std::string_view name() const override { return "decode"; }
  void Process(Document& doc, Diagnostics& diag) const override {
    DecodeDocument(doc, options_, diag);
  }

 private:
  DecodeOptions options_;
};

}  // namespace zhcanon::io
