#define BOOST_TEST_MODULE cli_t2s_command
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencc/SimpleConverter.hpp>

#include "test_util.h"
#include "cli_test_util.h"
#include "zhcanon/cli/t2s_command.h"
#include "zhcanon/convert/opencc_config.h"

namespace fs = std::filesystem;
using zhcanon::cli::T2sMain;

using zhcanon::testing::ReadFile;

namespace {

using Run = zhcanon::testing::Run;

Run T2s(std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(T2sMain, "zhcanon-t2s", std::move(args), stdin_text);
}

std::vector<nlohmann::json> JsonLines(const std::string& s) { return zhcanon::testing::JsonLines<nlohmann::json>(s); }

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("zhcanon-t2s-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path Write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return path / name;
  }
  static inline int counter = 0;
};

const std::string kSource = ZHCANON_SOURCE_DIR;
const std::string kSeeds = kSource + "/fixtures/seeds/input";
const std::string kFixtures = kSource + "/fixtures/t2s";

// Runs the real zhcanon-t2s binary through the shell; returns its exit status and stdout.
Run Binary(const std::string& args) { return zhcanon::testing::RunBinary("zhcanon-t2s", args); }

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_version_go_to_stdout_and_exit_0) {
  Run r = T2s({"--help"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon-t2s") == 0);
  BOOST_CHECK(r.out.find("--config") != std::string::npos);
  BOOST_CHECK(r.out.find("--dict") != std::string::npos);
  BOOST_CHECK(r.out.find("--on-invalid") != std::string::npos);
  BOOST_CHECK(r.err.empty());
  r = T2s({"--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon-t2s 0.") == 0);
}

BOOST_AUTO_TEST_CASE(usage_and_configuration_errors_exit_2_naming_the_tool) {
  for (auto args : std::vector<std::vector<std::string>>{
           {}, {"--no-such-option", "x"}, {"--format", "pdf", "x"}, {"--config", "no-such-config", "x"},
           {"--dict", "/nonexistent/user.txt", "x"}, {"--on-invalid", "ignore", "x"}, {"--threads", "-1", "x"}}) {
    Run r = T2s(args, "漢字");
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon-t2s: ") == 0, r.err);
  }
  Run r = T2s({"--config", "no-such-config", "-"}, "漢字");
  BOOST_CHECK(r.err.find("no-such-config") != std::string::npos);
  BOOST_CHECK(r.out.empty());
}

BOOST_AUTO_TEST_CASE(stdin_text_to_jsonl_with_metadata) {
  Run r = T2s({"-", "-q"}, "這是繁體中文。");
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0]["text"], "这是繁体中文。");
  const auto& m = docs[0]["metadata"];
  BOOST_CHECK_EQUAL(m["t2s_config"], "t2s");
  BOOST_CHECK_EQUAL(m["t2s_changed_chars"], 2);
  BOOST_CHECK_EQUAL(m["script"], "hant");
  BOOST_CHECK_CLOSE(m["hant_share"].get<double>(), 2.0 / 6, 0.1);
  BOOST_CHECK(r.err.empty());
}

// Plain text is converted as it is: zhcanon-t2s does not strip markup (that is zhcanon-strip).
BOOST_AUTO_TEST_CASE(plain_text_keeps_its_markup) {
  Run r = T2s({"-", "-q", "--format", "text"}, "# 標題\n\n<p>內容</p> [連結](http://x.tw)\n");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(r.out, "# 标题\n\n<p>内容</p> [连结](http://x.tw)\n");
}

BOOST_AUTO_TEST_CASE(stdin_jsonl_converts_text_and_title_and_keeps_metadata) {
  Run r = T2s({"-", "-q"},
              R"({"id":"a","text":"滑鼠與記憶體","metadata":{"title":"電腦","source":"crawl-1"}})" "\n"
              R"({"id":"b","text":"简体不变","metadata":{}})" "\n");
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 2u);
  BOOST_CHECK_EQUAL(docs[0]["id"], "a");
  BOOST_CHECK_EQUAL(docs[0]["text"], "滑鼠与记忆体");  // t2s keeps Taiwan vocabulary
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["title"], "电脑");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["source"], "crawl-1");
  BOOST_CHECK_EQUAL(docs[1]["text"], "简体不变");
  BOOST_CHECK_EQUAL(docs[1]["metadata"]["script"], "hans");
  BOOST_CHECK_EQUAL(docs[1]["metadata"]["t2s_changed_chars"], 0);
  r = T2s({"-", "-q", "--config", "tw2sp"}, R"({"id":"a","text":"滑鼠與記憶體"})" "\n");
  BOOST_CHECK_EQUAL(JsonLines(r.out).at(0)["text"], "鼠标与内存");
}

// The CLI gives what OpenCC gives, for every config and the golden inputs.
BOOST_AUTO_TEST_CASE(text_output_equals_opencc) {
  for (const std::string config : {"t2s", "tw2s", "tw2sp", "hk2s"}) {
    opencc::SimpleConverter theirs(config);
    for (const auto& e : fs::directory_iterator(kFixtures + "/input")) {
      Run r = T2s({e.path().string(), "-q", "--format", "text", "--config", config});
      BOOST_CHECK_EQUAL(r.status, 0);
      std::string want = theirs.Convert(ReadFile(e.path()));
      if (!want.empty() && want.back() != '\n') want += '\n';  // the text format ends each text with one
      BOOST_CHECK_MESSAGE(r.out == want, config << " " << e.path().filename());
    }
  }
}

BOOST_AUTO_TEST_CASE(user_dictionary_takes_precedence_like_opencc_with_a_generated_config) {
  TempDir tmp;
  const fs::path user = tmp.Write("fixes.txt", "計\tX\n記憶體\t存储器\n");
  const fs::path json = tmp.Write("user.json", zhcanon::convert::ConfigJsonWithUserDictionary(
                                                   zhcanon::convert::FindOpenccConfig("tw2sp"), user.string()));
  opencc::SimpleConverter theirs(json.string());
  const std::string text = "計畫與記憶體，滑鼠。";
  Run r = T2s({"-", "-q", "--format", "text", "--config", "tw2sp", "--dict", user.string()}, text);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(r.out, theirs.Convert(text) + "\n");
  BOOST_CHECK_EQUAL(r.out, "X画与存储器，鼠标。\n");
  // A malformed dictionary is a configuration error naming the file.
  const fs::path bad = tmp.Write("bad.txt", "no tab here\n");
  r = T2s({"-", "--dict", bad.string()}, text);
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK(r.err.find("bad.txt") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(auto_config_per_document) {
  std::string jsonl;
  for (const char* name : {"taiwan", "hongkong", "traditional"}) {
    nlohmann::json j = {{"id", name}, {"text", ReadFile(kFixtures + "/input/" + name + ".txt")}};
    jsonl += j.dump() + "\n";
  }
  Run r = T2s({"-", "-q", "--config", "auto"}, jsonl);
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 3u);
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["t2s_config"], "tw2sp");
  BOOST_CHECK_EQUAL(docs[1]["metadata"]["t2s_config"], "hk2s");
  BOOST_CHECK_EQUAL(docs[2]["metadata"]["t2s_config"], "t2s");
  BOOST_CHECK(docs[0]["text"] == ReadFile(kFixtures + "/output/taiwan.tw2sp.txt"));
}

BOOST_AUTO_TEST_CASE(threads_do_not_change_the_output) {
  Run one = T2s({kSeeds, kFixtures + "/input", "-q"});
  Run two = T2s({kSeeds, kFixtures + "/input", "-q", "--threads", "2"});
  BOOST_CHECK_EQUAL(one.status, 0);
  BOOST_CHECK_EQUAL(two.status, 0);
  BOOST_CHECK_EQUAL(JsonLines(one.out).size(), 9u);
  BOOST_CHECK(one.out == two.out);
}

BOOST_AUTO_TEST_CASE(output_file_is_written_atomically_and_inputs_are_protected) {
  TempDir tmp;
  const fs::path in = tmp.Write("in.txt", "漢字\n");
  const fs::path out = tmp.path / "out.txt";
  Run r = T2s({in.string(), "-o", out.string(), "-q"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(ReadFile(out), "汉字\n");  // a .txt output means --format text
  r = T2s({in.string(), "-o", in.string()});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_EQUAL(ReadFile(in), "漢字\n");
  // A bad configuration leaves an existing output alone.
  r = T2s({in.string(), "-o", out.string(), "--config", "nope"});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_EQUAL(ReadFile(out), "汉字\n");
}

// docs/t2s.md quotes the --help text in its "Usage" section; the two must not drift apart.
BOOST_AUTO_TEST_CASE(docs_page_quotes_the_current_help) {
  const std::vector<std::string> blocks = zhcanon::testing::TextBlocks(ReadFile(kSource + "/docs/t2s.md"));
  BOOST_REQUIRE(!blocks.empty());
  Run r = T2s({"--help"});
  BOOST_CHECK_MESSAGE(blocks[0] == r.out, "docs/t2s.md is out of date: paste the output of zhcanon-t2s --help");
}

// The real binary, as a Unix filter: a few cases (the rest run in-process above).
BOOST_AUTO_TEST_CASE(binary_runs_as_a_filter) {
  Run r = Binary("--help");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon-t2s") == 0);
  r = Binary("");
  BOOST_CHECK_EQUAL(r.status, 2);
  r = Binary("--format text " + kFixtures + "/input/taiwan.txt --config tw2sp");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out == ReadFile(kFixtures + "/output/taiwan.tw2sp.txt") + "\n" ||
              r.out == ReadFile(kFixtures + "/output/taiwan.tw2sp.txt"));
  r = Binary("- --format text < " + kFixtures + "/input/mixed.txt");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("AI取代人类") != std::string::npos);
}
