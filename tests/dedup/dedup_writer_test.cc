#define BOOST_TEST_MODULE dedup_dedup_writer
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "zhcanon/core/error.h"
#include "zhcanon/dedup/dedup_writer.h"
#include "zhcanon/io/writer.h"

namespace fs = std::filesystem;
using zhcanon::Document;
using zhcanon::dedup::DedupOptions;
using zhcanon::dedup::DedupWriter;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;
using zhcanon::testing::WriteFile;

namespace {

const std::string kSeeds = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/expected/";
const std::string kCopies = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/dedup/cli/";
const std::string kSeed000 = "000_32d97bf893b11c9f", kSeed002 = "002_b17c80ccbe17dc2d",
                  kSeed003 = "003_ca2452c9643a10af";

Document Doc(std::string id, std::string text, nlohmann::ordered_json extra = nlohmann::ordered_json::object()) {
  Document d;
  d.id = std::move(id);
  d.text = std::move(text);
  d.metadata.extra = std::move(extra);
  return d;
}

std::string Seed(const std::string& name) { return ReadFile(kSeeds + name + ".txt"); }

std::vector<nlohmann::ordered_json> JsonLines(const std::string& s) {
  std::vector<nlohmann::ordered_json> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::ordered_json::parse(line));
  return out;
}

std::vector<std::string> Ids(const std::vector<nlohmann::ordered_json>& docs) {
  std::vector<std::string> ids;
  for (const auto& d : docs) ids.push_back(d["id"]);
  return ids;
}

// Runs `docs` through a DedupWriter in front of a JSONL writer to a string; returns the JSONL.
struct Result {
  std::string out;
  zhcanon::dedup::DedupStats stats;
};
Result Dedup(const std::vector<Document>& docs, DedupOptions options = {}) {
  std::ostringstream out;
  DedupWriter w(zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, "", out), options);
  for (const Document& d : docs) w.Write(d);
  w.Commit();
  return {out.str(), w.stats()};
}

// Distinct "articles" of random common Han characters, in paragraphs, reproducible.
std::string RandomArticle(std::mt19937& rng, std::size_t chars) {
  std::uniform_int_distribution<int> han(0x4E00, 0x62FF);
  std::string s;
  for (std::size_t i = 0; i < chars; ++i) {
    char32_t c = static_cast<char32_t>(han(rng));
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
    if (i % 120 == 119) s += "。\n\n";
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_copy_is_dropped_and_named_on_the_canonical) {
  Result r = Dedup({Doc("a", Seed(kSeed000)), Doc("b", Seed(kSeed002)), Doc("a-copy", Seed(kSeed000))});
  auto docs = JsonLines(r.out);
  BOOST_REQUIRE_EQUAL(docs.size(), 2u);
  BOOST_CHECK((Ids(docs) == std::vector<std::string>{"a", "b"}));
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["duplicates"], nlohmann::ordered_json::array({"a-copy"}));
  BOOST_CHECK_EQUAL(docs[0]["metadata"]["dedup_cluster"], 1);
  BOOST_CHECK(!docs[1]["metadata"].contains("duplicates"));
  BOOST_CHECK(!docs[1]["metadata"].contains("dedup_cluster"));
  BOOST_CHECK_EQUAL(r.stats.documents_in, 3u);
  BOOST_CHECK_EQUAL(r.stats.documents_out, 2u);
  BOOST_CHECK_EQUAL(r.stats.cluster_count, 1u);
  BOOST_CHECK_EQUAL(r.stats.clusters.exact_duplicates, 1u);
  BOOST_CHECK_EQUAL(r.stats.clusters.near_duplicates, 0u);
}

// The canonical copy is chosen by the keep policy, but written where it was in the input: a
// later canonical does not move ahead of the documents between.
BOOST_AUTO_TEST_CASE(kept_documents_stay_in_input_order_when_the_canonical_comes_later) {
  Result r = Dedup({Doc("x", Seed(kSeed002)), Doc("converted", Seed(kSeed000), {{"t2s_changed_chars", 350}}),
                    Doc("y", Seed(kSeed003)), Doc("simplified-at-source", Seed(kSeed000), {{"t2s_changed_chars", 0}})});
  auto docs = JsonLines(r.out);
  BOOST_CHECK((Ids(docs) == std::vector<std::string>{"x", "y", "simplified-at-source"}));
  BOOST_REQUIRE_EQUAL(docs.size(), 3u);
  BOOST_CHECK_EQUAL(docs[2]["metadata"]["duplicates"], nlohmann::ordered_json::array({"converted"}));
}

// Without duplicates the writer is transparent: byte for byte what the inner writer writes,
// for every format, including metadata a JSON round trip would not keep as it is (an extra key
// shadowed by a well-known one, nested values, big numbers) and text that is not valid UTF-8.
BOOST_AUTO_TEST_CASE(a_corpus_without_duplicates_comes_out_byte_for_byte) {
  std::mt19937 rng(7);
  std::vector<Document> docs;
  for (int i = 0; i < 5; ++i) docs.push_back(Doc("d" + std::to_string(i) + ".md", RandomArticle(rng, 400 + 50 * i)));
  docs[0].metadata.title = "标题 \"quoted\"";
  docs[0].metadata.date = "2025-02-07 23:01:26";
  docs[0].metadata.author = "作者";
  docs[0].metadata.source_url = "https://example.com/a?b=1";
  docs[0].metadata.summary = "摘要\n第二行";
  docs[0].metadata.lang = "zh-CN";
  docs[0].metadata.tags = {"AI", "科技"};
  docs[0].metadata.categories = {"news"};
  docs[0].metadata.path = "in/d0.md";
  docs[0].metadata.extra = {{"title", 42}, {"nested", {{"a", {1, 2.5, nullptr, true}}}},
                            {"big", 18446744073709551615ull}, {"neg", -3}, {"empty", nlohmann::ordered_json::object()}};
  docs[1].text += std::string("\xff\xfe bad bytes \xe4\xb8", 15);
  docs[2].format = zhcanon::SourceFormat::kHtml;
  docs[3].text.clear();  // an empty text is a document too
  for (auto format : {zhcanon::io::OutputFormat::kJsonl, zhcanon::io::OutputFormat::kText}) {
    std::ostringstream plain_out, dedup_out;
    auto plain = zhcanon::io::MakeDocumentWriter(format, "", plain_out);
    DedupWriter dedup(zhcanon::io::MakeDocumentWriter(format, "", dedup_out), {});
    for (const Document& d : docs) {
      plain->Write(d);
      dedup.Write(d);
    }
    plain->Commit();
    dedup.Commit();
    BOOST_CHECK_EQUAL(dedup.stats().documents_out, docs.size());
    BOOST_CHECK(plain_out.str() == dedup_out.str());
  }
  TempDir tmp;
  auto plain = zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kMarkdown, tmp / "plain", std::cout);
  DedupWriter dedup(zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kMarkdown, tmp / "dedup", std::cout),
                    {.spool_dir = tmp / "dedup"});
  for (const Document& d : docs) {
    plain->Write(d);
    dedup.Write(d);
  }
  plain->Commit();
  dedup.Commit();
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(tmp / "plain")) {
    if (!e.is_regular_file()) continue;
    ++files;
    const fs::path twin = tmp.path() / "dedup" / fs::relative(e.path(), tmp.path() / "plain");
    BOOST_CHECK_MESSAGE(ReadFile(e.path()) == ReadFile(twin), twin);
  }
  BOOST_CHECK_EQUAL(files, docs.size());
  // The spool was in the output directory and is gone: the tree holds the documents only.
  std::size_t dedup_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(tmp / "dedup")) dedup_files += e.is_regular_file();
  BOOST_CHECK_EQUAL(dedup_files, docs.size());
}

BOOST_AUTO_TEST_CASE(cluster_report_lists_every_member_with_its_reason) {
  TempDir tmp;
  const std::string report = tmp / "clusters.jsonl";
  Result r = Dedup({Doc("b", Seed(kSeed002)), Doc("a", Seed(kSeed000)), Doc("a2", Seed(kSeed000)),
                    Doc("b2", Seed(kSeed002)), Doc("a3", Seed(kSeed000))},
                   {.report_path = report});
  BOOST_CHECK((Ids(JsonLines(r.out)) == std::vector<std::string>{"b", "a"}));
  auto lines = JsonLines(ReadFile(report));
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  // One line per cluster, by canonical input order, numbered as in the metadata.
  BOOST_CHECK_EQUAL(lines[0]["cluster"], 1);
  BOOST_CHECK_EQUAL(lines[0]["canonical"], "b");
  BOOST_CHECK_EQUAL(lines[0]["size"], 2);
  BOOST_CHECK_EQUAL(lines[1]["cluster"], 2);
  BOOST_CHECK_EQUAL(lines[1]["canonical"], "a");
  BOOST_CHECK_EQUAL(lines[1]["size"], 3);
  const auto& members = lines[1]["members"];
  BOOST_REQUIRE_EQUAL(members.size(), 3u);
  BOOST_CHECK_EQUAL(members[0]["id"], "a");
  BOOST_CHECK_EQUAL(members[0]["kind"], "canonical");
  BOOST_CHECK(!members[0].contains("reason"));
  for (int k : {1, 2}) {
    BOOST_CHECK_EQUAL(members[k]["kind"], "exact");
    BOOST_CHECK_EQUAL(members[k]["distance"], 0);
    BOOST_CHECK_EQUAL(members[k]["similarity"], 1.0);
    BOOST_CHECK(members[k]["containment"].is_number());
    BOOST_CHECK(!members[k]["reason"].get<std::string>().empty());
  }
  BOOST_CHECK_EQUAL(members[1]["id"], "a2");
  BOOST_CHECK_EQUAL(members[2]["id"], "a3");
  // Everything that went in is in the output or in the report: nothing is lost.
  std::size_t dropped = 0;
  for (const auto& line : lines) dropped += line["size"].get<std::size_t>() - 1;
  BOOST_CHECK_EQUAL(JsonLines(r.out).size() + dropped, 5u);
}

BOOST_AUTO_TEST_CASE(no_duplicates_gives_an_empty_report) {
  TempDir tmp;
  Result r = Dedup({Doc("a", Seed(kSeed000)), Doc("b", Seed(kSeed002))}, {.report_path = tmp / "c.jsonl"});
  BOOST_CHECK_EQUAL(JsonLines(r.out).size(), 2u);
  BOOST_CHECK(fs::exists(tmp / "c.jsonl"));
  BOOST_CHECK_EQUAL(ReadFile(tmp / "c.jsonl"), "");
  BOOST_CHECK_EQUAL(r.stats.cluster_count, 0u);
}

// Issue 5's acceptance case: different stories on the same topic stay apart, the OpenCC
// Taiwan copy (s2twp: Traditional script and Taiwan vocabulary) of a seed joins it, and the
// copy t2s changed most loses.
BOOST_AUTO_TEST_CASE(seeds_on_one_topic_stay_apart_and_traditional_copies_join_their_original) {
  std::vector<Document> docs;
  for (const std::string name :
       {kSeed000, std::string("001_d847006ffcf44153"), kSeed002, kSeed003, std::string("004_6f03a019609a9af3")})
    docs.push_back(Doc(name, Seed(name), {{"t2s_changed_chars", 0}}));
  docs.push_back(Doc("000.tw", ReadFile(kCopies + kSeed000 + ".s2twp.txt"), {{"t2s_changed_chars", 900}}));
  docs.push_back(Doc("002.tw", ReadFile(kCopies + kSeed002 + ".s2twp.txt"), {{"t2s_changed_chars", 2400}}));
  Result r = Dedup(docs);
  auto out = JsonLines(r.out);
  BOOST_CHECK((Ids(out) == std::vector<std::string>{kSeed000, "001_d847006ffcf44153", kSeed002, kSeed003,
                                                    "004_6f03a019609a9af3"}));
  BOOST_REQUIRE_EQUAL(out.size(), 5u);
  BOOST_CHECK_EQUAL(out[0]["metadata"]["duplicates"], nlohmann::ordered_json::array({"000.tw"}));
  BOOST_CHECK_EQUAL(out[2]["metadata"]["duplicates"], nlohmann::ordered_json::array({"002.tw"}));
  BOOST_CHECK(!out[3]["metadata"].contains("duplicates"));
  BOOST_CHECK_EQUAL(r.stats.clusters.near_duplicates, 2u);
}

// Many documents and a large one: the spool is written through its buffer and read back in
// chunks, and records across chunk borders, skipped and kept, must come back whole.
BOOST_AUTO_TEST_CASE(spool_round_trips_many_and_large_documents) {
  std::mt19937 rng(42);
  std::vector<Document> docs;
  std::vector<std::string> expected;
  for (int i = 0; i < 1500; ++i) {
    if (i % 7 == 6) {
      docs.push_back(Doc("copy" + std::to_string(i), docs[static_cast<std::size_t>(i / 2)].text));
    } else {
      docs.push_back(Doc("doc" + std::to_string(i), RandomArticle(rng, i == 700 ? 1'200'000 : 300 + i % 1000)));
      expected.push_back(docs.back().id);
    }
  }
  Result r = Dedup(docs);
  auto out = JsonLines(r.out);
  BOOST_CHECK(Ids(out) == expected);
  for (const auto& d : out) {
    const std::string id = d["id"];
    const std::size_t i = std::stoul(id.substr(3));
    BOOST_CHECK_MESSAGE(d["text"] == docs[i].text, id);
  }
  BOOST_CHECK_EQUAL(r.stats.clusters.exact_duplicates, 1500u / 7);
}

BOOST_AUTO_TEST_CASE(short_texts_are_matched_exactly_only) {
  Result r = Dedup({Doc("a", "今天天气很好。"), Doc("b", "今天天气不好。"), Doc("c", "今天天气很好！")});
  // a and c have the same dedup view (punctuation is not part of it); b differs by a character.
  BOOST_CHECK((Ids(JsonLines(r.out)) == std::vector<std::string>{"a", "b"}));
  BOOST_CHECK_GE(r.stats.clusters.short_texts, 2u);
  BOOST_CHECK_EQUAL(r.stats.clusters.near_duplicates, 0u);
}

BOOST_AUTO_TEST_CASE(nothing_is_written_without_commit) {
  TempDir tmp;
  {
    DedupWriter w(zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, tmp / "out.jsonl", std::cout),
                  {.report_path = tmp / "clusters.jsonl"});
    w.Write(Doc("a", Seed(kSeed000)));
    w.Write(Doc("b", Seed(kSeed000)));
  }
  BOOST_CHECK(fs::is_empty(tmp.path()));  // no output, no report, no temporary, no spool
}

BOOST_AUTO_TEST_CASE(interrupted_commit_writes_nothing) {
  TempDir tmp;
  std::atomic<bool> interrupt{false};
  DedupWriter w(zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, tmp / "out.jsonl", std::cout),
                {.report_path = tmp / "clusters.jsonl", .spool_dir = tmp.str(), .interrupt = &interrupt});
  w.Write(Doc("a", Seed(kSeed000)));
  interrupt = true;
  BOOST_CHECK_THROW(w.Commit(), zhcanon::Interrupted);
  BOOST_CHECK(!fs::exists(tmp / "out.jsonl"));
  BOOST_CHECK(!fs::exists(tmp / "clusters.jsonl"));
}

BOOST_AUTO_TEST_CASE(bad_places_and_options_fail_before_any_document) {
  TempDir tmp;
  auto out = [] { return zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, "", std::cout); };
  BOOST_CHECK_THROW((DedupWriter{out(), {.spool_dir = tmp / "missing"}}), zhcanon::IoError);
  BOOST_CHECK_THROW((DedupWriter{out(), {.report_path = tmp / "missing/clusters.jsonl"}}), zhcanon::IoError);
  DedupOptions far;
  far.cluster.max_distance = 9;
  BOOST_CHECK_THROW((DedupWriter{out(), far}), zhcanon::ConfigError);
  DedupOptions ngram;
  ngram.fingerprint.ngram = 0;
  BOOST_CHECK_THROW((DedupWriter{out(), ngram}), zhcanon::ConfigError);
  BOOST_CHECK(fs::is_empty(tmp.path()));
}

BOOST_AUTO_TEST_CASE(write_encoded_refuses_bytes_from_another_writer) {
  std::ostringstream sink;
  auto jsonl = zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, "", sink);
  DedupWriter w(zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, "", sink), {});
  Document d = Doc("a", "文本");
  BOOST_CHECK_THROW(w.WriteEncoded(d, jsonl->Encode(d)), std::invalid_argument);
  BOOST_CHECK_THROW(w.WriteEncoded(d, ""), std::invalid_argument);
  w.WriteEncoded(d, w.Encode(d));
  w.Commit();
  BOOST_CHECK_EQUAL(w.stats().documents_out, 1u);
  w.Commit();  // a second Commit does nothing
  BOOST_CHECK_EQUAL(JsonLines(sink.str()).size(), 1u);
}

// Encode runs on the pipeline's worker threads: records encoded concurrently give the same
// output and report as records encoded one at a time.
BOOST_AUTO_TEST_CASE(encode_is_thread_safe) {
  TempDir tmp;
  std::vector<Document> docs = {Doc("a", Seed(kSeed000)), Doc("b", ReadFile(kCopies + kSeed002 + ".s2twp.txt")),
                                Doc("c", Seed(kSeed002)), Doc("d", Seed(kSeed000)), Doc("e", Seed(kSeed003))};
  auto run = [&](const std::vector<std::string>& encoded, const std::string& report) {
    std::ostringstream out;
    DedupWriter w(zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, "", out),
                  {.report_path = report});
    for (std::size_t k = 0; k < docs.size(); ++k) w.WriteEncoded(docs[k], encoded.empty() ? w.Encode(docs[k]) : encoded[k]);
    w.Commit();
    return out.str() + ReadFile(report);
  };
  const std::string want = run({}, tmp / "serial.jsonl");
  std::ostringstream sink;
  const DedupWriter encoder(zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, "", sink), {});
  std::vector<std::vector<std::string>> encoded(4, std::vector<std::string>(docs.size()));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < encoded.size(); ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round)
        for (std::size_t k = 0; k < docs.size(); ++k) encoded[t][k] = encoder.Encode(docs[(k + t) % docs.size()]);
      std::rotate(encoded[t].rbegin(), encoded[t].rbegin() + static_cast<std::ptrdiff_t>(t), encoded[t].rend());
    });
  for (auto& t : threads) t.join();
  for (std::size_t t = 0; t < encoded.size(); ++t)
    BOOST_CHECK_MESSAGE(run(encoded[t], tmp / ("t" + std::to_string(t) + ".jsonl")) == want, "thread " << t);
}
