// Turns input bytes into UTF-8. Scraped Chinese pages come in GBK/GB18030 and Big5 as well
// as UTF-8, often with no or a wrong declaration.
//
// Order of evidence: a BOM (UTF-8, UTF-16LE/BE, UTF-32); bytes that are valid UTF-8; an HTML
// <meta charset> / http-equiv declaration in the first 1024 bytes (the HTML prescan); then
// ICU's charset detector. Text that is almost all valid UTF-8 (a few bad sequences in
// otherwise UTF-8 text) stays UTF-8 and its bad sequences follow the OnInvalid policy.
//
//   zhcanon::io::DecodeOptions opt;              // on_invalid = replace
//   zhcanon::io::DecodeDocument(doc, opt, diag); // doc.text: bytes in, UTF-8 out
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/core/stage.h"

namespace zhcanon::io {

struct DecodeOptions {
  OnInvalid on_invalid = OnInvalid::kReplace;
};

/// True when `s` is entirely valid UTF-8 (SIMD-accelerated).
bool IsValidUtf8(std::string_view s);

/// Copies `s`, replacing each maximal invalid UTF-8 subsequence with U+FFFD (as the
/// Unicode standard and WHATWG recommend). Counts replacements and the byte offset of the first.
struct Utf8Repair {
  std::string text;
  std::size_t invalid_sequences = 0;
  std::int64_t first_invalid_offset = -1;
};
Utf8Repair RepairUtf8(std::string_view s);

struct DecodeResult {
  std::string text;                // UTF-8
  std::string charset;             // canonical ICU name of the source charset ("UTF-8", "GB18030", "Big5")
  std::string evidence;            // "bom", "utf8", "meta", "detected"
  std::size_t invalid_sequences = 0;
  std::int64_t first_invalid_offset = -1;  // offset in the *input* bytes
};

/// Decodes `bytes` to UTF-8 without applying a policy (invalid sequences are replaced and
/// counted). `format` only enables the HTML prescan (kHtml or kAuto).
DecodeResult DecodeToUtf8(std::string_view bytes, SourceFormat format);

/// Replaces doc.text (input bytes) by its UTF-8 decoding and applies the policy to what
/// could not be decoded: kReplace warns ("decode", "N invalid byte sequence(s) replaced with
/// U+FFFD; first at byte X"), kSkip fails the document, kFail aborts the run. A document
/// decoded from another charset gets metadata.extra["source_charset"].
void DecodeDocument(Document& doc, const DecodeOptions& options, Diagnostics& diag);

}  // namespace zhcanon::io
