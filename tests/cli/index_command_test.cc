#define BOOST_TEST_MODULE cli_index_command
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "cli_test_util.h"
#include "zhcanon/cli/index_command.h"
#include "zhcanon/cli/zhcanon_command.h"
#include "zhcanon/index/corpus_index.h"

namespace fs = std::filesystem;
using nlohmann::json;
using zhcanon::index::CorpusIndex;
using zhcanon::index::OpenMode;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;
using zhcanon::testing::WriteFile;

namespace {

using Run = zhcanon::testing::Run;

Run Index(std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(zhcanon::cli::IndexMain, "zhcanon index", std::move(args), stdin_text);
}

const std::string kSource = ZHCANON_SOURCE_DIR;
const std::string kSeeds = kSource + "/fixtures/seeds/input";
const std::string kReposts = kSource + "/fixtures/run/input";

std::int64_t Documents(const std::string& db) { return CorpusIndex::Open(db, OpenMode::kReadOnly).Stats().documents; }

std::vector<std::string> Ids(const std::string& db) {
  std::vector<std::string> ids;
  CorpusIndex::Open(db, OpenMode::kReadOnly).ForEach([&](const auto& d) { ids.push_back(d.id); });
  return ids;
}

Run Binary(const std::string& args) { return zhcanon::testing::RunBinary("zhcanon", args); }

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_the_commands_and_each_command_has_its_own) {
  Run r = Index({"--help"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon index COMMAND") == 0);
  for (const char* c : {"build", "add", "remove", "stats"}) {
    BOOST_CHECK(r.out.find(std::string("  ") + c + " ") != std::string::npos);
    Run h = Index({c, "--help"});
    BOOST_CHECK_EQUAL(h.status, 0);
    BOOST_CHECK_MESSAGE(h.out.find(std::string("Usage: zhcanon index ") + c) == 0, h.out.substr(0, 80));
    BOOST_CHECK(h.out.find("--db") != std::string::npos);
  }
  BOOST_CHECK(Index({"build", "--help"}).out.find("--distance") != std::string::npos);
  BOOST_CHECK(Index({"add", "--help"}).out.find("--t2s") != std::string::npos);
  r = Index({"build", "--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon index build 0.") == 0);
}

// docs/index.md quotes `zhcanon index --help`, then each command's --help, in this order.
BOOST_AUTO_TEST_CASE(docs_page_quotes_the_current_help) {
  const std::vector<std::string> blocks = zhcanon::testing::TextBlocks(ReadFile(kSource + "/docs/index.md"));
  const std::vector<std::vector<std::string>> helps = {
      {"--help"}, {"build", "--help"}, {"add", "--help"}, {"remove", "--help"}, {"stats", "--help"}};
  BOOST_REQUIRE_GE(blocks.size(), helps.size());
  for (std::size_t i = 0; i < helps.size(); ++i)
    BOOST_CHECK_MESSAGE(blocks[i] == Index(helps[i]).out,
                        "docs/index.md is out of date: paste the output of zhcanon index " << helps[i][0] << " --help");
}

BOOST_AUTO_TEST_CASE(usage_and_io_errors_exit_2_and_change_nothing) {
  TempDir dir;
  const std::string db = dir / "c.db";
  BOOST_REQUIRE_EQUAL(Index({"build", kSeeds, "--db", db, "-q"}).status, 0);
  const std::string before = ReadFile(db);
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"rebuild"},
      {"build", kSeeds},                                             // no --db
      {"build", "--db", dir / "n.db"},                               // no corpus
      {"build", kSeeds, "--db", db},                                 // exists, no --force
      {"build", kSeeds, dir / "missing", "--db", db, "--force"},     // a missing input
      {"build", kSeeds, "--db", dir / "n.db", "--distance", "9"},
      {"build", kSeeds, "--db", dir / "n.db", "--tokenizer", "bytes"},
      {"build", kSeeds, "--db", dir / "n.db", "--punct-profile", "klingon"},
      {"build", kSeeds, "--db", dir.str()},                          // a directory
      {"build", db, "--db", db, "--force"},                          // the index as its own input
      {"add", kSeeds, "--db", dir / "missing.db"},                   // no index, no --create
      {"add", kSeeds, "--db", dir / "text.txt"},                     // not an index
      {"add", dir / "missing.md", "--db", db},
      {"remove", "x"},
      {"stats"},
      {"stats", "--db", db, "--format", "xml"},
      {"stats", "--db", dir / "missing.db"},
  };
  WriteFile(dir / "text.txt", "just text that is long enough for SQLite to look at its header.........");
  for (const auto& args : cases) {
    Run r = Index(args);
    BOOST_CHECK_MESSAGE(r.status == 2, "status " << r.status << " for " << (args.empty() ? "" : args[0]) << " "
                                                 << (args.size() > 1 ? args[1] : "") << ": " << r.err);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon index") == 0, r.err);
  }
  BOOST_CHECK(ReadFile(db) == before);
  BOOST_CHECK(!fs::exists(dir / "n.db"));
  BOOST_CHECK(!fs::exists(dir / "missing.db"));
  // Nothing but the index and what the test wrote: no temporaries left behind.
  for (const auto& e : fs::directory_iterator(dir.path()))
    BOOST_CHECK_MESSAGE(e.path().filename().string().rfind(".c.db.tmp", 0) != 0, e.path());
}

BOOST_AUTO_TEST_CASE(build_then_stats_text_and_json) {
  TempDir dir;
  const std::string db = dir / "c.db";
  Run r = Index({"build", kSeeds, "--db", db, "--distance", "4", "--ngram", "3", "-j", "2"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon index build: 5 added, 0 failed; '" + db + "' holds 5 documents") == 0, r.err);
  r = Index({"stats", "--db", db, "--verify"});
  BOOST_CHECK_EQUAL(r.status, 0);
  for (const char* line : {"documents:       5 (0 short texts", "max distance:    4 (SimHash in 5 indexed blocks of 12-13 bits)",
                           "fingerprint:     chars 3-grams", "pipeline:        strip,t2s=auto,punct=zh-hans",
                           "consistency:     ok", "schema version:  1"})
    BOOST_CHECK_MESSAGE(r.out.find(line) != std::string::npos, line << "\n" << r.out);
  r = Index({"stats", "--db", db, "--format", "json", "--verify"});
  BOOST_CHECK_EQUAL(r.status, 0);
  const json j = json::parse(r.out);
  BOOST_CHECK_EQUAL(j["documents"], 5);
  BOOST_CHECK_EQUAL(j["batches"], 1);
  BOOST_CHECK_EQUAL(j["max_distance"], 4);
  BOOST_CHECK_EQUAL(j["fingerprint"]["ngram"], 3);
  BOOST_CHECK_EQUAL(j["consistent"], true);
  BOOST_CHECK_GT(j["file_bytes"].get<std::int64_t>(), 0);
  // The build ran in a temporary that was renamed: no WAL or temporary beside the index.
  for (const auto& e : fs::directory_iterator(dir.path()))
    BOOST_CHECK_MESSAGE(e.path().filename() == "c.db" || e.path().filename().string().rfind("c.db-", 0) == 0, e.path());
  BOOST_CHECK(!fs::exists(db + "-wal") || fs::file_size(db + "-wal") == 0);
}

BOOST_AUTO_TEST_CASE(build_indexes_the_good_documents_and_reports_the_bad_ones) {
  TempDir dir;
  WriteFile(dir / "corpus/a.md", "---\ntitle: \"甲\"\n---\n\n第一篇文章的正文，内容足够长，可以建立索引。\n");
  WriteFile(dir / "corpus/b.md", "---\ntitle: \"坏的\n---\n\n正文。\n");  // bad front matter
  WriteFile(dir / "corpus/c.md", "---\ntitle: \"空\"\n---\n\n");             // no text
  const std::string db = dir / "c.db";
  Run r = Index({"build", dir / "corpus", "--db", db, "--errors", dir / "errors.jsonl"});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK(Ids(db) == std::vector<std::string>{"a.md"});
  BOOST_CHECK_MESSAGE(r.err.find("b.md") != std::string::npos && r.err.find("front matter") != std::string::npos, r.err);
  const std::string report = ReadFile(dir / "errors.jsonl");
  BOOST_CHECK(report.find("\"id\":\"b.md\"") != std::string::npos);
  BOOST_CHECK(report.find("\"id\":\"c.md\"") != std::string::npos);
  auto a = CorpusIndex::Open(db, OpenMode::kReadOnly).Find("a.md");
  BOOST_REQUIRE(a);
  BOOST_CHECK_EQUAL(a->title, "甲");
  BOOST_CHECK_EQUAL(a->path, dir / "corpus/a.md");
}

BOOST_AUTO_TEST_CASE(build_force_replaces_an_index_with_a_stale_wal) {
  TempDir dir;
  const std::string db = dir / "c.db";
  BOOST_REQUIRE_EQUAL(Index({"build", kSeeds, "--db", db, "-q"}).status, 0);
  {
    // A writer that has committed into the WAL and not checkpointed (still open) when the
    // index is rebuilt: the new index must not get the old WAL's pages.
    auto w = CorpusIndex::Open(db, OpenMode::kReadWrite);
    w.BeginBatch("remove", "test");
    w.Remove("000_32d97bf893b11c9f.txt");
    w.CommitBatch();
    Run r = Index({"build", kReposts, "--db", db, "--force", "-q"});
    BOOST_CHECK_EQUAL(r.status, 0);
  }
  BOOST_CHECK_EQUAL(Documents(db), 3);
  auto idx = CorpusIndex::Open(db, OpenMode::kReadOnly);
  BOOST_CHECK(idx.Verify().empty());
  BOOST_CHECK(idx.Find("003_ca2452c9643a10af.s2hk.txt"));
}

BOOST_AUTO_TEST_CASE(add_replace_create_and_batches) {
  TempDir dir;
  const std::string db = dir / "c.db";
  Run r = Index({"add", kSeeds, "--db", db});
  BOOST_CHECK_EQUAL(r.status, 2);  // no index yet
  r = Index({"add", kSeeds, "--db", db, "--create"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_MESSAGE(r.err.find("created the index") != std::string::npos, r.err);
  BOOST_CHECK_EQUAL(Documents(db), 5);

  // The same ids again: kept and reported, exit 1.
  r = Index({"add", kSeeds + "/000_32d97bf893b11c9f.txt", kReposts, "--db", db});
  BOOST_CHECK_EQUAL(r.status, 0);  // a file named directly has its path as id: new
  r = Index({"add", kSeeds, "--db", db});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_MESSAGE(r.err.find("000_32d97bf893b11c9f.txt: already in the index") != std::string::npos, r.err);
  BOOST_CHECK_EQUAL(Documents(db), 9);

  // --replace: replaced, same count.
  r = Index({"add", kSeeds, "--db", db, "--replace"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_MESSAGE(r.err.find("0 added, 5 replaced") != std::string::npos, r.err);
  BOOST_CHECK_EQUAL(Documents(db), 9);

  // --batch-size 2: 3 documents in two committed batches.
  const std::int64_t batches = CorpusIndex::Open(db, OpenMode::kReadOnly).Stats().batches;
  WriteFile(dir / "more/x.md", "第一篇新的文章，内容足够长，可以建立索引。\n");
  WriteFile(dir / "more/y.md", "第二篇新的文章，内容也足够长，可以建立索引。\n");
  WriteFile(dir / "more/z.md", "第三篇新的文章，内容同样足够长，可以建立索引。\n");
  r = Index({"add", dir / "more", "--db", db, "--batch-size", "2", "-q"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.err.empty());
  auto idx = CorpusIndex::Open(db, OpenMode::kReadOnly);
  BOOST_CHECK_EQUAL(idx.Stats().batches, batches + 2);
  BOOST_CHECK_EQUAL(idx.Stats().documents, 12);
  BOOST_CHECK(idx.Verify().empty());
}

BOOST_AUTO_TEST_CASE(add_raw_jsonl_records_under_their_ids) {
  TempDir dir;
  const std::string db = dir / "c.db";
  const json a = {{"id", "news/1"}, {"text", "第一篇文章的正文，已经是干净的段落。"}, {"metadata", {{"title", "一"}, {"date", "2025-01-01"}, {"t2s_changed_chars", 3}}}};
  const json b = {{"id", "news/2"}, {"text", "第二篇文章的正文，也已经是干净的段落。"}};
  WriteFile(dir / "corpus.jsonl", a.dump() + "\n" + b.dump() + "\n");
  Run r = Index({"build", "--raw", dir / "corpus.jsonl", "--db", db});
  BOOST_CHECK_EQUAL(r.status, 0);
  auto idx = CorpusIndex::Open(db, OpenMode::kReadOnly);
  BOOST_CHECK_EQUAL(idx.settings().pipeline, "raw");
  auto d = idx.Find("news/1");
  BOOST_REQUIRE(d);
  BOOST_CHECK_EQUAL(d->title, "一");
  BOOST_CHECK_EQUAL(d->entry.date, "2025-01-01");
  BOOST_CHECK_EQUAL(d->entry.converted_chars, 3);
  BOOST_CHECK_EQUAL(d->entry.length, std::string("第一篇文章的正文，已经是干净的段落。").size());
  BOOST_CHECK_EQUAL(d->path, dir / "corpus.jsonl");
  BOOST_CHECK(idx.Find("news/2"));
  // Adding with other preparation than the index was built with is allowed, with a note.
  r = Index({"add", kSeeds, "--db", db});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_MESSAGE(r.err.find("note: the index was built with documents prepared as 'raw'") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(remove_by_id_and_from_stdin) {
  TempDir dir;
  const std::string db = dir / "c.db";
  BOOST_REQUIRE_EQUAL(Index({"build", kSeeds, "--db", db, "-q"}).status, 0);
  Run r = Index({"remove", "--db", db, "000_32d97bf893b11c9f.txt", "no-such-id"});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_MESSAGE(r.err.find("no document 'no-such-id' in the index") != std::string::npos, r.err);
  BOOST_CHECK_EQUAL(Documents(db), 4);
  r = Index({"remove", "--db", db, "-"}, "001_d847006ffcf44153.txt\r\n\n002_b17c80ccbe17dc2d.txt\n");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(Ids(db) == (std::vector<std::string>{"003_ca2452c9643a10af.txt", "004_6f03a019609a9af3.txt"}));
  auto idx = CorpusIndex::Open(db, OpenMode::kReadOnly);
  BOOST_CHECK(idx.Verify().empty());
  BOOST_CHECK_EQUAL(idx.Stats().batches, 3);
}

BOOST_AUTO_TEST_CASE(dispatcher_knows_index_and_check) {
  std::istringstream in;
  std::ostringstream out, err;
  BOOST_CHECK_EQUAL(zhcanon::cli::ZhcanonMain({"zhcanon", "--help"}, {in, out, err}), 0);
  BOOST_CHECK(out.str().find("  index ") != std::string::npos);
  BOOST_CHECK(out.str().find("  check ") != std::string::npos);
  std::ostringstream out2;
  BOOST_CHECK_EQUAL(zhcanon::cli::ZhcanonMain({"zhcanon", "help", "index"}, {in, out2, err}), 0);
  BOOST_CHECK(out2.str().find("Usage: zhcanon index COMMAND") == 0);
}

BOOST_AUTO_TEST_CASE(binary_builds_and_verifies) {
  TempDir dir;
  const std::string db = dir / "c.db";
  Run r = Binary("index build " + kSeeds + " --db " + db);
  BOOST_CHECK_EQUAL(r.status, 0);
  r = Binary("index stats --verify --format json --db " + db);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(json::parse(r.out)["documents"], 5);
  r = Binary("index frobnicate");
  BOOST_CHECK_EQUAL(r.status, 2);
}
