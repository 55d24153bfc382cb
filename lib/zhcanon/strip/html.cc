#include "zhcanon/strip/html.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "zhcanon/strip/gumbo_parse.h"
#include "zhcanon/strip/readability.h"

namespace zhcanon::strip {

Extract ParseExtract(std::string_view name) {
  if (name == "auto") return Extract::kAuto;
  if (name == "main") return Extract::kMain;
  if (name == "all") return Extract::kAll;
  throw std::invalid_argument("unknown extract mode '" + std::string(name) +
                              "' (expected auto, main or all)");
}

std::string_view ExtractName(Extract e) {
  switch (e) {
    case Extract::kAuto: return "auto";
    case Extract::kMain: return "main";
    case Extract::kAll: return "all";
  }
  return "auto";
}

namespace {

// ---------------------------------------------------------------------------------------
// Tag classes

enum Cat : std::uint8_t {
  kInline,  // text flows through
  kBlock,   // ends the paragraph before and after
  kPre,     // block whose text is verbatim
  kList,    // ul ol dl menu dir: a paragraph of lines
  kItem,    // li dt dd: one line each
  kTable,   // a paragraph; rows are lines
  kRow,
  kCell,    // cells of a row are separated by a tab
  kBr,
  kDrop,    // never text: scripts, form controls, media, metadata, embedded documents
};

constexpr int kTagCount = GUMBO_TAG_LAST + 1;

struct TagTable {
  std::array<Cat, kTagCount> cat{};
  TagTable() {
    cat.fill(kInline);
    for (GumboTag t : {GUMBO_TAG_P, GUMBO_TAG_DIV, GUMBO_TAG_SECTION, GUMBO_TAG_ARTICLE,
                       GUMBO_TAG_MAIN, GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4,
                       GUMBO_TAG_H5, GUMBO_TAG_H6, GUMBO_TAG_HGROUP, GUMBO_TAG_BLOCKQUOTE,
                       GUMBO_TAG_FIGURE, GUMBO_TAG_FIGCAPTION, GUMBO_TAG_HR, GUMBO_TAG_ADDRESS,
                       GUMBO_TAG_CENTER, GUMBO_TAG_DETAILS, GUMBO_TAG_SUMMARY, GUMBO_TAG_HEADER,
                       GUMBO_TAG_FORM, GUMBO_TAG_FIELDSET, GUMBO_TAG_LEGEND, GUMBO_TAG_CAPTION,
                       GUMBO_TAG_MARQUEE, GUMBO_TAG_MULTICOL, GUMBO_TAG_FOOTER, GUMBO_TAG_NAV,
                       GUMBO_TAG_ASIDE}) {
      cat[t] = kBlock;
    }
    for (GumboTag t : {GUMBO_TAG_PRE, GUMBO_TAG_LISTING, GUMBO_TAG_XMP, GUMBO_TAG_PLAINTEXT}) cat[t] = kPre;
    for (GumboTag t : {GUMBO_TAG_UL, GUMBO_TAG_OL, GUMBO_TAG_DL, GUMBO_TAG_MENU, GUMBO_TAG_DIR}) cat[t] = kList;
    for (GumboTag t : {GUMBO_TAG_LI, GUMBO_TAG_DT, GUMBO_TAG_DD}) cat[t] = kItem;
    cat[GUMBO_TAG_TABLE] = kTable;
    cat[GUMBO_TAG_TR] = kRow;
    cat[GUMBO_TAG_TD] = kCell;
    cat[GUMBO_TAG_TH] = kCell;
    cat[GUMBO_TAG_BR] = kBr;
    // <nav>, <aside>, <footer>, <header>, <form>, <address> stay kBlock above so that
    // dropping them (Walker::AddElement, Walker::Skip) still separates the text around them.
    for (GumboTag t : {GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE, GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEMPLATE,
                       GUMBO_TAG_IFRAME, GUMBO_TAG_FRAME, GUMBO_TAG_FRAMESET, GUMBO_TAG_NOFRAMES,
                       GUMBO_TAG_NOEMBED, GUMBO_TAG_SVG, GUMBO_TAG_MATH, GUMBO_TAG_BUTTON,
                       GUMBO_TAG_SELECT, GUMBO_TAG_OPTION, GUMBO_TAG_OPTGROUP, GUMBO_TAG_DATALIST,
                       GUMBO_TAG_INPUT, GUMBO_TAG_TEXTAREA, GUMBO_TAG_KEYGEN, GUMBO_TAG_OUTPUT,
                       GUMBO_TAG_PROGRESS, GUMBO_TAG_METER, GUMBO_TAG_OBJECT, GUMBO_TAG_EMBED,
                       GUMBO_TAG_APPLET, GUMBO_TAG_PARAM, GUMBO_TAG_CANVAS, GUMBO_TAG_AUDIO,
                       GUMBO_TAG_VIDEO, GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK, GUMBO_TAG_IMG,
                       GUMBO_TAG_IMAGE, GUMBO_TAG_AREA, GUMBO_TAG_RT, GUMBO_TAG_RP,
                       GUMBO_TAG_HEAD, GUMBO_TAG_TITLE, GUMBO_TAG_META, GUMBO_TAG_LINK,
                       GUMBO_TAG_BASE, GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_ISINDEX,
                       GUMBO_TAG_MENUITEM}) {
      cat[t] = kDrop;
    }
  }
};

const TagTable& Tags() {
  static const TagTable table;
  return table;
}

Cat CatOf(GumboTag t) { return static_cast<unsigned>(t) < kTagCount ? Tags().cat[t] : kInline; }

bool IsBlockCat(Cat c) { return c != kInline && c != kBr && c != kDrop && c != kCell; }

ContentKind KindOf(GumboTag t, Cat c) {
  switch (t) {
    case GUMBO_TAG_TD:
      return ContentKind::kCell;
    case GUMBO_TAG_P: case GUMBO_TAG_PRE: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_LISTING:
      return ContentKind::kParagraph;
    case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_CENTER: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_BODY:
      return ContentKind::kContainer;
    default:
      return IsBlockCat(c) || c == kCell ? ContentKind::kBlock : ContentKind::kInline;
  }
}

std::int8_t TagWeight(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_DIV: return 5;
    case GUMBO_TAG_PRE: case GUMBO_TAG_TD: case GUMBO_TAG_BLOCKQUOTE: return 3;
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_OL: case GUMBO_TAG_UL: case GUMBO_TAG_DL:
    case GUMBO_TAG_DD: case GUMBO_TAG_DT: case GUMBO_TAG_LI: case GUMBO_TAG_FORM: return -3;
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TH: return -5;
    default: return 0;
  }
}

bool IsCleanable(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL: case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_TABLE: case GUMBO_TAG_FORM: case GUMBO_TAG_MENU:
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// Small string helpers

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool ContainsNoCase(std::string_view s, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (EqualsNoCase(s.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsNoCase(s.substr(0, prefix.size()), prefix);
}

// Length of the white space at the start of `s`: ASCII white space and the Unicode spaces
// HTML authors use for indentation (&nbsp;, the ideographic space 　 of Chinese paragraph
// indents, en/em/thin spaces, zero-width space, BOM). Only text-node edges are trimmed this
// way; inside text these characters stay.
size_t WideSpaceAt(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return IsAsciiSpace(s[i]) ? 1 : 0;
  if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) return 2;
  if (i + 2 < s.size()) {
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    unsigned char c2 = static_cast<unsigned char>(s[i + 2]);
    if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;  // U+3000
    if (c == 0xE2 && c1 == 0x80 && (c2 == 0x82 || c2 == 0x83 || c2 == 0x89 || c2 == 0x8B)) return 3;
    if (c == 0xEF && c1 == 0xBB && c2 == 0xBF) return 3;  // U+FEFF
  }
  return 0;
}

size_t SkipLeadingSpace(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t w = WideSpaceAt(s, i);
    if (w == 0) break;
    i += w;
  }
  return i;
}

size_t SkipTrailingSpace(std::string_view s, size_t begin) {
  size_t e = s.size();
  while (e > begin) {
    if (IsAsciiSpace(s[e - 1])) {
      --e;
      continue;
    }
    // Step back over one UTF-8 sequence and test it.
    size_t start = e - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (start < e - 1 && WideSpaceAt(s, start) == e - start) {
      e = start;
      continue;
    }
    break;
  }
  return e;
}

std::string_view Trim(std::string_view s) {
  size_t b = SkipLeadingSpace(s);
  return s.substr(b, SkipTrailingSpace(s, b) - b);
}

// White space collapsed like body text (a line break inside Chinese joins the lines).
std::string CollapseSpace(std::string_view s) {
  s = Trim(s);
  if (std::none_of(s.begin(), s.end(), IsAsciiSpace)) return std::string(s);
  TextBuilder b;
  b.AppendText(s);
  return b.Finish();
}

std::uint32_t HashClass(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h | 1u;  // 0 means "no class"
}

struct TextStats {
  std::uint32_t chars = 0;
  std::uint32_t commas = 0;
  bool sentence_end = false;
  bool nbsp = false;
};

// Per byte: bit 0 = starts a visible code point (not ASCII white space or control, not a
// UTF-8 continuation byte), bit 1 = may start punctuation or a space worth a closer look.
struct ByteTable {
  std::array<std::uint8_t, 256> bits{};
  ByteTable() {
    for (int c = 0; c < 256; ++c) {
      if (c > 0x20 && (c & 0xC0) != 0x80) bits[c] |= 1;
    }
    for (int c : {int{','}, int{'.'}, int{'!'}, int{'?'}, 0xC2, 0xE3, 0xEF}) bits[c] |= 2;
  }
};

// One pass over a text node: visible code points, prose punctuation. No copy.
TextStats ScanText(std::string_view s) {
  static const ByteTable table;
  TextStats st;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    const std::uint8_t k = table.bits[c];
    st.chars += k & 1;
    if (!(k & 2)) continue;
    if (c == ',') {
      ++st.commas;
    } else if (c == '.' || c == '!' || c == '?') {
      if (i + 1 == n || p[i + 1] <= ' ') {
        // "word. " ends a sentence; "9.4.1. " numbers a heading.
        bool after_letter = i > 0 && ((p[i - 1] | 0x20) >= 'a' && (p[i - 1] | 0x20) <= 'z');
        if (c != '.' || after_letter) st.sentence_end = true;
        if (c == '.' && after_letter) ++st.commas;
      }
    } else if (c == 0xC2) {
      if (i + 1 < n && p[i + 1] == 0xA0) {  // no-break space: white space
        st.nbsp = true;
        --st.chars;
      }
    } else if (i + 2 < n) {
      const unsigned char c1 = p[i + 1];
      const unsigned char c2 = p[i + 2];
      if (c == 0xE3 && c1 == 0x80) {
        if (c2 == 0x80) --st.chars;                    // ideographic space
        if (c2 == 0x81 || c2 == 0x82) ++st.commas;     // 、。
        if (c2 == 0x82) st.sentence_end = true;
      } else if (c == 0xEF && c1 == 0xBC) {
        if (c2 == 0x8C) ++st.commas;                             // ，
        if (c2 == 0x81 || c2 == 0x9F) st.sentence_end = true;   // ！？
      }
    }
  }
  return st;
}

std::uint16_t Sat16(std::uint32_t v) { return static_cast<std::uint16_t>(std::min<std::uint32_t>(v, 0xFFFF)); }

// ---------------------------------------------------------------------------------------
// Nesting guard
//
// Gumbo 0.10 has no depth limit, and deep nesting hurts it twice: every block start tag
// scans the stack of open elements for a <p> to close (100 000 nested <div>s take about
// 30 s), and gumbo_destroy_output recurses once per level (100 000 nested tables overflow
// an 8 MB stack). Browsers cap the tree instead (Blink stops nesting at 512). Before
// parsing we run a coarse model of the tree builder over the tags; only when it nests
// deeper than kMaxDepth do we copy the input without the start tags beyond that depth and
// their end tags (a block tag becomes <br> so its text stays apart). Text is never lost.
// The model over-counts only for unclosed tags gumbo would close for us beyond the few
// rules below, which costs nothing but a flatter tree.

constexpr size_t kMaxDepth = 512;
constexpr size_t kEndTagSearch = 64;  // bounded so that stray end tags stay O(1)

bool IsVoid(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_HR: case GUMBO_TAG_IMG: case GUMBO_TAG_IMAGE:
    case GUMBO_TAG_INPUT: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_LINK: case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK: case GUMBO_TAG_WBR:
    case GUMBO_TAG_BASEFONT: case GUMBO_TAG_BGSOUND: case GUMBO_TAG_FRAME:
    case GUMBO_TAG_MENUITEM: case GUMBO_TAG_SPACER: case GUMBO_TAG_ISINDEX:
      return true;
    default:
      return false;
  }
}

bool IsRawText(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_XMP: case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOSCRIPT:
      return true;
    default:
      return false;
  }
}

// Position after the end tag `</name ...>` at or after `from`, or npos.
size_t FindEndTag(std::string_view s, size_t from, std::string_view name) {
  while (from < s.size()) {
    const void* p = std::memchr(s.data() + from, '<', s.size() - from);
    if (p == nullptr) return std::string_view::npos;
    size_t lt = static_cast<const char*>(p) - s.data();
    if (lt + 1 < s.size() && s[lt + 1] == '/' && StartsWithNoCase(s.substr(lt + 2), name)) {
      size_t after = lt + 2 + name.size();
      if (after >= s.size()) return s.size();
      char c = s[after];
      if (c == '>' || c == '/' || IsAsciiSpace(c)) {
        size_t gt = s.find('>', after);
        return gt == std::string_view::npos ? s.size() : gt + 1;
      }
    }
    from = lt + 1;
  }
  return std::string_view::npos;
}

// Occurrences of `b` in `s`, eight bytes at a time (exact zero-byte count per word).
size_t CountByte(std::string_view s, char b) {
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<unsigned char>(b);
  size_t count = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    w ^= pattern;  // bytes equal to b are now zero
    std::uint64_t t = ~(((w & kLow7) + kLow7) | w | kLow7);
    count += static_cast<size_t>(__builtin_popcountll(t));
  }
  for (; i < s.size(); ++i) count += s[i] == b;
  return count;
}

class NestingGuard {
 public:
  explicit NestingGuard(std::string_view html) : s_(html) {}

  /// True when the input was rewritten into `out`.
  bool Run(std::string& out) {
    out_ = &out;
    const size_t n = s_.size();
    // Fewer tags than the limit cannot nest deeper than it: most fragments and articles.
    if (CountByte(s_, '<') <= kMaxDepth) return false;
    size_t i = 0;
    while (i < n) {
      const void* p = std::memchr(s_.data() + i, '<', n - i);
      if (p == nullptr) break;
      const size_t lt = static_cast<const char*>(p) - s_.data();
      i = lt + 1;
      if (i >= n) break;
      char c = s_[i];
      if (c == '!') {
        size_t close;
        if (s_.substr(i, 3) == "!--") {
          close = s_.find("-->", i + 1);
          if (close == std::string_view::npos) break;
          i = close + 3;
        } else {
          close = s_.find('>', i);
          if (close == std::string_view::npos) break;
          i = close + 1;
        }
        continue;
      }
      if (c == '?') {
        size_t close = s_.find('>', i);
        if (close == std::string_view::npos) break;
        i = close + 1;
        continue;
      }
      bool end_tag = c == '/';
      size_t name_start = end_tag ? i + 1 : i;
      if (name_start >= n || !((s_[name_start] | 0x20) >= 'a' && (s_[name_start] | 0x20) <= 'z')) continue;
      size_t j = name_start;
      while (j < n && !IsAsciiSpace(s_[j]) && s_[j] != '/' && s_[j] != '>') ++j;
      GumboTag tag = gumbo_tagn_enum(s_.data() + name_start, static_cast<unsigned>(j - name_start));
      // Find the '>' that ends the tag; quoted attribute values may hold '>'.
      size_t k = j;
      bool after_eq = false;
      bool self_closing = false;
      while (k < n && s_[k] != '>') {
        char ch = s_[k];
        if (ch == '=') {
          after_eq = true;
        } else if (after_eq && (ch == '"' || ch == '\'')) {
          size_t q = s_.find(ch, k + 1);
          k = q == std::string_view::npos ? n : q;
          after_eq = false;
        } else if (!IsAsciiSpace(ch)) {
          after_eq = false;
        }
        if (k < n) ++k;
      }
      if (k >= n) break;  // a tag cut by the end of input: gumbo drops it
      self_closing = k > j && s_[k - 1] == '/';
      const size_t tag_end = k + 1;
      i = tag_end;
      if (end_tag) {
        EndTag(tag, lt, tag_end);
        continue;
      }
      if (IsRawText(tag)) {
        size_t close = FindEndTag(s_, tag_end, std::string_view(s_.data() + name_start, j - name_start));
        if (close == std::string_view::npos) break;
        i = close;
        continue;
      }
      if (tag == GUMBO_TAG_PLAINTEXT) break;
      StartTag(tag, lt, tag_end, self_closing);
    }
    if (!rewriting_) return false;
    out.append(s_.substr(copied_));
    return true;
  }

  std::int64_t first_offset() const { return first_offset_; }

 private:
  void Omit(size_t begin, size_t end, bool block) {
    if (!rewriting_) {
      rewriting_ = true;
      first_offset_ = static_cast<std::int64_t>(begin);
      out_->reserve(s_.size());
    }
    out_->append(s_.substr(copied_, begin - copied_));
    if (block) out_->append("<br>");
    copied_ = end;
  }

  // Pops up to and including the nearest `tag` within kEndTagSearch levels, stopping at
  // any tag in `stops`. Returns whether it was found.
  bool PopTo(std::vector<std::uint16_t>& stack, std::initializer_list<GumboTag> tags,
             std::initializer_list<GumboTag> stops) {
    if (&stack == &open_ &&
        std::none_of(tags.begin(), tags.end(), [&](GumboTag t) { return open_count_[t] > 0; })) {
      return false;
    }
    size_t limit = std::min(stack.size(), kEndTagSearch);
    for (size_t d = 0; d < limit; ++d) {
      auto t = static_cast<GumboTag>(stack[stack.size() - 1 - d]);
      if (std::find(stops.begin(), stops.end(), t) != stops.end()) return false;
      if (std::find(tags.begin(), tags.end(), t) != tags.end()) {
        for (size_t x = 0; x <= d; ++x) Pop(stack);
        return true;
      }
    }
    return false;
  }

  void Pop(std::vector<std::uint16_t>& stack) {
    auto t = static_cast<GumboTag>(stack.back());
    if (&stack == &open_) {
      --open_count_[t];
      if (t == GUMBO_TAG_SVG || t == GUMBO_TAG_MATH) --foreign_;
    }
    stack.pop_back();
  }

  void StartTag(GumboTag tag, size_t begin, size_t end, bool self_closing) {
    if (IsVoid(tag)) return;
    if (self_closing && foreign_ > 0) return;
    if (tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_HEAD || tag == GUMBO_TAG_BODY) return;
    // The tree builder's implied end tags that keep flat lists flat.
    switch (tag) {
      case GUMBO_TAG_LI: PopTo(open_, {GUMBO_TAG_LI}, {GUMBO_TAG_UL, GUMBO_TAG_OL, GUMBO_TAG_MENU}); break;
      case GUMBO_TAG_DT: case GUMBO_TAG_DD:
        PopTo(open_, {GUMBO_TAG_DT, GUMBO_TAG_DD}, {GUMBO_TAG_DL});
        break;
      case GUMBO_TAG_TR: PopTo(open_, {GUMBO_TAG_TR}, {GUMBO_TAG_TABLE}); break;
      case GUMBO_TAG_TD: case GUMBO_TAG_TH:
        PopTo(open_, {GUMBO_TAG_TD, GUMBO_TAG_TH}, {GUMBO_TAG_TR, GUMBO_TAG_TABLE});
        break;
      case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
        PopTo(open_, {GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT}, {GUMBO_TAG_TABLE});
        break;
      case GUMBO_TAG_A: PopTo(open_, {GUMBO_TAG_A}, {}); break;
      case GUMBO_TAG_NOBR: PopTo(open_, {GUMBO_TAG_NOBR}, {}); break;
      case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP:
        PopTo(open_, {GUMBO_TAG_OPTION}, {GUMBO_TAG_SELECT});
        break;
      default: break;
    }
    bool block = IsBlockCat(CatOf(tag));
    // "Close a p element" when a block starts, inline elements inside the <p> with it.
    if (block) {
      PopTo(open_, {GUMBO_TAG_P}, {GUMBO_TAG_TABLE, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_CAPTION,
                                   GUMBO_TAG_BUTTON, GUMBO_TAG_OBJECT, GUMBO_TAG_MARQUEE,
                                   GUMBO_TAG_APPLET, GUMBO_TAG_TEMPLATE});
    }
    if (open_.size() >= kMaxDepth) {
      dropped_.push_back(static_cast<std::uint16_t>(tag));
      Omit(begin, end, block);
      return;
    }
    open_.push_back(static_cast<std::uint16_t>(tag));
    ++open_count_[tag];
    if (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH) ++foreign_;
  }

  void EndTag(GumboTag tag, size_t begin, size_t end) {
    if (!dropped_.empty() && PopTo(dropped_, {tag}, {})) {
      Omit(begin, end, IsBlockCat(CatOf(tag)));
      return;
    }
    PopTo(open_, {tag}, {});
  }

  std::string_view s_;
  std::string* out_ = nullptr;
  std::vector<std::uint16_t> open_;
  std::vector<std::uint16_t> dropped_;
  std::array<std::uint32_t, kTagCount> open_count_{};  // how many of each tag are open
  int foreign_ = 0;
  bool rewriting_ = false;
  size_t copied_ = 0;
  std::int64_t first_offset_ = -1;
};

Location LocationOf(std::string_view s, std::int64_t offset) {
  Location loc;
  loc.byte_offset = offset;
  loc.line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < static_cast<size_t>(offset) && i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++loc.line;
      line_start = i + 1;
    }
  }
  loc.column = offset - static_cast<std::int64_t>(line_start) + 1;
  return loc;
}

/// True when the source has a <body start tag: a whole page rather than a fragment.
bool HasBodyTag(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const void* p = std::memchr(s.data() + i, '<', s.size() - i);
    if (p == nullptr) return false;
    size_t lt = static_cast<const char*>(p) - s.data();
    if (StartsWithNoCase(s.substr(lt + 1), "body")) {
      size_t after = lt + 5;
      if (after >= s.size()) return false;
      char c = s[after];
      if (c == '>' || c == '/' || IsAsciiSpace(c)) return true;
    }
    i = lt + 1;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// The walker: flattens the tree in pre-order (iteratively: any depth is fine), gathers
// metadata, computes text statistics bottom-up, and emits text.

enum InfoBit : std::uint8_t {
  kBitDropped = 1 << 0,    // never emitted (the element itself has no recorded children)
  kBitNbsp = 1 << 1,       // a text node holding U+00A0
  kBitInLink = 1 << 2,     // inside <a>
  kBitInArticle = 1 << 3,  // inside <article> or <main>
  kBitUnlikely = 1 << 4,   // the root of an unlikely subtree (sidebar, comments...)
  kBitInCaption = 1 << 5,  // inside <figcaption>
  kBitText = 1 << 6,
};

struct NodeInfo {
  const GumboNode* g;
  std::uint32_t bytes;  // text length of a text node
  std::uint16_t tag;
  Cat cat;
  std::uint8_t bits;
};

struct Found {
  std::string_view title;  // <title> text
  std::string_view og_title, description, og_description, author_meta, keywords;
  std::string_view canonical, og_url, date_strong, date_weak, lang, content_language;
  std::int32_t h1 = -1;           // first <h1> outside unlikely blocks
  std::int32_t h1_any = -1;
  std::int32_t address = -1;
  std::int32_t address_any = -1;
  std::int32_t author_el = -1;    // first element marked as the author (MarkedAsAuthor) outside unlikely blocks
  std::int32_t author_el_any = -1;
  std::int32_t time_pub = -1;     // first <time pubdate>
  std::int32_t time_dt = -1;      // first <time datetime> outside unlikely blocks
  std::int32_t time_dt_any = -1;
  std::int32_t body = -1;
};

std::string_view AttrValue(const GumboVector& attrs, std::string_view name) {
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
    if (EqualsNoCase(a->name, name)) return a->value;
  }
  return {};
}

// Whether a space-separated attribute value has `token` as a whole token (ASCII case folded), or,
// with `suffix`, a token ending in "-token" or "_token" ("article-author", "news_author").
bool HasToken(std::string_view value, std::string_view token, bool suffix) {
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && IsAsciiSpace(value[i])) ++i;
    std::size_t j = i;
    while (j < value.size() && !IsAsciiSpace(value[j])) ++j;
    std::string_view t = value.substr(i, j - i);
    if (EqualsNoCase(t, token)) return true;
    if (suffix && t.size() > token.size() + 1 && EqualsNoCase(t.substr(t.size() - token.size()), token) &&
        (t[t.size() - token.size() - 1] == '-' || t[t.size() - token.size() - 1] == '_'))
      return true;
    i = j;
  }
  return false;
}

// An element a page marks as its author's name: itemprop="author" (schema.org), rel="author"
// (a link to the author's page), or a class "author" / "…-author" / "…_author" (Chinese news
// sites: <span class="author">, <p class="article-author">). Not "author-box", "author-bio" and
// the like, which hold a biography rather than a name.
bool MarkedAsAuthor(const GumboVector& attrs, std::string_view cls) {
  return HasToken(AttrValue(attrs, "itemprop"), "author", false) || HasToken(AttrValue(attrs, "rel"), "author", false) ||
         HasToken(cls, "author", true);
}

bool HasAttr(const GumboVector& attrs, std::string_view name) {
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
    if (EqualsNoCase(a->name, name)) return true;
  }
  return false;
}

// display:none / visibility:hidden in an inline style, spaces and case ignored.
bool StyleHides(std::string_view style) {
  char buf[256];
  size_t n = 0;
  for (char c : style) {
    if (IsAsciiSpace(c)) continue;
    if (n == sizeof buf) break;
    buf[n++] = Lower(c);
  }
  std::string_view s(buf, n);
  return s.find("display:none") != std::string_view::npos ||
         s.find("visibility:hidden") != std::string_view::npos;
}

bool RelIsCanonical(std::string_view rel) {
  size_t i = 0;
  while (i < rel.size()) {
    while (i < rel.size() && IsAsciiSpace(rel[i])) ++i;
    size_t j = i;
    while (j < rel.size() && !IsAsciiSpace(rel[j])) ++j;
    if (EqualsNoCase(rel.substr(i, j - i), "canonical")) return true;
    i = j;
  }
  return false;
}

bool IsUrlLike(std::string_view s) {
  return StartsWithNoCase(s, "http://") || StartsWithNoCase(s, "https://") || s.starts_with("//");
}

// Separators sites put between an article title and the site name ("标题_新浪网",
// "标题 - 中新网", "标题 | 财新网").
constexpr std::string_view kTitleSeparators[] = {
    "-", "|", "_", "–", "—", "｜", "::", "·", "»", "－",
};

// `full` is `clean`, a separator and a site name (or the site name first).
bool IsTitleWithSite(std::string_view full, std::string_view clean) {
  if (clean.empty() || full.size() <= clean.size()) return false;
  if (full.starts_with(clean)) {
    std::string_view rest = full.substr(clean.size());
    rest.remove_prefix(SkipLeadingSpace(rest));
    for (std::string_view sep : kTitleSeparators) {
      if (rest.starts_with(sep) && !Trim(rest.substr(sep.size())).empty()) return true;
    }
  }
  if (full.ends_with(clean)) {
    std::string_view rest = full.substr(0, full.size() - clean.size());
    rest = rest.substr(0, SkipTrailingSpace(rest, 0));
    for (std::string_view sep : kTitleSeparators) {
      if (rest.ends_with(sep) && !Trim(rest.substr(0, rest.size() - sep.size())).empty()) return true;
    }
  }
  return false;
}

void SplitKeywords(std::string_view s, std::vector<std::string>& tags) {
  // Comma-like separators first; a keyword list without any is split on white space
  // ("人工智能 DeepSeek 大模型"), which is how Chinese sites usually write it.
  static constexpr std::string_view kSeps[] = {",", "，", ";", "；", "、", "|", "｜"};
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= s.size()) {
    size_t best = s.size();
    size_t best_len = 0;
    for (std::string_view sep : kSeps) {
      size_t p = s.find(sep, i);
      if (p != std::string_view::npos && p < best) {
        best = p;
        best_len = sep.size();
      }
    }
    parts.push_back(s.substr(i, best - i));
    if (best == s.size()) break;
    i = best + best_len;
  }
  std::vector<std::string_view> words;
  if (parts.size() == 1) {
    std::string_view one = parts[0];
    size_t k = 0;
    while (k < one.size()) {
      k += SkipLeadingSpace(one.substr(k));
      size_t e = k;
      while (e < one.size() && WideSpaceAt(one, e) == 0) ++e;
      if (e > k) words.push_back(one.substr(k, e - k));
      k = e;
    }
  } else {
    words = std::move(parts);
  }
  for (std::string_view w : words) {
    std::string t = CollapseSpace(w);
    if (t.empty() || std::find(tags.begin(), tags.end(), t) != tags.end()) continue;
    tags.push_back(std::move(t));
  }
}

// Emits text through the TextBuilder. It keeps its own pending space so that a table cell
// separator or a soft line break is not preceded by a space the previous node left.
class Emitter {
 public:
  // The builder may already hold part of a paragraph (inline HTML inside Markdown), and
  // gumbo drops white space at the very start of a document: both are carried over.
  Emitter(TextBuilder& out, bool leading_space)
      : out_(out), space_pending_(leading_space), line_has_text_(!out.ParagraphEmpty()) {}

  void Text(std::string_view s, bool nbsp) {
    if (pre_depth_ > 0) {
      if (s.empty()) return;
      out_.AppendVerbatim(s);
      line_has_text_ = s.back() != '\n';
      space_pending_ = false;
      return;
    }
    size_t b = SkipLeadingSpace(s);
    size_t e = SkipTrailingSpace(s, b);
    if (b >= e) {
      if (!s.empty()) space_pending_ = true;
      return;
    }
    if (cell_sep_) {
      out_.AppendVerbatim("\t");
      cell_sep_ = false;
    } else if (space_pending_ || b > 0) {
      out_.AppendText(" ");
    }
    std::string_view core = s.substr(b, e - b);
    if (nbsp) {
      // &nbsp; renders as a space; in extracted text it is one (runs of them used for
      // indentation and spacing collapse like other white space).
      size_t from = 0;
      for (size_t at; (at = core.find("\xc2\xa0", from)) != std::string_view::npos; from = at + 2) {
        out_.AppendText(core.substr(from, at - from));
        out_.AppendText(" ");
      }
      out_.AppendText(core.substr(from));
    } else {
      out_.AppendText(core);
    }
    space_pending_ = e < s.size();
    line_has_text_ = true;
  }

  void Para() {
    out_.EndParagraph();
    Reset();
  }
  void SoftBreak() {
    if (line_has_text_) out_.LineBreak();
    Reset();
  }
  void Boundary() {
    if (list_depth_ > 0) {
      SoftBreak();
    } else {
      Para();
    }
  }
  // <br>: a line break; a second one in a row (an empty line) ends the paragraph, which is
  // how many Chinese sites write paragraphs (text<br><br>text).
  void Br() {
    if (pre_depth_ > 0) {
      out_.AppendVerbatim("\n");
      line_has_text_ = false;
      return;
    }
    if (line_has_text_) {
      out_.LineBreak();
      Reset();
    } else if (list_depth_ == 0 && !out_.ParagraphEmpty()) {
      Para();
    } else {
      Reset();
    }
  }
  void Cell() {
    if (line_has_text_) cell_sep_ = true;
  }
  void Finish() {
    if (space_pending_ && pre_depth_ == 0) out_.AppendText(" ");
    space_pending_ = false;
  }

  int pre_depth_ = 0;
  int list_depth_ = 0;

 private:
  void Reset() {
    space_pending_ = false;
    line_has_text_ = false;
    cell_sep_ = false;
  }

  TextBuilder& out_;
  bool space_pending_ = false;
  bool line_has_text_ = false;
  bool cell_sep_ = false;
};

constexpr std::uint32_t kFormKeepChars = 200;
constexpr size_t kMaxTitleBytes = 600;  // 200 Chinese characters

struct Scratch {
  std::vector<ContentNode> nodes;
  std::vector<NodeInfo> info;
  std::vector<std::pair<const GumboNode*, std::int32_t>> stack;
  std::vector<std::int32_t> open;
};

class Walker {
 public:
  Walker(Scratch& s, const HtmlOptions& options, bool main)
      : nodes_(s.nodes), info_(s.info), stack_(s.stack), open_(s.open), options_(options), main_(main) {
    nodes_.clear();
    info_.clear();
    stack_.clear();
    open_.clear();
  }

  void Flatten(const GumboNode* root) {
    stack_.push_back({root, -1});
    while (!stack_.empty()) {
      auto [g, parent] = stack_.back();
      stack_.pop_back();
      switch (g->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
          AddText(g, parent);
          break;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE:
          if (AddElement(g, parent)) {
            const GumboVector& kids = g->v.element.children;
            std::int32_t me = static_cast<std::int32_t>(nodes_.size()) - 1;
            for (unsigned k = kids.length; k-- > 0;) {
              stack_.push_back({static_cast<const GumboNode*>(kids.data[k]), me});
            }
          }
          break;
        default:  // comments, the document
          break;
      }
    }
    ComputeStats();
  }

  void FillMetadata(Metadata& meta) {
    std::string h1_text;
    std::int32_t h1 = found_.h1 >= 0 ? found_.h1 : found_.h1_any;
    if (h1 >= 0) h1_text = SubtreeText(h1);
    // Some pages wrap whole sections in an <h1>: that is not a title.
    if (h1_text.size() > kMaxTitleBytes) h1_text.clear();
    if (meta.title.empty()) {
      std::string title = CollapseSpace(found_.title);
      std::string og = CollapseSpace(found_.og_title);
      // A <title> is often "Article - Site". Only when og:title or the <h1> shows the
      // clean form exactly is the site name cut; separators alone are not trusted
      // ("DeepSeek-R1 发布" has one).
      if (!title.empty()) {
        if (IsTitleWithSite(title, og)) {
          title = og;
        } else if (IsTitleWithSite(title, h1_text)) {
          title = h1_text;
        }
        meta.title = title;
      } else if (!og.empty()) {
        meta.title = og;
      } else {
        meta.title = h1_text;
      }
    }
    if (meta.summary.empty()) {
      meta.summary = CollapseSpace(found_.description);
      if (meta.summary.empty()) meta.summary = CollapseSpace(found_.og_description);
    }
    if (meta.author.empty()) {
      meta.author = CollapseSpace(found_.author_meta);
      if (std::int32_t a = found_.author_el >= 0 ? found_.author_el : found_.author_el_any; meta.author.empty() && a >= 0)
        meta.author = AuthorFromByline(SubtreeText(a));
      if (meta.author.empty()) {
        std::int32_t a = found_.address >= 0 ? found_.address : found_.address_any;
        if (a >= 0) meta.author = AuthorFromByline(SubtreeText(a));
      }
    }
    if (meta.date.empty()) {
      std::string_view d = Trim(found_.date_strong);
      std::string from_time;
      if (d.empty() && found_.time_pub >= 0) from_time = TimeValue(found_.time_pub);
      if (d.empty() && from_time.empty()) {
        std::int32_t t = found_.time_dt >= 0 ? found_.time_dt : found_.time_dt_any;
        if (t >= 0) from_time = TimeValue(t);
      }
      if (d.empty() && from_time.empty()) d = Trim(found_.date_weak);
      meta.date = from_time.empty() ? std::string(d) : from_time;
    }
    if (meta.source_url.empty()) {
      std::string_view u = Trim(found_.canonical);
      if (u.empty()) u = Trim(found_.og_url);
      meta.source_url = std::string(u);
    }
    if (meta.tags.empty() && !found_.keywords.empty()) SplitKeywords(found_.keywords, meta.tags);
    if (meta.lang.empty()) {
      std::string_view l = Trim(found_.lang);
      if (l.empty()) l = Trim(found_.content_language);
      meta.lang = std::string(l);
    }
  }

  std::int32_t body() const { return found_.body; }
  const std::vector<ContentNode>& nodes() const { return nodes_; }

  void EmitAll(Emitter& em) {
    if (!nodes_.empty()) EmitRange(em, 0, false);
  }

  void EmitMain(Emitter& em, const std::vector<std::int32_t>& roots) {
    // The article's <h1> often sits above the content block (in the article header);
    // the title stays the first paragraph as in the Markdown path.
    bool first = true;
    auto emit = [&](std::int32_t r) {
      if (!first) em.Para();  // siblings may be inline; they are still separate blocks
      first = false;
      EmitRange(em, r, true);
    };
    std::int32_t h1 = found_.h1;
    if (h1 >= 0 && nodes_[h1].end <= roots.front()) emit(h1);
    for (std::int32_t r : roots) emit(r);
  }

 private:
  void AddText(const GumboNode* g, std::int32_t parent) {
    const char* t = g->v.text.text;
    size_t len = std::strlen(t);
    ContentNode c;
    c.parent = parent;
    c.end = static_cast<std::int32_t>(nodes_.size()) + 1;
    c.kind = ContentKind::kText;
    std::uint8_t bits = kBitText;
    if (parent >= 0) bits |= info_[parent].bits & kBitInLink;
    if (g->type != GUMBO_NODE_WHITESPACE) {
      TextStats st = ScanText({t, len});
      c.chars = c.inline_chars = st.chars;
      if (bits & kBitInLink) c.link_chars = c.inline_link_chars = st.chars;
      c.commas = c.inline_commas = Sat16(st.commas);
      if (st.sentence_end) c.flags |= kContentSentenceEnd;
      if (st.nbsp) bits |= kBitNbsp;
    }
    if (parent >= 0) c.flags |= nodes_[parent].flags & kContentUnscored;
    nodes_.push_back(c);
    info_.push_back({g, static_cast<std::uint32_t>(len), 0, kInline, bits});
  }

  // Records an element; returns whether to descend into its children.
  bool AddElement(const GumboNode* g, std::int32_t parent) {
    const GumboElement& el = g->v.element;
    const GumboTag tag = el.tag;
    const std::int32_t me = static_cast<std::int32_t>(nodes_.size());
    Cat cat = CatOf(tag);
    std::uint8_t pbits = parent >= 0 ? info_[parent].bits : 0;
    std::uint8_t bits = pbits & (kBitInLink | kBitInArticle | kBitInCaption);
    ContentNode c;
    c.parent = parent;
    c.end = me + 1;
    c.kind = KindOf(tag, cat);
    c.tag_weight = TagWeight(tag);
    if (parent >= 0) c.flags |= nodes_[parent].flags & kContentUnscored;
    if (tag == GUMBO_TAG_P) c.flags |= kContentIsP;
    if (IsCleanable(tag)) c.flags |= kContentCleanable;

    // One pass over the attributes for what every element may carry.
    std::string_view cls, id, role;
    bool hidden = false;
    for (unsigned i = 0; i < el.attributes.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(el.attributes.data[i]);
      std::string_view name = a->name;  // gumbo lower-cases attribute names
      switch (name.size()) {
        case 2:
          if (name == "id") id = a->value;
          break;
        case 4:
          if (name == "role") role = a->value;
          break;
        case 5:
          if (name == "class") cls = a->value;
          else if (name == "style") hidden = hidden || StyleHides(a->value);
          break;
        case 6:
          if (name == "hidden") hidden = true;
          break;
        case 11:
          if (name == "aria-hidden") hidden = hidden || EqualsNoCase(Trim(a->value), "true");
          break;
        default:
          break;
      }
    }
    if (!cls.empty()) c.class_hash = HashClass(cls);

    bool drop = cat == kDrop || hidden || g->type == GUMBO_NODE_TEMPLATE ||
                el.tag_namespace != GUMBO_NAMESPACE_HTML;
    switch (tag) {
      case GUMBO_TAG_HTML:
        found_.lang = AttrValue(el.attributes, "lang");
        drop = false;
        break;
      case GUMBO_TAG_BODY:
        if (found_.body < 0) found_.body = me;
        break;
      case GUMBO_TAG_HEAD:
        ScanHead(g);
        break;
      case GUMBO_TAG_TITLE:
        if (found_.title.empty() && el.children.length > 0) {
          const auto* t = static_cast<const GumboNode*>(el.children.data[0]);
          if (t->type == GUMBO_NODE_TEXT || t->type == GUMBO_NODE_WHITESPACE) found_.title = t->v.text.text;
        }
        break;
      case GUMBO_TAG_META:
        ReadMeta(el.attributes);
        break;
      case GUMBO_TAG_LINK:
        ReadLink(el.attributes);
        break;
      case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FOOTER:
        drop = true;
        break;
      case GUMBO_TAG_HEADER:
        // A page header holds logo and menu; an article's own <header> holds its <h1>.
        drop = drop || !(pbits & kBitInArticle);
        break;
      case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN:
        bits |= kBitInArticle;
        break;
      case GUMBO_TAG_A: {
        // Only a real link counts towards link density: not an anchor (<a id=x/> is not
        // self-closing in HTML and wraps the heading after it) nor an in-page "#" link.
        std::string_view href = Trim(AttrValue(el.attributes, "href"));
        if (!href.empty() && href.front() != '#') bits |= kBitInLink;
        break;
      }
      case GUMBO_TAG_FIGCAPTION:
        drop = drop || !options_.keep_captions;
        bits |= kBitInCaption;
        break;
      case GUMBO_TAG_CITE:
        // The photo credit in a caption ("Violeta Santos Moura/Reuters").
        drop = drop || (pbits & kBitInCaption);
        break;
      case GUMBO_TAG_SMALL:
        drop = drop || (!options_.keep_captions && FollowsImage(g));
        break;
      default:
        break;
    }

    // Photo captions written as <p class="caption">, <span class="img-caption">...
    if (!drop && !options_.keep_captions && !cls.empty() && ContainsNoCase(cls, "caption")) drop = true;

    if (!drop && main_ && tag != GUMBO_TAG_HTML && tag != GUMBO_TAG_BODY && tag != GUMBO_TAG_A &&
        tag != GUMBO_TAG_ARTICLE && tag != GUMBO_TAG_MAIN) {
      if (!cls.empty() || !id.empty() || !role.empty()) {
        ClassHints hints = AnalyzeClassHints(cls, id, role);
        c.class_weight = static_cast<std::int8_t>(hints.weight);
        if (hints.unlikely && !(c.flags & kContentUnscored)) {
          bits |= kBitUnlikely;
          c.flags |= kContentExcluded | kContentUnscored;
        }
      }
    }
    if (drop) {
      bits |= kBitDropped;
      c.flags |= kContentExcluded | kContentUnscored;
    }
    // <address> and a lone <time> are byline metadata, not body text: they do not count.
    if (tag == GUMBO_TAG_ADDRESS) c.flags |= kContentExcluded;

    // Metadata found in the visible tree.
    if (!drop) {
      bool likely = !(c.flags & kContentUnscored);
      // The innermost of nested marks: DocBook's <div class="author"> holds the name in an
      // <h3 class="author"> beside the affiliation and the address.
      // Outside unlikely blocks (comments, sidebars) first, as for <address>.
      if (MarkedAsAuthor(el.attributes, cls)) {
        std::int32_t& slot = likely ? found_.author_el : found_.author_el_any;
        if (slot < 0 || Encloses(slot, parent)) slot = me;
      }
      switch (tag) {
        case GUMBO_TAG_H1:
          if (found_.h1_any < 0) found_.h1_any = me;
          if (likely && found_.h1 < 0) found_.h1 = me;
          break;
        case GUMBO_TAG_ADDRESS:
          if (found_.address_any < 0) found_.address_any = me;
          if (likely && found_.address < 0) found_.address = me;
          break;
        case GUMBO_TAG_TIME:
          if (found_.time_pub < 0 && (HasAttr(el.attributes, "pubdate") || HasAttr(el.attributes, "pudate"))) {
            found_.time_pub = me;
          }
          if (!Trim(AttrValue(el.attributes, "datetime")).empty()) {
            if (found_.time_dt_any < 0) found_.time_dt_any = me;
            if (likely && found_.time_dt < 0) found_.time_dt = me;
          }
          break;
        default:
          break;
      }
    }

    nodes_.push_back(c);
    info_.push_back({g, 0, static_cast<std::uint16_t>(tag), cat, bits});
    return !drop;
  }

  // <small> right after an <img> (only white space between): a photo caption.
  static bool FollowsImage(const GumboNode* g) {
    const GumboNode* parent = g->parent;
    if (parent == nullptr || parent->type != GUMBO_NODE_ELEMENT) return false;
    const GumboVector& kids = parent->v.element.children;
    for (size_t i = g->index_within_parent; i-- > 0;) {
      const auto* k = static_cast<const GumboNode*>(kids.data[i]);
      if (k->type == GUMBO_NODE_WHITESPACE || k->type == GUMBO_NODE_COMMENT) continue;
      return k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == GUMBO_TAG_IMG;
    }
    return false;
  }

  void ScanHead(const GumboNode* head) {
    const GumboVector& kids = head->v.element.children;
    for (unsigned i = 0; i < kids.length; ++i) {
      const auto* k = static_cast<const GumboNode*>(kids.data[i]);
      if (k->type != GUMBO_NODE_ELEMENT) continue;
      const GumboElement& el = k->v.element;
      if (el.tag == GUMBO_TAG_TITLE) {
        if (found_.title.empty() && el.children.length > 0) {
          const auto* t = static_cast<const GumboNode*>(el.children.data[0]);
          if (t->type == GUMBO_NODE_TEXT || t->type == GUMBO_NODE_WHITESPACE) found_.title = t->v.text.text;
        }
      } else if (el.tag == GUMBO_TAG_META) {
        ReadMeta(el.attributes);
      } else if (el.tag == GUMBO_TAG_LINK) {
        ReadLink(el.attributes);
      }
    }
  }

  void ReadMeta(const GumboVector& attrs) {
    std::string_view key, content, equiv;
    for (unsigned i = 0; i < attrs.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
      std::string_view name = a->name;
      if (name == "name" || name == "property" || name == "itemprop") {
        if (key.empty()) key = a->value;
      } else if (name == "content") {
        content = a->value;
      } else if (name == "http-equiv") {
        equiv = a->value;
      }
    }
    if (Trim(content).empty()) return;
    auto set = [&](std::string_view& slot) {
      if (slot.empty()) slot = content;
    };
    if (!equiv.empty()) {
      if (EqualsNoCase(Trim(equiv), "content-language")) set(found_.content_language);
      return;
    }
    key = Trim(key);
    if (EqualsNoCase(key, "description")) set(found_.description);
    else if (EqualsNoCase(key, "og:description")) set(found_.og_description);
    else if (EqualsNoCase(key, "og:title")) set(found_.og_title);
    else if (EqualsNoCase(key, "og:url")) set(found_.og_url);
    else if (EqualsNoCase(key, "keywords")) set(found_.keywords);
    else if (EqualsNoCase(key, "author") || EqualsNoCase(key, "article:author")) {
      if (!IsUrlLike(Trim(content))) set(found_.author_meta);  // Facebook profile URLs
    } else if (EqualsNoCase(key, "article:published_time") || EqualsNoCase(key, "datePublished")) {
      set(found_.date_strong);
    } else if (EqualsNoCase(key, "pubdate") || EqualsNoCase(key, "publishdate") ||
               EqualsNoCase(key, "publish_date") || EqualsNoCase(key, "date") ||
               EqualsNoCase(key, "dc.date") || EqualsNoCase(key, "publishtime")) {
      set(found_.date_weak);
    }
  }

  void ReadLink(const GumboVector& attrs) {
    if (!found_.canonical.empty() || !RelIsCanonical(AttrValue(attrs, "rel"))) return;
    found_.canonical = AttrValue(attrs, "href");
  }

  // Bottom-up in one reverse pass: in pre-order every child comes after its parent.
  void ComputeStats() {
    for (std::int32_t i = static_cast<std::int32_t>(nodes_.size()) - 1; i >= 0; --i) {
      const ContentNode& x = nodes_[i];
      if (x.parent < 0) continue;
      ContentNode& p = nodes_[x.parent];
      p.end = std::max(p.end, x.end);
      const NodeInfo& xi = info_[i];
      bool element = !(xi.bits & kBitText);
      if (element && !(xi.bits & kBitDropped) && !(x.flags & kContentExcluded) &&
          p.element_children < 0xFFFF) {
        ++p.element_children;
      }
      if (element && IsBlockCat(xi.cat)) p.flags |= kContentHasBlockChild;
      if (x.flags & kContentExcluded) continue;
      p.chars += x.chars;
      p.link_chars += x.link_chars;
      p.commas = Sat16(std::uint32_t{p.commas} + x.commas);
      p.flags |= x.flags & kContentSentenceEnd;
      if (!element || !IsBlockCat(xi.cat)) {
        p.inline_chars += x.inline_chars;
        p.inline_link_chars += x.inline_link_chars;
        p.inline_commas = Sat16(std::uint32_t{p.inline_commas} + x.inline_commas);
      }
    }
  }

  // The text of a subtree, white space collapsed, on one line.
  std::string SubtreeText(std::int32_t root) {
    TextBuilder b;
    const std::int32_t end = nodes_[root].end;
    for (std::int32_t i = root; i < end;) {
      const NodeInfo& in = info_[i];
      if (in.bits & kBitText) {
        b.AppendText({in.g->v.text.text, in.bytes});
      } else if (in.bits & kBitDropped) {
        i = nodes_[i].end;
        continue;
      } else if (in.cat != kInline) {
        b.AppendText(" ");
      }
      ++i;
    }
    return b.Finish();
  }

  // The name in a byline: "作者：袁莉", "文/袁莉", "记者 王晓明", "本报记者王晓明", "By Li Yuan".
  // Whether recorded node `a` is `node` or one of its ancestors.
  bool Encloses(std::int32_t a, std::int32_t node) const {
    for (std::int32_t p = node; p >= 0; p = nodes_[p].parent)
      if (p == a) return true;
    return false;
  }

  static std::string AuthorFromByline(std::string text) {
    std::string_view t = Trim(text);
    struct Prefix {
      std::string_view word;
      bool needs_separator;  // "文" alone starts many words (文化); "记者" is never part of a name
    };
    static constexpr Prefix kPrefixes[] = {{"本报记者", false}, {"特约记者", false}, {"记者", false},
                                           {"作者", true},     {"撰文", true},     {"文", true},
                                           {"By ", false},     {"by ", false}};
    for (const Prefix& p : kPrefixes) {
      if (!t.starts_with(p.word)) continue;
      std::string_view rest = t.substr(p.word.size());
      bool separated = false;
      for (;;) {
        std::string_view r = Trim(rest);
        if (r.size() != rest.size()) separated = true;
        rest = r;
        bool more = false;
        for (std::string_view sep : {"：", ":", "/", "／", "｜", "|"}) {
          if (rest.starts_with(sep)) {
            rest.remove_prefix(sep.size());
            separated = more = true;
          }
        }
        if (!more) break;
      }
      if ((separated || !p.needs_separator) && !rest.empty()) t = rest;
      break;
    }
    // A long <address> is contact information, not a byline.
    if (t.size() > 120) return {};
    return std::string(t);
  }

  std::string TimeValue(std::int32_t i) {
    const GumboVector& attrs = info_[i].g->v.element.attributes;
    for (std::string_view name : {"datetime", "pubdate", "pudate"}) {
      std::string_view v = Trim(AttrValue(attrs, name));
      if (!v.empty()) return std::string(v);
    }
    return SubtreeText(i);
  }

  // A <time> that is all the text of its block is a dateline (metadata); inside a sentence
  // it is text.
  bool IsDateline(std::int32_t i) const {
    std::int32_t b = nodes_[i].parent;
    while (b >= 0 && !IsBlockCat(info_[b].cat) && info_[b].tag != GUMBO_TAG_BODY &&
           info_[b].cat != kCell) {
      b = nodes_[b].parent;
    }
    if (b < 0) return true;
    return nodes_[b].inline_chars == nodes_[i].chars;
  }

  // The heading of a related-links list ("相关阅读"), or a line of links that opens with
  // such a label ("延伸閱讀：<a>…</a>、<a>…</a>"). Text is only gathered for the few short
  // or link-heavy blocks that can match.
  bool IsRelatedLinks(std::int32_t i) {
    const ContentNode& x = nodes_[i];
    if (x.chars >= 4 && x.chars <= 12 && IsRelatedLinksLabel(SubtreeText(i))) return true;
    return x.chars <= 300 && x.link_chars * 2 > x.chars && StartsWithRelatedLinksLabel(SubtreeText(i));
  }

  // Whether to skip element i (and its subtree) when emitting.
  bool Skip(std::int32_t i, bool main, bool is_root) {
    const NodeInfo& in = info_[i];
    if (in.bits & kBitDropped) return true;
    switch (in.tag) {
      case GUMBO_TAG_ADDRESS:
        return true;
      case GUMBO_TAG_FORM:
        // Search boxes and comment forms go; ASP.NET pages wrap the whole page in a form.
        return nodes_[i].chars < kFormKeepChars;
      case GUMBO_TAG_TIME:
        return IsDateline(i);
      default:
        break;
    }
    if (!main || is_root) return false;
    if (in.bits & kBitUnlikely) return true;
    if (IsLinkListBlock(nodes_[i])) return true;
    if (IsBlockCat(in.cat) && IsRelatedLinks(i)) return true;
    return false;
  }

  void Enter(Emitter& em, std::int32_t i) {
    switch (info_[i].cat) {
      case kBlock: case kList: case kTable: em.Boundary(); break;
      case kPre: em.Boundary(); ++em.pre_depth_; break;
      case kItem: ++em.list_depth_; em.SoftBreak(); break;
      case kRow: em.SoftBreak(); break;
      case kCell: em.Cell(); break;
      case kBr: em.Br(); break;
      default: break;
    }
  }

  void Exit(Emitter& em, std::int32_t i) {
    switch (info_[i].cat) {
      case kBlock: case kList: case kTable: em.Boundary(); break;
      case kPre: --em.pre_depth_; em.Boundary(); break;
      case kItem: em.SoftBreak(); --em.list_depth_; break;
      case kRow: em.SoftBreak(); break;
      default: break;
    }
  }

  void EmitRange(Emitter& em, std::int32_t root, bool main) {
    const std::int32_t end = nodes_[root].end;
    open_.clear();
    std::int32_t i = root;
    while (i < end) {
      while (!open_.empty() && i >= nodes_[open_.back()].end) {
        Exit(em, open_.back());
        open_.pop_back();
      }
      const NodeInfo& in = info_[i];
      if (in.bits & kBitText) {
        em.Text({in.g->v.text.text, in.bytes}, in.bits & kBitNbsp);
        ++i;
        continue;
      }
      if (Skip(i, main, i == root)) {
        if (IsBlockCat(in.cat)) em.Boundary();
        i = nodes_[i].end;
        continue;
      }
      Enter(em, i);
      open_.push_back(i);
      ++i;
    }
    while (!open_.empty()) {
      Exit(em, open_.back());
      open_.pop_back();
    }
  }

  std::vector<ContentNode>& nodes_;
  std::vector<NodeInfo>& info_;
  std::vector<std::pair<const GumboNode*, std::int32_t>>& stack_;
  std::vector<std::int32_t>& open_;
  const HtmlOptions& options_;
  bool main_;
  Found found_;
};

}  // namespace

void HtmlToText(std::string_view html, const HtmlOptions& options, TextBuilder& out,
                Metadata& meta, Diagnostics& diag) {
  std::string_view input = html;
  // Gumbo's text nodes are C strings: a NUL byte would cut the rest of its text node.
  // The HTML tree builder ignores NUL in body text anyway, so it goes before parsing.
  std::string without_nul;
  if (const void* nul = html.empty() ? nullptr : std::memchr(html.data(), '\0', html.size()); nul != nullptr) {
    std::int64_t first = static_cast<const char*>(nul) - html.data();
    without_nul.reserve(html.size());
    for (char c : html) {
      if (c != '\0') without_nul += c;
    }
    input = without_nul;
    diag.Warn("strip", "NUL bytes in HTML removed", LocationOf(html, first));
  }
  std::string limited;
  {
    NestingGuard guard(input);
    if (guard.Run(limited)) {
      diag.Warn("strip",
                "HTML nests elements deeper than " + std::to_string(kMaxDepth) +
                    " levels; deeper tags were ignored (their text is kept)",
                LocationOf(input, guard.first_offset()));
      input = limited;
    }
  }
  Extract mode = options.extract;
  if (mode == Extract::kAuto) mode = HasBodyTag(html) ? Extract::kMain : Extract::kAll;

  const GumboParse parse(input);
  const GumboOutput* parsed = parse.get();  // GumboInternalOutput is GumboOutput
  if (parsed == nullptr || parsed->root == nullptr) return;

  thread_local Scratch scratch;
  Walker walker(scratch, options, mode == Extract::kMain);
  walker.Flatten(parsed->root);
  walker.FillMetadata(meta);

  Emitter em(out, !html.empty() && IsAsciiSpace(html.front()));
  std::vector<std::int32_t> roots;
  if (mode == Extract::kMain) roots = PickMainContent(walker.nodes(), walker.body());
  if (!roots.empty()) {
    walker.EmitMain(em, roots);
  } else {
    walker.EmitAll(em);
  }
  em.Finish();
  // Keep the scratch buffers for the next document unless one huge page inflated them.
  if (scratch.nodes.capacity() > (1u << 20)) scratch = Scratch{};
}

}  // namespace zhcanon::strip
