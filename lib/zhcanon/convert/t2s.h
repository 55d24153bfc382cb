// The t2s stage: Traditional Chinese to Simplified with an OpenCC config, byte for byte what
// OpenCC gives (see converter.h), on a document's text and title, recording what it saw.
//
//   zhcanon::convert::T2s t2s({.config = "tw2sp"});   // throws ConfigError
//   t2s.Process(doc, diag);
//   doc.metadata.extra["script"];                    // "hant" (the input's script)
//
// Metadata recorded in extra (about the input text, before conversion):
//   t2s_config         the config used ("t2s", ...; with --config auto, the one chosen)
//   t2s_changed_chars  code points of the text that the conversion changed (ConvertStats)
//   script             "hans", "hant" or "mixed" (ScriptVerdict)
//   hant_share         Traditional-only characters / Han characters, 0 to 1, 4 decimals
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/variant.h"
#include "zhcanon/core/stage.h"

namespace zhcanon::convert {

struct T2sOptions {
  /// An OpenCC config name or path (see ConverterOptions), or "auto": per document t2s, tw2sp
  /// or hk2s, whichever VariantDetector finds in the title and text (t2s for Simplified text;
  /// see VariantConverters).
  std::string config = "t2s";
  /// An OpenCC text dictionary that takes precedence (see ConverterOptions); with "auto" it
  /// applies to all three configs.
  std::string user_dictionary;
};

class T2s : public Stage {
 public:
  explicit T2s(T2sOptions options = {});
  std::string_view name() const override { return "t2s"; }

  /// Converts doc.text and doc.metadata.title and records the metadata above. Never fails a
  /// document: bytes that are not UTF-8 (the decode stage normally removed them) are copied.
  void Process(Document& doc, Diagnostics& diag) const override;

  /// The converter for a config this stage uses ("t2s", "tw2sp", "hk2s" in auto mode).
  const Converter& converter(std::string_view config) const;

 private:
  T2sOptions options_;
  std::shared_ptr<const Converter> fixed_;            // when not auto
  std::shared_ptr<const VariantConverters> auto_;     // auto
};

}  // namespace zhcanon::convert
