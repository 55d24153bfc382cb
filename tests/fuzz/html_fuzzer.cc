// Fuzzes HTML to text (gumbo, the tree walker, Readability-style main-content scoring).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "zhcanon/strip/html.h"
#include "zhcanon/strip/text_builder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view html = zhcanon::fuzzing::AsText(data, size);
  unsigned bits = zhcanon::fuzzing::OptionBits(html);
  zhcanon::strip::HtmlOptions options;
  static constexpr zhcanon::strip::Extract kModes[] = {
      zhcanon::strip::Extract::kAuto, zhcanon::strip::Extract::kMain, zhcanon::strip::Extract::kAll,
      zhcanon::strip::Extract::kMain};
  options.extract = kModes[bits & 3];
  options.keep_captions = (bits & 4) == 0;
  zhcanon::Metadata meta;
  zhcanon::Diagnostics diag;
  zhcanon::strip::TextBuilder out;
  zhcanon::strip::HtmlToText(html, options, out, meta, diag);
  // "Never fails on any input": deep nesting and NUL bytes are warnings only.
  ZHCANON_FUZZ_CHECK(!diag.failed());
  std::string text = out.Finish();
  (void)text;
  return 0;
}
