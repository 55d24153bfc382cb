#define BOOST_TEST_MODULE cli_run_command
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "cli_test_util.h"
#include "zhcanon/cli/dedup_command.h"
#include "zhcanon/cli/punct_command.h"
#include "zhcanon/cli/run_command.h"
#include "zhcanon/cli/strip_command.h"
#include "zhcanon/cli/t2s_command.h"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;
using zhcanon::testing::WriteFile;

namespace {

using Result = zhcanon::testing::Run;

using zhcanon::testing::ToolMain;

Result Call(ToolMain main, const std::string& name, std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(main, name, std::move(args), stdin_text);
}

Result Run(std::vector<std::string> args, const std::string& stdin_text = "") {
  return Call(zhcanon::cli::RunMain, "zhcanon run", std::move(args), stdin_text);
}

std::vector<ordered_json> JsonLines(const std::string& s) { return zhcanon::testing::JsonLines<ordered_json>(s); }

bool Contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

const std::string kSource = ZHCANON_SOURCE_DIR;
const std::string kSeeds = kSource + "/fixtures/seeds/input";
// Traditional re-posts of seeds 001 (s2twp), 002 (s2t, inside another site's HTML page) and
// 003 (s2hk); see fixtures/run/README.md.
const std::string kCopies = kSource + "/fixtures/run/input";

// One JSON document per line: {"id","text"} records for tests that need many documents.
std::string Jsonl(const std::vector<std::pair<std::string, std::string>>& docs) {
  std::string s;
  for (const auto& [id, text] : docs) s += ordered_json{{"id", id}, {"text", text}}.dump() + "\n";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_version_go_to_stdout_and_exit_0) {
  Result r = Run({"--help"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon run") == 0);
  // The common options, the run's own, and each stage's under its run name.
  for (const char* opt : {"--output", "--threads", "--on-invalid", "--errors", "--quiet", "--skip", "--no-dedup",
                          "--config-file", "--progress", "--extract", "--no-boilerplate", "--t2s NAME (=auto)",
                          "--t2s-dict", "--punct-profile", "--punct-no-quotes", "--punct-explain", "--keep",
                          "--distance", "--no-verify", "--clusters"})
    BOOST_CHECK_MESSAGE(Contains(r.out, opt), opt);
  BOOST_CHECK(Contains(r.out, "-j [ --threads ] N (=0)"));  // all cores by default, unlike the tools
  BOOST_CHECK(r.err.empty());
  r = Run({"--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon run 0.") == 0);
}

BOOST_AUTO_TEST_CASE(usage_and_configuration_errors_exit_2_naming_the_tool) {
  TempDir dir;
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--no-such-option", "-"},
      {"--skip", "strip,bogus", "-"},
      {"--t2s", "no-such-config", "-"},
      {"--t2s-dict", "/nonexistent/fixes.txt", "-"},
      {"--punct-profile", "zh-xx", "-"},
      {"--keep", "oldest", "-"},
      {"--distance", "99", "-"},
      {"--captions", "hide", "-"},
      {"--format", "pdf", "-"},
      {"--threads", "-1", "-"},
      {"--progress", "fancy", "-"},
      {"--on-invalid", "ignore", "-"},
      {"--config-file", "/nonexistent/zhcanon.toml", "-"},
      {"--clusters", dir / "c.jsonl", "--skip", "dedup", "-"},
      {"--clusters", "-", "-"},
      {"--format", "markdown", "-"},
      {"--boilerplate", "x.rules", "--no-boilerplate", "-"},
  };
  for (const auto& args : cases) {
    Result r = Run(args, "漢字");
    BOOST_CHECK_MESSAGE(r.status == 2, "status " << r.status << " for " << (args.empty() ? "" : args[0]));
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon run: ") == 0, r.err);
    BOOST_CHECK(r.out.empty());
  }
  BOOST_CHECK(Contains(Run({"--skip", "strip,bogus", "-"}).err, "'bogus'"));
  BOOST_CHECK(Contains(Run({"--t2s", "no-such-config", "-"}).err, "no-such-config"));
}

// The input is never overwritten, by the output or by a report.
BOOST_AUTO_TEST_CASE(refuses_to_write_over_an_input) {
  TempDir dir;
  const std::string in = dir / "in.jsonl";
  WriteFile(in, Jsonl({{"a", "正文。"}}));
  for (const std::string& opt : {"-o", "--errors", "--clusters"}) {
    Result r = Run({"-q", in, opt, in});
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK_MESSAGE(Contains(r.err, "refusing"), r.err);
  }
  BOOST_CHECK_EQUAL(ReadFile(in), Jsonl({{"a", "正文。"}}));
}

BOOST_AUTO_TEST_CASE(defaults_make_a_simplified_normalized_deduplicated_corpus) {
  const std::string input = Jsonl({{"tw", "<p>使用者可以用滑鼠操作軟體,非常方便.</p>"},
                                   {"cn", "<p>用户可以用鼠标操作软件，非常方便。</p>"},
                                   {"cn-again", "<p>用户可以用鼠标操作软件，非常方便。</p>"}});
  Result r = Run({"-q", "-"}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.err.empty());
  auto docs = JsonLines(r.out);
  // tw2sp (chosen by --t2s auto) turns the Taiwan vocabulary into the mainland one, punct the
  // half-width punctuation into GB/T 15834's, and the three are one text: the exact copy goes,
  // and so does the converted one (the canonical copy is the one Simplified at the source).
  BOOST_REQUIRE_EQUAL(docs.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0]["id"], "cn");
  BOOST_CHECK_EQUAL(docs[0]["text"], "用户可以用鼠标操作软件，非常方便。");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["duplicates"], ordered_json({"tw", "cn-again"}));
}

BOOST_AUTO_TEST_CASE(stages_can_be_skipped) {
  const std::string input = Jsonl({{"a", "<p>這是繁體,對吧.</p>"}, {"b", "<p>這是繁體,對吧.</p>"}});
  struct Case {
    std::vector<std::string> args;
    std::size_t documents;
    std::string text;
  };
  const std::vector<Case> cases = {
      {{}, 1, "这是繁体，对吧。"},
      {{"--skip", "dedup"}, 2, "这是繁体，对吧。"},
      {{"--no-dedup"}, 2, "这是繁体，对吧。"},
      {{"--skip", "t2s"}, 1, "這是繁體，對吧。"},
      {{"--skip", "punct,dedup"}, 2, "这是繁体,对吧."},
      {{"--no-strip", "--no-punct"}, 1, "<p>这是繁体,对吧.</p>"},
      {{"--skip", "strip , t2s,punct,dedup"}, 2, "<p>這是繁體,對吧.</p>"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"-q", "-"});
    Result r = Run(args, input);
    BOOST_CHECK_EQUAL(r.status, 0);
    auto docs = JsonLines(r.out);
    BOOST_REQUIRE_EQUAL(docs.size(), c.documents);
    BOOST_CHECK_EQUAL(docs[0]["text"], c.text);
  }
  // A skipped stage leaves no trace in the metadata either.
  auto docs = JsonLines(Run({"-q", "--skip", "t2s,punct", "-"}, input).out);
  BOOST_CHECK(!docs.at(0)["metadata"].contains("t2s_config"));
  BOOST_CHECK(!docs.at(0)["metadata"].contains("punct_changes"));
  BOOST_CHECK(docs.at(0)["metadata"].contains("source_format"));
}

BOOST_AUTO_TEST_CASE(stage_options_have_the_tools_meanings) {
  const std::string input = Jsonl({{"a", "滑鼠與記憶體,\"好\"."}});
  auto text = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"-q", "--skip", "strip,dedup", "-"});
    Result r = Run(args, input);
    BOOST_REQUIRE_EQUAL(r.status, 0);
    return JsonLines(r.out).at(0)["text"].get<std::string>();
  };
  BOOST_CHECK_EQUAL(text({"--t2s", "t2s"}), "滑鼠与记忆体，“好”。");
  BOOST_CHECK_EQUAL(text({"--t2s", "tw2sp"}), "鼠标与内存，“好”。");
  BOOST_CHECK_EQUAL(text({"--t2s", "tw2sp", "--punct-profile", "zh-hant"}), "鼠标与内存，「好」。");
  BOOST_CHECK_EQUAL(text({"--t2s", "tw2sp", "--punct-no-quotes"}), "鼠标与内存，\"好\"。");
  BOOST_CHECK_EQUAL(text({"--t2s", "tw2sp", "--punct-profile", "ascii"}), "鼠标与内存,\"好\".");
}

BOOST_AUTO_TEST_CASE(config_file_sets_options_and_the_command_line_wins) {
  TempDir dir;
  const std::string config = dir / "zhcanon.toml";
  WriteFile(config,
            "# a run for Taiwan sources\n"
            "t2s = \"tw2sp\"\n"
            "skip = [\"strip\", \"dedup\"]\n"
            "quiet = true\n"
            "\n"
            "[punct]\n"
            "profile = \"zh-hant\"\n"
            "no-quotes = false\n"
            "\n"
            "[dedup]\n"
            "keep = \"longest\"\n");
  const std::string input = Jsonl({{"a", "滑鼠與記憶體,\"好\"."}});
  Result r = Run({"--config-file", config, "-"}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.err.empty());  // quiet = true
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0]["text"], "鼠标与内存，「好」。");
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["t2s_config"], "tw2sp");

  // The command line wins over the file, option by option.
  r = Run({"--config-file", config, "--t2s", "t2s", "--punct-profile", "zh-hans", "-"}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(JsonLines(r.out).at(0)["text"], "滑鼠与记忆体，“好”。");
  r = Run({"--config-file", config, "--skip", "strip", "-"}, input + input);
  BOOST_CHECK_EQUAL(JsonLines(r.out).size(), 1u);  // dedup runs: --skip replaced the file's

  // [t2s] config is --t2s, [t2s] dict is --t2s-dict, [strip] extract is --extract.
  WriteFile(config, "[t2s]\nconfig = \"t2s\"\n[strip]\nextract = \"all\"\n");
  r = Run({"-q", "--config-file", config, "--no-dedup", "-"}, input);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(JsonLines(r.out).at(0)["metadata"]["t2s_config"], "t2s");
}

BOOST_AUTO_TEST_CASE(config_file_errors_name_the_file_and_line) {
  TempDir dir;
  const std::string config = dir / "zhcanon.toml";
  struct Case {
    std::string toml;
    std::string expected;  // in the message, after "zhcanon.toml:"
  };
  const std::vector<Case> cases = {
      {"t2s = \"tw2sp\"\n\ntw2sp = true\n", "zhcanon.toml:3: unknown key 'tw2sp'"},
      {"[punct]\nprofile = \"zh-hant\"\nkeep = \"first\"\n", "zhcanon.toml:3: unknown key 'punct.keep'"},
      {"[t2s]\ndict = \"x\"\n[nosuch]\na = 1\n", "zhcanon.toml:3: unknown key 'nosuch'"},
      {"threads = \"many\"\n", "zhcanon.toml:1: 'threads'"},
      {"no-dedup = \"yes\"\n", "zhcanon.toml:1: 'no-dedup' takes true or false"},
      {"help = true\n", "zhcanon.toml:1: 'help' cannot be set"},
      {"keep = \"first\"\n[dedup]\nkeep = \"longest\"\n", "zhcanon.toml:3: 'dedup.keep' sets --keep a second time"},
      {"t2s = \"tw2sp\nskip = 1\n", "zhcanon.toml:1"},  // a TOML syntax error
  };
  for (const Case& c : cases) {
    WriteFile(config, c.toml);
    Result r = Run({"--config-file", config, "-"}, "漢字");
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon run: ") == 0 && Contains(r.err, c.expected), r.err << " for " << c.toml);
    BOOST_CHECK(r.out.empty());
  }
}

BOOST_AUTO_TEST_CASE(sample_config_in_fixtures_is_valid) {
  Result r = Run({"-q", "--config-file", kSource + "/fixtures/run/zhcanon.toml", "--no-dedup", "-"},
                 Jsonl({{"a", "<p>滑鼠</p>"}}));
  BOOST_CHECK_MESSAGE(r.status == 0, r.err);
}

// Parallel runs give the same bytes as a sequential one, whatever order the workers finish in.
BOOST_AUTO_TEST_CASE(output_with_two_threads_equals_one_thread_byte_for_byte) {
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 300; ++i) {
    // Sizes vary a lot, so that workers finish out of order; every 7th is a copy of an earlier one.
    std::string text = "<p>第" + std::to_string(i % 7 == 6 ? i - 6 : i) + "篇文章。</p>";
    for (int k = 0; k < (i * 37) % 200; ++k) text += "<p>這是第" + std::to_string(k) + "段,內容各不相同." + std::string(k % 5, 'x') + "</p>";
    docs.emplace_back("doc-" + std::to_string(i), text);
  }
  const std::string input = Jsonl(docs);
  for (const std::string& skip : {"", "dedup"}) {
    std::vector<std::string> base = {"-q", "-"};
    if (!skip.empty()) base.insert(base.end(), {"--skip", skip});
    auto with = [&](const char* threads) {
      std::vector<std::string> args = base;
      args.insert(args.end(), {"--threads", threads});
      return Run(args, input);
    };
    Result one = with("1"), two = with("2"), four = with("4");
    BOOST_CHECK_EQUAL(one.status, 0);
    BOOST_CHECK(!one.out.empty());
    BOOST_CHECK_MESSAGE(one.out == two.out, "--threads 2 differs from --threads 1 (skip " << skip << ")");
    BOOST_CHECK_MESSAGE(one.out == four.out, "--threads 4 differs from --threads 1 (skip " << skip << ")");
  }
  // And on the fixtures, in Markdown too.
  Result one = Run({"-q", "--threads", "1", kSeeds, kCopies});
  Result two = Run({"-q", "--threads", "2", kSeeds, kCopies});
  BOOST_CHECK(one.out == two.out);
}

BOOST_AUTO_TEST_CASE(summary_counts_documents_duplicates_conversions_and_stage_times) {
  TempDir dir;
  Result r = Run({kSeeds, kCopies, "-o", dir / "corpus.jsonl", "--clusters", dir / "clusters.jsonl", "--progress",
                  "none"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_TEST_MESSAGE(r.err);
  // 5 seeds and 3 Traditional re-posts of three of them: the re-posts go, the seeds stay.
  BOOST_CHECK_MESSAGE(Contains(r.err, "zhcanon run: 8 documents in, 5 out; "), r.err);
  BOOST_CHECK_MESSAGE(Contains(r.err, " near duplicates dropped (3 clusters); "), r.err);
  // "converted" counts the documents whose text t2s changed, dropped ones included: the same
  // run without dedup shows them all.
  std::size_t changed = 0;
  for (const auto& doc : JsonLines(Run({"-q", "--skip", "dedup", kSeeds, kCopies}).out))
    changed += doc["metadata"]["t2s_changed_chars"].get<int>() > 0;
  BOOST_CHECK_GE(changed, 3u);  // at least the three Traditional re-posts
  BOOST_CHECK_MESSAGE(Contains(r.err, "; " + std::to_string(changed) + " converted by t2s; 0 failed, "), r.err);
  BOOST_CHECK(Contains(r.err, " documents/s) on "));
  for (const char* stage : {"time per stage (CPU seconds): decode ", ", strip ", ", t2s ", ", punct ",
                            ", dedup ", "(fingerprints ", ", output "})
    BOOST_CHECK_MESSAGE(Contains(r.err, stage), stage);

  auto corpus = JsonLines(ReadFile(dir / "corpus.jsonl"));
  BOOST_REQUIRE_EQUAL(corpus.size(), 5u);
  for (std::size_t i = 0; i < corpus.size(); ++i) BOOST_CHECK(corpus[i]["id"].get<std::string>().starts_with("00" + std::to_string(i)));
  auto clusters = JsonLines(ReadFile(dir / "clusters.jsonl"));
  BOOST_REQUIRE_EQUAL(clusters.size(), 3u);
  const char* expected[][2] = {{"001_d847006ffcf44153.txt", "001_d847006ffcf44153.s2twp.txt"},
                               {"002_b17c80ccbe17dc2d.txt", "002_b17c80ccbe17dc2d.s2t.html"},
                               {"003_ca2452c9643a10af.txt", "003_ca2452c9643a10af.s2hk.txt"}};
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_CHECK_EQUAL(clusters[i]["canonical"], expected[i][0]);
    BOOST_REQUIRE_EQUAL(clusters[i]["members"].size(), 2u);
    BOOST_CHECK_EQUAL(clusters[i]["members"][1]["id"], expected[i][1]);
  }

  // Skipped stages are named as such; --quiet prints nothing.
  r = Run({"--skip", "t2s,dedup", "--progress", "none", "-"}, Jsonl({{"a", "正文。"}}));
  BOOST_CHECK(Contains(r.err, "1 documents in, 1 out; 0 failed, 0 warnings"));
  BOOST_CHECK(!Contains(r.err, "converted"));
  BOOST_CHECK(Contains(r.err, "t2s skipped"));
  BOOST_CHECK(Contains(r.err, "dedup skipped"));
  r = Run({"-q", "-"}, Jsonl({{"a", "正文。"}}));
  BOOST_CHECK(r.err.empty());
}

BOOST_AUTO_TEST_CASE(failed_documents_go_to_the_error_report_and_exit_1) {
  TempDir dir;
  const std::string input = Jsonl({{"good", "<p>正文。</p>"}}) + "{\"id\":\"no-text\"}\n" + Jsonl({{"empty", "<p></p>"}});
  Result r = Run({"--progress", "none", "-", "-o", dir / "out.jsonl", "--errors", dir / "errors.jsonl"}, input);
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_EQUAL(JsonLines(ReadFile(dir / "out.jsonl")).size(), 1u);
  auto errors = JsonLines(ReadFile(dir / "errors.jsonl"));
  BOOST_REQUIRE_EQUAL(errors.size(), 2u);
  BOOST_CHECK_EQUAL(errors[0]["stage"], "read");
  BOOST_CHECK_EQUAL(errors[1]["id"], "empty");
  BOOST_CHECK_EQUAL(errors[1]["stage"], "strip");
  BOOST_CHECK(Contains(r.err, "2 failed (in " + (dir / "errors.jsonl") + ")"));

}

BOOST_AUTO_TEST_CASE(markdown_tree_output) {
  TempDir dir;
  Result r = Run({"-q", kSeeds, kCopies, "-o", dir / "tree/"});
  BOOST_CHECK_EQUAL(r.status, 0);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "tree")) files += e.path().extension() == ".md";
  BOOST_CHECK_EQUAL(files, 5u);
  const std::string md = ReadFile(dir / "tree/001_d847006ffcf44153.md");
  BOOST_CHECK(md.starts_with("---\n"));
  BOOST_CHECK(Contains(md, "duplicates:"));
  BOOST_CHECK(Contains(md, "美国科技巨头亚马逊"));
}

namespace {

// An output buffer that notices when two threads are in it at once. sync() stays a while, so
// that a flush from the wrong thread meets the writer's writes.
class RaceDetectingBuf : public std::stringbuf {
 public:
  bool race() const { return race_; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    Enter();
    Spin(std::chrono::microseconds(100));
    std::streamsize r = std::stringbuf::xsputn(s, n);
    Leave();
    return r;
  }
  int_type overflow(int_type c) override {
    Enter();
    int_type r = std::stringbuf::overflow(c);
    Leave();
    return r;
  }
  int sync() override {
    Enter();
    Spin(std::chrono::milliseconds(20));
    Leave();
    return 0;
  }

 private:
  // Re-entry from the same thread (xsputn calls overflow) is fine; another thread is a race.
  void Enter() {
    if (!mutex_.try_lock()) {
      race_ = true;
      mutex_.lock();
    }
  }
  void Leave() { mutex_.unlock(); }
  static void Spin(std::chrono::steady_clock::duration d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  std::recursive_mutex mutex_;
  std::atomic<bool> race_{false};
};

}  // namespace

// std::cin is tied to std::cout: every read from stdin flushes stdout first. The pipeline reads
// on one thread while another writes, so a tied stdin made a second thread flush stdout in the
// middle of a write, which lost and duplicated documents when stdin was a pipe.
BOOST_AUTO_TEST_CASE(regression_stdin_tied_to_stdout_is_never_flushed_from_the_reading_thread) {
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 200; ++i) docs.emplace_back("d" + std::to_string(i), std::string(20000, 'a' + i % 26));
  std::istringstream in(Jsonl(docs));
  RaceDetectingBuf buf;
  std::ostream out(&buf);
  std::ostringstream err;
  in.tie(&out);
  const int status = zhcanon::cli::RunMain({"zhcanon run", "-q", "--threads", "2", "--skip", "strip,t2s,punct,dedup", "-"},
                                           {in, out, err});
  BOOST_CHECK_EQUAL(status, 0);
  BOOST_CHECK(!buf.race());
  BOOST_CHECK_EQUAL(JsonLines(buf.str()).size(), 200u);
  BOOST_CHECK(in.tie() == &out);  // given back afterwards
}

// THE property of issue 6: the tools piped together over JSONL give the corpus `zhcanon run` gives.
namespace {

// The metadata path is the one thing a pipe changes: each tool that reads JSONL from stdin sets
// metadata.path to "-" and keeps the record's path as extra["record_path"] (see io/reader.h).
std::string Normalized(const std::string& jsonl) {
  std::string out;
  for (ordered_json doc : JsonLines(jsonl)) {
    ordered_json& m = doc["metadata"];
    if (m.contains("record_path")) {
      m["path"] = m["record_path"];
      m.erase("record_path");
    }
    out += doc.dump() + "\n";
  }
  return out;
}

struct PipeOptions {
  std::vector<std::string> strip, t2s, punct, dedup;  // each tool's own options
  std::vector<std::string> run;                       // the same options as `zhcanon run` names them
};

void CheckPipeEqualsRun(const std::vector<std::string>& inputs, const PipeOptions& o, const std::string& what) {
  TempDir dir;
  auto args = [](std::vector<std::string> tool_options, std::vector<std::string> rest) {
    tool_options.insert(tool_options.end(), rest.begin(), rest.end());
    return tool_options;
  };
  std::vector<std::string> strip_args = args(o.strip, {"-q"});
  strip_args.insert(strip_args.end(), inputs.begin(), inputs.end());
  Result strip = Call(zhcanon::cli::StripMain, "zhcanon-strip", strip_args);
  BOOST_REQUIRE_EQUAL(strip.status, 0);
  Result t2s = Call(zhcanon::cli::T2sMain, "zhcanon-t2s", args(o.t2s, {"-q", "-"}), strip.out);
  BOOST_REQUIRE_EQUAL(t2s.status, 0);
  Result punct = Call(zhcanon::cli::PunctMain, "zhcanon-punct", args(o.punct, {"-q", "-"}), t2s.out);
  BOOST_REQUIRE_EQUAL(punct.status, 0);
  Result dedup = Call(zhcanon::cli::DedupMain, "zhcanon-dedup",
                      args(o.dedup, {"-q", "-", "--clusters", dir / "pipe.clusters.jsonl"}), punct.out);
  BOOST_REQUIRE_EQUAL(dedup.status, 0);

  std::vector<std::string> run_args = args(o.run, {"-q", "--threads", "2", "--clusters", dir / "run.clusters.jsonl"});
  run_args.insert(run_args.end(), inputs.begin(), inputs.end());
  Result run = Run(run_args);
  BOOST_REQUIRE_EQUAL(run.status, 0);

  BOOST_CHECK(!run.out.empty());
  BOOST_CHECK_MESSAGE(Normalized(dedup.out) == run.out, what << ": the pipe's corpus differs from zhcanon run's");
  BOOST_CHECK_MESSAGE(ReadFile(dir / "pipe.clusters.jsonl") == ReadFile(dir / "run.clusters.jsonl"),
                      what << ": the cluster reports differ");
  BOOST_CHECK(!ReadFile(dir / "run.clusters.jsonl").empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(piped_tools_give_the_same_corpus_as_zhcanon_run) {
  const std::vector<std::string> inputs = {kSeeds, kCopies};
  // The tools' defaults differ from run's in one place: zhcanon-t2s defaults to t2s, run to auto.
  CheckPipeEqualsRun(inputs, {.t2s = {"--config", "auto"}}, "defaults");
  CheckPipeEqualsRun(inputs,
                     {.strip = {"--extract", "all", "--captions", "drop"},
                      .t2s = {"--config", "tw2sp"},
                      .punct = {"--profile", "zh-hant", "--no-dash", "--cjk-latin-space", "add"},
                      .dedup = {"--keep", "longest", "--distance", "4", "--ngram", "5"},
                      .run = {"--extract", "all", "--captions", "drop", "--t2s", "tw2sp", "--punct-profile", "zh-hant",
                              "--punct-no-dash", "--punct-cjk-latin-space", "add", "--keep", "longest", "--distance",
                              "4", "--ngram", "5"}},
                     "explicit options");
}

// docs/run.md quotes the --help text in its "Usage" section; the two must not drift apart.
BOOST_AUTO_TEST_CASE(docs_page_quotes_the_current_help) {
  const std::vector<std::string> blocks = zhcanon::testing::TextBlocks(ReadFile(kSource + "/docs/run.md"));
  BOOST_REQUIRE(!blocks.empty());
  Result r = Run({"--help"});
  BOOST_CHECK_MESSAGE(blocks[0] == r.out, "docs/run.md is out of date: paste the output of zhcanon run --help");
}
