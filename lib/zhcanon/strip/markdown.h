// Markdown (CommonMark with GitHub tables and strikethrough, parsed by md4c) to clean
// paragraphs: headings become their own paragraph without markers, emphasis markers go,
// links become their text, images go, code stays verbatim, list items become lines,
// raw HTML is handed to the HTML path through `MarkdownOptions::on_html`.
//
//   zhcanon::strip::TextBuilder out;
//   zhcanon::strip::MarkdownOptions opt;
//   opt.on_html = [&](std::string_view html, bool block, TextBuilder& b, Metadata& m) {...};
//   zhcanon::strip::MarkdownToText(body, opt, out, meta, diag);
#pragma once

#include <functional>
#include <string_view>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/strip/text_builder.h"

namespace zhcanon::strip {

struct MarkdownOptions {
  /// Receives raw HTML: `block` true for an HTML block (all its lines at once), false for
  /// an inline tag or comment inside a paragraph. Unset: raw HTML is dropped.
  std::function<void(std::string_view html, bool block, TextBuilder& out, Metadata& meta)> on_html;
  /// Line of the body's first line in the whole document (after front matter), so that
  /// problems name the right line.
  int first_line = 1;
};

/// Appends the text of `markdown` to `out` and fills metadata it implies:
/// - when meta.title is empty, the first heading's text becomes the title (the heading
///   stays in the text); a heading that is a single link also gives meta.source_url
///   (when empty) from its target;
/// - a last paragraph that is only a link `[label](http…)` (a source attribution such as
///   `[qq](https://new.qq.com/…)`) becomes meta.source_url (when empty) and is not text.
/// Never fails on any input; md4c errors are reported as diag.Fail.
void MarkdownToText(std::string_view markdown, const MarkdownOptions& options, TextBuilder& out,
                    Metadata& meta, Diagnostics& diag);

}  // namespace zhcanon::strip
