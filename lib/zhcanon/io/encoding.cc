#include "zhcanon/io/encoding.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include <simdjson.h>

namespace zhcanon::io {
namespace {

constexpr std::string_view kUtf8 = "UTF-8";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// ICU's Big5-HKSCS table: see the header for why "big5" decodes with it.
constexpr const char* kBig5Converter = "ibm-1375_P100-2008";

// git's window for its NUL heuristic: big enough for any header, small enough to be free.
constexpr std::size_t kBinaryWindow = 8000;
// WHATWG prescans this many bytes for <meta>.
constexpr std::size_t kPrescanWindow = 1024;
// ICU detector confidences we accept. On random bytes ICU's best guess scores 2-5; on a
// 200-byte GBK or Big5 snippet its CJK recognizers score 80-100, on a few characters 10.
constexpr int32_t kMinMultiByteConfidence = 10;
constexpr int32_t kMinSingleByteConfidence = 50;
// Bytes given to ICU's detector, from the first non-ASCII byte. ICU's detection costs about
// 0.37 us per byte (its single-byte n-gram recognizers; ucsdet_setDetectableCharset does not
// switch them off in ICU 72). Measured on windows of the seed articles at every 97th
// offset, GB18030 vs Big5 was right 100% of the time from 512 bytes on (90-97% at 128).
constexpr std::size_t kDetectWindow = 2048;
// "Almost UTF-8": at most one invalid sequence per this many valid multi-byte sequences.
// GBK/Big5 Chinese read as UTF-8 gives ~0.3 valid sequences per invalid one; no snippet
// (2 to 200 characters) of the seed articles in GBK or Big5 reaches 10.
constexpr std::size_t kAlmostUtf8Ratio = 10;

// ---------------------------------------------------------------------------------------
// UTF-8 scanning

// Appends a repaired copy of `s` to `out`; offsets are reported relative to `s` plus `base`.
void RepairUtf8Into(std::string_view s, std::int64_t base, std::string& out, std::size_t& count,
                    std::int64_t& first) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const std::size_t n = s.size();
  std::size_t run = 0;  // start of the pending valid run, copied in one append
  std::size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);  // on error, i is past the maximal subpart (Unicode/WHATWG practice)
    if (c >= 0) continue;
    out.append(s.data() + run, start - run);
    out.append(kReplacement);
    run = i;
    if (count++ == 0) first = base + static_cast<std::int64_t>(start);
  }
  out.append(s.data() + run, n - run);
}

// Rule 4 of the header: are these (invalid) bytes almost all UTF-8? Stops as soon as the
// answer can only be no, so GBK/Big5 input costs a few hundred bytes of scanning.
bool LooksAlmostUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const std::size_t n = s.size();
  std::size_t valid = 0;
  std::size_t invalid = 0;
  bool truncated_tail = false;
  std::size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0) {
      ++valid;
      continue;
    }
    ++invalid;
    // A valid lead whose subpart runs to the very end: a character cut off by truncation.
    truncated_tail = i == n && p[start] >= 0xC2 && p[start] <= 0xF4;
    // Each further valid multi-byte sequence needs at least two of the remaining bytes.
    if (i < n && invalid * kAlmostUtf8Ratio > valid + (n - i) / 2) return false;
  }
  if (invalid * kAlmostUtf8Ratio <= valid) return true;
  return invalid == 1 && truncated_tail && valid >= 2;
}

// ---------------------------------------------------------------------------------------
// Binary content

struct BinaryVerdict {
  bool binary = false;
  std::int64_t offset = -1;
  std::string reason;
};

bool IsSuspiciousControl(uint8_t c) {
  // C0 controls that text does not contain. TAB LF VT FF CR are layout; ESC switches
  // ISO-2022 charsets; NUL is counted on its own.
  return c < 0x20 && c != 0 && static_cast<uint8_t>(c - 0x09) > 4 && c != 0x1B;
}

// git's rule: a NUL in the first 8000 bytes. Runs on every document, so only memchr.
BinaryVerdict CheckNul(std::string_view s, std::int64_t base) {
  BinaryVerdict v;
  const std::string_view window = s.substr(0, kBinaryWindow);
  if (const void* nul = window.empty() ? nullptr : std::memchr(window.data(), 0, window.size())) {
    v.binary = true;
    v.offset = base + (static_cast<const char*>(nul) - window.data());
    v.reason = "NUL byte at byte " + std::to_string(v.offset);
  }
  return v;
}

// More than 10% odd control bytes in the first 8000. Only asked of input that is not valid
// UTF-8, i.e. before charset detection, which would otherwise find some single-byte
// charset in which the bytes mean something.
BinaryVerdict CheckControls(std::string_view s, std::int64_t base) {
  BinaryVerdict v;
  const std::string_view window = s.substr(0, kBinaryWindow);
  std::size_t controls = 0;
  for (char ch : window) controls += IsSuspiciousControl(static_cast<uint8_t>(ch));
  if (controls * 10 > window.size()) {
    v.binary = true;
    const auto it = std::find_if(window.begin(), window.end(), [](char ch) {
      return IsSuspiciousControl(static_cast<uint8_t>(ch));
    });
    v.offset = base + (it - window.begin());
    v.reason = std::to_string(controls) + " control bytes in the first " +
               std::to_string(window.size()) + " bytes; first at byte " + std::to_string(v.offset);
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// Charset names

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

std::string LowerTrimmed(std::string_view s) {
  while (!s.empty() && IsHtmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsHtmlSpace(s.back())) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// What to decode with: an ICU converter name, or UTF-8 (converter empty).
struct Charset {
  std::string converter;  // empty: UTF-8
  std::string name;       // reported name
};

// The name a converter is known by on the web: MIME, else IANA, else ICU's own.
std::string StandardName(const char* icu_name) {
  for (const char* standard : {"MIME", "IANA"}) {
    UErrorCode err = U_ZERO_ERROR;
    const char* n = ucnv_getStandardName(icu_name, standard, &err);
    if (U_SUCCESS(err) && n != nullptr) return n;
  }
  return icu_name;
}

// Resolves a label (from <meta> or from ICU's detector) to a charset; false when neither
// WHATWG nor ICU knows it.
bool ResolveLabel(std::string_view raw, Charset& out) {
  const std::string label = LowerTrimmed(raw);
  if (label.empty()) return false;
  if (OneOf(label, {"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8",
                    "x-unicode20utf8",
                    // WHATWG: a <meta> readable as ASCII cannot be UTF-16; such pages are UTF-8.
                    "utf-16", "utf-16le", "utf-16be", "unicode", "unicodefeff", "unicodefffe",
                    "ucs-2", "csunicode", "iso-10646-ucs-2"})) {
    out = {"", std::string(kUtf8)};
    return true;
  }
  if (OneOf(label, {"gb2312", "gbk", "x-gbk", "gb18030", "chinese", "csgb2312", "csiso58gb231280",
                    "gb_2312", "gb_2312-80", "iso-ir-58", "cp936", "windows-936", "ms936",
                    "euc-cn", "x-euc-cn"})) {
    out = {"GB18030", "GB18030"};
    return true;
  }
  if (OneOf(label, {"big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5", "x-big5", "cp950",
                    "windows-950", "ms950"})) {
    out = {kBig5Converter, "Big5"};
    return true;
  }
  if (OneOf(label, {"iso-8859-1", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987",
                    "latin1", "l1", "cp1252", "windows-1252", "x-cp1252", "ascii", "us-ascii",
                    "ansi_x3.4-1968", "cp819", "csisolatin1", "ibm819", "iso-ir-100"})) {
    out = {"windows-1252", "windows-1252"};
    return true;
  }
  if (OneOf(label, {"euc-kr", "cseuckr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601",
                    "ksc_5601", "korean", "windows-949", "cp949"})) {
    // WHATWG's EUC-KR is Microsoft's superset (UHC); ICU's "EUC-KR" is the strict one.
    out = {"windows-949", "EUC-KR"};
    return true;
  }
  // Anything else ICU knows by that name.
  UErrorCode err = U_ZERO_ERROR;
  UConverter* cnv = ucnv_open(label.c_str(), &err);
  if (U_FAILURE(err) || cnv == nullptr) return false;
  const char* icu_name = ucnv_getName(cnv, &err);
  out = {U_SUCCESS(err) ? std::string(icu_name) : label, StandardName(label.c_str())};
  ucnv_close(cnv);
  if (out.name == "UTF-8") out.converter.clear();
  return true;
}

// ---------------------------------------------------------------------------------------
// HTML prescan (a simplified WHATWG "prescan a byte stream to determine its encoding")

bool StartsWithNoCase(std::string_view s, std::size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k)
    if (AsciiLower(s[pos + k]) != prefix[k]) return false;
  return true;
}

// Reads one attribute at `pos` (WHATWG "get an attribute"). False at '>' or at the end.
bool NextAttribute(std::string_view s, std::size_t& pos, std::string& name, std::string& value) {
  name.clear();
  value.clear();
  while (pos < s.size() && (IsHtmlSpace(s[pos]) || s[pos] == '/')) ++pos;
  if (pos >= s.size() || s[pos] == '>') return false;
  while (pos < s.size() && !IsHtmlSpace(s[pos]) && s[pos] != '=' && s[pos] != '/' && s[pos] != '>') {
    name += AsciiLower(s[pos]);
    ++pos;
  }
  while (pos < s.size() && IsHtmlSpace(s[pos])) ++pos;
  if (pos >= s.size() || s[pos] != '=') return pos < s.size();
  ++pos;
  while (pos < s.size() && IsHtmlSpace(s[pos])) ++pos;
  if (pos >= s.size()) return false;
  if (s[pos] == '"' || s[pos] == '\'') {
    const char quote = s[pos++];
    const std::size_t end = s.find(quote, pos);
    if (end == std::string_view::npos) {
      pos = s.size();
      return false;  // cut off by the window: the value is incomplete
    }
    for (std::size_t k = pos; k < end; ++k) value += AsciiLower(s[k]);
    pos = end + 1;
    return true;
  }
  while (pos < s.size() && !IsHtmlSpace(s[pos]) && s[pos] != '>') {
    value += AsciiLower(s[pos]);
    ++pos;
  }
  return true;
}

// WHATWG "extract a character encoding from a meta element": charset=VALUE in content.
std::string CharsetFromContent(std::string_view content) {
  std::size_t pos = 0;
  while ((pos = content.find("charset", pos)) != std::string_view::npos) {
    pos += 7;
    std::size_t k = pos;
    while (k < content.size() && IsHtmlSpace(content[k])) ++k;
    if (k >= content.size() || content[k] != '=') continue;
    ++k;
    while (k < content.size() && IsHtmlSpace(content[k])) ++k;
    if (k >= content.size()) return {};
    if (content[k] == '"' || content[k] == '\'') {
      const std::size_t end = content.find(content[k], k + 1);
      if (end == std::string_view::npos) return {};
      return std::string(content.substr(k + 1, end - k - 1));
    }
    std::size_t end = k;
    while (end < content.size() && !IsHtmlSpace(content[end]) && content[end] != ';') ++end;
    return std::string(content.substr(k, end - k));
  }
  return {};
}

// The charset a <meta> in the first 1024 bytes declares, when WHATWG or ICU knows it.
bool PrescanMeta(std::string_view bytes, Charset& out) {
  const std::string_view s = bytes.substr(0, kPrescanWindow);
  std::size_t pos = 0;
  std::string name;
  std::string value;
  while ((pos = s.find('<', pos)) != std::string_view::npos) {
    if (s.compare(pos, 4, "<!--") == 0) {
      const std::size_t end = s.find("-->", pos + 2);
      if (end == std::string_view::npos) return false;
      pos = end + 3;
      continue;
    }
    if (StartsWithNoCase(s, pos, "<meta") && pos + 5 < s.size() &&
        (IsHtmlSpace(s[pos + 5]) || s[pos + 5] == '/')) {
      pos += 5;
      std::string charset;
      std::string content;
      bool http_equiv_content_type = false;
      while (NextAttribute(s, pos, name, value)) {
        if (name == "charset" && charset.empty()) charset = value;
        else if (name == "content" && content.empty()) content = value;
        else if (name == "http-equiv") http_equiv_content_type = value == "content-type";
      }
      if (charset.empty() && http_equiv_content_type) charset = CharsetFromContent(content);
      if (!charset.empty() && ResolveLabel(charset, out)) return true;
      continue;
    }
    const bool letter = pos + 1 < s.size() && ((s[pos + 1] | 0x20) >= 'a' && (s[pos + 1] | 0x20) <= 'z');
    if (letter || (s.compare(pos, 2, "</") == 0 && pos + 2 < s.size() &&
                   (s[pos + 2] | 0x20) >= 'a' && (s[pos + 2] | 0x20) <= 'z')) {
      // Another tag: skip its name and attributes so a '>' or '<meta' inside a quoted
      // attribute value is not taken for markup.
      pos += 1;
      while (pos < s.size() && !IsHtmlSpace(s[pos]) && s[pos] != '>') ++pos;
      while (NextAttribute(s, pos, name, value)) {
      }
      continue;
    }
    if (s.compare(pos, 2, "<!") == 0 || s.compare(pos, 2, "</") == 0 || s.compare(pos, 2, "<?") == 0) {
      const std::size_t end = s.find('>', pos);
      if (end == std::string_view::npos) return false;
      pos = end + 1;
      continue;
    }
    ++pos;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// ICU detection

// ICU's multi-byte recognizers give 10 to anything that parses without errors and has
// too few characters for statistics (<= 10 double-byte ones), 0 when it does not parse.
bool IsMultiByteCandidate(std::string_view n) {
  return OneOf(n, {"GB18030", "Big5", "EUC-JP", "EUC-KR", "Shift_JIS", "ISO-2022-JP", "ISO-2022-KR",
                   "ISO-2022-CN", "UTF-8"});
}

// Lower is preferred among candidates of equal confidence: our input is Chinese.
int Preference(std::string_view n) {
  if (n == "GB18030") return 0;
  if (n == "Big5") return 1;
  return 2;
}

// The acceptable candidate ICU is most confident of, or "".
std::string BestCandidate(std::string_view text) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, decltype(&ucsdet_close)> det(ucsdet_open(&err), &ucsdet_close);
  if (U_FAILURE(err)) return {};
  // Markup dilutes ICU's statistics; the filter drops tags when the input looks like markup.
  ucsdet_enableInputFilter(det.get(), true);
  ucsdet_setText(det.get(), text.data(), static_cast<int32_t>(text.size()), &err);
  int32_t found = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(det.get(), &found, &err);
  if (U_FAILURE(err)) return {};
  std::string_view best;
  int32_t best_confidence = -1;
  for (int32_t k = 0; k < found; ++k) {
    UErrorCode e = U_ZERO_ERROR;
    const char* name = ucsdet_getName(matches[k], &e);
    const int32_t confidence = ucsdet_getConfidence(matches[k], &e);
    if (U_FAILURE(e) || name == nullptr) continue;
    const std::string_view n = name;
    // Without a BOM, UTF-16/32 text with any ASCII has NULs and is binary by then; what is
    // left scores on CJK-only byte pairs, which GBK and Big5 have too. EBCDIC never
    // comes from the web.
    if (n.starts_with("UTF-16") || n.starts_with("UTF-32") || n.starts_with("IBM4")) continue;
    // Single-byte guesses need strong evidence: ICU gives windows-1252 37-45 to short UTF-8
    // with one bad byte and ISO-8859-7 30 to four GBK characters.
    const int32_t needed = IsMultiByteCandidate(n) ? kMinMultiByteConfidence : kMinSingleByteConfidence;
    if (confidence < needed) continue;
    if (confidence > best_confidence ||
        (confidence == best_confidence && Preference(n) < Preference(best))) {
      best = n;
      best_confidence = confidence;
    }
  }
  return std::string(best);
}

bool DetectCharset(std::string_view bytes, Charset& out) {
  // ICU's statistics are about the non-ASCII bytes; a page whose first kilobytes are
  // scripts and styles would otherwise give it nothing to look at. The first non-ASCII
  // byte is preceded by an ASCII one, so the window starts on a character boundary.
  const auto first_high = std::find_if(bytes.begin(), bytes.end(),
                                       [](char c) { return static_cast<uint8_t>(c) >= 0x80; });
  const std::string_view window =
      bytes.substr(static_cast<std::size_t>(first_high - bytes.begin()), kDetectWindow);
  const std::string best = BestCandidate(window);
  if (best.empty() || !ResolveLabel(best, out)) return false;
  if (out.converter.empty()) out.name = kUtf8;
  return true;
}

// ---------------------------------------------------------------------------------------
// ICU conversion

struct CountingContext {
  std::size_t count = 0;
  const UChar* target_begin = nullptr;  // of the current ucnv_toUnicode call
  std::ptrdiff_t first_target_index = -1;  // where the first U+FFFD went in that call
  bool first_in_this_call = false;
  const char* input_begin = nullptr;
  const char* input_end = nullptr;
  std::int64_t first_estimate = -1;
};

// Substitutes U+FFFD for what cannot be decoded, counting. ICU's own substitute callback
// writes U+001A for single-byte charsets, a control character; U+FFFD is what WHATWG does.
void CountingSubstitute(const void* context, UConverterToUnicodeArgs* args, const char* /*units*/,
                        int32_t length, UConverterCallbackReason reason, UErrorCode* err) {
  if (reason > UCNV_IRREGULAR) return;  // reset, close, clone: nothing to substitute
  auto* ctx = static_cast<CountingContext*>(const_cast<void*>(context));
  if (ctx->count++ == 0) {
    ctx->first_in_this_call = true;
    ctx->first_target_index = args->target - ctx->target_begin;
    // Fallback when the offsets array cannot tell (the U+FFFD went to ICU's overflow buffer).
    if (args->source >= ctx->input_begin && args->source <= ctx->input_end)
      ctx->first_estimate = std::max<std::int64_t>(0, args->source - ctx->input_begin - length);
  }
  static const UChar kFffd = 0xFFFD;
  *err = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, &kFffd, 1, 0, err);
}

void AppendUtf16AsUtf8(const UChar* u, std::size_t n, UChar& pending_lead, std::string& out) {
  // Each UChar needs at most 3 bytes, plus 3 for a U+FFFD owed to a lead surrogate left
  // over from the previous chunk; writing through a pointer is much faster than appending.
  const std::size_t old_size = out.size();
  out.resize(old_size + 3 * n + 3);
  auto* w = reinterpret_cast<uint8_t*>(out.data() + old_size);
  std::size_t len = 0;
  for (std::size_t k = 0; k < n; ++k) {
    UChar32 c = u[k];
    if (pending_lead != 0) {
      const UChar lead = pending_lead;
      pending_lead = 0;
      if (U16_IS_TRAIL(c)) {
        c = U16_GET_SUPPLEMENTARY(lead, c);
      } else {
        U8_APPEND_UNSAFE(w, len, 0xFFFD);
        if (U16_IS_LEAD(c)) {
          pending_lead = static_cast<UChar>(c);
          continue;
        }
      }
    } else if (U16_IS_LEAD(c)) {
      pending_lead = static_cast<UChar>(c);
      continue;
    }
    if (U16_IS_TRAIL(c)) c = 0xFFFD;  // ICU converters do not produce lone surrogates; be safe anyway
    U8_APPEND_UNSAFE(w, len, c);
  }
  out.resize(old_size + len);
}

// Decodes `s` with ICU converter `converter`. Offsets are relative to `s` plus `base`.
bool ConvertWithIcu(std::string_view s, const std::string& converter, std::int64_t base, DecodeResult& r) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> cnv(ucnv_open(converter.c_str(), &err), &ucnv_close);
  if (U_FAILURE(err) || !cnv) return false;
  CountingContext ctx;
  ctx.input_begin = s.data();
  ctx.input_end = s.data() + s.size();
  ucnv_setToUCallBack(cnv.get(), CountingSubstitute, &ctx, nullptr, nullptr, &err);
  if (U_FAILURE(err)) return false;

  // Fixed-size chunks: memory stays bounded whatever the input size, and ICU's int32_t
  // offsets never overflow.
  constexpr std::size_t kSourceChunk = std::size_t{1} << 20;
  const std::size_t target_capacity = std::min<std::size_t>(s.size() + 16, 1 << 15);
  std::vector<UChar> target(target_capacity);
  std::vector<int32_t> offsets(target_capacity);
  std::string out;
  out.reserve(s.size() + s.size() / 2 + 16);  // GBK/Big5 double bytes become 3 UTF-8 bytes
  UChar pending_lead = 0;
  std::int64_t first = -1;

  const char* src = s.data();
  const char* const end = s.data() + s.size();
  while (true) {
    const char* chunk_end = end - src > static_cast<std::ptrdiff_t>(kSourceChunk) ? src + kSourceChunk : end;
    const bool flush = chunk_end == end;
    do {
      err = U_ZERO_ERROR;
      const char* call_source = src;
      UChar* tgt = target.data();
      ctx.target_begin = target.data();
      ctx.first_in_this_call = false;
      ucnv_toUnicode(cnv.get(), &tgt, target.data() + target.size(), &src, chunk_end, offsets.data(),
                     flush, &err);
      const std::size_t produced = static_cast<std::size_t>(tgt - target.data());
      if (ctx.first_in_this_call) {
        const auto idx = static_cast<std::size_t>(ctx.first_target_index);
        first = (idx < produced && offsets[idx] >= 0) ? (call_source - s.data()) + offsets[idx]
                                                      : ctx.first_estimate;
      }
      AppendUtf16AsUtf8(target.data(), produced, pending_lead, out);
    } while (err == U_BUFFER_OVERFLOW_ERROR);
    if (U_FAILURE(err)) return false;
    if (flush) break;
  }
  if (pending_lead != 0) out.append(kReplacement);

  r.text = std::move(out);
  r.invalid_sequences = ctx.count;
  r.first_invalid_offset = ctx.count > 0 ? base + std::max<std::int64_t>(first, 0) : -1;
  return true;
}

// ---------------------------------------------------------------------------------------
// The decision, separate from the decoding so DecodeDocument can keep valid UTF-8 in place.

struct Plan {
  enum class Kind { kUtf8, kConvert, kBinary } kind = Kind::kUtf8;
  std::size_t skip = 0;     // BOM bytes
  bool valid_utf8 = false;  // kUtf8: the bytes after `skip` are valid as they are
  Charset charset{"", std::string(kUtf8)};
  std::string evidence;
  BinaryVerdict binary;
};

struct Bom {
  std::string_view bytes;
  const char* converter;  // nullptr: UTF-8
};

Plan MakePlan(std::string_view bytes, SourceFormat format) {
  Plan plan;
  // UTF-32LE first: its BOM starts with the UTF-16LE one.
  static constexpr Bom kBoms[] = {
      {{"\xFF\xFE\x00\x00", 4}, "UTF-32LE"}, {{"\x00\x00\xFE\xFF", 4}, "UTF-32BE"},
      {{"\xEF\xBB\xBF", 3}, nullptr},        {{"\xFF\xFE", 2}, "UTF-16LE"},
      {{"\xFE\xFF", 2}, "UTF-16BE"},
  };
  for (const Bom& bom : kBoms) {
    if (!bytes.starts_with(bom.bytes)) continue;
    plan.skip = bom.bytes.size();
    plan.evidence = "bom";
    if (bom.converter != nullptr) {
      plan.kind = Plan::Kind::kConvert;
      plan.charset = {bom.converter, bom.converter};
      return plan;
    }
    break;
  }
  const std::string_view body = bytes.substr(plan.skip);
  const auto base = static_cast<std::int64_t>(plan.skip);
  plan.binary = CheckNul(body, base);
  plan.valid_utf8 = !plan.binary.binary && IsValidUtf8(body);
  if (!plan.binary.binary && !plan.valid_utf8) plan.binary = CheckControls(body, base);
  if (plan.binary.binary) {
    plan.kind = Plan::Kind::kBinary;
    plan.evidence = "binary";
    plan.charset = {"", ""};
    return plan;
  }
  if (plan.skip > 0) return plan;  // UTF-8 BOM: UTF-8, repaired if need be
  if (plan.valid_utf8 || LooksAlmostUtf8(body)) {
    plan.evidence = "utf8";
    return plan;
  }
  Charset cs;
  // A declared UTF-8 (or UTF-16, which WHATWG reads as UTF-8) is already refuted by rules
  // 3 and 4: templates say utf-8 over GBK content too. The detector decides then.
  if ((format == SourceFormat::kHtml || format == SourceFormat::kAuto) && PrescanMeta(body, cs) &&
      !cs.converter.empty()) {
    plan.evidence = "meta";
  } else if (DetectCharset(body, cs)) {
    plan.evidence = "detected";
  } else {
    plan.evidence = "fallback";
    return plan;
  }
  plan.charset = cs;
  if (!cs.converter.empty()) plan.kind = Plan::Kind::kConvert;
  return plan;
}

// Decodes according to `plan`. Not used for the valid-UTF-8 case in DecodeDocument.
DecodeResult Execute(const Plan& plan, std::string_view bytes) {
  DecodeResult r;
  r.charset = plan.charset.name;
  r.evidence = plan.evidence;
  const std::string_view body = bytes.substr(plan.skip);
  const auto base = static_cast<std::int64_t>(plan.skip);
  switch (plan.kind) {
    case Plan::Kind::kConvert:
      if (ConvertWithIcu(body, plan.charset.converter, base, r)) return r;
      // ICU refused the converter (it resolved a moment ago, so this is not expected):
      // keep the bytes as UTF-8 rather than lose the document.
      r.charset = kUtf8;
      r.evidence = "fallback";
      [[fallthrough]];
    case Plan::Kind::kUtf8:
      if (plan.valid_utf8) {
        r.text.assign(body);
      } else {
        RepairUtf8Into(body, base, r.text, r.invalid_sequences, r.first_invalid_offset);
      }
      return r;
    case Plan::Kind::kBinary:
      r.binary_offset = plan.binary.offset;
      RepairUtf8Into(bytes, 0, r.text, r.invalid_sequences, r.first_invalid_offset);
      return r;
  }
  return r;
}

bool AsciiCompatible(std::string_view charset) {
  return !charset.starts_with("UTF-16") && !charset.starts_with("UTF-32");
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

Utf8Repair RepairUtf8(std::string_view s) {
  Utf8Repair r;
  if (IsValidUtf8(s)) {
    r.text.assign(s);
    return r;
  }
  r.text.reserve(s.size() + 16);
  RepairUtf8Into(s, 0, r.text, r.invalid_sequences, r.first_invalid_offset);
  return r;
}

DecodeResult DecodeToUtf8(std::string_view bytes, SourceFormat format) {
  return Execute(MakePlan(bytes, format), bytes);
}

void DecodeDocument(Document& doc, const DecodeOptions& options, Diagnostics& diag) {
  const Plan plan = MakePlan(doc.text, doc.format);
  if (plan.kind == Plan::Kind::kUtf8 && plan.valid_utf8) {
    // The common case: no copy; a UTF-8 BOM is removed in place.
    if (plan.skip > 0) doc.text.erase(0, plan.skip);
    return;
  }
  DecodeResult r = Execute(plan, doc.text);
  // Line of an input offset, for ASCII-compatible charsets where '\n' is a newline byte.
  auto where = [&](std::int64_t offset) {
    Location loc{.byte_offset = offset};
    if (AsciiCompatible(r.charset) && offset >= 0 && static_cast<std::size_t>(offset) <= doc.text.size())
      loc.line = 1 + std::count(doc.text.begin(), doc.text.begin() + offset, '\n');
    return loc;
  };
  if (plan.kind == Plan::Kind::kBinary) {
    const Location loc = where(r.binary_offset);
    doc.text = std::move(r.text);
    diag.Fail("decode", "binary content: " + plan.binary.reason + " (not decoded)", loc);
    return;
  }
  const Location loc = where(r.first_invalid_offset);
  doc.text = std::move(r.text);
  if (r.charset != kUtf8) doc.metadata.extra["source_charset"] = r.charset;
  if (r.invalid_sequences == 0) return;
  doc.metadata.extra["invalid_sequences"] = r.invalid_sequences;
  const std::string what = std::to_string(r.invalid_sequences) + " invalid byte sequence(s)";
  const std::string at = "first at byte " + std::to_string(r.first_invalid_offset);
  switch (options.on_invalid) {
    case OnInvalid::kReplace:
      diag.Warn("decode", what + " replaced with U+FFFD; " + at, loc);
      break;
    case OnInvalid::kSkip:
      diag.Fail("decode", what + "; " + at + " (--on-invalid=skip)", loc);
      break;
    case OnInvalid::kFail:
      diag.Abort("decode", what + "; " + at + " (--on-invalid=fail)", loc);
      break;
  }
}

}  // namespace zhcanon::io
