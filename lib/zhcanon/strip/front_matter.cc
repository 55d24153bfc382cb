#include "zhcanon/strip/front_matter.h"
#include "zhcanon/core/json_object.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <yaml.h>

namespace zhcanon::strip {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
// Front matter is a handful of keys; these limits only stop hostile input (cyclic YAML
// aliases, "billion laughs" expansion, absurd nesting) from exhausting the stack or memory
// here or in later stages, whose JSON copies and dumps recurse.
constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxValues = 100000;
constexpr std::size_t kMaxAliasBytes = std::size_t{16} << 20;  // text copied by YAML aliases

struct Failure {
  std::string message;  // without the "front matter: " prefix
  std::size_t byte_offset = 0;
};

// --- locations ------------------------------------------------------------------------

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Line and column (in code points, both 1-based) of a byte offset in the whole document.
Location LocationAt(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line_start = 0;
  std::int64_t line = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  if (line == 1 && text.substr(0, kBom.size()) == kBom && offset >= kBom.size())
    line_start = kBom.size();  // the BOM is invisible in an editor
  std::int64_t column = 1;
  for (std::size_t i = line_start; i < offset; ++i)
    if (!IsContinuationByte(text[i])) ++column;
  return {line, column, static_cast<std::int64_t>(offset)};
}

// Byte offset of a 1-based line and code-point column inside `block`, which starts at
// `block_offset` of the document.
std::size_t OffsetOfLineColumn(std::string_view block, std::size_t block_offset, std::int64_t line,
                               std::int64_t column) {
  std::size_t i = 0;
  for (std::int64_t l = 1; l < line && i < block.size(); ++i)
    if (block[i] == '\n') ++l;
  for (std::int64_t c = 1; c < column && i < block.size();) {
    if (block[i] == '\n') break;
    ++i;
    while (i < block.size() && IsContinuationByte(block[i])) ++i;
    ++c;
  }
  return block_offset + i;
}

// --- delimiters -----------------------------------------------------------------------

struct Line {
  std::string_view content;  // without the line ending and trailing blanks
  std::size_t next = 0;      // offset of the next line
  bool has_newline = false;
};

Line LineAt(std::string_view text, std::size_t pos) {
  std::size_t nl = text.find('\n', pos);
  Line l;
  l.has_newline = nl != std::string_view::npos;
  std::size_t end = l.has_newline ? nl : text.size();
  l.next = l.has_newline ? nl + 1 : text.size();
  std::string_view c = text.substr(pos, end - pos);
  while (!c.empty() && (c.back() == '\r' || c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
  l.content = c;
  return l;
}

// --- YAML -----------------------------------------------------------------------------
//
// libyaml's event parser builds the JSON directly (yaml-cpp's scanner cost several times
// more than the whole Markdown conversion). What a YAML node means is decided here, as it
// was with yaml-cpp: plain scalars by the YAML 1.2 core schema, aliases copied from their
// anchors, the first document only, a duplicate key's last value at its first place, and
// `<<` an ordinary key (no merge).

bool IsDigits(std::string_view s, bool hex = false) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') ||
              (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    if (!ok) return false;
  }
  return true;
}

std::optional<Json> YamlInt(std::string_view s) {
  bool negative = false;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.starts_with("0x")) base = 16;
  else if (digits.starts_with("0o")) base = 8;
  if (base != 10) {
    // YAML 1.2 core: 0x / 0o take no sign.
    if (s.size() != digits.size()) return std::nullopt;
    digits.remove_prefix(2);
    if (!IsDigits(digits, base == 16)) return std::nullopt;
    if (base == 8 && digits.find_first_of("89") != std::string_view::npos) return std::nullopt;
  } else {
    if (!IsDigits(digits)) return std::nullopt;
    // "007" or a zip code: a number would lose the zeros, and nothing may be lost.
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  }
  std::uint64_t u = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;  // overflow
  if (!negative) {
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) return Json(static_cast<std::int64_t>(u));
    return Json(u);
  }
  if (u <= static_cast<std::uint64_t>(INT64_MAX)) return Json(-static_cast<std::int64_t>(u));
  if (u == static_cast<std::uint64_t>(INT64_MAX) + 1) return Json(INT64_MIN);
  return std::nullopt;
}

// YAML 1.2 core schema float: [-+]? (\.[0-9]+ | [0-9]+(\.[0-9]*)?) ([eE][-+]?[0-9]+)?
// .inf and .nan stay strings: JSON has no such numbers. Without a '.' or an exponent it is
// an integer too large for int64/uint64, kept as written rather than rounded.
std::optional<Json> YamlFloat(std::string_view s) {
  std::size_t i = 0;
  std::string_view t = s;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) ++i;
  std::size_t int_start = i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  std::size_t int_digits = i - int_start;
  std::size_t frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    std::size_t f = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    frac_digits = i - f;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  bool has_point = i > int_start + int_digits;
  if (int_digits > 1 && t[int_start] == '0') return std::nullopt;  // keep "00.5" as written
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    std::size_t e = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == e) return std::nullopt;
    has_point = true;
  }
  if (i != t.size() || !has_point) return std::nullopt;
  if (t[0] == '+') t.remove_prefix(1);  // from_chars takes no '+'
  double d = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;  // out of range
  return Json(d);
}

std::optional<Json> YamlBool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return Json(true);
  if (s == "false" || s == "False" || s == "FALSE") return Json(false);
  return std::nullopt;
}

bool YamlNull(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// Plain scalars resolve by the YAML 1.2 core schema (what Hugo's go-yaml v3 does), so
// `no`, `on`, `yes` stay strings; quoted and block scalars (tag "!") are always strings.
// `tag` is "?" for an untagged plain scalar, "!" for an untagged other one, else the
// resolved tag ("tag:yaml.org,2002:int", "!custom").
Json YamlScalar(std::string_view s, std::string_view tag) {
  constexpr std::string_view kCore = "tag:yaml.org,2002:";
  if (tag == "?") {
    if (YamlNull(s)) return Json(nullptr);
    if (auto b = YamlBool(s)) return *b;
    if (auto i = YamlInt(s)) return *i;
    if (auto f = YamlFloat(s)) return *f;
    return Json(std::string(s));
  }
  if (tag.starts_with(kCore)) {
    std::string_view type = tag.substr(kCore.size());
    if (type == "null" && YamlNull(s)) return Json(nullptr);
    if (type == "bool")
      if (auto b = YamlBool(s)) return *b;
    if (type == "int")
      if (auto i = YamlInt(s)) return *i;
    if (type == "float") {
      if (auto i = YamlInt(s)) return Json(static_cast<double>(i->get<double>()));
      if (auto f = YamlFloat(s)) return *f;
    }
  }
  return Json(std::string(s));  // "!", "!!str", custom tags, or a value its tag cannot hold
}

// Length of the valid UTF-8 sequence at s[i] with its code point in `cp`, or 0.
std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3
                    : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range excludes overlongs and surrogates
  if (b0 == 0xE0) lo = 0xA0;
  else if (b0 == 0xED) hi = 0x9F;
  else if (b0 == 0xF0) lo = 0x90;
  else if (b0 == 0xF4) hi = 0x8F;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  cp = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  return len;
}

// Length of the invalid sequence at s[i]: its longest prefix that could start a valid one
// (at least one byte), which becomes one U+FFFD (the Unicode standard's recommended
// practice).
std::size_t InvalidLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  std::size_t len = b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3
                    : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : 0;
  if (len == 0) return 1;
  unsigned char lo = b0 == 0xE0 ? 0xA0 : b0 == 0xF0 ? 0x90 : 0x80;
  unsigned char hi = b0 == 0xED ? 0x9F : b0 == 0xF4 ? 0x8F : 0xBF;
  std::size_t k = 1;
  if (i + k < s.size() && byte(i + k) >= lo && byte(i + k) <= hi) ++k;
  else return 1;
  while (k < len && i + k < s.size() && (byte(i + k) & 0xC0) == 0x80) ++k;
  return k;
}

// libyaml reads one character per valid UTF-8 sequence; an invalid sequence is one
// character too once Sanitize has replaced it.
std::size_t CharLength(std::string_view s, std::size_t i) {
  char32_t cp;
  std::size_t len = DecodeUtf8(s, i, cp);
  return len == 0 ? InvalidLength(s, i) : len;
}

// Byte offset of the `index`-th character of `s` (libyaml's yaml_mark_t::index counts
// characters, a CR LF pair as two).
std::size_t OffsetOfCharIndex(std::string_view s, std::size_t index) {
  std::size_t i = 0;
  for (std::size_t n = 0; n < index && i < s.size(); ++n) i += CharLength(s, i);
  return std::min(i, s.size());
}

// Characters that libyaml refuses (C0 and C1 controls, DEL, U+FFFE/U+FFFF, invalid UTF-8)
// or reads as line breaks (a CR without LF, NEL, U+2028, U+2029), where yaml-cpp, and so
// this stage before libyaml, kept them as ordinary characters. Scraped titles do hold
// stray controls, and a document is never lost for them.
bool IsYamlOddChar(std::string_view s, std::size_t i, char32_t cp) {
  if (cp == '\r') return i + 1 >= s.size() || s[i + 1] != '\n';
  return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0xFFFE || cp == 0xFFFF;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The odd characters of a block, each replaced by a private-use character that does not
// occur in it (one character for one, so libyaml's marks still count the original's
// characters), and put back into the parsed strings afterwards. Invalid UTF-8 becomes
// U+FFFD: yaml-cpp passed the bytes through, and the JSONL writer replaced them anyway.
struct Sanitized {
  std::string text;
  std::vector<std::pair<char32_t, char32_t>> placeholders;  // {original, placeholder}
};

bool NeedsSanitizing(std::string_view block) {
  for (std::size_t i = 0; i < block.size();) {
    unsigned char b = static_cast<unsigned char>(block[i]);
    if ((b >= 0x20 && b < 0x7F) || b == '\n' || b == '\t') {
      ++i;
      continue;
    }
    char32_t cp;
    std::size_t len = DecodeUtf8(block, i, cp);
    if (len == 0 || IsYamlOddChar(block, i, cp)) return true;
    i += len;
  }
  return false;
}

Sanitized Sanitize(std::string_view block) {
  Sanitized s;
  std::vector<char32_t> used;  // private-use characters of planes 15 and 16 already there
  for (std::size_t i = 0; i < block.size();) {
    char32_t cp;
    std::size_t len = DecodeUtf8(block, i, cp);
    if (len != 0 && cp >= 0xF0000) used.push_back(cp);
    i += len == 0 ? InvalidLength(block, i) : len;
  }
  std::sort(used.begin(), used.end());
  char32_t next = 0xF0000;
  s.text.reserve(block.size() + 16);
  for (std::size_t i = 0; i < block.size();) {
    char32_t cp;
    std::size_t len = DecodeUtf8(block, i, cp);
    if (len == 0) {
      AppendUtf8(s.text, 0xFFFD);
      i += InvalidLength(block, i);
      continue;
    }
    if (!IsYamlOddChar(block, i, cp)) {
      s.text.append(block.substr(i, len));
      i += len;
      continue;
    }
    auto it = std::find_if(s.placeholders.begin(), s.placeholders.end(),
                           [&](const auto& p) { return p.first == cp; });
    if (it == s.placeholders.end()) {
      while (std::binary_search(used.begin(), used.end(), next)) ++next;
      it = s.placeholders.insert(s.placeholders.end(), {cp, next++});
    }
    AppendUtf8(s.text, it->second);
    i += len;
  }
  return s;
}

std::string Unsanitize(const std::string& s, const Sanitized& sanitized) {
  // Placeholders are 4-byte sequences starting with F3 or F4; most strings have none.
  if (s.find_first_of("\xF3\xF4") == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp;
    std::size_t len = DecodeUtf8(s, i, cp);
    if (len == 4) {
      auto it = std::find_if(sanitized.placeholders.begin(), sanitized.placeholders.end(),
                             [&](const auto& p) { return p.second == cp; });
      if (it != sanitized.placeholders.end()) {
        AppendUtf8(out, it->first);
        i += len;
        continue;
      }
    }
    std::size_t n = len == 0 ? 1 : len;
    out.append(s, i, n);
    i += n;
  }
  return out;
}

void Unsanitize(Json& j, const Sanitized& sanitized) {
  if (j.is_string()) {
    j = Unsanitize(j.get_ref<const std::string&>(), sanitized);
  } else if (j.is_array()) {
    for (Json& item : j) Unsanitize(item, sanitized);
  } else if (j.is_object()) {
    // Keys are const in place; placeholders map one to one, so the keys stay distinct and
    // the pairs can be appended without a search.
    Json out = Json::object();
    auto& pairs = static_cast<Json::object_t::Container&>(out.get_ref<Json::object_t&>());
    for (auto& [k, v] : j.get_ref<Json::object_t&>()) {
      Unsanitize(v, sanitized);
      pairs.emplace_back(Unsanitize(k, sanitized), std::move(v));
    }
    j = std::move(out);
  }
}

// Deletes the libyaml event it holds when it goes out of scope or is reused.
class YamlEvent {
 public:
  YamlEvent() { std::memset(&event_, 0, sizeof event_); }
  ~YamlEvent() { yaml_event_delete(&event_); }
  YamlEvent(const YamlEvent&) = delete;
  YamlEvent& operator=(const YamlEvent&) = delete;

  yaml_event_t* Reset() {
    yaml_event_delete(&event_);  // safe on a zeroed or already deleted event
    return &event_;
  }
  const yaml_event_t& operator*() const { return event_; }
  const yaml_event_t* operator->() const { return &event_; }

 private:
  yaml_event_t event_;
};

std::string_view YamlString(const yaml_char_t* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

// An anchored node, kept to copy it wherever an alias names it.
struct YamlAnchor {
  std::size_t serial = 0;  // which definition of the name, in document order
  bool complete = false;   // false while its own children are read: an alias to it is a cycle
  Json value;
  std::string key;          // its text when an alias to it is a mapping key
  std::size_t values = 0;   // nodes in it, aliases expanded
  std::size_t bytes = 0;    // bytes of keys and scalars in it, aliases expanded
  int height = 0;           // levels below it
};

class YamlReader {
 public:
  // `block` is the front matter in `text`; libyaml reads `input`, which is the block or
  // its sanitized copy (same characters, one for one).
  YamlReader(std::string_view text, std::string_view block, std::string_view input)
      : text_(text), block_(block), input_(input),
        block_offset_(static_cast<std::size_t>(block.data() - text.data())) {
    initialized_ = yaml_parser_initialize(&parser_) != 0;
    if (!initialized_) return;
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);  // no sniffing of a UTF-16 BOM
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(input_.data()),
                                 input_.size());
  }
  ~YamlReader() {
    if (initialized_) yaml_parser_delete(&parser_);
  }
  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  /// After a failed Read: the byte offset in the input of a separating tab that libyaml
  /// refused, if that was the failure.
  std::optional<std::size_t> refused_tab() const { return refused_tab_; }

  std::optional<Failure> Read(Json& out) {
    if (!initialized_) return Failure{"YAML: out of memory", block_offset_};
    YamlEvent ev;
    if (!Next(ev)) return failure_;  // STREAM-START
    if (!Next(ev)) return failure_;
    out = Json::object();
    if (ev->type != YAML_DOCUMENT_START_EVENT) return std::nullopt;  // empty or only comments
    if (!Next(ev)) return failure_;
    const yaml_event_t& root = *ev;
    if (root.type == YAML_MAPPING_START_EVENT || root.type == YAML_ALIAS_EVENT) {
      int height = 0;
      if (!ReadNode(ev, 0, out, height, nullptr)) return Finish();
    } else if (root.type == YAML_SCALAR_EVENT && IsPlainUntagged(root) &&
               YamlNull(ScalarText(root))) {
      // `~` or `null` alone: no keys
    } else {
      std::string what = root.type == YAML_SEQUENCE_START_EVENT ? "a list"
                         : root.type == YAML_SCALAR_EVENT       ? "a single value"
                                                                : "not a mapping";
      Fail("YAML front matter is " + what + ", expected a mapping of keys to values (key: value)",
           root.start_mark);
      return Finish();
    }
    // Only the first document counts, as with yaml-cpp's YAML::Load: its end, then whatever
    // follows it must be a new document (`--- …`, not read) or nothing, so that text after
    // the mapping that is not part of it is still a syntax error.
    if (!Next(ev) || !Next(ev)) return failure_;
    return std::nullopt;
  }

 private:
  static bool IsPlainUntagged(const yaml_event_t& e) {
    return e.data.scalar.tag == nullptr && e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  }
  static std::string_view ScalarText(const yaml_event_t& e) {
    return {reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length};
  }

  // The next event; false on a syntax error, which is then the failure.
  bool Next(YamlEvent& ev) {
    if (yaml_parser_parse(&parser_, ev.Reset())) return true;
    SyntaxFailure();
    return false;
  }

  // A failure found while building (limits, cycles, a root that is not a mapping) comes
  // after the syntax errors of the rest of the document, as when yaml-cpp loaded it whole
  // first. Not below kMaxDepth levels, though: libyaml's time per token grows with the
  // flow nesting, so a million '[' would take hours.
  std::optional<Failure> Finish() {
    if (syntax_error_) return failure_;
    YamlEvent ev;
    int depth = 0;
    while (depth <= kMaxDepth && Next(ev)) {
      yaml_event_type_t t = ev->type;
      if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) ++depth;
      else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) --depth;
      else if (t == YAML_DOCUMENT_END_EVENT || t == YAML_STREAM_END_EVENT || t == YAML_NO_EVENT) break;
    }
    return failure_;
  }

  void SyntaxFailure() {
    syntax_error_ = true;
    if (parser_.error == YAML_MEMORY_ERROR) {
      failure_ = Failure{"YAML: out of memory", block_offset_};
      return;
    }
    std::string message = parser_.error == YAML_READER_ERROR ? "YAML: " : "YAML syntax error: ";
    message += parser_.problem ? parser_.problem : "malformed YAML";
    std::size_t offset;
    if (parser_.error == YAML_READER_ERROR) {
      // problem_offset counts bytes of the input; find the same character in the block.
      std::size_t chars = 0;
      std::size_t end = std::min(parser_.problem_offset, input_.size());
      for (std::size_t i = 0; i < end; i += CharLength(input_, i)) ++chars;
      offset = OffsetOf(chars);
    } else {
      offset = OffsetOf(parser_.problem_mark.index);
      NoteRefusedTab();
      if (parser_.context) {
        Location where = LocationAt(text_, OffsetOf(parser_.context_mark.index));
        message += " (" + std::string(parser_.context) + " at line " + std::to_string(where.line) +
                   ", column " + std::to_string(where.column) + ")";
      }
    }
    failure_ = Failure{std::move(message), offset};
  }

  // libyaml takes no tab between tokens after a block indicator (`-\tx`, `- \t"x"`), which
  // YAML 1.2 and yaml-cpp allow. Outside the indentation such a tab only separates tokens,
  // so a space in its place means the same.
  void NoteRefusedTab() {
    if (!parser_.problem ||
        std::strcmp(parser_.problem, "found character that cannot start any token") != 0)
      return;
    std::size_t at = OffsetOfCharIndex(input_, parser_.problem_mark.index);
    if (at >= input_.size() || input_[at] != '\t') return;
    std::size_t line_start = input_.rfind('\n', at);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    if (input_.find_first_not_of(' ', line_start) < at) refused_tab_ = at;
  }

  void Fail(std::string message, const yaml_mark_t& mark) {
    if (!failure_) failure_ = Failure{std::move(message), OffsetOf(mark.index)};
  }

  // Byte offset in the document of a libyaml character index in the block.
  std::size_t OffsetOf(std::size_t char_index) const {
    return block_offset_ + OffsetOfCharIndex(block_, char_index);
  }

  // Byte offset in the input of a libyaml character index. Marks come in document order,
  // so the walk goes on from the last one instead of from the start each time.
  std::size_t InputOffset(std::size_t char_index) {
    if (char_index < cursor_chars_) cursor_chars_ = cursor_bytes_ = 0;
    while (cursor_chars_ < char_index && cursor_bytes_ < input_.size()) {
      cursor_bytes_ += CharLength(input_, cursor_bytes_);
      ++cursor_chars_;
    }
    return std::min(cursor_bytes_, input_.size());
  }

  // The source text of a node between two byte offsets of the input, for a mapping key
  // that is a list or a mapping.
  std::string SourceText(std::size_t b, std::size_t e) const {
    std::string_view s = input_.substr(b, std::max(b, e) - b);
    constexpr std::string_view kBlanks = " \t\r\n";
    // Without its anchor and tag, which start the node's first event.
    while (!s.empty() && (s[0] == '&' || s[0] == '!')) {
      std::size_t end = s.find_first_of(kBlanks);
      std::size_t next = end == std::string_view::npos ? s.size() : s.find_first_not_of(kBlanks, end);
      s.remove_prefix(next == std::string_view::npos ? s.size() : next);
    }
    while (!s.empty() && kBlanks.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
    return std::string(s);
  }

  // Reads the node that starts with `ev` (consuming its events up to its end) into `out`.
  // `height` receives the levels below it; `key`, when given, the text it has as a key.
  bool ReadNode(YamlEvent& ev, int depth, Json& out, int& height, std::string* key) {
    const yaml_event_t& e = *ev;
    height = 0;
    if (e.type == YAML_ALIAS_EVENT) return ReadAlias(e, depth, out, height, key);
    // Nodes are counted and their depth checked as yaml-cpp's nodes were when converted.
    if (++values_ > kMaxValues) {
      Fail("YAML holds more than " + std::to_string(kMaxValues) + " values", e.start_mark);
      return false;
    }
    if (depth > kMaxDepth) {
      Fail("YAML nested deeper than " + std::to_string(kMaxDepth) + " levels", e.start_mark);
      return false;
    }
    const yaml_char_t* anchor_name = nullptr;
    switch (e.type) {
      case YAML_SCALAR_EVENT: anchor_name = e.data.scalar.anchor; break;
      case YAML_SEQUENCE_START_EVENT: anchor_name = e.data.sequence_start.anchor; break;
      case YAML_MAPPING_START_EVENT: anchor_name = e.data.mapping_start.anchor; break;
      default: break;
    }
    const std::size_t values_before = values_ - 1;
    const std::size_t bytes_before = bytes_;
    const yaml_mark_t start = e.start_mark;
    const bool wants_text = key || anchor_name;  // the node's text as a key
    const std::size_t start_byte =
        wants_text && e.type != YAML_SCALAR_EVENT ? InputOffset(start.index) : 0;
    std::string anchor;
    std::size_t serial = 0;
    if (anchor_name) {
      // A redefinition replaces the earlier one from here on.
      anchor = std::string(YamlString(anchor_name));
      serial = ++anchor_serial_;
      YamlAnchor& a = anchors_[anchor];
      a = YamlAnchor();
      a.serial = serial;
    }

    std::string text;
    if (e.type == YAML_SCALAR_EVENT) {
      std::string_view s = ScalarText(e);
      bytes_ += s.size();
      std::string_view tag = e.data.scalar.tag ? YamlString(e.data.scalar.tag)
                             : e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? "?" : "!";
      out = YamlScalar(s, tag);
      if (wants_text) text = tag == "?" && YamlNull(s) ? std::string("null") : std::string(s);
    } else if (e.type == YAML_SEQUENCE_START_EVENT) {
      out = Json::array();
      YamlEvent item_ev;
      for (;;) {
        if (!Next(item_ev)) return false;
        if (item_ev->type == YAML_SEQUENCE_END_EVENT) break;
        Json item;
        int h = 0;
        if (!ReadNode(item_ev, depth + 1, item, h, nullptr)) return false;
        height = std::max(height, h + 1);
        out.push_back(std::move(item));
      }
      if (wants_text) text = SourceText(start_byte, InputOffset(item_ev->end_mark.index));
    } else if (e.type == YAML_MAPPING_START_EVENT) {
      out = Json::object();
      yaml_mark_t end{};
      if (!ReadMapping(depth, out, height, end)) return false;
      if (wants_text) text = SourceText(start_byte, InputOffset(end.index));
    } else {
      Fail("unexpected YAML event", start);  // libyaml never sends one here
      return false;
    }

    if (anchor_name) {
      // Unless a node inside redefined the name: aliases after it name that later one.
      if (YamlAnchor& a = anchors_[anchor]; a.serial == serial) {
        a.complete = true;
        a.value = out;
        a.values = values_ - values_before;
        a.bytes = bytes_ - bytes_before;
        a.height = height;
        a.key = text;
      }
    }
    if (key) *key = std::move(text);
    return true;
  }

  bool ReadAlias(const yaml_event_t& e, int depth, Json& out, int& height, std::string* key) {
    std::string_view name = YamlString(e.data.alias.anchor);
    auto it = anchors_.find(std::string(name));
    if (it == anchors_.end()) {
      // yaml-cpp refused this while loading, before anything else: a syntax error.
      syntax_error_ = true;
      failure_ = Failure{"YAML syntax error: alias *" + std::string(name) +
                             " names no anchor &" + std::string(name) + " defined before it",
                         OffsetOf(e.start_mark.index)};
      return false;
    }
    const YamlAnchor& a = it->second;
    if (!a.complete) {
      Fail("recursive YAML alias *" + std::string(name) +
               ": it names a node that contains it, which would be nested deeper than " +
               std::to_string(kMaxDepth) + " levels",
           e.start_mark);
      return false;
    }
    if (values_ + a.values > kMaxValues) {
      Fail("YAML holds more than " + std::to_string(kMaxValues) +
               " values once alias *" + std::string(name) +
               " is expanded (a \"billion laughs\" bomb?)",
           e.start_mark);
      return false;
    }
    if (alias_bytes_ + a.bytes > kMaxAliasBytes) {
      Fail("YAML aliases copy more than " + std::to_string(kMaxAliasBytes >> 20) +
               " MiB of text once alias *" + std::string(name) + " is expanded",
           e.start_mark);
      return false;
    }
    if (depth + a.height > kMaxDepth) {
      Fail("YAML nested deeper than " + std::to_string(kMaxDepth) + " levels at alias *" +
               std::string(name),
           e.start_mark);
      return false;
    }
    values_ += a.values;
    bytes_ += a.bytes;
    alias_bytes_ += a.bytes;
    height = a.height;
    out = a.value;
    if (key) *key = a.key;
    return true;
  }

  // Reads the pairs of a mapping whose start event was just read, up to its end.
  bool ReadMapping(int depth, Json& out, int& height, yaml_mark_t& end) {
    // A duplicate key keeps its first place and takes the last value, in linear time even for
    // a hostile front matter of thousands of keys.
    JsonObjectBuilder pairs(out);
    YamlEvent key_ev;
    YamlEvent value_ev;
    for (;;) {
      if (!Next(key_ev)) return false;
      if (key_ev->type == YAML_MAPPING_END_EVENT) break;
      std::string key;
      Json ignored;
      int h = 0;
      if (key_ev->type == YAML_SCALAR_EVENT && !key_ev->data.scalar.anchor) {
        // The common case, without building a JSON value for the key.
        std::string_view s = ScalarText(*key_ev);
        bytes_ += s.size();
        key = IsPlainUntagged(*key_ev) && YamlNull(s) ? std::string("null") : std::string(s);
      } else if (!ReadNode(key_ev, depth + 1, ignored, h, &key)) {
        return false;
      }
      if (!Next(value_ev)) return false;
      Json value;
      if (!ReadNode(value_ev, depth + 1, value, h, nullptr)) return false;
      height = std::max(height, h + 1);

      pairs.Set(std::move(key), std::move(value));
    }
    end = key_ev->end_mark;
    return true;
  }

  yaml_parser_t parser_;
  std::string_view text_;   // the whole document
  std::string_view block_;  // the front matter in it, as written
  std::string_view input_;  // what libyaml reads
  std::size_t block_offset_;
  std::unordered_map<std::string, YamlAnchor> anchors_;
  std::size_t anchor_serial_ = 0;
  std::size_t values_ = 0;
  std::size_t bytes_ = 0;        // of keys and scalars, aliases expanded
  std::size_t alias_bytes_ = 0;  // of them copied by aliases
  std::optional<Failure> failure_;
  bool syntax_error_ = false;
  std::optional<std::size_t> refused_tab_;
  std::size_t cursor_chars_ = 0;  // InputOffset's last place
  std::size_t cursor_bytes_ = 0;
  bool initialized_ = false;
};

// Reads `block` (front matter in `text`) with libyaml, again with a space for each
// separating tab it refuses. Each try reads the block again: they stop after reading
// 32 MiB (hundreds of tries for a usual block, a few for a huge one).
std::optional<Failure> ReadYaml(std::string_view text, std::string_view block, std::string_view input,
                                Json& out) {
  constexpr std::size_t kRetryBytes = std::size_t{32} << 20;
  const std::size_t max_retries = std::max<std::size_t>(4, kRetryBytes / (input.size() + 1));
  std::string patched;
  for (std::size_t retry = 0;; ++retry) {
    YamlReader reader(text, block, input);
    std::optional<Failure> failure = reader.Read(out);
    if (!failure || !reader.refused_tab() || retry == max_retries) return failure;
    if (patched.empty()) {
      patched = std::string(input);
      input = patched;
    }
    patched[*reader.refused_tab()] = ' ';
  }
}

std::optional<Failure> ParseYaml(std::string_view text, std::string_view block, Json& out) {
  if (!NeedsSanitizing(block)) return ReadYaml(text, block, block, out);
  Sanitized sanitized = Sanitize(block);
  std::optional<Failure> failure = ReadYaml(text, block, sanitized.text, out);
  if (failure) failure->message = Unsanitize(failure->message, sanitized);
  else if (!sanitized.placeholders.empty()) Unsanitize(out, sanitized);
  return failure;
}

// --- TOML -----------------------------------------------------------------------------

std::string TwoDigits(unsigned v) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02u", v % 100);
  return buf;
}

std::string IsoDate(const toml::date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", static_cast<unsigned>(d.year),
                static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
  return buf;
}

std::string IsoTime(const toml::time& t) {
  std::string s = TwoDigits(t.hour) + ":" + TwoDigits(t.minute) + ":" + TwoDigits(t.second);
  if (t.nanosecond != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%09u", static_cast<unsigned>(t.nanosecond % 1000000000u));
    std::string frac = buf;
    while (frac.back() == '0') frac.pop_back();
    s += frac;
  }
  return s;
}

std::string IsoDateTime(const toml::date_time& dt) {
  std::string s = IsoDate(dt.date) + "T" + IsoTime(dt.time);
  if (dt.offset) {
    int minutes = dt.offset->minutes;
    if (minutes == 0) {
      s += 'Z';
    } else {
      s += minutes < 0 ? '-' : '+';
      unsigned m = static_cast<unsigned>(minutes < 0 ? -minutes : minutes);
      s += TwoDigits(m / 60) + ":" + TwoDigits(m % 60);
    }
  }
  return s;
}

bool SourceBefore(const toml::source_region& a, const toml::source_region& b) {
  // Unknown positions (line 0) go last.
  auto key = [](const toml::source_region& r) {
    return std::pair(r.begin.line == 0 ? UINT32_MAX : r.begin.line, r.begin.column);
  };
  return key(a) < key(b);
}

struct TomlConverter {
  std::size_t values = 0;
  bool too_big = false;

  void Convert(const toml::node& n, int depth, Json& out) {
    if (++values > kMaxValues || depth > kMaxDepth) {
      too_big = true;
      return;
    }
    if (const toml::table* t = n.as_table()) {
      // toml++ keeps tables sorted by key; the order the author wrote them in is recovered
      // from the keys' source positions.
      std::vector<std::pair<const toml::key*, const toml::node*>> items;
      items.reserve(t->size());
      for (auto&& [k, v] : *t) items.emplace_back(&k, &v);
      std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
        return SourceBefore(a.first->source(), b.first->source());
      });
      out = Json::object();
      JsonObjectBuilder object(out);
      for (const auto& [k, v] : items) {
        Json value;
        Convert(*v, depth + 1, value);
        if (too_big) return;
        object.Set(std::string(k->str()), std::move(value));
      }
    } else if (const toml::array* a = n.as_array()) {
      out = Json::array();
      for (const toml::node& item : *a) {
        Json value;
        Convert(item, depth + 1, value);
        if (too_big) return;
        out.push_back(std::move(value));
      }
    } else if (auto s = n.value_exact<std::string>()) {
      out = *s;
    } else if (auto i = n.value_exact<std::int64_t>()) {
      out = *i;
    } else if (auto d = n.value_exact<double>()) {
      if (*d != *d) out = "nan";
      else if (*d == std::numeric_limits<double>::infinity()) out = "inf";
      else if (*d == -std::numeric_limits<double>::infinity()) out = "-inf";
      else out = *d;
    } else if (auto b = n.value_exact<bool>()) {
      out = *b;
    } else if (auto date = n.value_exact<toml::date>()) {
      out = IsoDate(*date);
    } else if (auto time = n.value_exact<toml::time>()) {
      out = IsoTime(*time);
    } else if (auto dt = n.value_exact<toml::date_time>()) {
      out = IsoDateTime(*dt);
    } else {
      out = nullptr;
    }
  }
};

std::optional<Failure> ParseToml(std::string_view block, std::size_t block_offset, Json& out) {
  toml::table table;
  try {
    table = toml::parse(block);
  } catch (const toml::parse_error& e) {
    const toml::source_position& p = e.source().begin;
    std::size_t off = p.line == 0 ? block_offset
                                  : OffsetOfLineColumn(block, block_offset, p.line, p.column);
    return Failure{"TOML syntax error: " + std::string(e.description()), off};
  } catch (const std::exception& e) {
    return Failure{std::string("TOML: ") + e.what(), block_offset};
  }
  TomlConverter conv;
  conv.Convert(table, 0, out);
  if (conv.too_big)
    return Failure{"TOML holds more than " + std::to_string(kMaxValues) + " values or nests deeper than " +
                       std::to_string(kMaxDepth) + " levels",
                   block_offset};
  return std::nullopt;
}

// --- JSON -----------------------------------------------------------------------------

// True when the text after a '{' can only be a JSON object: `{` then white space then `"`
// or `}`. Bodies that merely start with a brace (a Hugo shortcode `{{< … >}}`, `{%`
// Liquid) are left alone instead of failing as broken JSON.
bool LooksLikeJsonObject(std::string_view s) {
  std::size_t i = s.find_first_not_of(" \t\r\n", 1);
  return i != std::string_view::npos && (s[i] == '"' || s[i] == '}');
}

std::optional<Failure> ScanJsonEnd(std::string_view text, std::size_t start, std::size_t& end) {
  int braces = 0;
  int nesting = 0;
  bool in_string = false;
  for (std::size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{':
      case '[':
        if (++nesting > kMaxDepth)
          return Failure{"JSON nested deeper than " + std::to_string(kMaxDepth) + " levels", i};
        if (c == '{') ++braces;
        break;
      case '}':
      case ']':
        if (nesting > 0) --nesting;
        // Only braces decide where the object ends, so that a stray ']' is reported by the
        // parser at its place instead of as an unterminated block.
        if (c == '}' && --braces == 0) {
          end = i + 1;
          return std::nullopt;
        }
        break;
      default: break;
    }
  }
  return Failure{"unterminated JSON front matter starting at line 1: no closing '}'", start};
}

// --- metadata -------------------------------------------------------------------------

bool IsText(const Json& v) { return v.is_string() || v.is_number(); }

bool IsStringList(const Json& v) {
  if (!v.is_array() || v.empty()) return false;
  for (const Json& item : v)
    if (!item.is_string()) return false;
  return true;
}

bool IsAbsoluteUrl(const Json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("//");
}

// Renames the usual aliases to the well-known keys MetadataFromJson knows:
// description → summary (when there is no summary), author/authors lists → author (the first;
// the list is kept), url/canonical/original_url → source_url (when there is no source_url;
// Hugo's `url` is usually a site-relative path, so only an absolute one counts).
Json NormalizeKeys(const Json& j) {
  auto has_text = [&](const char* key) { return j.contains(key) && IsText(j[key]) && j[key] != ""; };
  const bool summary_given = has_text("summary");
  const bool author_given = j.contains("author") && IsText(j["author"]);

  std::string url_key;
  if (!j.contains("source_url")) {
    for (const char* k : {"original_url", "canonical", "canonicalURL", "url"}) {
      if (!j.contains(k)) continue;
      const Json& v = j[k];
      bool ok = std::string_view(k) == "url" ? IsAbsoluteUrl(v) : (v.is_string() && v != "");
      if (ok) {
        url_key = k;
        break;
      }
    }
  }

  Json result = Json::object();
  JsonObjectBuilder out(result);
  bool author_taken = author_given;
  for (const auto& [k, v] : j.items()) {
    if (k == "description" && !summary_given && v.is_string()) {
      out.Set("summary", v);
    } else if (k == url_key) {
      out.Set("source_url", v);
    } else if (k == "author" && !author_given && IsStringList(v)) {
      out.Set("author", v.front());
      author_taken = true;
      out.Set(j.contains("authors") ? "author_list" : "authors", v);
    } else if (k == "authors" && !author_taken && (IsText(v) || IsStringList(v))) {
      author_taken = true;
      if (IsText(v)) {
        out.Set("author", v);
      } else {
        out.Set("author", v.front());
        out.Set("authors", v);
      }
    } else {
      out.Set(k, v);
    }
  }
  return result;
}

void MergeInto(const Json& j, Metadata& meta) {
  Metadata fm = MetadataFromJson(NormalizeKeys(j));
  for (auto [from, to] : {std::pair(&fm.title, &meta.title), std::pair(&fm.date, &meta.date),
                          std::pair(&fm.author, &meta.author),
                          std::pair(&fm.source_url, &meta.source_url),
                          std::pair(&fm.summary, &meta.summary), std::pair(&fm.lang, &meta.lang)}) {
    if (!from->empty()) *to = std::move(*from);
  }
  if (!fm.tags.empty()) meta.tags = std::move(fm.tags);
  if (!fm.categories.empty()) meta.categories = std::move(fm.categories);
  // meta.path is where the document was read from; a front matter `path` key is only data.
  JsonObjectBuilder extra(meta.extra);
  if (!fm.path.empty()) extra.Set("path", fm.path);
  for (auto& [k, v] : fm.extra.items()) extra.Set(k, std::move(v));
}

}  // namespace

FrontMatter ParseFrontMatter(std::string_view text, Metadata& meta, Diagnostics& diag) {
  FrontMatter result;
  const std::size_t start = text.starts_with(kBom) ? kBom.size() : 0;
  std::string_view rest = text.substr(start);

  Json data;
  std::optional<Failure> failure;
  std::size_t body = 0;

  if (rest.starts_with("{")) {
    if (!LooksLikeJsonObject(rest)) {
      result.body_offset = start;
      return result;
    }
    result.kind = FrontMatterKind::kJson;
    std::size_t end = 0;
    failure = ScanJsonEnd(text, start, end);
    if (!failure) {
      std::string_view slice = text.substr(start, end - start);
      try {
        data = ParseJson(slice);  // linear in the number of keys; Json::parse is not
      } catch (const Json::parse_error& e) {
        // e.byte is 1-based; past the end for "unexpected end of input".
        std::size_t off = start + std::min(e.byte > 0 ? e.byte - 1 : 0, slice.size());
        std::string what = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 8: ",
        // whose place is relative to the slice; ours is in the whole document.
        if (std::size_t colon = what.find(": "); colon != std::string::npos) {
          std::size_t second = what.find(": ", colon + 2);
          what = what.substr(second != std::string::npos ? second + 2 : colon + 2);
        }
        failure = Failure{"JSON syntax error: " + what, off};
      } catch (const Json::exception& e) {
        // A number beyond a double (1e400) is out_of_range, not a parse_error; it carries no
        // place, so the failure points at the front matter's start (found by the fuzzer:
        // tests/fuzz/regressions/front_matter/json_number_beyond_double.md).
        std::string what = e.what();
        if (what.starts_with("[json.exception.")) {
          if (std::size_t close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
        }
        failure = Failure{"JSON value out of range: " + what, start};
      }
      // The body starts on the line after the closing brace when nothing else is on it.
      body = end;
      std::size_t i = end;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') body = i + 1;
      else if (i == text.size()) body = i;
    }
  } else {
    Line open = LineAt(text, start);
    std::string_view delim = open.content;
    if (delim == "---") result.kind = FrontMatterKind::kYaml;
    else if (delim == "+++") result.kind = FrontMatterKind::kToml;
    else {
      result.body_offset = start;
      return result;
    }
    const bool yaml = result.kind == FrontMatterKind::kYaml;
    std::size_t pos = open.next;
    std::size_t close = std::string_view::npos;
    if (open.has_newline) {
      while (pos < text.size()) {
        Line l = LineAt(text, pos);
        if (l.content == delim || (yaml && l.content == "...")) {
          close = pos;
          body = l.next;
          break;
        }
        pos = l.next;
      }
    }
    if (close == std::string_view::npos) {
      failure = yaml ? Failure{"unterminated YAML front matter starting at line 1: no closing "
                               "'---' (to open a document with a thematic break, use '***')",
                               start}
                     : Failure{"unterminated TOML front matter starting at line 1: no closing '+++'",
                               start};
    } else {
      std::string_view block = text.substr(open.next, close - open.next);
      failure = yaml ? ParseYaml(text, block, data) : ParseToml(block, open.next, data);
    }
  }

  if (failure) {
    diag.Fail("strip", "front matter: " + failure->message, LocationAt(text, failure->byte_offset));
    result.body_offset = 0;
    result.body_line = 1;
    return result;
  }

  MergeInto(data, meta);
  result.body_offset = body;
  result.body_line = static_cast<int>(LocationAt(text, body).line);
  return result;
}

}  // namespace zhcanon::strip
