#include "zhcanon/strip/front_matter.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

namespace zhcanon::strip {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
// Front matter is a handful of keys; these limits only stop hostile input (cyclic YAML
// aliases, "billion laughs" expansion, absurd nesting) from exhausting the stack or memory
// here or in later stages, whose JSON copies and dumps recurse.
constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxValues = 100000;

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
// `no`, `on`, `yes` stay strings; quoted scalars (tag "!") are always strings.
Json YamlScalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  const std::string& tag = n.Tag();
  constexpr std::string_view kCore = "tag:yaml.org,2002:";
  if (tag == "?") {
    if (YamlNull(s)) return Json(nullptr);
    if (auto b = YamlBool(s)) return *b;
    if (auto i = YamlInt(s)) return *i;
    if (auto f = YamlFloat(s)) return *f;
    return Json(s);
  }
  if (std::string_view(tag).starts_with(kCore)) {
    std::string_view type = std::string_view(tag).substr(kCore.size());
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
  return Json(s);  // "!", "!!str", custom tags, or a value its tag cannot hold
}

struct YamlConverter {
  std::size_t values = 0;
  std::optional<Failure> failure;
  std::size_t block_offset = 0;

  void Fail(std::string message, const YAML::Node& n) {
    if (failure) return;
    YAML::Mark m = n.Mark();
    failure = Failure{std::move(message),
                      block_offset + (m.pos >= 0 ? static_cast<std::size_t>(m.pos) : 0)};
  }

  bool Convert(const YAML::Node& n, int depth, Json& out) {
    if (++values > kMaxValues) {
      Fail("YAML holds more than " + std::to_string(kMaxValues) +
               " values (alias expansion?)", n);
      return false;
    }
    if (depth > kMaxDepth) {
      Fail("YAML nested deeper than " + std::to_string(kMaxDepth) +
               " levels (a recursive alias?)", n);
      return false;
    }
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out = nullptr;
        return true;
      case YAML::NodeType::Scalar:
        out = YamlScalar(n);
        return true;
      case YAML::NodeType::Sequence:
        out = Json::array();
        for (const YAML::Node& item : n) {
          Json v;
          if (!Convert(item, depth + 1, v)) return false;
          out.push_back(std::move(v));
        }
        return true;
      case YAML::NodeType::Map:
        out = Json::object();
        for (const auto& kv : n) {
          std::string key;
          if (kv.first.IsScalar()) key = kv.first.Scalar();
          else if (kv.first.IsNull()) key = "null";
          else key = YAML::Dump(kv.first);  // a complex key, rare: keep its text
          Json v;
          if (!Convert(kv.second, depth + 1, v)) return false;
          out[key] = std::move(v);  // a duplicate key: the last value wins, at the first place
        }
        return true;
    }
    out = nullptr;
    return true;
  }
};

std::string_view YamlTypeName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a single value";
    default: return "not a mapping";
  }
}

std::optional<Failure> ParseYaml(std::string_view block, std::size_t block_offset, Json& out) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(block));
  } catch (const YAML::ParserException& e) {
    std::size_t off = e.mark.pos >= 0 ? static_cast<std::size_t>(e.mark.pos) : 0;
    return Failure{"YAML syntax error: " + e.msg, block_offset + std::min(off, block.size())};
  } catch (const std::exception& e) {
    return Failure{std::string("YAML: ") + e.what(), block_offset};
  }
  if (root.IsNull() || !root.IsDefined()) {  // empty or only comments
    out = Json::object();
    return std::nullopt;
  }
  YamlConverter conv;
  conv.block_offset = block_offset;
  if (!root.IsMap()) {
    conv.Fail("YAML front matter is " + std::string(YamlTypeName(root)) +
                  ", expected a mapping of keys to values (key: value)",
              root);
    return conv.failure;
  }
  try {
    if (!conv.Convert(root, 0, out)) return conv.failure;
  } catch (const std::exception& e) {
    return Failure{std::string("YAML: ") + e.what(), block_offset};
  }
  return std::nullopt;
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
      for (const auto& [k, v] : items) {
        Json value;
        Convert(*v, depth + 1, value);
        if (too_big) return;
        out[std::string(k->str())] = std::move(value);
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

  Json out = Json::object();
  bool author_taken = author_given;
  for (const auto& [k, v] : j.items()) {
    if (k == "description" && !summary_given && v.is_string()) {
      out["summary"] = v;
    } else if (k == url_key) {
      out["source_url"] = v;
    } else if (k == "author" && !author_given && IsStringList(v)) {
      out["author"] = v.front();
      author_taken = true;
      out[j.contains("authors") ? "author_list" : "authors"] = v;
    } else if (k == "authors" && !author_taken && (IsText(v) || IsStringList(v))) {
      author_taken = true;
      if (IsText(v)) {
        out["author"] = v;
      } else {
        out["author"] = v.front();
        out["authors"] = v;
      }
    } else {
      out[k] = v;
    }
  }
  return out;
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
  if (!fm.path.empty()) meta.extra["path"] = fm.path;
  for (auto& [k, v] : fm.extra.items()) meta.extra[k] = std::move(v);
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
        data = Json::parse(slice);
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
      failure = yaml ? ParseYaml(block, open.next, data) : ParseToml(block, open.next, data);
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
