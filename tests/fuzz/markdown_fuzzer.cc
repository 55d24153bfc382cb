// Fuzzes Markdown to text (md4c) with raw HTML handed to the HTML path, as the strip stage does.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "zhcanon/strip/html.h"
#include "zhcanon/strip/markdown.h"
#include "zhcanon/strip/text_builder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = zhcanon::fuzzing::AsText(data, size);
  unsigned bits = zhcanon::fuzzing::OptionBits(text);
  zhcanon::Metadata meta;
  if (bits & 1) meta.title = "known title";
  if (bits & 2) meta.source_url = "https://example.com/a";
  zhcanon::Diagnostics diag;
  zhcanon::strip::TextBuilder out;
  zhcanon::strip::MarkdownOptions options;
  options.first_line = 1 + static_cast<int>((bits >> 2) & 7);
  zhcanon::strip::HtmlOptions html_options;
  html_options.extract = zhcanon::strip::Extract::kAll;
  if (bits & 32) {
    options.on_html = [&](std::string_view html, bool block, zhcanon::strip::TextBuilder& b,
                          zhcanon::Metadata& m) {
      if (block) zhcanon::strip::HtmlToText(html, html_options, b, m, diag);
    };
  }
  zhcanon::strip::MarkdownToText(text, options, out, meta, diag);
  std::string result = out.Finish();
  (void)result;
  return 0;
}
