#define BOOST_TEST_MODULE cli_dedup_command
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "cli_test_util.h"
#include "zhcanon/cli/dedup_command.h"

namespace fs = std::filesystem;
using zhcanon::cli::DedupMain;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;
using zhcanon::testing::WriteFile;

namespace {

using Run = zhcanon::testing::Run;

Run Dedup(std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(DedupMain, "zhcanon-dedup", std::move(args), stdin_text);
}

std::vector<nlohmann::ordered_json> JsonLines(const std::string& s) { return zhcanon::testing::JsonLines<nlohmann::ordered_json>(s); }

std::vector<std::string> Ids(const std::vector<nlohmann::ordered_json>& docs) {
  std::vector<std::string> ids;
  for (const auto& d : docs) ids.push_back(d["id"]);
  return ids;
}

const std::string kSource = ZHCANON_SOURCE_DIR;
const std::string kSeeds = kSource + "/fixtures/seeds/expected/";
const std::string kCopies = kSource + "/fixtures/dedup/cli/";
const std::string k000 = "000_32d97bf893b11c9f", k001 = "001_d847006ffcf44153", k002 = "002_b17c80ccbe17dc2d",
                  k003 = "003_ca2452c9643a10af", k004 = "004_6f03a019609a9af3";

std::string Seed(const std::string& name) { return ReadFile(kSeeds + name + ".txt"); }

std::string Line(const std::string& id, const std::string& text,
                 nlohmann::ordered_json metadata = nlohmann::ordered_json::object()) {
  return nlohmann::ordered_json{{"id", id}, {"text", text}, {"metadata", metadata}}.dump() + "\n";
}

// Seed 002 (40 paragraphs) without paragraph `drop` (1-based; 0 keeps them all).
std::string Seed002Without(int drop) {
  std::string text = Seed(k002), out;
  std::size_t start = 0;
  for (int n = 1; start < text.size(); ++n) {
    std::size_t end = text.find("\n\n", start);
    end = end == std::string::npos ? text.size() : end + 2;
    if (n != drop) out += text.substr(start, end - start);
    start = end;
  }
  return out;
}

// Runs the real zhcanon-dedup binary through the shell; returns its exit status and stdout.
Run Binary(const std::string& args) { return zhcanon::testing::RunBinary("zhcanon-dedup", args); }

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_version_go_to_stdout_and_exit_0) {
  Run r = Dedup({"--help"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon-dedup") == 0);
  for (const char* opt : {"--ngram", "--distance", "--tokenizer", "--weighting", "--min-features", "--no-verify",
                          "--min-jaccard", "--min-containment", "--no-paragraphs", "--no-fold", "--keep",
                          "--clusters", "--spool-dir", "--threads", "--on-invalid", "--errors", "--format"})
    BOOST_CHECK_MESSAGE(r.out.find(opt) != std::string::npos, opt);
  BOOST_CHECK(r.out.find("(=0.3)") != std::string::npos);  // doubles shown as written, not 0.5000000001
  BOOST_CHECK(r.err.empty());
  r = Dedup({"--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon-dedup 0.") == 0);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_naming_the_tool) {
  TempDir tmp;
  const std::string in = tmp / "in.txt";
  WriteFile(in, "文本");
  for (auto args : std::vector<std::vector<std::string>>{
           {},
           {"--no-such-option", "-"},
           {"--distance", "9", "-"},
           {"--distance", "-1", "-"},
           {"--ngram", "0", "-"},
           {"--ngram", "17", "-"},
           {"--min-features", "-1", "-"},
           {"--min-jaccard", "1.5", "-"},
           {"--min-containment", "-0.1", "-"},
           {"--min-jaccard", "nan", "-"},
           {"--tokenizer", "jieba", "-"},
           {"--weighting", "tfidf", "-"},
           {"--keep", "newest", "-"},
           {"--distance", "two", "-"},
           {"--format", "pdf", "-"},
           {"--threads", "-1", "-"},
           {"--format", "markdown", "-"},  // a Markdown tree needs -o DIR
           {"--clusters", "-", "-"},
           {"--clusters", tmp / "out.jsonl", "-o", tmp / "out.jsonl", "-"},
           {"--clusters", in, in},
           {in, "-o", in},
       }) {
    Run r = Dedup(args, "文本\n");
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon-dedup: ") == 0, r.err);
    BOOST_CHECK(r.out.empty());
  }
  BOOST_CHECK_EQUAL(ReadFile(in), "文本");  // never written over
  BOOST_CHECK(Dedup({"--distance", "9", "-"}).err.find("--distance") != std::string::npos);
  BOOST_CHECK(Dedup({"--keep", "newest", "-"}).err.find("newest") != std::string::npos);
  BOOST_CHECK_EQUAL(Dedup({"--tokenizer", "jieba", "-"}).err.substr(0, 87),
                    "zhcanon-dedup: unknown --tokenizer 'jieba' (expected chars, space or word)\nTry 'zhcanon");
  BOOST_CHECK(Dedup({"--weighting", "tfidf", "-"}).err.find("unknown --weighting 'tfidf' (expected sublinear, count or binary)") == 15);
}

BOOST_AUTO_TEST_CASE(jsonl_in_jsonl_out_with_duplicates_named_on_the_canonical) {
  const std::string input = Line("a", Seed(k000), {{"title", "原文"}, {"source", "crawl-1"}}) +
                            Line("b", Seed(k002)) +
                            Line("a-again", Seed(k000), {{"title", "转载"}});
  Run r = Dedup({"-"}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 2u);
  BOOST_CHECK((Ids(docs) == std::vector<std::string>{"a", "b"}));
  BOOST_CHECK_EQUAL(docs[0]["text"], Seed(k000));  // the text as it came
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["title"], "原文");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["source"], "crawl-1");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["duplicates"], nlohmann::ordered_json::array({"a-again"}));
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["dedup_cluster"], 1);
  BOOST_CHECK(!docs[1]["metadata"].contains("duplicates"));
  // The summary: documents in and out, what was dropped, clusters, short texts.
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-dedup: 3 documents in, 2 out; 1 duplicate dropped (1 exact, 0 near) "
                                 "in 1 cluster; 0 short texts") == 0,
                      r.err);
  BOOST_CHECK(Dedup({"-", "-q"}, input).err.empty());
}

BOOST_AUTO_TEST_CASE(clusters_report_lists_the_dropped_documents) {
  TempDir tmp;
  const std::string report = tmp / "clusters.jsonl";
  const std::string input = Line("x", Seed(k003)) + Line("a", Seed(k000)) + Line("a2", Seed(k000)) +
                            Line("b", Seed(k002)) + Line("a3", Seed(k000)) + Line("b2", Seed(k002));
  Run r = Dedup({"-", "-q", "--clusters", report}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK((Ids(JsonLines(r.out)) == std::vector<std::string>{"x", "a", "b"}));
  auto lines = JsonLines(ReadFile(report));
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  BOOST_CHECK_EQUAL(lines[0]["cluster"], 1);
  BOOST_CHECK_EQUAL(lines[0]["canonical"], "a");
  BOOST_CHECK_EQUAL(lines[0]["size"], 3);
  BOOST_REQUIRE_EQUAL(lines[0]["members"].size(), 3u);
  std::vector<std::string> ids, kinds;
  for (const auto& m : lines[0]["members"]) {
    ids.push_back(m["id"]);
    kinds.push_back(m["kind"]);
    for (const char* field : {"distance", "similarity", "containment"}) BOOST_CHECK(m[field].is_number());
    BOOST_CHECK_EQUAL(m.contains("reason"), m["kind"] != "canonical");
  }
  BOOST_CHECK((ids == std::vector<std::string>{"a", "a2", "a3"}));
  BOOST_CHECK((kinds == std::vector<std::string>{"canonical", "exact", "exact"}));
  BOOST_CHECK_EQUAL(lines[1]["canonical"], "b");
  BOOST_CHECK_EQUAL(lines[1]["members"][1]["id"], "b2");
  // Each canonical document's dedup_cluster is its line's number.
  auto docs = JsonLines(r.out);
  BOOST_CHECK_EQUAL(docs[1]["metadata"]["dedup_cluster"], lines[0]["cluster"]);
  BOOST_CHECK_EQUAL(docs[2]["metadata"]["dedup_cluster"], lines[1]["cluster"]);
}

// Raw text files: the Taiwan copies (OpenCC s2twp) of seeds 000 and 002 join their originals;
// the seeds, different stories on the same topic, stay apart; output keeps the input order.
// Without t2s metadata the tool counts what t2s would convert, so the Simplified original is
// the canonical copy even where the Traditional copy comes first.
BOOST_AUTO_TEST_CASE(traditional_copies_of_raw_text_join_their_originals_in_input_order) {
  const std::vector<std::string> inputs = {kCopies + k000 + ".s2twp.txt", kSeeds + k001 + ".txt",
                                           kSeeds + k000 + ".txt",        kSeeds + k002 + ".txt",
                                           kSeeds + k003 + ".txt",        kCopies + k002 + ".s2twp.txt",
                                           kSeeds + k004 + ".txt"};
  std::vector<std::string> args = inputs;
  args.push_back("-q");
  Run r = Dedup(args);
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(r.out);
  BOOST_CHECK((Ids(docs) == std::vector<std::string>{inputs[1], inputs[2], inputs[3], inputs[4], inputs[6]}));
  BOOST_REQUIRE_EQUAL(docs.size(), 5u);
  BOOST_CHECK_EQUAL(docs[1]["metadata"]["duplicates"], nlohmann::ordered_json::array({inputs[0]}));
  BOOST_CHECK_EQUAL(docs[2]["metadata"]["duplicates"], nlohmann::ordered_json::array({inputs[5]}));
  BOOST_CHECK(!docs[3]["metadata"].contains("duplicates"));
  // --no-fold: the Traditional copies no longer meet their originals.
  args.push_back("--no-fold");
  BOOST_CHECK_EQUAL(JsonLines(Dedup(args).out).size(), 7u);
}

BOOST_AUTO_TEST_CASE(keep_policies_choose_the_canonical) {
  // Four copies of one article, each missing another paragraph (or none), with other dates and
  // t2s counts: each policy picks another one.
  const std::string input =
      Line("one", Seed002Without(40), {{"date", "2025-03-01"}, {"t2s_changed_chars", 3000}}) +
      Line("two", Seed002Without(0), {{"date", "2025-02-01"}, {"t2s_changed_chars", 2000}}) +
      Line("three", Seed002Without(3), {{"date", "2025-01-01"}, {"t2s_changed_chars", 1000}}) +
      Line("four", Seed002Without(7), {{"t2s_changed_chars", 0}}) + Line("other", Seed(k000));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"first", "one"}, {"longest", "two"}, {"earliest", "three"}, {"default", "four"}};
  for (const auto& [policy, canonical] : cases) {
    Run r = Dedup({"-", "-q", "--keep", policy}, input);
    BOOST_CHECK_EQUAL(r.status, 0);
    auto docs = JsonLines(r.out);
    BOOST_CHECK_MESSAGE((Ids(docs) == std::vector<std::string>{canonical, "other"}), policy << ": " << r.out.size());
    if (docs.size() == 2) BOOST_CHECK_EQUAL(docs[0]["metadata"]["duplicates"].size(), 3u);
  }
}

BOOST_AUTO_TEST_CASE(threads_do_not_change_the_output_or_the_report) {
  TempDir tmp;
  std::string input;
  for (int i = 0; i < 3; ++i)
    for (const std::string& name : {k000, k001, k002, k003, k004}) input += Line(name + "-" + std::to_string(i), Seed(name));
  input += Line("tw000", ReadFile(kCopies + k000 + ".s2twp.txt"));
  input += Line("cut002", Seed002Without(12));
  WriteFile(tmp / "in.jsonl", input);
  Run one = Dedup({tmp / "in.jsonl", "-q", "--clusters", tmp / "c1.jsonl"});
  Run two = Dedup({tmp / "in.jsonl", "-q", "--clusters", tmp / "c2.jsonl", "--threads", "2"});
  BOOST_CHECK_EQUAL(one.status, 0);
  BOOST_CHECK_EQUAL(two.status, 0);
  BOOST_CHECK_EQUAL(JsonLines(one.out).size(), 5u);
  BOOST_CHECK(one.out == two.out);
  BOOST_CHECK(!ReadFile(tmp / "c1.jsonl").empty());
  BOOST_CHECK(ReadFile(tmp / "c1.jsonl") == ReadFile(tmp / "c2.jsonl"));
}

BOOST_AUTO_TEST_CASE(markdown_tree_output_has_the_canonical_documents_only) {
  TempDir tmp;
  WriteFile(tmp / "in/a.md", Seed(k000));
  WriteFile(tmp / "in/b.md", Seed(k002));
  WriteFile(tmp / "in/sub/a-copy.md", Seed(k000));
  Run r = Dedup({tmp / "in", "-o", tmp / "out/", "-q"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.empty());
  BOOST_CHECK(fs::exists(tmp / "out/a.md"));
  BOOST_CHECK(fs::exists(tmp / "out/b.md"));
  BOOST_CHECK(!fs::exists(tmp / "out/sub"));
  const std::string a = ReadFile(tmp / "out/a.md");
  BOOST_CHECK_MESSAGE(a.find("duplicates:\n  - \"sub/a-copy.md\"\n") != std::string::npos, a.substr(0, 300));
  BOOST_CHECK(a.find("dedup_cluster: 1\n") != std::string::npos);
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(tmp / "out")) files += e.is_regular_file();
  BOOST_CHECK_EQUAL(files, 2u);  // no spool, no temporaries left
}

BOOST_AUTO_TEST_CASE(a_failed_run_leaves_no_file_and_keeps_old_outputs) {
  TempDir tmp;
  WriteFile(tmp / "in.txt", Seed(k000));
  // Unwritable places: exit 2, nothing created.
  Run r = Dedup({tmp / "in.txt", "-o", tmp / "missing/out.jsonl"});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK(r.err.find("missing") != std::string::npos);
  r = Dedup({tmp / "in.txt", "-o", tmp / "out.jsonl", "--clusters", tmp / "missing/c.jsonl"});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK(!fs::exists(tmp / "out.jsonl"));
  r = Dedup({tmp / "in.txt", "-o", tmp / "out.jsonl", "--spool-dir", tmp / "missing"});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK(r.err.find("spool") != std::string::npos);
  BOOST_CHECK(!fs::exists(tmp / "out.jsonl"));
  // A missing input or a fatal problem does not replace existing outputs.
  WriteFile(tmp / "out.jsonl", "old output\n");
  WriteFile(tmp / "c.jsonl", "old report\n");
  r = Dedup({tmp / "in.txt", "-o", tmp / "out.jsonl", "--clusters", tmp / "c.jsonl", "--on-invalid", "fail"},
            "");
  BOOST_CHECK_EQUAL(r.status, 0);  // a valid input: both replaced
  BOOST_CHECK(ReadFile(tmp / "out.jsonl") != "old output\n");
  WriteFile(tmp / "out.jsonl", "old output\n");
  WriteFile(tmp / "c.jsonl", "old report\n");
  WriteFile(tmp / "bad.txt", std::string("\xff\xfe\xfd not text \x80\x81", 15));
  r = Dedup({tmp / "in.txt", tmp / "bad.txt", "-o", tmp / "out.jsonl", "--clusters", tmp / "c.jsonl",
             "--on-invalid", "fail"});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_EQUAL(ReadFile(tmp / "out.jsonl"), "old output\n");
  BOOST_CHECK_EQUAL(ReadFile(tmp / "c.jsonl"), "old report\n");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) files += e.is_regular_file();
  BOOST_CHECK_EQUAL(files, 4u);  // in.txt bad.txt out.jsonl c.jsonl: no temporaries, no spool
}

BOOST_AUTO_TEST_CASE(failed_documents_are_reported_and_the_rest_deduplicated) {
  TempDir tmp;
  WriteFile(tmp / "in/a.txt", Seed(k000));
  WriteFile(tmp / "in/b.txt", std::string("\xff\xfe\xfd not text \x80\x81", 15));
  WriteFile(tmp / "in/c.txt", Seed(k000));
  Run r = Dedup({tmp / "in", "--on-invalid", "skip", "--errors", tmp / "errors.jsonl", "-o", tmp / "out.jsonl"});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK((Ids(JsonLines(ReadFile(tmp / "out.jsonl"))) == std::vector<std::string>{"a.txt"}));
  BOOST_CHECK_EQUAL(JsonLines(ReadFile(tmp / "errors.jsonl")).size(), 1u);
  BOOST_CHECK_MESSAGE(r.err.find("3 documents in, 1 out; 1 duplicate dropped") != std::string::npos, r.err);
  BOOST_CHECK(r.err.find("1 failed") != std::string::npos);
}

// docs/dedup.md quotes the --help text in its "Usage" section; the two must not drift apart.
BOOST_AUTO_TEST_CASE(docs_page_quotes_the_current_help) {
  const std::vector<std::string> blocks = zhcanon::testing::TextBlocks(ReadFile(kSource + "/docs/dedup.md"), "## Usage");
  BOOST_REQUIRE(!blocks.empty());
  Run r = Dedup({"--help"});
  BOOST_CHECK_MESSAGE(blocks[0] == r.out, "docs/dedup.md is out of date: paste the output of zhcanon-dedup --help");
}

// The real binary, as a Unix filter: a few cases (the rest run in-process above).
BOOST_AUTO_TEST_CASE(binary_runs_as_a_filter) {
  Run r = Binary("--help");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon-dedup") == 0);
  r = Binary("");
  BOOST_CHECK_EQUAL(r.status, 2);
  r = Binary("--format text " + kSeeds + k000 + ".txt " + kSeeds + k003 + ".txt " + kSeeds + k000 + ".txt");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out == Seed(k000) + "\f\n" + Seed(k003) || r.out == Seed(k000) + "\n\f\n" + Seed(k003) + "\n");
}
