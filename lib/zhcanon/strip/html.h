// HTML (a fragment or a whole page, parsed by gumbo) to clean paragraphs and metadata.
// Block elements end paragraphs, <br> breaks lines, script/style/noscript/template/iframe/
// form/nav/aside/footer/header and comments are dropped, character references decoded.
// <title>, <meta name=description|author|keywords>, Open Graph tags, <time datetime> and
// <address> fill metadata. For whole pages, main-content extraction keeps the article and
// drops menus, sidebars, related-link lists and comments by text and link density, in the
// spirit of Mozilla Readability.
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
  kAuto,  // kMain for a page that has a <body> element in the source, kAll for a fragment
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

/// Appends the visible text of `html` (UTF-8) to `out` and fills empty metadata fields:
/// title (<title>, og:title, then the first <h1>), summary (description, og:description),
/// author (<meta name=author>, <address>), date (<time datetime>, article:published_time),
/// source_url (<link rel=canonical>, og:url), tags (keywords), lang (<html lang>).
/// Never fails on any input (gumbo recovers from every error).
void HtmlToText(std::string_view html, const HtmlOptions& options, TextBuilder& out,
                Metadata& meta, Diagnostics& diag);

}  // namespace zhcanon::strip
