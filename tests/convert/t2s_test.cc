#define BOOST_TEST_MODULE convert_t2s
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "zhcanon/convert/t2s.h"
#include "zhcanon/core/error.h"

namespace fs = std::filesystem;
using zhcanon::Diagnostics;
using zhcanon::Document;
using zhcanon::convert::T2s;
using zhcanon::convert::T2sOptions;

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Document Doc(std::string text, std::string title = "") {
  Document d;
  d.id = "x";
  d.text = std::move(text);
  d.metadata.title = std::move(title);
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(converts_text_and_title_and_records_what_it_saw) {
  const T2s t2s;
  BOOST_CHECK_EQUAL(t2s.name(), "t2s");
  Document d = Doc("這是繁體中文。\n\n第二段。", "標題");
  Diagnostics diag;
  t2s.Process(d, diag);
  BOOST_CHECK_EQUAL(d.text, "这是繁体中文。\n\n第二段。");
  BOOST_CHECK_EQUAL(d.metadata.title, "标题");
  BOOST_CHECK(diag.problems().empty());
  const auto& x = d.metadata.extra;
  BOOST_CHECK_EQUAL(x["t2s_config"], "t2s");
  BOOST_CHECK_EQUAL(x["t2s_changed_chars"], 2);  // 這 體 (of the text; the title is not counted)
  BOOST_CHECK_EQUAL(x["script"], "hant");
  BOOST_CHECK_GT(x["hant_share"].get<double>(), 0.2);
  BOOST_CHECK_LE(x["hant_share"].get<double>(), 1.0);
}

BOOST_AUTO_TEST_CASE(script_verdicts) {
  const T2s t2s;
  struct Case {
    const char* text;
    const char* script;
    double share;
  };
  const Case cases[] = {
      {"这是简体中文。", "hans", 0.0},
      {"這是繁體中文。", "hant", 2.0 / 6},
      {"這是繁體，这是简体。", "mixed", 2.0 / 8},
      {"No Chinese at all.", "hans", 0.0},
      {"", "hans", 0.0},
  };
  for (const Case& c : cases) {
    Document d = Doc(c.text);
    Diagnostics diag;
    t2s.Process(d, diag);
    BOOST_CHECK_MESSAGE(d.metadata.extra["script"] == c.script, c.text << ": " << d.metadata.extra["script"]);
    BOOST_CHECK_CLOSE(d.metadata.extra["hant_share"].get<double>() + 1.0, c.share + 1.0, 0.01);
  }
}

BOOST_AUTO_TEST_CASE(an_existing_metadata_key_is_overwritten_others_kept) {
  const T2s t2s;
  Document d = Doc("漢字");
  d.metadata.extra["script"] = "stale";
  d.metadata.extra["source"] = "crawl";
  Diagnostics diag;
  t2s.Process(d, diag);
  BOOST_CHECK_EQUAL(d.metadata.extra["script"], "hant");
  BOOST_CHECK_EQUAL(d.metadata.extra["source"], "crawl");
}

// --config auto: Taiwan, Hong Kong and standard Traditional text made by OpenCC from the same
// article each get their own config (fixtures/t2s/input, see its README).
BOOST_AUTO_TEST_CASE(auto_picks_the_config_of_the_variant) {
  const T2s t2s({.config = "auto"});
  const fs::path dir = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/t2s";
  struct Case {
    const char* file;
    const char* config;
  };
  const Case cases[] = {{"taiwan", "tw2sp"}, {"hongkong", "hk2s"}, {"traditional", "t2s"}};
  for (const Case& c : cases) {
    Document d = Doc(ReadFile(dir / "input" / (std::string(c.file) + ".txt")));
    Diagnostics diag;
    t2s.Process(d, diag);
    BOOST_CHECK_MESSAGE(d.metadata.extra["t2s_config"] == c.config, c.file << ": " << d.metadata.extra["t2s_config"]);
    BOOST_CHECK(d.text == ReadFile(dir / "output" / (std::string(c.file) + "." + c.config + ".txt")));
  }
  Document simplified = Doc("这是简体中文，没有繁体字。");
  Diagnostics diag;
  t2s.Process(simplified, diag);
  BOOST_CHECK_EQUAL(simplified.metadata.extra["t2s_config"], "t2s");
  BOOST_CHECK_EQUAL(simplified.text, "这是简体中文，没有繁体字。");
}

// Simplified text gets t2s without the detector: 温 and 户 are Hong Kong's forms too, and
// would count as Hong Kong evidence, but hk2s has nothing to do in a mainland article.
BOOST_AUTO_TEST_CASE(auto_mode_gives_simplified_text_t2s_even_with_hong_kong_forms) {
  const T2s t2s({.config = "auto"});
  const std::string text = "用户把温度设为二十度，户外温暖。";
  BOOST_REQUIRE(zhcanon::convert::VariantDetector().Detect(text) == zhcanon::convert::Variant::kHongKong);
  Document d = Doc(text);
  Diagnostics diag;
  t2s.Process(d, diag);
  BOOST_CHECK_EQUAL(d.metadata.extra["t2s_config"], "t2s");
  BOOST_CHECK_EQUAL(d.metadata.extra["script"], "hans");
  BOOST_CHECK_EQUAL(d.text, text);
}

BOOST_AUTO_TEST_CASE(auto_mode_title_is_evidence_too) {
  const T2s t2s({.config = "auto"});
  Document d = Doc("文章。", "滑鼠和軟體的說明");  // Taiwan vocabulary in the title only
  Diagnostics diag;
  t2s.Process(d, diag);
  BOOST_CHECK_EQUAL(d.metadata.extra["t2s_config"], "tw2sp");
  BOOST_CHECK_EQUAL(d.metadata.title, "鼠标和软件的说明");
}

BOOST_AUTO_TEST_CASE(invalid_bytes_never_fail_a_document) {
  const T2s t2s;
  Document d = Doc(std::string("漢\x80字\0尾\xE4", 12));
  Diagnostics diag;
  t2s.Process(d, diag);
  BOOST_CHECK_EQUAL(d.text, std::string("汉\x80字\0尾\xE4", 12));
  BOOST_CHECK(!diag.failed());
}

BOOST_AUTO_TEST_CASE(unknown_config_throws_config_error) {
  BOOST_CHECK_THROW(T2s({.config = "nope"}), zhcanon::ConfigError);
}
