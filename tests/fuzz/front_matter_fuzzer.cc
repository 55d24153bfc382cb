// Fuzzes front matter detection and parsing (YAML through libyaml, TOML through toml++, JSON)
// with the properties strip/front_matter.h documents.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "zhcanon/core/document.h"
#include "zhcanon/strip/front_matter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = zhcanon::fuzzing::AsText(data, size);
  zhcanon::Metadata meta;
  zhcanon::Diagnostics diag;
  zhcanon::strip::FrontMatter fm = zhcanon::strip::ParseFrontMatter(text, meta, diag);
  ZHCANON_FUZZ_CHECK(fm.body_offset <= text.size());
  ZHCANON_FUZZ_CHECK(fm.body_line >= 1);
  if (diag.failed()) {
    // A malformed block skips nothing and leaves the metadata alone.
    ZHCANON_FUZZ_CHECK(fm.body_offset == 0);
    ZHCANON_FUZZ_CHECK(meta == zhcanon::Metadata{});
    ZHCANON_FUZZ_CHECK(fm.kind != zhcanon::strip::FrontMatterKind::kNone);
  }
  if (fm.kind == zhcanon::strip::FrontMatterKind::kNone) {
    ZHCANON_FUZZ_CHECK(fm.body_offset == 0 || (fm.body_offset == 3 && text.starts_with("\xEF\xBB\xBF")));
  }
  for (const zhcanon::Problem& p : diag.problems()) {
    ZHCANON_FUZZ_CHECK(p.location.line >= 0 && p.location.column >= 0);
    ZHCANON_FUZZ_CHECK(!p.message.empty());
  }
  // What the writers do next with the metadata: JSON (invalid UTF-8 replaced) must not throw.
  (void)zhcanon::MetadataToJson(meta).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return 0;
}
