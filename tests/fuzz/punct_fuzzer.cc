// Fuzzes punctuation, width and white-space normalization. Besides crashes, checks what
// punct/normalizer.h promises: the fast path gives the same output as running every line
// through every rule, and change positions lie inside the input.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_check.h"
#include "zhcanon/punct/normalizer.h"

namespace punct = zhcanon::punct;

namespace {

// Tables are built once per process (a few ms each), as a tool does.
const punct::Normalizer& Get(unsigned variant) {
  static std::unique_ptr<punct::Normalizer> cache[12];
  std::unique_ptr<punct::Normalizer>& n = cache[variant];
  if (!n) {
    punct::Options o;
    static constexpr punct::Profile kProfiles[] = {punct::Profile::kHans, punct::Profile::kHant,
                                                   punct::Profile::kAscii};
    static constexpr punct::CjkLatinSpace kSpaces[] = {punct::CjkLatinSpace::kKeep,
                                                       punct::CjkLatinSpace::kAdd};
    o.profile = kProfiles[(variant >> 2) % 3];
    o.cjk_latin_space = kSpaces[(variant >> 1) & 1];
    o.fast_path = (variant & 1) == 0;
    n = std::make_unique<punct::Normalizer>(o);
  }
  return *n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = zhcanon::fuzzing::AsText(data, size);
  unsigned bits = zhcanon::fuzzing::OptionBits(text);
  unsigned variant = ((bits % 6) << 1);  // profile x cjk-latin-space, fast path on
  std::vector<punct::Change> changes;
  std::string fast = Get(variant).Normalize(text, &changes);
  std::string slow = Get(variant | 1).Normalize(text);
  ZHCANON_FUZZ_CHECK(fast == slow);
  for (const punct::Change& c : changes) {
    ZHCANON_FUZZ_CHECK(c.line >= 1 && c.column >= 1);
    ZHCANON_FUZZ_CHECK(!c.rule.empty());
  }
  // The stage on a document: text and title.
  zhcanon::Document doc;
  doc.text = std::string(text);
  doc.metadata.title = std::string(text.substr(0, 64));
  zhcanon::Diagnostics diag;
  static const punct::Punct stage;
  stage.Process(doc, diag);
  ZHCANON_FUZZ_CHECK(!diag.failed());  // "Never fails a document"
  return 0;
}
