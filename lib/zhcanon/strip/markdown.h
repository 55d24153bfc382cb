// Markdown (CommonMark with GitHub tables and strikethrough, parsed by md4c) to clean
// paragraphs: headings become their own paragraph without markers, emphasis markers go,
// links become their text, images (with their alt text) go, code stays verbatim, a whole
// list is one paragraph with one line per item, a table is one paragraph with one line per
// row and its cells separated by a tab (as a browser's innerText), character references are
// decoded (numeric ones and the HTML 4 names; other names stay as written), raw HTML is
// handed to the HTML path through `MarkdownOptions::on_html`.
//
// Chinese text often defeats CommonMark's emphasis rules (`重要。**例如` cannot close), so
// runs of two or three `*` that md4c leaves as text are dropped, except between two ASCII
// letters or digits (`2**10`); escaped `\*` are kept.
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
///   stays in the text); a first heading that is a single http(s) link also gives
///   meta.source_url (when empty) from its target;
/// - a last top-level paragraph that is only a link `[label](http…)` (a source attribution
///   such as `[qq](https://new.qq.com/…)`) becomes meta.source_url when that is empty, and
///   is not text when meta.source_url is (now) its target; a different known source_url
///   keeps it as text.
/// Exceptions thrown by on_html propagate (after md4c has cleaned up).
/// Never fails on any input; md4c errors are reported as diag.Fail.
void MarkdownToText(std::string_view markdown, const MarkdownOptions& options, TextBuilder& out,
                    Metadata& meta, Diagnostics& diag);

}  // namespace zhcanon::strip
