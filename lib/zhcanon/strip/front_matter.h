// Front matter at the top of a Markdown article (Hugo, Jekyll, Zola): YAML between
// `---` lines, TOML between `+++` lines, or a JSON object `{ … }` at the very top.
// Its keys become Metadata (title, date, summary, tags, categories, lang, …; the rest in
// Metadata::extra, nothing dropped).
//
//   zhcanon::Metadata meta;
//   zhcanon::Diagnostics diag;
//   zhcanon::strip::FrontMatter fm = zhcanon::strip::ParseFrontMatter(text, meta, diag);
//   std::string_view body = text.substr(fm.body_offset);
#pragma once

#include <cstddef>
#include <string_view>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"

namespace zhcanon::strip {

enum class FrontMatterKind { kNone, kYaml, kToml, kJson };

struct FrontMatter {
  FrontMatterKind kind = FrontMatterKind::kNone;
  std::size_t body_offset = 0;  // byte offset where the body starts
  int body_line = 1;            // 1-based line number where the body starts
};

/// Detects and parses front matter at the start of `text` (a leading UTF-8 BOM is
/// allowed), merging its keys into `meta` (existing non-empty fields are overwritten).
/// A malformed or unterminated block is a per-document error: diag.Fail("strip",
/// "front matter: <what>", {line, column}) with the line in the whole document; the
/// returned body_offset is then 0 (nothing is skipped) and meta is unchanged.
/// Dates and times (TOML native, YAML timestamps) are kept as the text they were written as,
/// or in ISO 8601 when the format has native dates.
FrontMatter ParseFrontMatter(std::string_view text, Metadata& meta, Diagnostics& diag);

}  // namespace zhcanon::strip
