// Fuzzes charset detection and decoding (BOMs, binary sniffing, the <meta> prescan, ICU's
// detector and converters, UTF-8 repair) with the properties io/encoding.h documents.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "zhcanon/io/decoder.h"
#include "zhcanon/io/encoding.h"

namespace io = zhcanon::io;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = zhcanon::fuzzing::AsText(data, size);
  unsigned bits = zhcanon::fuzzing::OptionBits(bytes);

  // RepairUtf8: valid output, valid input copied unchanged, counts consistent.
  io::Utf8Repair repair = io::RepairUtf8(bytes);
  ZHCANON_FUZZ_CHECK(io::IsValidUtf8(repair.text));
  bool valid = io::IsValidUtf8(bytes);
  ZHCANON_FUZZ_CHECK(valid == (repair.invalid_sequences == 0));
  if (valid) ZHCANON_FUZZ_CHECK(repair.text == bytes);
  else ZHCANON_FUZZ_CHECK(repair.first_invalid_offset >= 0 &&
                          static_cast<std::size_t>(repair.first_invalid_offset) < bytes.size());

  static constexpr zhcanon::SourceFormat kFormats[] = {
      zhcanon::SourceFormat::kAuto, zhcanon::SourceFormat::kHtml, zhcanon::SourceFormat::kText,
      zhcanon::SourceFormat::kMarkdown};
  zhcanon::SourceFormat format = kFormats[bits & 3];
  io::DecodeResult r = io::DecodeToUtf8(bytes, format);
  ZHCANON_FUZZ_CHECK(io::IsValidUtf8(r.text));  // "UTF-8, always valid"
  if (r.evidence == "binary") {
    ZHCANON_FUZZ_CHECK(r.charset.empty());
    ZHCANON_FUZZ_CHECK(r.binary_offset >= 0 && static_cast<std::size_t>(r.binary_offset) < bytes.size());
  } else {
    ZHCANON_FUZZ_CHECK(!r.charset.empty());
  }
  if (r.first_invalid_offset >= 0)
    ZHCANON_FUZZ_CHECK(static_cast<std::size_t>(r.first_invalid_offset) < bytes.size());

  // The stage under each policy: afterwards doc.text is valid UTF-8 "in every case".
  static constexpr zhcanon::OnInvalid kPolicies[] = {zhcanon::OnInvalid::kReplace,
                                                     zhcanon::OnInvalid::kSkip, zhcanon::OnInvalid::kFail};
  zhcanon::Document doc;
  doc.text = std::string(bytes);
  doc.format = format;
  zhcanon::Diagnostics diag;
  io::Decoder decoder({.on_invalid = kPolicies[(bits >> 2) % 3]});
  decoder.Process(doc, diag);
  ZHCANON_FUZZ_CHECK(io::IsValidUtf8(doc.text));
  if (r.evidence == "binary") ZHCANON_FUZZ_CHECK(diag.failed());
  return 0;
}
