// Front matter at the top of a Markdown article (Hugo, Jekyll, Zola): YAML (libyaml) between
// `---` lines, TOML (toml++) between `+++` lines, or a JSON object `{ … }` at the very top.
// Its keys become Metadata (title, date, summary, tags, categories, lang, …; the rest in
// Metadata::extra in document order, nothing dropped), as MetadataFromJson reads them, plus
// the usual aliases: `description` → summary (when there is no summary), `author`/`authors`
// lists → author (the first; the list stays in extra["authors"]), `original_url`,
// `canonical`, `canonicalURL` or an absolute `url` → source_url (when there is no
// source_url). YAML plain scalars follow the YAML 1.2 core schema (as Hugo): `yes`/`no`
// stay strings, quoted values are always strings, `007` and integers too large for 64 bits
// keep their text; aliases are resolved up to 100,000 values (alias bombs and cycles fail the
// document). TOML tables keep the order they were written in; TOML dates and times
// become ISO 8601 strings.
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
/// returned body_offset is then 0 (nothing is skipped), meta is unchanged and `kind` says
/// which kind of block was found. Without front matter, body_offset skips only a BOM.
/// A text that starts with `{` is JSON front matter only when `{` is followed (after white
/// space) by `"` or `}`, so a body opening with `{{< shortcode >}}` is not an error.
/// Dates and times (TOML native, YAML timestamps) are kept as the text they were written as,
/// or in ISO 8601 when the format has native dates.
FrontMatter ParseFrontMatter(std::string_view text, Metadata& meta, Diagnostics& diag);

}  // namespace zhcanon::strip
