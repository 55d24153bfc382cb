// Fuzzes OpenCC conversion (the compiled tries and the max-match segmentation) and the t2s
// stage with --config auto (variant detection), with what convert/converter.h promises:
// valid UTF-8 in gives valid UTF-8 out, any other bytes are copied without crashing.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/t2s.h"
#include "zhcanon/io/encoding.h"

namespace convert = zhcanon::convert;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = zhcanon::fuzzing::AsText(data, size);
  // Loading and compiling the dictionaries takes a while: once per process.
  static const convert::Converter t2s({.config = "t2s"});
  static const convert::Converter s2twp({.config = "s2twp"});
  static const convert::T2s stage({.config = "auto"});

  convert::ConvertStats stats;
  std::string out;
  t2s.Convert(text, out, &stats);
  ZHCANON_FUZZ_CHECK(stats.traditional_only + stats.simplified_only <= stats.han_chars);
  bool valid = zhcanon::io::IsValidUtf8(text);
  if (valid) ZHCANON_FUZZ_CHECK(zhcanon::io::IsValidUtf8(out));
  std::string back = s2twp.Convert(text);
  if (valid) ZHCANON_FUZZ_CHECK(zhcanon::io::IsValidUtf8(back));

  zhcanon::Document doc;
  doc.text = std::string(text);
  doc.metadata.title = std::string(text.substr(0, 32));
  zhcanon::Diagnostics diag;
  stage.Process(doc, diag);
  ZHCANON_FUZZ_CHECK(!diag.failed());  // "Never fails a document"
  return 0;
}
