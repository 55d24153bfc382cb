#include "zhcanon/strip/markdown.h"

#include <md4c.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace zhcanon::strip {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// --- character references ---------------------------------------------------------------

struct NamedEntity {
  std::string_view name;
  char32_t code_point;
};

// The HTML 4 named character references (what scraped pages use in practice) plus &apos;,
// sorted by name for binary search. HTML5's 2,000 further names (&NotSquareSubsetEqual; …)
// are left as written.
constexpr NamedEntity kEntities[] = {
    {"AElig", 0xC6}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Agrave", 0xC0}, {"Alpha", 0x391},
    {"Aring", 0xC5}, {"Atilde", 0xC3}, {"Auml", 0xC4}, {"Beta", 0x392}, {"Ccedil", 0xC7},
    {"Chi", 0x3A7}, {"Dagger", 0x2021}, {"Delta", 0x394}, {"ETH", 0xD0}, {"Eacute", 0xC9},
    {"Ecirc", 0xCA}, {"Egrave", 0xC8}, {"Epsilon", 0x395}, {"Eta", 0x397}, {"Euml", 0xCB},
    {"Gamma", 0x393}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Igrave", 0xCC}, {"Iota", 0x399},
    {"Iuml", 0xCF}, {"Kappa", 0x39A}, {"Lambda", 0x39B}, {"Mu", 0x39C}, {"Ntilde", 0xD1},
    {"Nu", 0x39D}, {"OElig", 0x152}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Ograve", 0xD2},
    {"Omega", 0x3A9}, {"Omicron", 0x39F}, {"Oslash", 0xD8}, {"Otilde", 0xD5}, {"Ouml", 0xD6},
    {"Phi", 0x3A6}, {"Pi", 0x3A0}, {"Prime", 0x2033}, {"Psi", 0x3A8}, {"Rho", 0x3A1},
    {"Scaron", 0x160}, {"Sigma", 0x3A3}, {"THORN", 0xDE}, {"Tau", 0x3A4}, {"Theta", 0x398},
    {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Ugrave", 0xD9}, {"Upsilon", 0x3A5}, {"Uuml", 0xDC},
    {"Xi", 0x39E}, {"Yacute", 0xDD}, {"Yuml", 0x178}, {"Zeta", 0x396}, {"aacute", 0xE1},
    {"acirc", 0xE2}, {"acute", 0xB4}, {"aelig", 0xE6}, {"agrave", 0xE0}, {"alefsym", 0x2135},
    {"alpha", 0x3B1}, {"amp", 0x26}, {"and", 0x2227}, {"ang", 0x2220}, {"apos", 0x27},
    {"aring", 0xE5}, {"asymp", 0x2248}, {"atilde", 0xE3}, {"auml", 0xE4}, {"bdquo", 0x201E},
    {"beta", 0x3B2}, {"brvbar", 0xA6}, {"bull", 0x2022}, {"cap", 0x2229}, {"ccedil", 0xE7},
    {"cedil", 0xB8}, {"cent", 0xA2}, {"chi", 0x3C7}, {"circ", 0x2C6}, {"clubs", 0x2663},
    {"cong", 0x2245}, {"copy", 0xA9}, {"crarr", 0x21B5}, {"cup", 0x222A}, {"curren", 0xA4},
    {"dArr", 0x21D3}, {"dagger", 0x2020}, {"darr", 0x2193}, {"deg", 0xB0}, {"delta", 0x3B4},
    {"diams", 0x2666}, {"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA}, {"egrave", 0xE8},
    {"empty", 0x2205}, {"emsp", 0x2003}, {"ensp", 0x2002}, {"epsilon", 0x3B5}, {"equiv", 0x2261},
    {"eta", 0x3B7}, {"eth", 0xF0}, {"euml", 0xEB}, {"euro", 0x20AC}, {"exist", 0x2203},
    {"fnof", 0x192}, {"forall", 0x2200}, {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE},
    {"frasl", 0x2044}, {"gamma", 0x3B3}, {"ge", 0x2265}, {"gt", 0x3E}, {"hArr", 0x21D4},
    {"harr", 0x2194}, {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0xED}, {"icirc", 0xEE},
    {"iexcl", 0xA1}, {"igrave", 0xEC}, {"image", 0x2111}, {"infin", 0x221E}, {"int", 0x222B},
    {"iota", 0x3B9}, {"iquest", 0xBF}, {"isin", 0x2208}, {"iuml", 0xEF}, {"kappa", 0x3BA},
    {"lArr", 0x21D0}, {"lambda", 0x3BB}, {"lang", 0x2329}, {"laquo", 0xAB}, {"larr", 0x2190},
    {"lceil", 0x2308}, {"ldquo", 0x201C}, {"le", 0x2264}, {"lfloor", 0x230A}, {"lowast", 0x2217},
    {"loz", 0x25CA}, {"lrm", 0x200E}, {"lsaquo", 0x2039}, {"lsquo", 0x2018}, {"lt", 0x3C},
    {"macr", 0xAF}, {"mdash", 0x2014}, {"micro", 0xB5}, {"middot", 0xB7}, {"minus", 0x2212},
    {"mu", 0x3BC}, {"nabla", 0x2207}, {"nbsp", 0xA0}, {"ndash", 0x2013}, {"ne", 0x2260},
    {"ni", 0x220B}, {"not", 0xAC}, {"notin", 0x2209}, {"nsub", 0x2284}, {"ntilde", 0xF1},
    {"nu", 0x3BD}, {"oacute", 0xF3}, {"ocirc", 0xF4}, {"oelig", 0x153}, {"ograve", 0xF2},
    {"oline", 0x203E}, {"omega", 0x3C9}, {"omicron", 0x3BF}, {"oplus", 0x2295}, {"or", 0x2228},
    {"ordf", 0xAA}, {"ordm", 0xBA}, {"oslash", 0xF8}, {"otilde", 0xF5}, {"otimes", 0x2297},
    {"ouml", 0xF6}, {"para", 0xB6}, {"part", 0x2202}, {"permil", 0x2030}, {"perp", 0x22A5},
    {"phi", 0x3C6}, {"pi", 0x3C0}, {"piv", 0x3D6}, {"plusmn", 0xB1}, {"pound", 0xA3},
    {"prime", 0x2032}, {"prod", 0x220F}, {"prop", 0x221D}, {"psi", 0x3C8}, {"quot", 0x22},
    {"rArr", 0x21D2}, {"radic", 0x221A}, {"rang", 0x232A}, {"raquo", 0xBB}, {"rarr", 0x2192},
    {"rceil", 0x2309}, {"rdquo", 0x201D}, {"real", 0x211C}, {"reg", 0xAE}, {"rfloor", 0x230B},
    {"rho", 0x3C1}, {"rlm", 0x200F}, {"rsaquo", 0x203A}, {"rsquo", 0x2019}, {"sbquo", 0x201A},
    {"scaron", 0x161}, {"sdot", 0x22C5}, {"sect", 0xA7}, {"shy", 0xAD}, {"sigma", 0x3C3},
    {"sigmaf", 0x3C2}, {"sim", 0x223C}, {"spades", 0x2660}, {"sub", 0x2282}, {"sube", 0x2286},
    {"sum", 0x2211}, {"sup", 0x2283}, {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3},
    {"supe", 0x2287}, {"szlig", 0xDF}, {"tau", 0x3C4}, {"there4", 0x2234}, {"theta", 0x3B8},
    {"thetasym", 0x3D1}, {"thinsp", 0x2009}, {"thorn", 0xFE}, {"tilde", 0x2DC}, {"times", 0xD7},
    {"trade", 0x2122}, {"uArr", 0x21D1}, {"uacute", 0xFA}, {"uarr", 0x2191}, {"ucirc", 0xFB},
    {"ugrave", 0xF9}, {"uml", 0xA8}, {"upsih", 0x3D2}, {"upsilon", 0x3C5}, {"uuml", 0xFC},
    {"weierp", 0x2118}, {"xi", 0x3BE}, {"yacute", 0xFD}, {"yen", 0xA5}, {"yuml", 0xFF},
    {"zeta", 0x3B6}, {"zwj", 0x200D}, {"zwnj", 0x200C},
};

// Numeric references to C1 controls mean Windows-1252 in every browser (&#150; is an en dash).
constexpr char16_t kWindows1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Appends the text of an entity md4c reported ("&amp;", "&#20013;", "&#x4E2D;"); an unknown
// name is kept as written.
void DecodeEntity(std::string_view e, std::string& out) {
  if (e.size() < 3 || e.front() != '&' || e.back() != ';') {
    out += e;
    return;
  }
  std::string_view body = e.substr(1, e.size() - 2);
  if (body.front() == '#') {
    body.remove_prefix(1);
    int base = 10;
    if (!body.empty() && (body.front() == 'x' || body.front() == 'X')) {
      base = 16;
      body.remove_prefix(1);
    }
    std::uint32_t v = 0;
    bool any = false;
    for (char ch : body) {
      int d = ch >= '0' && ch <= '9'   ? ch - '0'
              : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                       : 99;
      if (d >= base) {
        out += e;
        return;
      }
      any = true;
      v = std::min<std::uint32_t>(v * base + d, 0x110000);  // saturate: no overflow
    }
    if (!any) {
      out += e;
      return;
    }
    char32_t c = v;
    if (c >= 0x80 && c < 0xA0) c = kWindows1252[c - 0x80];
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) c = 0xFFFD;
    AppendUtf8(c, out);
    return;
  }
  auto it = std::lower_bound(std::begin(kEntities), std::end(kEntities), body,
                             [](const NamedEntity& a, std::string_view b) { return a.name < b; });
  if (it != std::end(kEntities) && it->name == body) AppendUtf8(it->code_point, out);
  else out += e;
}

// An attribute (a link target) with its entities decoded.
std::string AttributeText(const MD_ATTRIBUTE& a) {
  std::string s;
  if (a.text == nullptr || a.substr_offsets == nullptr) return s;
  for (int i = 0; a.substr_offsets[i] < a.size; ++i) {
    std::string_view part(a.text + a.substr_offsets[i], a.substr_offsets[i + 1] - a.substr_offsets[i]);
    switch (a.substr_types[i]) {
      case MD_TEXT_ENTITY: DecodeEntity(part, s); break;
      case MD_TEXT_NULLCHAR: s += kReplacement; break;
      default: s += part; break;
    }
  }
  return s;
}

bool IsHttpUrl(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

bool HasNonSpace(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return true;
  return false;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// CommonMark's flanking rules were made for languages with spaces between words: in
// `重要。**例如` the closing `**` follows punctuation and precedes a letter, so it cannot
// close, and scraped Chinese Markdown is full of such unmatched markers, which md4c then
// reports as text. Runs of two or three '*' left in text are therefore dropped, except
// between two ASCII letters or digits (`2**10`). Escaped stars come as separate one-star
// text events and are kept. Returns `s` itself when there is nothing to drop.
std::string_view DropStrayStars(std::string_view s, std::string& buf) {
  std::size_t star = s.find("**");
  if (star == std::string_view::npos) return s;
  buf.clear();
  std::size_t copied = 0;
  while (star != std::string_view::npos) {
    std::size_t end = star;
    while (end < s.size() && s[end] == '*') ++end;
    std::size_t run = end - star;
    bool operator_like = star > 0 && end < s.size() && IsAsciiAlnum(s[star - 1]) &&
                         IsAsciiAlnum(s[end]);
    if (run <= 3 && !operator_like) {
      buf.append(s, copied, star - copied);
      copied = end;
    }
    star = s.find("**", end);
  }
  if (copied == 0) return s;
  buf.append(s, copied);
  return buf;
}

// --- the walker -------------------------------------------------------------------------

// Turns md4c's events into TextBuilder calls. Structure: inside a list every block boundary
// is a line break (one list = one paragraph, one item = one line); elsewhere it ends the
// paragraph. A top-level paragraph that starts with a link is held back (its text events
// buffered) until it is known not to be a trailing source attribution `[label](http…)`.
class Walker {
 public:
  Walker(const MarkdownOptions& options, TextBuilder& out, Metadata& meta)
      : options_(options), out_(out), meta_(meta) {}

  int Parse(std::string_view markdown) {
    MD_PARSER parser{};
    parser.abi_version = 0;
    // No permissive autolinks: they change no text, cost time, and would turn a bare URL
    // on the last line into a "source attribution".
    parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH;
    parser.enter_block = &Walker::EnterBlockCb;
    parser.leave_block = &Walker::LeaveBlockCb;
    parser.enter_span = &Walker::EnterSpanCb;
    parser.leave_span = &Walker::LeaveSpanCb;
    parser.text = &Walker::TextCb;
    int rc = md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, this);
    if (error_) std::rethrow_exception(error_);
    if (rc == 0) Finish();
    return rc;
  }

 private:
  struct Event {
    MD_TEXTTYPE type;
    std::string text;
  };
  enum class Held { kNo, kMaybe, kYes };

  // md4c is C: an exception must not unwind through it, so it is parked and rethrown after.
  template <typename F>
  static int Guard(void* self, F&& f) {
    Walker* w = static_cast<Walker*>(self);
    try {
      f(*w);
      return 0;
    } catch (...) {
      w->error_ = std::current_exception();
      return 1;  // makes md_parse stop
    }
  }
  static int EnterBlockCb(MD_BLOCKTYPE t, void* d, void* self) {
    return Guard(self, [&](Walker& w) { w.EnterBlock(t, d); });
  }
  static int LeaveBlockCb(MD_BLOCKTYPE t, void* d, void* self) {
    return Guard(self, [&](Walker& w) { w.LeaveBlock(t, d); });
  }
  static int EnterSpanCb(MD_SPANTYPE t, void* d, void* self) {
    return Guard(self, [&](Walker& w) { w.EnterSpan(t, d); });
  }
  static int LeaveSpanCb(MD_SPANTYPE t, void* d, void* self) {
    return Guard(self, [&](Walker& w) { w.LeaveSpan(t, d); });
  }
  static int TextCb(MD_TEXTTYPE t, const MD_CHAR* text, MD_SIZE size, void* self) {
    return Guard(self, [&](Walker& w) { w.Text(t, std::string_view(text, size)); });
  }

  // --- output, tracking whether the current line has text so breaks never stack up

  void FlushTabs() {
    for (; pending_tabs_ > 0; --pending_tabs_) out_.AppendVerbatim("\t");
  }
  void Append(std::string_view s) {
    if (s.empty()) return;
    if (pending_tabs_ > 0) FlushTabs();
    out_.AppendText(s);
    if (!line_dirty_ && HasNonSpace(s)) line_dirty_ = true;
  }
  void AppendVerbatim(std::string_view s) {
    if (s.empty()) return;
    if (pending_tabs_ > 0) FlushTabs();
    out_.AppendVerbatim(s);
    line_dirty_ = s.back() != '\n';
  }
  void Break() {
    if (line_dirty_) out_.LineBreak();
    line_dirty_ = false;
  }
  void EndParagraph() {
    out_.EndParagraph();
    line_dirty_ = false;
  }
  void Boundary() {
    if (list_depth_ > 0) Break();
    else EndParagraph();
  }
  void CallHtml(std::string_view html, bool block) {
    if (!options_.on_html) return;
    if (pending_tabs_ > 0) FlushTabs();
    options_.on_html(html, block, out_, meta_);
    // The handler may have added text or ended a line; only emptiness is observable.
    line_dirty_ = !out_.ParagraphEmpty();
  }

  // --- the held (possible source attribution) paragraph

  void ReplayHeld() {
    held_ = Held::kNo;
    for (const Event& e : events_) Emit(e.type, e.text);
    events_.clear();
  }
  void FlushHeld() {  // a block follows the held paragraph: it was text after all
    if (held_ != Held::kYes) return;
    ReplayHeld();
    EndParagraph();
  }
  void Finish() {
    if (held_ == Held::kYes) {
      if (meta_.source_url.empty()) meta_.source_url = held_href_;
      if (meta_.source_url == held_href_) {
        held_ = Held::kNo;
        events_.clear();
        return;  // the attribution is metadata, not text
      }
      FlushHeld();
    } else if (held_ == Held::kMaybe) {
      ReplayHeld();
    }
  }

  // --- blocks

  void EnterBlock(MD_BLOCKTYPE type, void* detail) {
    if (type != MD_BLOCK_DOC) FlushHeld();
    int depth = depth_++;
    switch (type) {
      case MD_BLOCK_DOC: break;
      case MD_BLOCK_P:
        Boundary();
        if (depth == 1 && list_depth_ == 0) {
          held_ = Held::kMaybe;
          held_link_open_ = held_link_done_ = false;
          events_.clear();
        }
        break;
      case MD_BLOCK_H:
        Boundary();
        in_heading_ = true;
        if (!heading_seen_) {
          heading_seen_ = collecting_heading_ = true;
          heading_text_.clear();
          heading_links_ = 0;
          heading_other_ = false;
          heading_href_.clear();
        }
        break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL:
        if (list_depth_++ == 0) EndParagraph();
        else Break();
        break;
      case MD_BLOCK_LI: Break(); break;
      case MD_BLOCK_CODE:
        Boundary();
        in_code_block_ = true;
        break;
      case MD_BLOCK_HTML:
        Boundary();
        in_html_block_ = true;
        html_.clear();
        break;
      case MD_BLOCK_TR:
        Break();
        cell_index_ = 0;
        pending_tabs_ = 0;
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:
        if (cell_index_++ > 0) ++pending_tabs_;
        break;
      case MD_BLOCK_QUOTE:
      case MD_BLOCK_HR:
      case MD_BLOCK_TABLE: Boundary(); break;
      default: break;
    }
    (void)detail;
  }

  void LeaveBlock(MD_BLOCKTYPE type, void*) {
    if (depth_ > 0) --depth_;
    switch (type) {
      case MD_BLOCK_P:
        if (held_ == Held::kMaybe) {
          if (held_link_done_ && IsHttpUrl(held_href_)) {
            held_ = Held::kYes;  // decided at the next block or at the end
            return;
          }
          ReplayHeld();
        }
        Boundary();
        break;
      case MD_BLOCK_H:
        Boundary();
        in_heading_ = false;
        if (collecting_heading_) FinishHeading();
        break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL:
        if (list_depth_ > 0 && --list_depth_ == 0) EndParagraph();
        else Break();
        break;
      case MD_BLOCK_LI: Break(); break;
      case MD_BLOCK_CODE:
        in_code_block_ = false;
        Boundary();
        break;
      case MD_BLOCK_HTML:
        if (in_html_block_) {
          in_html_block_ = false;
          CallHtml(html_, /*block=*/true);
        }
        Boundary();
        break;
      case MD_BLOCK_TR:
        pending_tabs_ = 0;  // empty trailing cells add nothing
        Break();
        break;
      case MD_BLOCK_QUOTE:
      case MD_BLOCK_HR:
      case MD_BLOCK_TABLE: Boundary(); break;
      default: break;
    }
  }

  void FinishHeading() {
    collecting_heading_ = false;
    TextBuilder b;
    b.AppendText(heading_text_);
    std::string title = b.Finish();
    // A heading with no text (only an image) does not count as the first heading.
    if (title.empty()) heading_seen_ = false;
    if (meta_.title.empty() && !title.empty()) meta_.title = std::move(title);
    if (heading_links_ == 1 && !heading_other_ && meta_.source_url.empty() &&
        IsHttpUrl(heading_href_))
      meta_.source_url = heading_href_;
  }

  // --- spans

  void EnterSpan(MD_SPANTYPE type, void* detail) {
    if (image_depth_ > 0 || type == MD_SPAN_IMG) {
      // An image's alt text is not text of the article; nothing inside it counts.
      if (type == MD_SPAN_IMG) {
        if (image_depth_ == 0 && held_ == Held::kMaybe && !held_link_open_) ReplayHeld();
        ++image_depth_;
      }
      return;
    }
    if (type == MD_SPAN_A) {
      ++link_depth_;
      const auto* a = static_cast<const MD_SPAN_A_DETAIL*>(detail);
      if (held_ == Held::kMaybe) {
        if (held_link_done_ || held_link_open_) {
          ReplayHeld();
        } else {
          held_link_open_ = true;
          held_href_ = a != nullptr ? AttributeText(a->href) : std::string();
        }
      }
      if (collecting_heading_) {
        ++heading_links_;
        if (a != nullptr && heading_links_ == 1) heading_href_ = AttributeText(a->href);
      }
      return;
    }
    // Emphasis, strong, code, strikethrough around the link is not "only a link".
    if (held_ == Held::kMaybe && !held_link_open_) ReplayHeld();
  }

  void LeaveSpan(MD_SPANTYPE type, void*) {
    if (image_depth_ > 0) {
      if (type == MD_SPAN_IMG) --image_depth_;
      return;
    }
    if (type == MD_SPAN_A) {
      if (link_depth_ > 0) --link_depth_;
      if (held_ == Held::kMaybe && held_link_open_) {
        held_link_open_ = false;
        held_link_done_ = true;
      }
    }
  }

  // --- text

  void Text(MD_TEXTTYPE type, std::string_view text) {
    if (in_html_block_) {
      if (type == MD_TEXT_NULLCHAR) html_ += kReplacement;
      else html_ += text;
      return;
    }
    if (image_depth_ > 0) return;
    if (collecting_heading_) CollectHeading(type, text);
    if (held_ == Held::kMaybe) {
      if (held_link_open_) {
        events_.push_back({type, std::string(text)});
        return;
      }
      ReplayHeld();  // text outside the link: an ordinary paragraph
    }
    Emit(type, text);
  }

  void CollectHeading(MD_TEXTTYPE type, std::string_view text) {
    switch (type) {
      case MD_TEXT_NORMAL: heading_text_ += DropStrayStars(text, scratch_); break;
      case MD_TEXT_CODE:
      case MD_TEXT_SOFTBR: heading_text_ += text; break;
      case MD_TEXT_ENTITY: DecodeEntity(text, heading_text_); break;
      case MD_TEXT_NULLCHAR: heading_text_ += kReplacement; break;
      case MD_TEXT_BR: heading_text_ += ' '; break;
      default: break;  // raw HTML is not title text
    }
    if (link_depth_ == 0 && (type == MD_TEXT_HTML || HasNonSpace(text))) heading_other_ = true;
  }

  void Emit(MD_TEXTTYPE type, std::string_view text) {
    switch (type) {
      case MD_TEXT_NORMAL: Append(DropStrayStars(text, scratch_)); break;
      case MD_TEXT_SOFTBR:  // "\n": collapsible, so Chinese lines join and Latin ones get a space
        Append(text);
        break;
      case MD_TEXT_CODE:  // code blocks keep their lines, code spans their spacing
        AppendVerbatim(text);
        break;
      case MD_TEXT_BR: Break(); break;
      case MD_TEXT_ENTITY:
        scratch_.clear();
        DecodeEntity(text, scratch_);
        // &nbsp; and friends are not collapsible white space: keep them verbatim.
        AppendVerbatim(scratch_);
        break;
      case MD_TEXT_NULLCHAR:
        if (in_code_block_) AppendVerbatim(kReplacement);
        else Append(kReplacement);
        break;
      case MD_TEXT_HTML: CallHtml(text, /*block=*/false); break;
      default: Append(text); break;
    }
  }

  const MarkdownOptions& options_;
  TextBuilder& out_;
  Metadata& meta_;
  std::exception_ptr error_;

  int depth_ = 0;
  int list_depth_ = 0;
  int image_depth_ = 0;
  int link_depth_ = 0;
  int cell_index_ = 0;
  int pending_tabs_ = 0;
  bool line_dirty_ = false;
  bool in_code_block_ = false;
  bool in_html_block_ = false;
  bool in_heading_ = false;
  std::string html_;
  std::string scratch_;

  bool heading_seen_ = false;
  bool collecting_heading_ = false;
  std::string heading_text_;
  int heading_links_ = 0;
  bool heading_other_ = false;
  std::string heading_href_;

  Held held_ = Held::kNo;
  bool held_link_open_ = false;
  bool held_link_done_ = false;
  std::string held_href_;
  std::vector<Event> events_;
};

}  // namespace

void MarkdownToText(std::string_view markdown, const MarkdownOptions& options, TextBuilder& out,
                    Metadata& meta, Diagnostics& diag) {
  // md4c takes a BOM for text.
  if (markdown.starts_with("\xEF\xBB\xBF")) markdown.remove_prefix(3);
  if (markdown.size() > UINT_MAX) {
    diag.Fail("strip", "markdown: body of " + std::to_string(markdown.size()) +
                           " bytes is larger than md4c's 4 GiB limit",
              {.line = options.first_line, .column = 1});
    return;
  }
  Walker walker(options, out, meta);
  if (walker.Parse(markdown) != 0)
    diag.Fail("strip", "markdown: md4c could not parse the body (out of memory?)",
              {.line = options.first_line, .column = 1});
}

}  // namespace zhcanon::strip
