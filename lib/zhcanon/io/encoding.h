// Turns input bytes into UTF-8. Scraped Chinese pages come in GBK/GB18030 and Big5 as well
// as UTF-8, often with no or a wrong declaration.
//
// Order of evidence (the first that applies decides):
//   1. a BOM: UTF-8 (stripped), UTF-16LE/BE, UTF-32LE/BE;
//   2. binary content (see below): not decoded, the document fails;
//   3. bytes that are valid UTF-8 (a <meta> that says otherwise is wrong and loses);
//   4. bytes that are almost all valid UTF-8: at most one invalid sequence per 10 valid
//      multi-byte sequences, or a single invalid sequence that is a multi-byte character cut
//      off at the end of the input (after at least 2 valid ones). GBK and Big5 text does not
//      look like this by accident (read as UTF-8 it has about 3 invalid sequences per valid
//      one), while UTF-8 pages with a few corrupted bytes and UTF-8 pages cut mid-character
//      by a scraper do, even when a stale <meta> still declares the charset the page had
//      before it was re-saved; so this rule comes before the declaration;
//   5. an HTML <meta charset> / http-equiv declaration in the first 1024 bytes (the WHATWG
//      prescan; only for SourceFormat kHtml and kAuto). A declared UTF-8 is ignored here:
//      rules 3 and 4 have just shown the bytes are not UTF-8 (templates declare utf-8 over
//      GBK content too);
//   6. ICU's charset detector: its most confident candidate among multi-byte charsets
//      (GB18030, Big5, EUC-JP, EUC-KR, Shift_JIS, ISO-2022-*) with confidence >= 10 and
//      single-byte ones with confidence >= 50; ties (ICU scores every CJK charset 10 on a
//      few characters) go to GB18030, then Big5. UTF-16/32 without a BOM and EBCDIC
//      candidates are never taken;
//   7. otherwise UTF-8 with invalid sequences replaced ("fallback").
// Charset labels follow the WHATWG Encoding Standard where ICU differs: gb2312, gbk, x-gbk
// and the other GBK labels decode as GB18030 (a superset of GBK); big5 and its labels decode
// with ICU's Big5-HKSCS table (ibm-1375), reported as "Big5". Measured on ICU 72: it decodes
// all 14,167 codes that cp950 (ICU's "Big5") maps to real characters identically except F9FE
// (U+FFED, as WHATWG's index-big5 has it), and 4,930 HKSCS codes (嘅 咗 嘢 ...) that cp950
// sends to the Private Use Area to real characters; it rejects only 623 user-defined codes
// that cp950 also maps to the PUA. WHATWG's big5 decoder is likewise Big5 plus HKSCS.
// iso-8859-1, latin1 and ascii decode as windows-1252.
//
// Binary content: no UTF-16/32 BOM and, within the first 8000 bytes, a NUL byte (git's rule;
// so UTF-16 without a BOM counts as binary too), or, for input that is not valid UTF-8, more
// than 10% C0 control bytes other than TAB, LF, VT, FF, CR and ESC. Valid UTF-8 is only
// searched for NUL, so the common case costs a memchr of at most 8000 bytes on top of the
// SIMD validation.
//
//   zhcanon::io::DecodeOptions opt;              // on_invalid = replace
//   zhcanon::io::DecodeDocument(doc, opt, diag); // doc.text: bytes in, UTF-8 out
//
// All functions are thread-safe (no shared state).
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

/// True when `s` is entirely valid UTF-8 (SIMD-accelerated). Surrogates (ED A0 80) and
/// overlong forms are invalid; noncharacters such as U+FFFE are valid.
bool IsValidUtf8(std::string_view s);

/// Copies `s`, replacing each maximal invalid UTF-8 subsequence with U+FFFD (as the
/// Unicode standard and WHATWG recommend: E0 80 80 gives three U+FFFD, F0 9F 98 at the end
/// gives one). Counts replacements and the byte offset of the first. Valid input is copied
/// unchanged after one SIMD validation.
struct Utf8Repair {
  std::string text;
  std::size_t invalid_sequences = 0;
  std::int64_t first_invalid_offset = -1;
};
Utf8Repair RepairUtf8(std::string_view s);

struct DecodeResult {
  std::string text;                // UTF-8, always valid
  std::string charset;             // the source charset: "UTF-8", "GB18030", "Big5", "UTF-16LE",
                                   // "Shift_JIS", ... (WHATWG/MIME spelling); empty when binary
  std::string evidence;            // "bom", "utf8", "meta", "detected", "fallback" or "binary"
  std::size_t invalid_sequences = 0;
  std::int64_t first_invalid_offset = -1;  // offset in the *input* bytes
  std::int64_t binary_offset = -1;  // evidence == "binary": the first NUL or control byte
};

/// Decodes `bytes` to UTF-8 without applying a policy (invalid sequences are replaced and
/// counted). `format` only enables the HTML prescan (kHtml or kAuto). Binary input is not
/// decoded: its text is RepairUtf8(bytes).text and evidence is "binary".
DecodeResult DecodeToUtf8(std::string_view bytes, SourceFormat format);

/// Replaces doc.text (input bytes) by its UTF-8 decoding and applies the policy to what
/// could not be decoded: kReplace warns ("decode", "N invalid byte sequence(s) replaced with
/// U+FFFD; first at byte X"), kSkip fails the document (same message, then
/// "(--on-invalid=skip)"), kFail aborts the run. Binary content fails the document whatever
/// the policy ("binary content: ..."). The Location carries the byte offset in the input and,
/// for ASCII-compatible charsets, the 1-based line. A document decoded from another charset
/// gets metadata.extra["source_charset"]; one with invalid sequences gets
/// metadata.extra["invalid_sequences"]. Afterwards doc.text is valid UTF-8 in every case.
/// Valid UTF-8 without a BOM is left in place: one SIMD pass, no copy.
void DecodeDocument(Document& doc, const DecodeOptions& options, Diagnostics& diag);

}  // namespace zhcanon::io
