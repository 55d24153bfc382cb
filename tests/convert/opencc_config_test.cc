#define BOOST_TEST_MODULE convert_opencc_config
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencc/SimpleConverter.hpp>

#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/opencc_config.h"
#include "zhcanon/core/error.h"

namespace fs = std::filesystem;
using namespace zhcanon::convert;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("zhcanon-opencc-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path Write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return path / name;
  }
  static inline int counter = 0;
};

std::vector<std::string> Names(const std::vector<DictionaryEntries>& leaves) {
  std::vector<std::string> out;
  for (const auto& l : leaves) out.push_back(l.name);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(configs_are_found_where_opencc_finds_them) {
  const std::string dir = OpenccDataDirectory();
  BOOST_CHECK_EQUAL(FindOpenccConfig("t2s"), dir + "/t2s.json");
  BOOST_CHECK_EQUAL(FindOpenccConfig("t2s.json"), dir + "/t2s.json");
  BOOST_CHECK_EQUAL(FindOpenccConfig(dir + "/hk2s.json"), dir + "/hk2s.json");
  BOOST_CHECK_THROW(FindOpenccConfig("no-such-config"), zhcanon::ConfigError);
  BOOST_CHECK_THROW(FindOpenccConfig(""), zhcanon::ConfigError);
}

BOOST_AUTO_TEST_CASE(tables_follow_the_config) {
  const ConfigTables t = LoadOpenccConfig("tw2sp");
  BOOST_CHECK(Names(t.segmentation) == std::vector<std::string>{"TSPhrases.ocd2"});
  BOOST_REQUIRE_EQUAL(t.conversions.size(), 2u);
  BOOST_CHECK((Names(t.conversions[0]) ==
               std::vector<std::string>{"TWPhrasesRev.ocd2", "TWVariantsRevPhrases.ocd2", "TWVariantsRev.ocd2"}));
  BOOST_CHECK((Names(t.conversions[1]) == std::vector<std::string>{"TSPhrases.ocd2", "TSCharacters.ocd2"}));
  BOOST_CHECK_GT(t.conversions[1][1].entries.size(), 4000u);
  BOOST_CHECK_EQUAL(LoadOpenccConfig("s2twp").conversions.size(), 3u);
}

BOOST_AUTO_TEST_CASE(user_dictionary_goes_first_in_segmentation_and_first_conversion) {
  TempDir tmp;
  const fs::path user = tmp.Write("user.txt", "計\tX\n");
  const nlohmann::json j = nlohmann::json::parse(ConfigJsonWithUserDictionary(FindOpenccConfig("tw2sp"), user.string()));
  const auto& seg = j["segmentation"]["dict"];
  BOOST_CHECK_EQUAL(seg["type"], "group");
  BOOST_CHECK_EQUAL(seg["dicts"][0]["file"], user.string());
  BOOST_CHECK_EQUAL(seg["dicts"][1]["file"], OpenccDataDirectory() + "/TSPhrases.ocd2");  // made absolute
  const auto& first = j["conversion_chain"][0]["dict"];
  BOOST_CHECK_EQUAL(first["dicts"].size(), 4u);
  BOOST_CHECK_EQUAL(first["dicts"][0]["file"], user.string());
  BOOST_CHECK_EQUAL(j["conversion_chain"][1]["dict"]["dicts"].size(), 2u);  // later conversions untouched
}

// --dict means what OpenCC itself does with the generated config: the oracle is OpenCC reading
// that config from a file.
BOOST_AUTO_TEST_CASE(user_dictionary_converts_like_opencc_with_the_generated_config) {
  TempDir tmp;
  // 計 is a prefix of TSPhrases' 計畫: the user's dictionary comes first and wins although
  // TSPhrases has the longer key. 老態 is a prefix of TSPhrases' 老態龍鍾 too; 龍鍾 is a
  // TSPhrases key the user overrides; 甲 is deleted (an empty value); 乙 has two values.
  const fs::path user = tmp.Write("user.txt", "計\tX\n老態\t老样子\n龍鍾\t龙钟钟\n甲\t\n乙\t丙 丁\n");
  for (const std::string config : {"t2s", "tw2sp", "hk2s", "s2t"}) {
    const fs::path json = tmp.Write(config + "-user.json", ConfigJsonWithUserDictionary(FindOpenccConfig(config), user.string()));
    opencc::SimpleConverter theirs(json.string());
    const Converter ours(ConverterOptions{config, user.string()});
    for (const std::string text : {"計畫", "計畫書和老態龍鍾", "龍鍾", "甲乙丙", "說明計算", "沒有用戶詞的句子。", "计划和老态龙钟"}) {
      BOOST_CHECK_MESSAGE(ours.Convert(text) == theirs.Convert(text),
                          config << " " << text << ": " << ours.Convert(text) << " vs " << theirs.Convert(text));
    }
  }
  const Converter t2s(ConverterOptions{"t2s", user.string()});
  BOOST_CHECK_EQUAL(t2s.Convert("計畫"), "X画");  // not 计划: the user's 計 comes first
  BOOST_CHECK_EQUAL(t2s.Convert("甲乙"), "丙");
}

// A config given as a path, with text dictionaries relative to it (OpenCC looks next to the
// config first).
BOOST_AUTO_TEST_CASE(config_path_with_text_dictionaries) {
  TempDir tmp;
  tmp.Write("a.txt", "甲乙\tX\n");
  tmp.Write("b.txt", "甲乙丙\tY\n乙\tZ\n");
  const fs::path json = tmp.Write("g.json", R"({"name":"test",
    "segmentation":{"type":"mmseg","dict":{"type":"text","file":"b.txt"}},
    "conversion_chain":[{"dict":{"type":"group","dicts":[{"type":"text","file":"a.txt"},{"type":"text","file":"b.txt"}]}}]})");
  opencc::SimpleConverter theirs(json.string());
  const Converter ours(ConverterOptions{json.string(), ""});
  for (const std::string text : {"甲乙丙丁", "丁甲乙丙丁", "乙甲", "甲乙"})
    BOOST_CHECK_MESSAGE(ours.Convert(text) == theirs.Convert(text), text << ": " << ours.Convert(text));
  BOOST_CHECK_EQUAL(ours.Convert("甲乙丙丁"), "X丙丁");
}

BOOST_AUTO_TEST_CASE(bad_user_dictionaries_are_config_errors_naming_the_file) {
  TempDir tmp;
  const fs::path no_tab = tmp.Write("no-tab.txt", "abc\n");
  const fs::path dup = tmp.Write("dup.txt", "甲\tX\n甲\tY\n");
  for (const fs::path& f : {no_tab, dup, tmp.path / "missing.txt"}) {
    try {
      Converter c(ConverterOptions{"t2s", f.string()});
      BOOST_ERROR("no exception for " << f);
    } catch (const zhcanon::ConfigError& e) {
      BOOST_CHECK_MESSAGE(std::string(e.what()).find(f.filename().string()) != std::string::npos, e.what());
    }
  }
  const fs::path bad_json = tmp.Write("bad.json", "{ not json");
  BOOST_CHECK_THROW(Converter(ConverterOptions{bad_json.string(), ""}), zhcanon::ConfigError);
}

BOOST_AUTO_TEST_CASE(dictionaries_load_by_file_name) {
  const DictionaryEntries d = LoadOpenccDictionary("TWVariants.ocd2");
  BOOST_CHECK_EQUAL(d.name, "TWVariants.ocd2");
  BOOST_CHECK_GT(d.entries.size(), 30u);
  const auto values = LoadOpenccDictionaryValues("HKVariants.ocd2");
  bool has_alternatives = false;
  for (const auto& [k, v] : values) has_alternatives |= v.size() > 1;
  BOOST_CHECK(has_alternatives);
  BOOST_CHECK_THROW(LoadOpenccDictionary("NoSuch.ocd2"), zhcanon::ConfigError);
}
