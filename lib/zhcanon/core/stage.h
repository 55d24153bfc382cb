// The interface every per-document stage implements, so that each separate tool and
// the pipeline driver call exactly the same code.
//
//   class Stripper : public zhcanon::Stage { ... };
//   stripper.Process(doc, diag);   // doc changed in place; problems in diag
#pragma once

#include <string_view>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"

namespace zhcanon {

class Stage {
 public:
  virtual ~Stage() = default;
  /// A short lowercase name used in reports ("strip", "t2s", ...).
  virtual std::string_view name() const = 0;
  /// Transforms one document in place. Must be safe to call from several threads at once
  /// on different documents. Problems go to `diag`; when diag.failed() after the call the
  /// document is not written. Throws only for what stops a run (I/O, configuration).
  virtual void Process(Document& doc, Diagnostics& diag) const = 0;
};

/// What to do with bytes that are not valid UTF-8 after decoding.
enum class OnInvalid {
  kReplace,  // replace each invalid sequence with U+FFFD, warn with the byte offset (default)
  kSkip,     // the document goes to the error report, not the output
  kFail,     // stop the run; nothing is written
};
std::string_view OnInvalidName(OnInvalid p);
/// Parses "replace", "skip", "fail"; throws std::invalid_argument otherwise.
OnInvalid ParseOnInvalid(std::string_view name);

}  // namespace zhcanon
