#define BOOST_TEST_MODULE cli_strip_command
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "zhcanon/cli/strip_command.h"
#include "test_util.h"

namespace fs = std::filesystem;
using zhcanon::cli::StripMain;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;

namespace {

using Run = zhcanon::testing::Run;

Run Strip(std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(StripMain, "zhcanon-strip", std::move(args), stdin_text);
}

std::vector<nlohmann::json> JsonLines(const std::string& s) { return zhcanon::testing::JsonLines<nlohmann::json>(s); }

const std::string kSeeds = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/input";

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_version_go_to_stdout_and_exit_0) {
  Run r = Strip({"--help"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon-strip") == 0);
  BOOST_CHECK(r.out.find("--on-invalid") != std::string::npos);
  BOOST_CHECK(r.err.empty());
  r = Strip({"--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon-strip 0.") == 0);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_with_a_hint) {
  for (auto args : std::vector<std::vector<std::string>>{
           {}, {"--no-such-option", "x"}, {"--format", "pdf", "x"}, {"--extract", "some", "x"},
           {"--on-invalid", "ignore", "x"}, {"--captions", "maybe", "x"},
           {"--boilerplate", "/nonexistent.rules", "x"}, {"--threads", "-1", "x"}}) {
    Run r = Strip(args);
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: ") == 0, r.err);
  }
}

BOOST_AUTO_TEST_CASE(seeds_to_jsonl) {
  Run r = Strip({kSeeds, "--quiet"});
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 5u);
  BOOST_CHECK_EQUAL(docs[0]["id"], "000_32d97bf893b11c9f.txt");
  for (const auto& d : docs) {
    std::string text = d["text"];
    BOOST_CHECK_MESSAGE(text.find("![") == std::string::npos, d["id"]);
    BOOST_CHECK_MESSAGE(text.find('<') == std::string::npos, d["id"]);
    BOOST_CHECK_MESSAGE(text.find("ICP") == std::string::npos, d["id"]);
    BOOST_CHECK_MESSAGE(text.find("---") == std::string::npos, d["id"]);
    BOOST_CHECK_MESSAGE(!d["metadata"].value("title", "").empty(), d["id"]);
  }
  BOOST_CHECK(r.err.empty());
}

BOOST_AUTO_TEST_CASE(threads_do_not_change_the_output) {
  Run one = Strip({kSeeds, "-q"});
  Run two = Strip({kSeeds, "-q", "--threads", "2"});
  BOOST_CHECK_EQUAL(one.status, 0);
  BOOST_CHECK_EQUAL(two.status, 0);
  BOOST_CHECK(one.out == two.out);
}

BOOST_AUTO_TEST_CASE(missing_input_goes_to_error_report_and_the_run_goes_on) {
  TempDir tmp;
  const fs::path out = tmp.path() / "out.jsonl", errors = tmp.path() / "errors.jsonl";
  Run r = Strip({(tmp.path() / "missing.md").string(), kSeeds + "/001_d847006ffcf44153.txt", "-o",
                 out.string(), "--errors", errors.string()});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_EQUAL(JsonLines(ReadFile(out)).size(), 1u);
  auto problems = JsonLines(ReadFile(errors));
  BOOST_REQUIRE_EQUAL(problems.size(), 1u);
  BOOST_CHECK_EQUAL(problems[0]["stage"], "read");
  BOOST_CHECK(r.err.find("missing.md") != std::string::npos);
  BOOST_CHECK(r.err.find("1 written, 1 failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(failed_run_never_truncates_an_existing_output) {
  TempDir tmp;
  const fs::path bad = tmp.path() / "bad.txt", out = tmp.path() / "out.jsonl";
  // Long enough to be recognisably UTF-8 with one bad sequence (not a short legacy-charset text).
  std::ofstream(bad, std::ios::binary) << "这是一段比较长的中文正文内容，用于测试。正文\xC3\x28 more text\n";
  std::ofstream(out) << "precious\n";
  Run r = Strip({bad.string(), "-o", out.string(), "--on-invalid", "fail"});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_EQUAL(ReadFile(out), "precious\n");
  BOOST_CHECK(r.err.find("not written") != std::string::npos);
  for (const auto& e : fs::directory_iterator(tmp.path()))
    BOOST_CHECK_MESSAGE(e.path().filename().string().find(".tmp") == std::string::npos,
                        "temporary left behind: " << e.path());
  // The same input under the default policy is repaired and written.
  r = Strip({bad.string(), "-o", out.string()});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(ReadFile(out).find("\xEF\xBF\xBD") != std::string::npos);
  BOOST_CHECK(r.err.find("first at byte 66") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_to_overwrite_an_input) {
  TempDir tmp;
  const fs::path in = tmp.path() / "a.md";
  std::ofstream(in) << "# 标题\n\n正文\n";
  Run r = Strip({in.string(), "-o", in.string()});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_EQUAL(ReadFile(in), "# 标题\n\n正文\n");
}

BOOST_AUTO_TEST_CASE(unwritable_output_is_an_error_naming_the_path) {
  Run r = Strip({kSeeds, "-o", "/nonexistent-dir/out.jsonl"});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK(r.err.find("/nonexistent-dir/out.jsonl") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(markdown_tree_mirrors_ids) {
  TempDir tmp;
  Run r = Strip({kSeeds, "-o", (tmp.path() / "tree").string() + "/", "-q"});
  BOOST_CHECK_EQUAL(r.status, 0);
  const fs::path md = tmp.path() / "tree" / "000_32d97bf893b11c9f.md";
  BOOST_REQUIRE(fs::exists(md));
  std::string content = ReadFile(md);
  BOOST_CHECK(content.starts_with("---\ntitle: \""));
  BOOST_CHECK(content.find("今年春节") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stdin_document_and_text_format) {
  Run r = Strip({"-", "--format", "text", "-q"}, "<p>第一段</p><p>第二段</p>");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(r.out, "第一段\n\n第二段\n");
}

BOOST_AUTO_TEST_CASE(stdin_jsonl_passes_metadata_through) {
  Run r = Strip({"-", "-q"},
                R"({"id":"a","text":"# 标题\n\n正文**强调**","metadata":{"source":"crawl-1"}})" "\n");
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0]["id"], "a");
  BOOST_CHECK_EQUAL(docs[0]["text"], "标题\n\n正文强调");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["source"], "crawl-1");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["title"], "标题");
}

// docs/strip.md quotes the --help text in its "Usage" section; the two must not drift apart.
BOOST_AUTO_TEST_CASE(docs_page_quotes_the_current_help) {
  const std::vector<std::string> blocks = zhcanon::testing::TextBlocks(ReadFile(std::string(ZHCANON_SOURCE_DIR) + "/docs/strip.md"));
  BOOST_REQUIRE(!blocks.empty());
  Run r = Strip({"--help"});
  BOOST_CHECK_MESSAGE(blocks[0] == r.out, "docs/strip.md is out of date: paste the output of zhcanon-strip --help");
}
