#define BOOST_TEST_MODULE cli_punct_command
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "cli_test_util.h"
#include "zhcanon/cli/punct_command.h"

namespace fs = std::filesystem;
using zhcanon::cli::PunctMain;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;

namespace {

using Run = zhcanon::testing::Run;

Run Punct(std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(PunctMain, "zhcanon-punct", std::move(args), stdin_text);
}

std::vector<nlohmann::json> JsonLines(const std::string& s) { return zhcanon::testing::JsonLines<nlohmann::json>(s); }

const std::string kPunctInputs = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/punct/input";

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_version_go_to_stdout_and_exit_0) {
  Run r = Punct({"--help"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon-punct") == 0);
  for (const char* opt : {"--profile", "--cjk-latin-space", "--explain", "--no-unicode", "--no-width",
                          "--no-punctuation", "--no-parentheses", "--no-quotes", "--no-ellipsis", "--no-dash",
                          "--no-spacing", "--no-blank-lines", "--no-indent"})
    BOOST_CHECK_MESSAGE(r.out.find(opt) != std::string::npos, opt);
  BOOST_CHECK(r.err.empty());
  r = Punct({"--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon-punct 0.") == 0);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_with_a_hint) {
  for (auto args : std::vector<std::vector<std::string>>{{},
                                                         {"--no-such-rule", "x"},
                                                         {"--profile", "zh-tw", "x"},
                                                         {"--cjk-latin-space", "maybe", "x"},
                                                         {"--explain=/nonexistent-dir/e.txt", "-"},
                                                         {"--threads", "-1", "x"}}) {
    Run r = Punct(args);
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon-punct: ") == 0, r.err);
  }
}

BOOST_AUTO_TEST_CASE(stdin_text_to_text) {
  Run r = Punct({"-", "--format", "text", "-q"}, "中文,English. 3.14\n\n\n\n他说\"你好\"  ，（Andy Jassy）\n");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(r.out, "中文，English. 3.14\n\n他说“你好”，(Andy Jassy)\n");
  BOOST_CHECK(r.err.empty());
}

BOOST_AUTO_TEST_CASE(jsonl_title_metadata_and_counts) {
  Run r = Punct({"-", "-q"}, R"({"id":"a","text":"你好,世界\"引号","metadata":{"title":"标题:副标题","source":"x"}})" "\n");
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0]["text"], "你好，世界\"引号");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["title"], "标题：副标题");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["source"], "x");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["punct_changes"], 2);
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["punct_unbalanced"], 1);
}

BOOST_AUTO_TEST_CASE(explain_to_stderr_and_to_a_file) {
  const std::string input = R"({"id":"doc-7","text":"第一行\n中文,好（坏","metadata":{"title":"标题:副"}})" "\n";
  Run r = Punct({"-", "-q", "--explain"}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(r.err,
                    "doc-7:title:3: punctuation: \":\" -> \"：\"\n"
                    "doc-7:2:3: punctuation: \",\" -> \"，\"\n"
                    "doc-7:2:5: unbalanced-paren: \"（\" left as it is\n");
  TempDir tmp;
  const std::string file = tmp / "explain.txt";
  r = Punct({"-", "-q", "--explain=" + file}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.err.empty());
  BOOST_CHECK(ReadFile(file).find("doc-7:2:3: punctuation: \",\" -> \"，\"\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(options_reach_the_normalizer) {
  auto text = [](std::vector<std::string> args, const std::string& in) {
    args.insert(args.end(), {"-", "--format", "text", "-q"});
    return Punct(args, in).out;
  };
  BOOST_CHECK_EQUAL(text({"--profile", "zh-hant"}, "他說\"你好\"\n"), "他說「你好」\n");
  BOOST_CHECK_EQUAL(text({"--profile", "ascii"}, "你好，世界。\n"), "你好,世界.\n");
  BOOST_CHECK_EQUAL(text({"--cjk-latin-space", "add"}, "中文AI中文\n"), "中文 AI 中文\n");
  BOOST_CHECK_EQUAL(text({"--cjk-latin-space", "remove"}, "中文 AI 中文\n"), "中文AI中文\n");
  BOOST_CHECK_EQUAL(text({"--no-punctuation"}, "你好,世界\n"), "你好,世界\n");
  BOOST_CHECK_EQUAL(text({"--no-spacing", "--no-width"}, "中 文Ａ\n"), "中 文Ａ\n");
}

BOOST_AUTO_TEST_CASE(golden_inputs_through_the_tool) {
  Run r = Punct({kPunctInputs, "-q"});
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 5u);
  for (const auto& d : docs) {
    const std::string expected =
        ReadFile(std::string(ZHCANON_SOURCE_DIR) + "/fixtures/punct/expected/" + d["id"].get<std::string>());
    // The reader drops nothing; the golden file holds Normalizer's output of the same bytes.
    BOOST_CHECK_MESSAGE(d["text"].get<std::string>() == expected, d["id"]);
    BOOST_CHECK(d["metadata"].contains("punct_changes"));
  }
}

BOOST_AUTO_TEST_CASE(threads_do_not_change_the_output) {
  Run one = Punct({kPunctInputs, "-q"});
  Run two = Punct({kPunctInputs, "-q", "--threads", "2"});
  BOOST_CHECK_EQUAL(two.status, 0);
  BOOST_CHECK(one.out == two.out);
}

BOOST_AUTO_TEST_CASE(refuses_to_overwrite_an_input) {
  TempDir tmp;
  const fs::path in = tmp.path() / "a.txt";
  std::ofstream(in) << "中文,好\n";
  Run r = Punct({in.string(), "-o", in.string()});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_EQUAL(ReadFile(in), "中文,好\n");
}

// docs/punct.md quotes the --help text in its "Usage" section; the two must not drift apart.
BOOST_AUTO_TEST_CASE(docs_page_quotes_the_current_help) {
  const std::vector<std::string> blocks = zhcanon::testing::TextBlocks(ReadFile(std::string(ZHCANON_SOURCE_DIR) + "/docs/punct.md"));
  BOOST_REQUIRE(!blocks.empty());
  Run r = Punct({"--help"});
  BOOST_CHECK_MESSAGE(blocks[0] == r.out, "docs/punct.md is out of date: paste the output of zhcanon-punct --help");
}
