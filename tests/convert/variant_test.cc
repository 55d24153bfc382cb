#define BOOST_TEST_MODULE convert_variant
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "test_util.h"
#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/opencc_config.h"
#include "zhcanon/convert/variant.h"
#include "zhcanon/convert/variant_evidence.h"
#include "zhcanon/core/error.h"

using namespace zhcanon::convert;

BOOST_AUTO_TEST_CASE(decide_scores_the_evidence) {
  struct Case {
    VariantEvidence e;
    Variant want;
  };
  const Case cases[] = {
      {{}, Variant::kStandard},                                              // no evidence: t2s
      {{.standard_shared = 5, .not_taiwan = 2}, Variant::kStandard},         // 爲 裏
      {{.shared = 5, .taiwan = 3, .not_hongkong = 2}, Variant::kTaiwan},     // 為 裡 說
      {{.shared = 5, .hongkong = 3, .not_taiwan = 2}, Variant::kHongKong},   // 為 説 裏
      {{.shared = 4}, Variant::kTaiwan},                                     // 為 only: a tie goes to Taiwan
      {{.taiwan = 1, .hongkong = 1}, Variant::kTaiwan},                    // Taiwan and Hong Kong tie: Taiwan
  };
  for (const Case& c : cases) BOOST_CHECK(Decide(c.e) == c.want);
  BOOST_CHECK_EQUAL(VariantConfig(Variant::kStandard), "t2s");
  BOOST_CHECK_EQUAL(VariantConfig(Variant::kTaiwan), "tw2sp");
  BOOST_CHECK_EQUAL(VariantConfig(Variant::kHongKong), "hk2s");
}

BOOST_AUTO_TEST_CASE(counts_forms_and_vocabulary_from_opencc_tables) {
  const VariantDetector d;
  struct Case {
    const char* text;
    Variant want;
  };
  const Case cases[] = {
      {"這裡的滑鼠和軟體，為什麼說", Variant::kTaiwan},   // 裡 滑鼠 軟體 為 說
      {"這裏的鼠標，為甚麼説", Variant::kHongKong},       // 裏 説 為
      {"這裏的鼠標，爲什麼說", Variant::kStandard},       // 裏 爲 說
      {"simplified 这里的鼠标", Variant::kStandard},
      {"", Variant::kStandard},
  };
  for (const Case& c : cases) BOOST_CHECK_MESSAGE(d.Detect(c.text) == c.want, c.text);
  const VariantEvidence e = d.Count("為爲裡裏説說滑鼠鼠標");
  BOOST_CHECK_EQUAL(e.shared, 1u);           // 為
  BOOST_CHECK_EQUAL(e.standard_shared, 1u);  // 爲
  BOOST_CHECK_EQUAL(e.taiwan, 1u);           // 裡
  BOOST_CHECK_EQUAL(e.taiwan_words, 1u);     // 滑鼠
  BOOST_CHECK_EQUAL(e.not_taiwan, 1u);       // 裏
  BOOST_CHECK_EQUAL(e.mainland_words, 1u);   // 鼠標
  BOOST_CHECK_EQUAL(e.hongkong, 1u);         // 説
  BOOST_CHECK_EQUAL(e.not_hongkong, 1u);     // 說
}

// Forms OpenCC's s2t writes too are no evidence: 才 (Taiwan's 纔) and 著 (Taiwan's 着, but
// also Simplified 显著 through s2t).
BOOST_AUTO_TEST_CASE(forms_standard_text_has_are_no_evidence) {
  const VariantDetector d;
  const VariantEvidence e = d.Count("剛才顯著");
  BOOST_CHECK_EQUAL(e.taiwan + e.shared + e.hongkong, 0u);
  BOOST_CHECK(d.Detect("剛才顯著") == Variant::kStandard);
}

BOOST_AUTO_TEST_CASE(count_stops_at_max_bytes_on_a_character_boundary) {
  const VariantDetector d;
  const std::string text = "裡裡裡裡";  // 12 bytes
  BOOST_CHECK_EQUAL(d.Count(text, 7).taiwan, 2u);  // 7 bytes: two whole characters
  BOOST_CHECK_EQUAL(d.Count(text, 100).taiwan, 4u);
  BOOST_CHECK_EQUAL(d.Count(text, 0).taiwan, 0u);
}

// zhcanon check builds a T2s stage and a Fingerprinter: they must share one copy of OpenCC's
// data (loading it twice was ~54 ms of every check), and release it when nobody holds it.
BOOST_AUTO_TEST_CASE(shared_detector_and_converters_are_loaded_once) {
  auto a = zhcanon::convert::SharedVariantDetector();
  auto b = zhcanon::convert::SharedVariantDetector();
  BOOST_CHECK(a == b);
  zhcanon::convert::ConverterOptions t2s, tw2sp;
  tw2sp.config = "tw2sp";
  auto c1 = zhcanon::convert::SharedConverter(t2s), c2 = zhcanon::convert::SharedConverter(t2s);
  auto c3 = zhcanon::convert::SharedConverter(tw2sp);
  BOOST_CHECK(c1 == c2);
  BOOST_CHECK(c1 != c3);
  BOOST_CHECK_EQUAL(c3->Convert("軟體"), "软件");
  const std::weak_ptr<const zhcanon::convert::Converter> weak = c1;
  c1.reset();
  c2.reset();
  BOOST_CHECK(weak.expired());
}

// --- the evidence table embedded at build time -------------------------------------------

namespace {

// The kind of `key` in an evidence table, 0 when it is no evidence (the first entry wins, as
// in the trie).
char KindOf(const DictionaryEntries& t, std::string_view key) {
  for (const auto& [k, v] : t.entries)
    if (k == key) return v.at(0);
  return 0;
}

// A copy of the six dictionaries of the installed OpenCC data, to be altered by a test.
struct DataCopy {
  zhcanon::testing::TempDir dir;
  DataCopy() {
    for (std::string_view f : kVariantEvidenceFiles)
      std::filesystem::copy_file(OpenccDataDirectory() + "/" + std::string(f), dir / std::string(f));
  }
  std::string file(std::string_view f) const { return dir / std::string(f); }
};

}  // namespace

// Pins the build-time step: the generator ran ComputeVariantEvidence on the build machine's
// data, and this machine's data is that data, so the two tables are the same entry for entry
// and the detector takes the embedded one.
BOOST_AUTO_TEST_CASE(embedded_table_equals_the_run_time_computation) {
  const std::string dir = OpenccDataDirectory();
  const EmbeddedVariantEvidence built_in = BuiltInVariantEvidence();
  BOOST_REQUIRE_MESSAGE(built_in.available, "the generator found no OpenCC data at build time");
  const DictionaryEntries computed = ComputeVariantEvidence(dir);
  BOOST_REQUIRE_EQUAL(built_in.evidence.entries.size(), computed.entries.size());
  for (std::size_t i = 0; i < computed.entries.size(); ++i) {
    BOOST_TEST_CONTEXT("entry " << i << " " << computed.entries[i].first) {
      BOOST_CHECK_EQUAL(built_in.evidence.entries[i].first, computed.entries[i].first);
      BOOST_CHECK(built_in.evidence.entries[i].second == computed.entries[i].second);
    }
  }
  const auto digests = DigestVariantEvidenceFiles(dir);
  BOOST_REQUIRE(digests.has_value());
  BOOST_CHECK(*digests == built_in.files);
  const VariantEvidenceTable loaded = LoadVariantEvidence(dir);
  BOOST_CHECK(loaded.embedded);
  BOOST_CHECK(loaded.evidence.entries == computed.entries);
  // A few entries the detector's own tests rely on.
  BOOST_CHECK_EQUAL(KindOf(computed, "裡"), kEvidenceTaiwan);
  BOOST_CHECK_EQUAL(KindOf(computed, "滑鼠"), kEvidenceTaiwanWords);
  BOOST_CHECK_EQUAL(KindOf(computed, "説"), kEvidenceHongKong);
  BOOST_CHECK_EQUAL(KindOf(computed, "才"), 0);  // s2t writes it too
}

// The embedded table is only a cache of what the installed data gives: any change in the bytes
// of one of the six files, even one that OpenCC reads as the same dictionary, takes the run-time
// computation, whose result (or error) is then what the data gives.
BOOST_AUTO_TEST_CASE(altered_opencc_data_takes_the_run_time_computation) {
  const DictionaryEntries built_in = BuiltInVariantEvidence().evidence;
  {  // An identical copy elsewhere: the embedded table (the check is of bytes, not of paths).
    const DataCopy copy;
    BOOST_CHECK(LoadVariantEvidence(copy.dir.str()).embedded);
  }
  {  // Same size, one value changed (TWPhrases: 鼠標 → 滑鼠 made 鼠標 → 鼠滑): a different table.
    const DataCopy copy;
    std::string bytes = zhcanon::testing::ReadFile(copy.file("TWPhrases.ocd2"));
    const std::size_t at = bytes.find("滑鼠");
    BOOST_REQUIRE(at != std::string::npos);
    BOOST_REQUIRE(bytes.find("滑鼠", at + 1) == std::string::npos);  // the value, not a key
    bytes.replace(at, std::string("鼠滑").size(), "鼠滑");
    BOOST_REQUIRE(zhcanon::testing::WriteFile(copy.file("TWPhrases.ocd2"), bytes));
    const VariantEvidenceTable t = LoadVariantEvidence(copy.dir.str());
    BOOST_CHECK(!t.embedded);
    BOOST_CHECK(t.evidence.entries == ComputeVariantEvidence(copy.dir.str()).entries);
    BOOST_CHECK_EQUAL(KindOf(t.evidence, "滑鼠"), 0);
    BOOST_CHECK_EQUAL(KindOf(t.evidence, "鼠滑"), kEvidenceTaiwanWords);
    BOOST_CHECK_EQUAL(KindOf(t.evidence, "鼠標"), kEvidenceMainlandWords);
    BOOST_CHECK(t.evidence.entries != built_in.entries);
  }
  {  // One byte more at the end of STPhrases: OpenCC reads the same dictionary, but the bytes
     // differ, so the table is computed (and is the same).
    const DataCopy copy;
    BOOST_REQUIRE(zhcanon::testing::WriteFile(copy.file("STPhrases.ocd2"),
                                              zhcanon::testing::ReadFile(copy.file("STPhrases.ocd2")) + '\n'));
    const VariantEvidenceTable t = LoadVariantEvidence(copy.dir.str());
    BOOST_CHECK(!t.embedded);
    BOOST_CHECK(t.evidence.entries == built_in.entries);
  }
  {  // A missing file: computed, so OpenCC's error is reported instead of a table of other data.
    const DataCopy copy;
    std::filesystem::remove(copy.file("TSCharacters.ocd2"));
    BOOST_CHECK(!DigestVariantEvidenceFiles(copy.dir.str()).has_value());
    BOOST_CHECK_THROW(LoadVariantEvidence(copy.dir.str()), zhcanon::ConfigError);
  }
  {  // A truncated file: the same.
    const DataCopy copy;
    const std::string bytes = zhcanon::testing::ReadFile(copy.file("TWVariants.ocd2"));
    BOOST_REQUIRE(zhcanon::testing::WriteFile(copy.file("TWVariants.ocd2"), bytes.substr(0, bytes.size() / 2)));
    BOOST_CHECK_THROW(LoadVariantEvidence(copy.dir.str()), zhcanon::ConfigError);
  }
}
