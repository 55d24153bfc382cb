// HTML (a fragment or a whole page, parsed by gumbo) to clean paragraphs and metadata.
// Block elements end paragraphs, <br> breaks lines, script/style/noscript/template/iframe/
// form/nav/aside/footer/header and comments are dropped, character references decoded.
// <title>, <meta name=description|author|keywords>, Open Graph tags, <time datetime> and
// <address> fill metadata. For whole pages, main-content extraction keeps the article and
// drops menus, sidebars, related-link lists and comments by text and link density, in the
// spirit of Mozilla Readability (see readability.h).
//
// Text rules (both extract modes):
// - p div section article h1-h6 blockquote figure figcaption hr pre caption... are their
//   own paragraphs. A list (ul ol dl) is one paragraph with one line per item (li dt dd),
//   as the Markdown path writes lists; blocks nested in an item only break lines. A table
//   is one paragraph with one line per row, cells separated by a tab.
// - <br> breaks the line; an empty line (<br><br>, as many Chinese sites write
//   paragraphs) ends the paragraph. <pre>, <listing>, <xmp> keep their lines verbatim.
// - &nbsp; and, at the edges of text nodes, the ideographic space 　 used as a paragraph
//   indent are white space.
// - Never text: script style noscript template iframe frame svg math object embed applet
//   canvas audio video img (no alt text) button select option input textarea, ruby
//   <rt>/<rp>, <nav>, <aside>, <footer>, a <header> outside <article>/<main>, a <form>
//   holding less than 200 characters (search boxes, comment forms; ASP.NET pages wrap the
//   whole page in a form, which stays), elements with the `hidden` attribute,
//   aria-hidden="true" or an inline style display:none / visibility:hidden.
// - <address> is a byline: metadata only, never text. A <time> that is all the text of
//   its block is a dateline (metadata, not text); inside a sentence it is text.
// - Captions: <figcaption> is its own paragraph when HtmlOptions::keep_captions, without
//   its <cite> (the photo credit); a <small> right after an <img> and elements whose class
//   contains "caption" are captions too and go when keep_captions is false.
// - HtmlToText never ends the caller's current paragraph by itself: a fragment of inline
//   HTML continues it.
// - NUL bytes are removed before parsing (a warning): gumbo's text nodes are C strings.
// - Elements nested deeper than 512 levels (Blink's limit) are flattened before parsing
//   (their text is kept, a warning is recorded); gumbo is quadratic and recursive there.
//
// Main-content extraction (Extract::kMain) also drops blocks whose class/id/role mark
// them as navigation, comments, sidebars, related links, sharing or ads (unless a hint
// says content), and inside the chosen content lists/divs/tables that are mostly links,
// and related-links headings or lines ("相关阅读", "延伸閱讀：<a>…</a>"). Link density
// counts <a href> text only, not anchors or in-page "#" links. When the
// article's first <h1> lies above the chosen content it is emitted first, so the title
// stays the first paragraph as in the Markdown path. When no candidate holds at least
// ~50 characters it falls back to kAll.
//
//   zhcanon::strip::HtmlOptions opt;            // extract: auto
//   zhcanon::strip::TextBuilder out;
//   zhcanon::strip::HtmlToText(html, opt, out, meta, diag);
#pragma once

#include <string_view>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/strip/text_builder.h"

namespace zhcanon::strip {

enum class Extract {
  kAuto,  // kMain when the source has a "<body" tag (any case), kAll for a fragment
  kMain,  // the main article content only
  kAll,   // all visible text
};
/// Parses "auto", "main", "all"; throws std::invalid_argument otherwise.
Extract ParseExtract(std::string_view name);
std::string_view ExtractName(Extract e);

struct HtmlOptions {
  Extract extract = Extract::kAuto;
  bool keep_captions = true;  // <figcaption> text kept as its own paragraph
};

/// Appends the visible text of `html` (UTF-8) to `out` and fills empty metadata fields
/// (a field already set, e.g. from front matter, is never overwritten):
/// - title: <title>, else og:title, else the first <h1>. A <title> that is og:title or
///   the <h1> plus a separator and a site name ("标题_新浪网", "标题 - 中新网") becomes
///   that clean form; without such an exact match the <title> is kept whole.
/// - summary: <meta name=description>, else og:description.
/// - author: <meta name=author> or article:author (not a URL), else the first <address>
///   (a leading "作者：" removed).
/// - date, as written: article:published_time or itemprop=datePublished, else a <time>
///   with a pubdate (or pudate) attribute, else the first <time datetime> outside
///   sidebars, else <meta name=pubdate|publishdate|date>. A <time> gives its datetime,
///   else its pubdate value, else its text.
/// - source_url: <link rel=canonical>, else og:url. tags: <meta name=keywords> split on
///   , ， ; ； 、 | (on white space when it has none of those). lang: <html lang>, else
///   <meta http-equiv=content-language>.
/// Never fails on any input (gumbo recovers from every error); deep nesting is reported
/// as a warning in `diag`.
void HtmlToText(std::string_view html, const HtmlOptions& options, TextBuilder& out,
                Metadata& meta, Diagnostics& diag);

}  // namespace zhcanon::strip
