// Main-content scoring for HTML pages, in the spirit of Mozilla Readability, over a
// document flattened in pre-order (see ContentNode). The HTML walker (html.cc) builds the
// nodes and their text statistics in one pass; this unit only does arithmetic on them,
// so it never touches the parse tree, never copies text and runs in O(nodes).
//
// Chinese text is measured in code points, not words; the Chinese comma, enumeration
// comma and full stop (，、。) count as prose signals like the ASCII comma.
//
//   std::vector<zhcanon::strip::ContentNode> nodes = ...;     // pre-order, stats filled
//   std::vector<int32_t> roots = zhcanon::strip::PickMainContent(nodes, body_index);
//   if (roots.empty()) { /* not convincing: keep everything */ }
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace zhcanon::strip {

/// What a node is for scoring.
enum class ContentKind : std::uint8_t {
  kText,       // a text node
  kParagraph,  // p, pre, h2-h6: its own text scores its parent
  kCell,       // td: its own text scores itself (table layouts put the article in a cell)
  kContainer,  // div, section, article, main, center...: scores itself when it mixes
               // text with blocks, else like a paragraph (Readability's "div to p")
  kBlock,      // other block-level elements (lists, tables, headings h1, li...)
  kInline,     // inline elements: their text belongs to the enclosing block
};

/// Flags of a ContentNode.
enum ContentFlag : std::uint16_t {
  kContentExcluded = 1 << 0,      // dropped, hidden or unlikely: the subtree contributes
                                  // nothing to its ancestors' counts
  kContentUnscored = 1 << 5,      // an excluded node or inside one: never scored, never
                                  // a candidate (its own subtree's counts stay complete)
  kContentHasBlockChild = 1 << 1, // has a block-level element child
  kContentSentenceEnd = 1 << 2,   // its text holds 。！？ or ". " (a sentence ends)
  kContentIsP = 1 << 3,           // a <p> element (sibling rules)
  kContentCleanable = 1 << 4,     // ul ol dl div section table form: may be cleaned
                                  // out of the chosen content when it is a link list
};

/// One node of a document flattened in pre-order: the subtree of node i is [i, end).
/// Character counts are non-space code points of visible text; `inline_*` counts only
/// the text that is not inside a block-level descendant (a block's "own" text).
struct ContentNode {
  std::int32_t parent = -1;  // -1 for the root
  std::int32_t end = 0;
  std::uint32_t chars = 0;
  std::uint32_t link_chars = 0;  // of `chars`, those inside <a>
  std::uint32_t inline_chars = 0;
  std::uint32_t inline_link_chars = 0;
  std::uint32_t class_hash = 0;  // hash of the class attribute, 0 when none
  std::uint16_t commas = 0;      // ，、。 , and ". " in the subtree (saturating)
  std::uint16_t inline_commas = 0;
  std::uint16_t element_children = 0;  // not excluded element children (saturating)
  std::uint16_t flags = 0;             // ContentFlag bits
  ContentKind kind = ContentKind::kInline;
  std::int8_t tag_weight = 0;    // Readability's per-tag start score (div +5, li -3, h1 -5...)
  std::int8_t class_weight = 0;  // ClassWeight() of class and id
};

/// What class, id and role attributes say about an element (one scan for both answers).
struct ClassHints {
  int weight = 0;         // ClassWeight()
  bool unlikely = false;  // IsUnlikelyCandidate()
};
ClassHints AnalyzeClassHints(std::string_view class_attr, std::string_view id_attr,
                             std::string_view role);

/// Readability's class/id weight: +25 for a positive hint (article, content, main, post,
/// text, detail, zw...), -25 for a negative one (comment, sidebar, footer, nav, menu,
/// related, share, social, ad, banner, recommend, 相关, 推荐...), for each of the two
/// attributes. Case-insensitive; short hints (ad, hot, zw, txt) must be a whole token
/// ("ad-box", not "header").
int ClassWeight(std::string_view class_attr, std::string_view id_attr);

/// True when class/id/role say the element is navigation, comments, a sidebar, related
/// links, ads or sharing widgets, and nothing says it may be content (article, content,
/// main, body, column). Readability's "unlikely candidate" test.
bool IsUnlikelyCandidate(std::string_view class_attr, std::string_view id_attr,
                         std::string_view role);

/// True for the heading of a related-links block ("相关阅读", "热门推荐：", "猜你喜欢"…),
/// compared after trimming white space and a trailing colon.
bool IsRelatedLinksLabel(std::string_view text);

/// True when `text` opens with such a label followed by a colon, white space or nothing
/// ("延伸閱讀：<a>…</a>、<a>…</a>").
bool StartsWithRelatedLinksLabel(std::string_view text);

/// True when a cleanable block inside the chosen content is boilerplate: at least 90% of
/// its text inside links (a table of contents), or few commas and either a negative class
/// or more than half of its text inside links (a related-news list, a tag cloud, a "read
/// the original" link).
bool IsLinkListBlock(const ContentNode& node);

/// Indexes of the subtrees holding the main content, in document order: the best-scoring
/// candidate and those of its siblings that score well enough or are prose paragraphs.
/// `body` is the index of <body> (the search stops there), or -1. Empty when no candidate
/// is convincing (less than ~50 characters of text): callers then keep the whole page.
std::vector<std::int32_t> PickMainContent(std::span<const ContentNode> nodes, std::int32_t body);

}  // namespace zhcanon::strip
