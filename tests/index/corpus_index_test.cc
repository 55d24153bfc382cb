#define BOOST_TEST_MODULE index_corpus_index
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <random>
#include <map>
#include <set>

#include "test_util.h"
#include "zhcanon/core/error.h"
#include "zhcanon/index/corpus_index.h"

using zhcanon::index::AddResult;
using zhcanon::index::CorpusIndex;
using zhcanon::index::IndexedDocument;
using zhcanon::index::IndexSettings;
using zhcanon::index::OpenMode;
using zhcanon::testing::TempDir;
namespace dedup = zhcanon::dedup;

namespace {

dedup::Fingerprint RandomFingerprint(std::mt19937_64& rng) {
  dedup::Fingerprint f;
  f.exact_hi = rng();
  f.exact_lo = rng();
  f.simhash = rng();
  f.features = static_cast<std::uint32_t>(rng() % 5000);
  f.view_chars = static_cast<std::uint32_t>(rng() % 100000);
  f.short_text = rng() % 2;
  for (auto& v : f.sketch) v = static_cast<std::uint16_t>(rng());
  for (auto& v : f.paragraphs) v = rng() % 4 ? rng() : 0;
  std::sort(f.paragraphs.begin(), f.paragraphs.end());
  f.paragraph_count = static_cast<std::uint32_t>(rng() % 50);
  return f;
}

IndexedDocument Doc(const std::string& id, const dedup::Fingerprint& fp) {
  IndexedDocument d;
  d.id = id;
  d.path = "corpus/" + id;
  d.title = "标题 " + id;
  d.entry.fingerprint = fp;
  d.entry.converted_chars = 7;
  d.entry.date = "2025-02-07";
  d.entry.length = 1234;
  return d;
}

// A fingerprint that only matches through its SimHash: unique exact hash, no paragraphs.
dedup::Fingerprint SimhashOnly(std::uint64_t simhash, std::uint64_t unique) {
  dedup::Fingerprint f;
  f.simhash = simhash;
  f.exact_hi = unique;
  f.exact_lo = ~unique;
  f.features = 100;
  return f;
}

std::uint64_t FlipBits(std::uint64_t v, int n, std::mt19937_64& rng) {
  std::set<int> bits;
  while (static_cast<int>(bits.size()) < n) bits.insert(static_cast<int>(rng() % 64));
  for (int b : bits) v ^= 1ULL << b;
  return v;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << (err ? err : ""));
}

}  // namespace

BOOST_AUTO_TEST_CASE(fingerprint_blob_round_trips_every_field) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    const dedup::Fingerprint f = RandomFingerprint(rng);
    const std::string blob = zhcanon::index::EncodeFingerprint(f);
    BOOST_CHECK_EQUAL(blob.size(), 200u);
    dedup::Fingerprint g;
    BOOST_REQUIRE(zhcanon::index::DecodeFingerprint(blob, g));
    BOOST_CHECK(f == g);
  }
}

BOOST_AUTO_TEST_CASE(fingerprint_blob_of_another_layout_is_rejected) {
  std::mt19937_64 rng(2);
  const std::string blob = zhcanon::index::EncodeFingerprint(RandomFingerprint(rng));
  dedup::Fingerprint g;
  BOOST_CHECK(!zhcanon::index::DecodeFingerprint(blob.substr(0, 199), g));
  BOOST_CHECK(!zhcanon::index::DecodeFingerprint(blob + "x", g));
  BOOST_CHECK(!zhcanon::index::DecodeFingerprint("", g));
  for (int byte : {0, 1, 2, 3}) {  // format, sketch size, paragraph samples, flags
    std::string bad = blob;
    bad[static_cast<std::size_t>(byte)] = static_cast<char>(bad[static_cast<std::size_t>(byte)] + 2);
    BOOST_CHECK_MESSAGE(!zhcanon::index::DecodeFingerprint(bad, g), "header byte " << byte);
  }
}

// The blocks partition the 64 bits: put back together they give the SimHash again.
BOOST_AUTO_TEST_CASE(simhash_blocks_cover_all_64_bits_for_every_k) {
  std::mt19937_64 rng(3);
  for (int k = 0; k <= 8; ++k) {
    for (int i = 0; i < 100; ++i) {
      const std::uint64_t s = rng();
      const auto blocks = zhcanon::index::SimhashBlocks(s, k);
      BOOST_REQUIRE_EQUAL(blocks.size(), static_cast<std::size_t>(k + 1));
      std::uint64_t back = 0;
      int offset = 0;
      for (std::size_t b = 0; b < blocks.size(); ++b) {
        const int width = 64 / (k + 1) + (static_cast<int>(b) < 64 % (k + 1) ? 1 : 0);
        BOOST_CHECK(width == 64 || blocks[b] < (1ULL << width));
        back |= blocks[b] << offset;
        offset += width;
      }
      BOOST_CHECK_EQUAL(offset, 64);
      BOOST_CHECK_EQUAL(back, s);
    }
  }
  // The default k = 3: four 16-bit blocks, lowest first.
  const auto b = zhcanon::index::SimhashBlocks(0x1111222233334444ULL, 3);
  BOOST_CHECK_EQUAL(b[0], 0x4444u);
  BOOST_CHECK_EQUAL(b[1], 0x3333u);
  BOOST_CHECK_EQUAL(b[2], 0x2222u);
  BOOST_CHECK_EQUAL(b[3], 0x1111u);
}

BOOST_AUTO_TEST_CASE(settings_are_stored_and_read_back) {
  TempDir dir;
  IndexSettings s;
  s.max_distance = 5;
  s.fingerprint.ngram = 3;
  s.fingerprint.tokenizer = dedup::Tokenizer::kWordTokens;
  s.fingerprint.weighting = dedup::Weighting::kBinary;
  s.fingerprint.fold_variants = false;
  s.fingerprint.min_features = 11;
  s.cluster.min_jaccard = 0.625;
  s.cluster.min_containment = 0.9;
  s.cluster.verify = false;
  s.cluster.paragraph_candidates = false;
  s.pipeline = "raw";
  { CorpusIndex::Create(dir / "a.db", s); }
  auto idx = CorpusIndex::Open(dir / "a.db", OpenMode::kReadOnly);
  const IndexSettings& r = idx.settings();
  BOOST_CHECK_EQUAL(r.max_distance, 5);
  BOOST_CHECK_EQUAL(r.cluster.max_distance, 5);
  BOOST_CHECK_EQUAL(r.fingerprint.ngram, 3);
  BOOST_CHECK(r.fingerprint.tokenizer == dedup::Tokenizer::kWordTokens);
  BOOST_CHECK(r.fingerprint.weighting == dedup::Weighting::kBinary);
  BOOST_CHECK(!r.fingerprint.fold_variants);
  BOOST_CHECK_EQUAL(r.fingerprint.min_features, 11);
  BOOST_CHECK_EQUAL(r.cluster.min_jaccard, 0.625);
  BOOST_CHECK_EQUAL(r.cluster.min_containment, 0.9);
  BOOST_CHECK(!r.cluster.verify);
  BOOST_CHECK(!r.cluster.paragraph_candidates);
  BOOST_CHECK_EQUAL(r.pipeline, "raw");
  const auto st = idx.Stats();
  BOOST_CHECK_EQUAL(st.schema_version, zhcanon::index::kSchemaVersion);
  BOOST_CHECK_EQUAL(st.documents, 0);
  BOOST_CHECK(!st.created.empty());
}

BOOST_AUTO_TEST_CASE(opening_what_is_not_an_index_fails_with_the_reason) {
  TempDir dir;
  BOOST_CHECK_THROW(CorpusIndex::Open(dir / "missing.db", OpenMode::kReadOnly), zhcanon::IoError);
  BOOST_CHECK_THROW(CorpusIndex::Open(dir.str(), OpenMode::kReadOnly), zhcanon::IoError);  // a directory
  zhcanon::testing::WriteFile(dir / "text.db", "this is not a database, it is text long enough to be a header........");
  BOOST_CHECK_THROW(CorpusIndex::Open(dir / "text.db", OpenMode::kReadOnly), zhcanon::ConfigError);
  {  // a SQLite database of someone else
    sqlite3* db = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_open((dir / "other.db").c_str(), &db), SQLITE_OK);
    Exec(db, "CREATE TABLE t(x)");
    sqlite3_close(db);
  }
  BOOST_CHECK_THROW(CorpusIndex::Open(dir / "other.db", OpenMode::kReadOnly), zhcanon::ConfigError);
  // An index from a newer zhcanon.
  { CorpusIndex::Create(dir / "new.db", {}); }
  {
    sqlite3* db = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_open((dir / "new.db").c_str(), &db), SQLITE_OK);
    Exec(db, "PRAGMA user_version=99");
    sqlite3_close(db);
  }
  try {
    CorpusIndex::Open(dir / "new.db", OpenMode::kReadOnly);
    BOOST_ERROR("opened an index of schema version 99");
  } catch (const zhcanon::ConfigError& e) {
    BOOST_CHECK_MESSAGE(std::string(e.what()).find("newer") != std::string::npos, e.what());
  }
  // Create never overwrites.
  BOOST_CHECK_THROW(CorpusIndex::Create(dir / "text.db", {}), zhcanon::IoError);
  BOOST_CHECK_EQUAL(zhcanon::testing::ReadFile(dir / "text.db").substr(0, 4), "this");
  IndexSettings bad;
  bad.max_distance = 9;
  BOOST_CHECK_THROW(CorpusIndex::Create(dir / "bad.db", bad), zhcanon::ConfigError);
  // Settings in the meta table that dedup does not accept (tests/fuzz/regressions/index_reader):
  // Open refuses them with dedup's own range check, naming the index and the value.
  for (const char* v : {"1.9", "-0.5"}) {
    CorpusIndex::Create(dir / (std::string("meta") + v + ".db"), {});
    sqlite3* db = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_open((dir / (std::string("meta") + v + ".db")).c_str(), &db), SQLITE_OK);
    Exec(db, std::string("UPDATE meta SET value='") + v + "' WHERE key='cluster.min_containment'");
    sqlite3_close(db);
    try {
      CorpusIndex::Open(dir / (std::string("meta") + v + ".db"), OpenMode::kReadOnly);
      BOOST_ERROR("opened an index whose min_containment is " << v);
    } catch (const zhcanon::ConfigError& e) {
      BOOST_CHECK_MESSAGE(std::string(e.what()).find(std::string("meta table: dedup: min_containment must be 0..1, not ") + v) !=
                              std::string::npos,
                          e.what());
    }
  }
}

BOOST_AUTO_TEST_CASE(add_find_replace_remove) {
  TempDir dir;
  std::mt19937_64 rng(4);
  auto idx = CorpusIndex::Create(dir / "a.db", {});
  const auto f1 = RandomFingerprint(rng), f2 = RandomFingerprint(rng);
  BOOST_CHECK_THROW(idx.Add(Doc("a", f1), false), std::logic_error);  // outside a batch
  idx.BeginBatch("add", "test");
  BOOST_CHECK_THROW(idx.BeginBatch("add", "test"), std::logic_error);
  BOOST_CHECK(idx.Add(Doc("a", f1), false) == AddResult::kAdded);
  BOOST_CHECK(idx.Add(Doc("b", f2), false) == AddResult::kAdded);
  BOOST_CHECK(idx.Add(Doc("a", f2), false) == AddResult::kExists);
  idx.CommitBatch();

  auto a = idx.Find("a");
  BOOST_REQUIRE(a);
  BOOST_CHECK(a->entry.fingerprint == f1);  // kExists changed nothing
  BOOST_CHECK_EQUAL(a->path, "corpus/a");
  BOOST_CHECK_EQUAL(a->title, "标题 a");
  BOOST_CHECK_EQUAL(a->entry.date, "2025-02-07");
  BOOST_CHECK_EQUAL(a->entry.converted_chars, 7);
  BOOST_CHECK_EQUAL(a->entry.length, 1234u);
  BOOST_CHECK(idx.Get(a->rowid)->id == "a");
  BOOST_CHECK(!idx.Find("c"));

  idx.BeginBatch("add", "test");
  BOOST_CHECK(idx.Add(Doc("a", f2), true) == AddResult::kReplaced);
  BOOST_CHECK(idx.Remove("b"));
  BOOST_CHECK(!idx.Remove("b"));
  idx.CommitBatch();
  BOOST_CHECK(idx.Find("a")->entry.fingerprint == f2);
  BOOST_CHECK(!idx.Find("b"));
  BOOST_CHECK_EQUAL(idx.Stats().documents, 1);
  BOOST_CHECK_EQUAL(idx.DocumentCount(), 1);  // 2 added, then 1 replaced (removed + added) and 1 removed
  BOOST_CHECK_EQUAL(idx.Stats().batches, 2);
  BOOST_CHECK(idx.Verify().empty());
}

BOOST_AUTO_TEST_CASE(an_uncommitted_batch_leaves_nothing) {
  TempDir dir;
  std::mt19937_64 rng(5);
  {
    auto idx = CorpusIndex::Create(dir / "a.db", {});
    idx.BeginBatch("add", "kept");
    idx.Add(Doc("kept", RandomFingerprint(rng)), false);
    idx.CommitBatch();
    idx.BeginBatch("add", "lost");
    for (int i = 0; i < 100; ++i) idx.Add(Doc("lost" + std::to_string(i), RandomFingerprint(rng)), false);
    idx.Remove("kept");
    // destroyed without CommitBatch
  }
  auto idx = CorpusIndex::Open(dir / "a.db", OpenMode::kReadWrite);
  BOOST_CHECK_EQUAL(idx.Stats().documents, 1);
  BOOST_CHECK(idx.Find("kept"));
  BOOST_CHECK_EQUAL(idx.Stats().batches, 1);
  idx.BeginBatch("add", "rolled back");
  idx.Add(Doc("x", RandomFingerprint(rng)), false);
  idx.RollbackBatch();
  BOOST_CHECK(!idx.Find("x"));
  BOOST_CHECK(idx.Verify().empty());
}

// The property the index exists for: it finds exactly what a scan finds.
BOOST_AUTO_TEST_CASE(candidates_are_exactly_what_brute_force_finds) {
  for (int k : {0, 2, 3, 5}) {
    TempDir dir;
    std::mt19937_64 rng(100 + static_cast<unsigned>(k));
    IndexSettings s;
    s.max_distance = k;
    auto idx = CorpusIndex::Create(dir / "a.db", s);
    std::vector<std::uint64_t> stored;
    idx.BeginBatch("add", "test");
    // Clusters of nearby SimHashes around a few centers, and random ones.
    std::vector<std::uint64_t> centers;
    for (int i = 0; i < 20; ++i) centers.push_back(rng());
    for (int i = 0; i < 3000; ++i) {
      const std::uint64_t sh = i % 3 ? FlipBits(centers[rng() % centers.size()], static_cast<int>(rng() % 8), rng) : rng();
      stored.push_back(sh);
      idx.Add(Doc("d" + std::to_string(i), SimhashOnly(sh, static_cast<std::uint64_t>(i) + 1)), false);
    }
    idx.CommitBatch();
    std::map<std::string, std::int64_t> rowid;
    idx.ForEach([&](const IndexedDocument& d) { rowid[d.id] = d.rowid; });
    for (int q = 0; q < 300; ++q) {
      const std::uint64_t query = q % 2 ? FlipBits(centers[rng() % centers.size()], static_cast<int>(rng() % 6), rng) : rng();
      for (int d = 0; d <= k; ++d) {
        std::vector<std::int64_t> expected;
        for (std::size_t i = 0; i < stored.size(); ++i)
          if (dedup::HammingDistance(stored[i], query) <= d) expected.push_back(rowid["d" + std::to_string(i)]);
        std::sort(expected.begin(), expected.end());
        const auto got = idx.Candidates(SimhashOnly(query, 0xFFFFFFFF), d, 0);
        BOOST_REQUIRE_MESSAGE(got == expected, "k=" << k << " d=" << d << " query " << q << ": " << got.size()
                                                     << " candidates, brute force " << expected.size());
      }
    }
    BOOST_CHECK_THROW(idx.Candidates(SimhashOnly(1, 1), k + 1, 0), std::invalid_argument);
  }
}

BOOST_AUTO_TEST_CASE(exact_hash_and_paragraph_samples_make_candidates_too) {
  TempDir dir;
  auto idx = CorpusIndex::Create(dir / "a.db", {});
  idx.BeginBatch("add", "test");
  dedup::Fingerprint exact = SimhashOnly(0x0F0F0F0F0F0F0F0FULL, 42);
  idx.Add(Doc("exact", exact), false);
  dedup::Fingerprint para = SimhashOnly(0x1234567812345678ULL, 43);
  para.paragraphs = {0, 0, 555, 777};
  idx.Add(Doc("para", para), false);
  // A paragraph hash 5 documents share.
  for (int i = 0; i < 5; ++i) {
    dedup::Fingerprint f = SimhashOnly(static_cast<std::uint64_t>(i) * 0x1111111111111111ULL + 99, 1000 + i);
    f.paragraphs = {0, 0, 0, 999};
    idx.Add(Doc("boiler" + std::to_string(i), f), false);
  }
  idx.CommitBatch();
  const auto rowid = [&](const std::string& id) { return idx.Find(id)->rowid; };

  // Same exact hash, SimHash far away: found.
  dedup::Fingerprint q = SimhashOnly(~exact.simhash, 42);
  BOOST_CHECK(idx.Candidates(q, 3, 64) == std::vector<std::int64_t>{rowid("exact")});
  // A shared paragraph sample: found when paragraphs are on (limit > 0), not otherwise.
  dedup::Fingerprint p = SimhashOnly(~para.simhash, 7);
  p.paragraphs = {0, 0, 0, 777};
  BOOST_CHECK(idx.Candidates(p, 3, 64) == std::vector<std::int64_t>{rowid("para")});
  BOOST_CHECK(idx.Candidates(p, 3, 0).empty());
  // A bucket of 5: a candidate source with a limit above 5, boilerplate with a limit of 5.
  dedup::Fingerprint b = SimhashOnly(0xAAAAAAAAAAAAAAAAULL, 8);
  b.paragraphs = {0, 0, 0, 999};
  BOOST_CHECK_EQUAL(idx.Candidates(b, 3, 6).size(), 5u);
  BOOST_CHECK(idx.Candidates(b, 3, 5).empty());
}

BOOST_AUTO_TEST_CASE(verify_finds_tampering) {
  TempDir dir;
  std::mt19937_64 rng(6);
  {
    auto idx = CorpusIndex::Create(dir / "a.db", {});
    idx.BeginBatch("add", "test");
    for (int i = 0; i < 50; ++i) {
      auto f = RandomFingerprint(rng);
      f.paragraphs = {0, 0, rng() | 1, rng() | 1};
      idx.Add(Doc("d" + std::to_string(i), f), false);
    }
    idx.CommitBatch();
    BOOST_CHECK(idx.Verify().empty());
  }
  const std::string path = dir / "a.db";
  struct Case {
    std::string sql;
    std::string expect;  // in the first problem
  };
  const std::vector<Case> cases = {
      {"UPDATE documents SET b2 = b2 + 1 WHERE id = 'd3'", "block column b2"},
      {"DELETE FROM paragraphs WHERE doc = (SELECT doc FROM documents WHERE id = 'd4')", "paragraph row is missing"},
      {"INSERT INTO paragraphs VALUES(5, 999999)", "not in the index"},
      {"DELETE FROM documents WHERE id = 'd5'", "batches added"},
      {"UPDATE documents SET simhash = simhash + 1 WHERE id = 'd6'", "hash columns"},
  };
  for (const Case& c : cases) {
    TempDir copy;
    std::filesystem::copy_file(path, copy / "a.db");
    sqlite3* db = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_open((copy / "a.db").c_str(), &db), SQLITE_OK);
    Exec(db, c.sql);
    sqlite3_close(db);
    auto idx = CorpusIndex::Open(copy / "a.db", OpenMode::kReadOnly);
    const auto problems = idx.Verify();
    BOOST_REQUIRE_MESSAGE(!problems.empty(), c.sql);
    bool found = false;
    for (const auto& p : problems) found = found || p.find(c.expect) != std::string::npos;
    BOOST_CHECK_MESSAGE(found, c.sql << ": " << problems[0]);
  }
}

// WAL: a reader sees the last committed state while a writer holds an open batch, and the
// new state once it commits; a second writer waits for the busy timeout, then fails.
BOOST_AUTO_TEST_CASE(readers_work_while_a_writer_adds) {
  TempDir dir;
  std::mt19937_64 rng(7);
  auto writer = CorpusIndex::Create(dir / "a.db", {});
  writer.BeginBatch("add", "first");
  writer.Add(Doc("a", RandomFingerprint(rng)), false);
  writer.CommitBatch();

  auto reader = CorpusIndex::Open(dir / "a.db", OpenMode::kReadOnly, 100);
  writer.BeginBatch("add", "second");
  for (int i = 0; i < 500; ++i) writer.Add(Doc("b" + std::to_string(i), RandomFingerprint(rng)), false);
  BOOST_CHECK_EQUAL(reader.Stats().documents, 1);
  BOOST_CHECK(reader.Find("a"));
  BOOST_CHECK(!reader.Find("b0"));

  auto second = CorpusIndex::Open(dir / "a.db", OpenMode::kReadWrite, 100);
  try {
    second.BeginBatch("add", "blocked");
    BOOST_ERROR("a second writer got the write lock");
  } catch (const zhcanon::IoError& e) {
    BOOST_CHECK_MESSAGE(std::string(e.what()).find("lock") != std::string::npos, e.what());
  }
  BOOST_CHECK(!second.in_batch());

  writer.CommitBatch();
  BOOST_CHECK_EQUAL(reader.Stats().documents, 501);
  BOOST_CHECK(reader.Find("b499"));
  second.BeginBatch("add", "now");
  BOOST_CHECK(second.Remove("a"));
  second.CommitBatch();
  BOOST_CHECK(!reader.Find("a"));
  BOOST_CHECK(reader.Verify().empty());
}

BOOST_AUTO_TEST_CASE(names_of_tokenizers_and_weightings_round_trip) {
  for (auto t : {dedup::Tokenizer::kChars, dedup::Tokenizer::kSpaceTokens, dedup::Tokenizer::kWordTokens})
    BOOST_CHECK(zhcanon::dedup::ParseTokenizer(zhcanon::dedup::TokenizerName(t)) == t);
  for (auto w : {dedup::Weighting::kSublinear, dedup::Weighting::kCount, dedup::Weighting::kBinary})
    BOOST_CHECK(zhcanon::dedup::ParseWeighting(zhcanon::dedup::WeightingName(w)) == w);
  BOOST_CHECK_THROW(zhcanon::dedup::ParseTokenizer("bytes"), std::invalid_argument);
  BOOST_CHECK_THROW(zhcanon::dedup::ParseWeighting("tfidf"), std::invalid_argument);
}
