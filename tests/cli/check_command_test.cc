#define BOOST_TEST_MODULE cli_check_command
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "cli_test_util.h"
#include "zhcanon/cli/check_command.h"
#include "zhcanon/cli/index_command.h"
#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/index/corpus_index.h"
#include "zhcanon/index/index_writer.h"

namespace fs = std::filesystem;
using nlohmann::json;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;
using zhcanon::testing::WriteFile;

namespace {

using Run = zhcanon::testing::Run;

Run Check(std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(zhcanon::cli::CheckMain, "zhcanon check", std::move(args), stdin_text);
}

Run Index(std::vector<std::string> args) { return zhcanon::testing::RunInProcess(zhcanon::cli::IndexMain, "zhcanon index", std::move(args)); }

const std::string kSource = ZHCANON_SOURCE_DIR;
const std::string kSeeds = kSource + "/fixtures/seeds/input";
const std::string kReposts = kSource + "/fixtures/run/input";

// Builds an index of the five seed articles once per test that needs it.
struct SeedIndex {
  TempDir dir;
  std::string db = dir / "corpus.db";
  SeedIndex() {
    Run r = Index({"build", kSeeds, "--db", db, "-q"});
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  }
};

const std::string kClean =
    "---\ntitle: \"规范的文章\"\ndate: \"2025-03-01\"\n---\n\n"
    "这是一篇规范的文章，标点和用字都已经是大陆简体的写法，没有需要修改的地方。\n\n"
    "第二段也没有问题，只有中文标点，句子完整，可以直接进入语料库。\n";

json Findings(const Run& r) {
  BOOST_REQUIRE_MESSAGE(!r.out.empty(), r.err);
  return json::parse(r.out)["findings"];
}

// Runs the real zhcanon binary through the shell; returns its exit status and stdout.
Run Binary(const std::string& args) { return zhcanon::testing::RunBinary("zhcanon", args); }

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_version_go_to_stdout_and_exit_0) {
  Run r = Check({"--help"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon check") == 0);
  for (const char* option : {"--db", "--require", "--canonical", "--format", "--t2s", "--punct-profile", "--raw"})
    BOOST_CHECK_MESSAGE(r.out.find(option) != std::string::npos, option);
  BOOST_CHECK(r.err.empty());
  r = Check({"--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon check 0.") == 0);
}

BOOST_AUTO_TEST_CASE(docs_page_quotes_the_current_help) {
  const std::vector<std::string> blocks = zhcanon::testing::TextBlocks(ReadFile(kSource + "/docs/check.md"));
  BOOST_REQUIRE(!blocks.empty());
  Run r = Check({"--help"});
  BOOST_CHECK_MESSAGE(blocks[0] == r.out, "docs/check.md is out of date: paste the output of zhcanon check --help");
}

BOOST_AUTO_TEST_CASE(usage_and_io_errors_exit_2_naming_the_tool) {
  SeedIndex index;
  TempDir dir;
  const std::string article = dir / "a.md";
  WriteFile(article, kClean);
  WriteFile(dir / "not-an-index.db", "plain text, not SQLite at all, long enough to be read as a header......");
  const std::vector<std::vector<std::string>> cases = {
      {},                                                     // no article
      {"--format", "xml", article},                           // unknown format
      {"--no-such-option", article},
      {"--db", index.db, dir / "missing.md"},                 // a missing input
      {"--db", dir / "missing.db", article},                  // a missing index
      {"--db", dir / "not-an-index.db", article},             // not an index
      {"--db", index.db, "--distance", "4", article},         // beyond the index's max distance
      {"--db", index.db, "--keep", "newest", article},
      {"--db", index.db, "--min-jaccard", "1.5", article},
      {"--db", index.db, "--t2s", "no-such-config", article},
      {"--db", index.db, "--on-invalid", "ignore", article},
  };
  for (const auto& args : cases) {
    Run r = Check(args);
    BOOST_CHECK_MESSAGE(r.status == 2, "status " << r.status << " for " << (args.empty() ? "" : args[0]) << ": " << r.err);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon check: ") == 0, r.err);
    BOOST_CHECK(r.out.empty());
  }
}

BOOST_AUTO_TEST_CASE(a_clean_article_exits_0_with_no_output) {
  SeedIndex index;
  TempDir dir;
  WriteFile(dir / "a.md", kClean);
  Run r = Check({"--db", index.db, "--require", "title,date", "--canonical", dir / "a.md"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(r.out, "");
  BOOST_CHECK_MESSAGE(r.err.find("1 article checked against 5 indexed documents: no findings") != std::string::npos, r.err);
  r = Check({"--db", index.db, "-q", "--format", "json", dir / "a.md"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_EQUAL(json::parse(r.out)["findings"].size(), 0u);
  BOOST_CHECK_EQUAL(json::parse(r.out)["exit_status"], 0);
  BOOST_CHECK(r.err.empty());
}

// Traditional re-posts of three seed articles (fixtures/run: Taiwan and Hong Kong forms, one
// inside another site's HTML page) are duplicates of the seeds they were made from.
BOOST_AUTO_TEST_CASE(reposts_are_duplicates_of_their_originals) {
  SeedIndex index;
  Run r = Check({"--db", index.db, "--format", "json", kReposts});
  BOOST_CHECK_EQUAL(r.status, 1);
  const json f = Findings(r);
  BOOST_REQUIRE_EQUAL(f.size(), 3u);
  const std::map<std::string, std::string> expected = {
      {"001_d847006ffcf44153.s2twp.txt", "001_d847006ffcf44153.txt"},
      {"002_b17c80ccbe17dc2d.s2t.html", "002_b17c80ccbe17dc2d.txt"},
      {"003_ca2452c9643a10af.s2hk.txt", "003_ca2452c9643a10af.txt"},
  };
  for (const json& x : f) {
    BOOST_CHECK_EQUAL(x["kind"], "duplicate");
    BOOST_CHECK_EQUAL(x["severity"], "error");
    BOOST_CHECK_EQUAL(x["line"], 1);
    BOOST_CHECK_EQUAL(x["match"]["indexed"], true);
    BOOST_CHECK_EQUAL(x["match"]["id"], expected.at(x["id"].get<std::string>()));
    BOOST_CHECK_EQUAL(x["match"]["path"], kSeeds + "/" + expected.at(x["id"].get<std::string>()));
    BOOST_CHECK(!x["match"]["title"].get<std::string>().empty());
    BOOST_CHECK_LE(x["match"]["distance"].get<int>(), 3);
    BOOST_CHECK_GE(x["match"]["similarity"].get<double>(), 0.5);
  }
  // The seeds themselves are exact duplicates of what is indexed.
  r = Check({"--db", index.db, "--format", "json", kSeeds + "/000_32d97bf893b11c9f.txt"});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_REQUIRE_EQUAL(Findings(r).size(), 1u);
  BOOST_CHECK_EQUAL(Findings(r)[0]["match"]["kind"], "exact");
  BOOST_CHECK_EQUAL(Findings(r)[0]["match"]["distance"], 0);
}

// Each finding kind, in the text format: FILE:LINE: SEVERITY: MESSAGE [KIND].
BOOST_AUTO_TEST_CASE(each_finding_kind_in_the_text_format) {
  SeedIndex index;
  TempDir dir;
  WriteFile(dir / "new/bad_front_matter.md", "---\ntitle: \"未闭合\ndate: 2025-01-01\n---\n\n正文内容。\n");
  WriteFile(dir / "new/empty_body.md", "---\ntitle: \"只有标题\"\ndate: \"2025-01-01\"\n---\n\n");
  WriteFile(dir / "new/undecodable.txt", "这是一段正常的中文内容，用来测试无效字节\xff的处理。\n这是第二行正常的中文内容。\n");
  WriteFile(dir / "new/no_date.md", "---\ntitle: \"没有日期\"\n---\n\n这篇文章没有日期，但是其他方面都很规范，内容也足够长。\n");
  WriteFile(dir / "new/clean.md", kClean);
  WriteFile(dir / "new/clean_copy.md", kClean);
  WriteFile(dir / "new/traditional.md",
            "---\ntitle: \"繁體文章\"\ndate: \"2025-01-02\"\n---\n\n第一段没有问题。\n\n這是一篇繁體文章,標點也是半角的.\n");
  fs::copy_file(kSeeds + "/004_6f03a019609a9af3.txt", dir / "new/seed_copy.txt");
  Run r = Check({"--db", index.db, "--require", "title,date", "--canonical", dir / "new"});
  BOOST_CHECK_EQUAL(r.status, 1);
  const std::string n = dir / "new/";
  const std::vector<std::string> expected_lines = {
      n + "bad_front_matter.md:4:1: error: strip: front matter: YAML syntax error",
      n + "clean_copy.md:1: error: exact duplicate of new article \"" + n + "clean.md\" [batch-duplicate]",
      n + "empty_body.md:1: error: strip: no text left after stripping",
      n + "no_date.md:1: error: missing required metadata: date [missing-metadata]",
      n + "seed_copy.txt:1: error: exact duplicate of indexed document \"004_6f03a019609a9af3.txt\" [duplicate]",
      n + "traditional.md:1: error: missing required metadata",  // none: it has both (see below)
      n + "traditional.md:8: warning: not canonical: the pipeline would change the title and 1 line",
      "    -這是一篇繁體文章,標點也是半角的.",
      "    +这是一篇繁体文章，标点也是半角的。",
      n + "undecodable.txt:1: warning: decode: 1 invalid byte sequence(s) replaced with U+FFFD; first at byte 60 [invalid]",
      n + "undecodable.txt:1: error: missing required metadata: date [missing-metadata]",
  };
  for (const std::string& line : expected_lines) {
    const bool want = line.find("traditional.md:1:") == std::string::npos;
    BOOST_CHECK_MESSAGE((r.out.find(line) != std::string::npos) == want, (want ? "missing: " : "unexpected: ") << line
                                                                             << "\n" << r.out);
  }
  // clean.md is the one kept of the two copies: no finding names it as the file.
  BOOST_CHECK(r.out.find(n + "clean.md:") == std::string::npos);
  BOOST_CHECK_MESSAGE(r.err.find("8 articles checked against 5 indexed documents: 8 findings") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(json_format_carries_every_field) {
  SeedIndex index;
  TempDir dir;
  WriteFile(dir / "t.md", "---\ntitle: \"繁體\"\n---\n\n這是繁體,不規範.\n");
  WriteFile(dir / "copy.txt", ReadFile(kSeeds + "/001_d847006ffcf44153.txt"));
  Run r = Check({"--db", index.db, "--format", "json", "--require", "title,date,author", "--canonical", dir / "t.md",
                 dir / "copy.txt"});
  BOOST_CHECK_EQUAL(r.status, 1);
  const json j = json::parse(r.out);
  BOOST_CHECK_EQUAL(j["tool"], "zhcanon check");
  BOOST_CHECK_EQUAL(j["index"], index.db);
  BOOST_CHECK_EQUAL(j["indexed_documents"], 5);
  BOOST_CHECK_EQUAL(j["articles"], 2);
  BOOST_CHECK_EQUAL(j["articles_with_findings"], 2);
  BOOST_CHECK_EQUAL(j["exit_status"], 1);
  BOOST_CHECK_EQUAL(j["counts"]["missing-metadata"], 2);
  BOOST_CHECK_EQUAL(j["counts"]["not-canonical"], 2);  // the seed is Traditional with ASCII punctuation
  BOOST_CHECK_EQUAL(j["counts"]["duplicate"], 1);
  const json& f = j["findings"];
  BOOST_REQUIRE_EQUAL(f.size(), 5u);
  BOOST_CHECK_EQUAL(f[0]["kind"], "missing-metadata");
  BOOST_CHECK(f[0]["missing"] == json({"date", "author"}));
  BOOST_CHECK_EQUAL(f[1]["kind"], "not-canonical");
  BOOST_CHECK_EQUAL(f[1]["severity"], "warning");
  BOOST_CHECK_EQUAL(f[1]["line"], 5);
  BOOST_CHECK_EQUAL(f[1]["file"], dir / "t.md");
  BOOST_CHECK_EQUAL(f[1]["diff"], "title: -繁體\ntitle: +繁体\n@@ -1 +1 @@\n-這是繁體,不規範.\n+这是繁体，不规范。\n");
  BOOST_CHECK_EQUAL(f[2]["kind"], "missing-metadata");
  BOOST_CHECK_EQUAL(f[3]["kind"], "duplicate");
  BOOST_CHECK_EQUAL(f[3]["id"], dir / "copy.txt");
  BOOST_CHECK_EQUAL(f[3]["match"]["kind"], "exact");
  BOOST_CHECK_EQUAL(f[3]["match"]["id"], "001_d847006ffcf44153.txt");
  BOOST_CHECK_EQUAL(f[3]["match"]["similarity"], 1.0);
  BOOST_CHECK_EQUAL(f[4]["kind"], "not-canonical");
  BOOST_CHECK(f[4]["diff"].get<std::string>().find("\n-AI取代人類,正在成為現實?\n+AI取代人类，正在成为现实？\n") !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(github_format_is_workflow_commands_with_escaped_data) {
  SeedIndex index;
  TempDir dir;
  WriteFile(dir / "a,b.md", "---\ntitle: \"繁體\"\n---\n\n這是繁體,不規範.\n");
  fs::copy_file(kSeeds + "/002_b17c80ccbe17dc2d.txt", dir / "copy.txt");
  Run r = Check({"--db", index.db, "--format", "github", "--canonical", dir / "a,b.md", dir / "copy.txt"});
  BOOST_CHECK_EQUAL(r.status, 1);
  std::istringstream lines(r.out);
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  BOOST_REQUIRE_EQUAL(got.size(), 3u);  // a multi-line message stays on one line (%0A)
  const std::string escaped_dir = std::regex_replace(dir.str(), std::regex(":"), "%3A");
  BOOST_CHECK_EQUAL(got[0], "::warning file=" + escaped_dir + "/a%2Cb.md,line=5,title=zhcanon check%3A not-canonical::"
                            "not canonical: the pipeline would change the title and 1 line (t2s: 4 characters, punct: 2 changes)"
                            "%0Atitle: -繁體%0Atitle: +繁体%0A@@ -1 +1 @@%0A-這是繁體,不規範.%0A+这是繁体，不规范。%0A");
  BOOST_CHECK_EQUAL(got[1], "::error file=" + escaped_dir + "/copy.txt,line=1,title=zhcanon check%3A duplicate::"
                            "exact duplicate of indexed document \"002_b17c80ccbe17dc2d.txt\"");
  BOOST_CHECK(got[2].find("::warning file=" + escaped_dir + "/copy.txt,line=") == 0);  // the seed is not canonical
}

// JSONL records: the file is the JSONL file, the message names the record, and a record
// without an id has the line the reader gave it.
BOOST_AUTO_TEST_CASE(jsonl_records_are_named_in_their_file) {
  SeedIndex index;
  TempDir dir;
  json seed = {{"id", "r1"}, {"text", ReadFile(kSeeds + "/003_ca2452c9643a10af.txt")}};
  json untitled = {{"text", "没有标识的记录，也没有标题。这一行足够长，可以成为正文的一部分。\n第二行。"}};
  WriteFile(dir / "new.jsonl", seed.dump() + "\n" + untitled.dump() + "\nnot json\n");
  Run r = Check({"--db", index.db, "--require", "date", "--format", "json", dir / "new.jsonl"});
  BOOST_CHECK_EQUAL(r.status, 1);
  const json f = Findings(r);
  BOOST_REQUIRE_EQUAL(f.size(), 3u);
  BOOST_CHECK_EQUAL(f[0]["id"], "r1");
  BOOST_CHECK_EQUAL(f[0]["file"], dir / "new.jsonl");
  BOOST_CHECK_EQUAL(f[0]["kind"], "duplicate");
  BOOST_CHECK_EQUAL(f[0]["line"], 0);  // a record with its own id: line unknown
  BOOST_CHECK_EQUAL(f[1]["kind"], "missing-metadata");
  BOOST_CHECK_EQUAL(f[1]["line"], 2);  // "<file>:2"
  BOOST_CHECK_EQUAL(f[2]["kind"], "invalid");
  BOOST_CHECK_EQUAL(f[2]["stage"], "read");
  BOOST_CHECK_EQUAL(f[2]["line"], 3);
  r = Check({"--db", index.db, dir / "new.jsonl"});
  BOOST_CHECK_MESSAGE(r.out.find(dir / "new.jsonl: error: record \"r1\": exact duplicate of indexed document") == 0, r.out);
}

BOOST_AUTO_TEST_CASE(without_an_index_only_the_batch_and_the_articles_are_checked) {
  TempDir dir;
  WriteFile(dir / "a.md", kClean);
  WriteFile(dir / "b.md", kClean);
  Run r = Check({"--format", "json", dir / "a.md", dir / "b.md"});
  BOOST_CHECK_EQUAL(r.status, 1);
  const json f = Findings(r);
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_CHECK_EQUAL(f[0]["kind"], "batch-duplicate");
  BOOST_CHECK_EQUAL(f[0]["id"], dir / "b.md");
  BOOST_CHECK_EQUAL(f[0]["match"]["indexed"], false);
  BOOST_CHECK_EQUAL(f[0]["match"]["path"], dir / "a.md");
  BOOST_CHECK_EQUAL(f[0]["match"]["title"], "规范的文章");
  r = Check({"--no-batch", dir / "a.md", dir / "b.md"});
  BOOST_CHECK_EQUAL(r.status, 0);
  // --keep longest keeps the longer one: the other is reported.
  WriteFile(dir / "b.md", kClean + "\n又加了一段不长的内容。\n");
  r = Check({"--format", "json", "--keep", "longest", "--canonical", dir / "a.md", dir / "b.md"});
  const json g = Findings(r);
  BOOST_REQUIRE_EQUAL(g.size(), 1u);
  BOOST_CHECK_EQUAL(g[0]["id"], dir / "a.md");
  BOOST_CHECK_EQUAL(g[0]["match"]["kind"], "near");
}

// An edited article has the id of its earlier version in the index: that is not a duplicate.
BOOST_AUTO_TEST_CASE(an_edited_article_is_not_a_duplicate_of_its_earlier_version) {
  TempDir dir;
  WriteFile(dir / "articles/a.md", kClean);
  const std::string db = dir / "c.db";
  BOOST_REQUIRE_EQUAL(Index({"build", dir / "articles", "--db", db, "-q"}).status, 0);
  WriteFile(dir / "articles/a.md", kClean + "\n编辑时又加了一句话。\n");
  Run r = Check({"--db", db, dir / "articles"});
  BOOST_CHECK_MESSAGE(r.status == 0, r.out);
  // The same text under another id is a duplicate.
  WriteFile(dir / "articles/b.md", kClean);
  r = Check({"--db", db, "--format", "json", dir / "articles"});
  BOOST_CHECK_EQUAL(r.status, 1);
  const json f = Findings(r);
  BOOST_REQUIRE_EQUAL(f.size(), 1u);  // b.md matched the index, so it is not compared with the new a.md
  BOOST_CHECK_EQUAL(f[0]["id"], "b.md");
  BOOST_CHECK_EQUAL(f[0]["kind"], "duplicate");
  BOOST_CHECK_EQUAL(f[0]["match"]["id"], "a.md");
}

// A check is a reader: it answers while another connection holds an open write batch, and
// sees the last committed state.
BOOST_AUTO_TEST_CASE(check_works_while_a_writer_holds_a_batch) {
  SeedIndex index;
  TempDir dir;
  WriteFile(dir / "a.md", kClean);
  auto writer = zhcanon::index::CorpusIndex::Open(index.db, zhcanon::index::OpenMode::kReadWrite);
  zhcanon::dedup::Fingerprinter fp(writer.settings().fingerprint);
  writer.BeginBatch("add", "test");
  zhcanon::index::IndexedDocument d;
  d.id = "pending";
  d.entry.fingerprint = fp.Compute("这是一篇规范的文章，标点和用字都已经是大陆简体的写法，没有需要修改的地方。\n\n"
                                   "第二段也没有问题，只有中文标点，句子完整，可以直接进入语料库。");
  writer.Add(d, false);
  Run r = Check({"--db", index.db, "--busy-timeout", "200", dir / "a.md"});
  BOOST_CHECK_MESSAGE(r.status == 0, r.out << r.err);  // "pending" is not committed
  writer.CommitBatch();
  r = Check({"--db", index.db, "--format", "json", dir / "a.md"});
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_EQUAL(Findings(r)[0]["match"]["id"], "pending");
}

// --- check's verdicts are zhcanon-dedup's ----------------------------------------------------

namespace {

// Random Chinese articles with exact copies, lightly edited copies, truncated copies and
// unrelated articles, as plain text (read with --raw, so the test knows their exact text).
std::vector<std::string> SyntheticCorpus(std::mt19937& rng) {
  const std::u32string pool =
      U"的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
      U"十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相"
      U"全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞";
  auto sentence = [&](int chars) {
    std::u32string s;
    for (int i = 0; i < chars; ++i) s += pool[rng() % pool.size()];
    s += U'。';
    return s;
  };
  auto article = [&] {
    std::vector<std::u32string> paras;
    const int n = 3 + static_cast<int>(rng() % 5);
    for (int p = 0; p < n; ++p) paras.push_back(sentence(30 + static_cast<int>(rng() % 60)) + sentence(20 + static_cast<int>(rng() % 40)));
    return paras;
  };
  auto join = [](const std::vector<std::u32string>& paras) {
    std::u32string t;
    for (std::size_t i = 0; i < paras.size(); ++i) t += (i ? U"\n\n" : U"") + paras[i];
    std::string out;
    for (char32_t c : t) {  // UTF-8
      if (c < 0x80) out += static_cast<char>(c);
      else if (c < 0x800) out += {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
      else out += {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
    }
    return out + "\n";
  };
  std::vector<std::string> docs;
  for (int i = 0; i < 60; ++i) {
    const auto base = article();
    docs.push_back(join(base));
    const int copies = static_cast<int>(rng() % 3);
    for (int c = 0; c < copies; ++c) {
      auto v = base;
      switch (rng() % 4) {
        case 0: break;  // exact copy
        case 1: {       // a few characters edited in one paragraph
          auto& p = v[rng() % v.size()];
          for (int e = 0; e < 3; ++e) p[rng() % (p.size() - 1)] = pool[rng() % pool.size()];
          break;
        }
        case 2:  // the last paragraph cut
          if (v.size() > 3) v.pop_back();
          break;
        default:  // a paragraph added
          v.push_back(sentence(40));
          break;
      }
      docs.push_back(join(v));
    }
  }
  std::shuffle(docs.begin(), docs.end(), rng);
  return docs;
}

}  // namespace

// The brief of `check`: the verdict of zhcanon-dedup. Cluster all documents with
// dedup::Clusterer::Run; index the canonical ones; then `check` must report every other
// document as a duplicate of exactly its canonical document (same kind, same distance), and
// report nothing for canonical documents checked against the others.
BOOST_AUTO_TEST_CASE(check_reaches_clusterer_run_verdicts) {
  std::mt19937 rng(2025);
  const std::vector<std::string> texts = SyntheticCorpus(rng);
  TempDir dir;
  zhcanon::dedup::Fingerprinter fingerprinter(zhcanon::dedup::FingerprintOptions{});
  zhcanon::dedup::Clusterer clusterer(zhcanon::dedup::ClusterOptions{});
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "d%03zu.txt", i);
    paths.push_back(dir / name);
    WriteFile(paths.back(), texts[i]);
    clusterer.Add({.fingerprint = fingerprinter.Compute(texts[i]), .converted_chars = 0, .date = "", .length = texts[i].size()});
  }
  const zhcanon::dedup::Clustering run = clusterer.Run();
  BOOST_TEST_MESSAGE(run.stats.exact_duplicates << " exact and " << run.stats.near_duplicates << " near duplicates of "
                                                << texts.size() << " documents");
  BOOST_REQUIRE_GE(run.stats.exact_duplicates, 5u);
  BOOST_REQUIRE_GE(run.stats.near_duplicates, 10u);

  std::vector<std::string> canonical, others, even, odd;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (run.canonical_of[i] == i) {
      canonical.push_back(paths[i]);
      (canonical.size() % 2 ? even : odd).push_back(paths[i]);
    } else {
      others.push_back(paths[i]);
    }
  }
  std::map<std::string, const zhcanon::dedup::Member*> member_of;
  for (const auto& c : run.clusters)
    for (const auto& m : c.members) member_of[paths[m.doc]] = &m;

  const std::string db = dir / "canonical.db";
  std::vector<std::string> build = {"build", "--raw", "--db", db, "-q"};
  build.insert(build.end(), canonical.begin(), canonical.end());
  BOOST_REQUIRE_EQUAL(Index(build).status, 0);

  std::vector<std::string> check = {"--raw", "--no-batch", "--format", "json", "--db", db, "-j", "2"};
  check.insert(check.end(), others.begin(), others.end());
  Run r = Check(check);
  BOOST_CHECK_EQUAL(r.status, 1);
  const json f = Findings(r);
  BOOST_CHECK_EQUAL(f.size(), others.size());
  std::set<std::string> reported;
  for (const json& x : f) {
    const std::string path = x["file"];
    reported.insert(path);
    BOOST_REQUIRE(x["kind"] == "duplicate");
    const std::size_t i = static_cast<std::size_t>(std::find(paths.begin(), paths.end(), path) - paths.begin());
    BOOST_REQUIRE(i < paths.size());
    BOOST_CHECK_EQUAL(x["match"]["path"], paths[run.canonical_of[i]]);
    const auto* m = member_of.at(path);
    BOOST_CHECK_EQUAL(x["match"]["kind"], zhcanon::dedup::MatchKindName(m->kind));
    BOOST_CHECK_EQUAL(x["match"]["distance"], m->distance);
    BOOST_CHECK_CLOSE(x["match"]["similarity"].get<double>(), m->similarity, 0.1);
  }
  BOOST_CHECK_EQUAL(reported.size(), others.size());

  // Canonical documents do not duplicate each other.
  const std::string half = dir / "even.db";
  build = {"build", "--raw", "--db", half, "-q"};
  build.insert(build.end(), even.begin(), even.end());
  BOOST_REQUIRE_EQUAL(Index(build).status, 0);
  check = {"--raw", "--no-batch", "--db", half};
  check.insert(check.end(), odd.begin(), odd.end());
  r = Check(check);
  BOOST_CHECK_MESSAGE(r.status == 0, r.out);

  // Without an index, the batch comparison is Clusterer::Run on the new articles.
  check = {"--raw", "--format", "json"};
  check.insert(check.end(), paths.begin(), paths.end());
  r = Check(check);
  const json g = Findings(r);
  BOOST_CHECK_EQUAL(g.size(), others.size());
  for (const json& x : g) {
    const std::size_t i = static_cast<std::size_t>(std::find(paths.begin(), paths.end(), x["file"]) - paths.begin());
    BOOST_REQUIRE(i < paths.size());
    BOOST_CHECK_EQUAL(x["kind"], "batch-duplicate");
    BOOST_CHECK_EQUAL(x["match"]["path"], paths[run.canonical_of[i]]);
  }
}

// The real binary, through the dispatcher: a few cases (the rest run in-process above).
BOOST_AUTO_TEST_CASE(binary_runs_through_the_zhcanon_dispatcher) {
  SeedIndex index;
  Run r = Binary("check --help");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon check") == 0);
  r = Binary("check --db " + index.db + " " + kReposts + "/003_ca2452c9643a10af.s2hk.txt");
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK(r.out.find("exact duplicate of indexed document \"003_ca2452c9643a10af.txt\"") != std::string::npos);
  r = Binary("check --db " + index.db + " /nonexistent/article.md");
  BOOST_CHECK_EQUAL(r.status, 2);
}
