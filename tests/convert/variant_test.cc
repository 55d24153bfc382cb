#define BOOST_TEST_MODULE convert_variant
#include <boost/test/unit_test.hpp>

#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/variant.h"

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
