#define BOOST_TEST_MODULE dedup_hamming_index
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <random>
#include <stdexcept>
#include <vector>

#include "test_util.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/dedup/hamming_index.h"

using zhcanon::dedup::HammingIndex;

namespace {

std::vector<std::uint32_t> BruteForce(const std::vector<std::uint64_t>& fps, const std::vector<std::uint32_t>& ids,
                                      std::uint64_t q, int k) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < fps.size(); ++i)
    if (__builtin_popcountll(fps[i] ^ q) <= k) out.push_back(ids[i]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Flips `bits` distinct random bits of x, chosen from the bit positions in [lo, hi).
std::uint64_t Flip(std::uint64_t x, int bits, std::mt19937_64& rng, int lo = 0, int hi = 64) {
  std::vector<int> pos;
  for (int b = lo; b < hi; ++b) pos.push_back(b);
  std::shuffle(pos.begin(), pos.end(), rng);
  for (int i = 0; i < bits && i < static_cast<int>(pos.size()); ++i) x ^= std::uint64_t{1} << pos[i];
  return x;
}

std::vector<std::uint32_t> Query(const HammingIndex& index, std::uint64_t q, int k) {
  std::vector<std::uint32_t> out;
  index.Query(q, k, out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rejects_out_of_range_distances) {
  BOOST_CHECK_THROW(HammingIndex(-1), std::invalid_argument);
  BOOST_CHECK_THROW(HammingIndex(HammingIndex::kMaxDistance + 1), std::invalid_argument);
  BOOST_CHECK_NO_THROW(HammingIndex(0));
  BOOST_CHECK_NO_THROW(HammingIndex(HammingIndex::kMaxDistance));
  HammingIndex index(3);
  index.Build();
  std::vector<std::uint32_t> out;
  BOOST_CHECK_THROW(index.Query(0, 4, out), std::invalid_argument);
  BOOST_CHECK_THROW(index.Query(0, -1, out), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(query_before_build_throws) {
  HammingIndex index(2);
  std::vector<std::uint32_t> out;
  BOOST_CHECK_THROW(index.Query(0, 0, out), std::logic_error);
  index.Add(1, 1);
  BOOST_CHECK_THROW(index.Query(1, 0, out), std::logic_error);
  index.Build();
  BOOST_CHECK_NO_THROW(index.Query(1, 0, out));
  // An Add after Build invalidates it.
  index.Add(2, 2);
  BOOST_CHECK_THROW(index.Query(1, 0, out), std::logic_error);
}

BOOST_AUTO_TEST_CASE(empty_index_finds_nothing) {
  HammingIndex index(8);
  index.Build();
  BOOST_CHECK_EQUAL(index.size(), 0u);
  BOOST_CHECK_EQUAL(index.bytes_per_entry(), 0.0);
  for (int k = 0; k <= 8; ++k) BOOST_CHECK(Query(index, 0x0123456789ABCDEFull, k).empty());
}

BOOST_AUTO_TEST_CASE(duplicates_and_id_order) {
  // The same fingerprint under several ids, ids out of order and repeated, not dense.
  HammingIndex index(3);
  index.Add(42, 9);
  index.Add(42, 3);
  index.Add(42, 9);
  index.Add(43, 4000000000u);  // distance 1
  index.Add(~std::uint64_t{42}, 1);
  index.Build();
  BOOST_CHECK_EQUAL(index.size(), 5u);
  const std::vector<std::uint32_t> exact = {3, 9};
  BOOST_CHECK(Query(index, 42, 0) == exact);
  const std::vector<std::uint32_t> near = {3, 9, 4000000000u};
  BOOST_CHECK(Query(index, 42, 1) == near);
  BOOST_CHECK(Query(index, 42, 3) == near);
}

BOOST_AUTO_TEST_CASE(query_appends_without_clearing) {
  HammingIndex index(1);
  index.Add(7, 5);
  index.Build();
  std::vector<std::uint32_t> out = {100, 1};
  index.Query(7, 0, out);
  const std::vector<std::uint32_t> expected = {100, 1, 5};
  BOOST_CHECK(out == expected);
}

BOOST_AUTO_TEST_CASE(rebuild_after_more_adds_keeps_everything) {
  HammingIndex index(2);
  index.Add(0, 0);
  index.Build();
  index.Add(1, 1);
  index.Add(3, 2);
  index.Build();
  index.Build();  // twice is harmless
  const std::vector<std::uint32_t> expected = {0, 1, 2};
  BOOST_CHECK(Query(index, 0, 2) == expected);
  BOOST_CHECK_EQUAL(index.size(), 3u);
}

BOOST_AUTO_TEST_CASE(filtered_query_keeps_only_accepted_ids) {
  HammingIndex index(3);
  for (std::uint32_t id = 0; id < 130; ++id) index.Add(id % 2 ? 0xFFull : 0xFEull, id);
  index.Build();
  std::vector<std::uint64_t> accept(3, 0);
  for (std::uint32_t id : {3u, 64u, 129u}) accept[id / 64] |= std::uint64_t{1} << (id % 64);
  std::vector<std::uint32_t> out;
  index.Query(0xFF, 1, out, accept.data());
  const std::vector<std::uint32_t> expected = {3, 64, 129};
  BOOST_CHECK(out == expected);
}

// Neighbours whose differing bits all fall in one 16-bit block, or spread over all of them: the
// cases a pigeonhole scheme gets wrong first.
BOOST_AUTO_TEST_CASE(concentrated_and_spread_differences_are_found) {
  std::mt19937_64 rng(7);
  for (int k = 0; k <= HammingIndex::kMaxDistance; ++k) {
    HammingIndex index(k);
    std::vector<std::uint64_t> fps;
    std::vector<std::uint32_t> ids;
    const std::uint64_t base = rng();
    std::uint32_t id = 0;
    for (int block = 0; block < 4; ++block)
      for (int d = 0; d <= k + 1; ++d) {
        fps.push_back(Flip(base, d, rng, 16 * block, 16 * block + 16));
        ids.push_back(id++);
      }
    for (int d = 0; d <= k + 1; ++d) {
      fps.push_back(Flip(base, d, rng));
      ids.push_back(id++);
    }
    for (std::size_t i = 0; i < fps.size(); ++i) index.Add(fps[i], ids[i]);
    index.Build();
    for (int q = 0; q <= k; ++q) BOOST_CHECK(Query(index, base, q) == BruteForce(fps, ids, base, q));
  }
}

// The property the issue demands: for every k the tools accept, the index returns exactly what
// a brute-force scan returns (same set, ascending), on random fingerprints with planted
// neighbours at every distance 0..k+2.
BOOST_AUTO_TEST_CASE(equals_brute_force_for_every_k) {
  std::mt19937_64 rng(2024);
  for (int k = 0; k <= HammingIndex::kMaxDistance; ++k) {
    std::vector<std::uint64_t> fps;
    std::vector<std::uint32_t> ids;
    std::vector<std::uint64_t> bases;
    for (int i = 0; i < 2000; ++i) fps.push_back(rng());
    for (int b = 0; b < 40; ++b) {
      const std::uint64_t base = rng();
      bases.push_back(base);
      fps.push_back(base);
      for (int d = 0; d <= k + 2; ++d)
        for (int copies = 0; copies < 2; ++copies) fps.push_back(Flip(base, d, rng));
    }
    std::vector<std::uint32_t> order(fps.size());
    for (std::size_t i = 0; i < fps.size(); ++i) order[i] = static_cast<std::uint32_t>(i * 3 + 1);
    std::shuffle(order.begin(), order.end(), rng);  // ids in no particular order
    ids = order;
    // The last 10 also under a repeated id.
    for (int i = 0; i < 10; ++i) {
      fps.push_back(fps[fps.size() - 1 - static_cast<std::size_t>(i)]);
      ids.push_back(ids[static_cast<std::size_t>(i)]);
    }
    HammingIndex index(k);
    index.Reserve(fps.size());
    for (std::size_t i = 0; i < fps.size(); ++i) index.Add(fps[i], ids[i]);
    index.Build();
    BOOST_CHECK_EQUAL(index.size(), fps.size());
    std::vector<std::uint64_t> queries = bases;
    for (int i = 0; i < 100; ++i) queries.push_back(rng());
    for (int i = 0; i < 100; ++i) queries.push_back(fps[rng() % fps.size()]);
    for (int b = 0; b < 20; ++b) queries.push_back(Flip(bases[static_cast<std::size_t>(b)], k, rng));
    int mismatches = 0;
    std::size_t found = 0;
    for (std::uint64_t q : queries)
      for (int qk = 0; qk <= k; ++qk) {
        const auto got = Query(index, q, qk);
        const auto want = BruteForce(fps, ids, q, qk);
        found += want.size();
        if (got != want) ++mismatches;
      }
    BOOST_TEST_INFO("k = " << k);
    BOOST_CHECK_EQUAL(mismatches, 0);
    BOOST_CHECK_GT(found, queries.size());  // the planted neighbours were there to be found
  }
}

BOOST_AUTO_TEST_CASE(memory_per_entry_is_within_the_budget) {
  std::mt19937_64 rng(1);
  HammingIndex index(3);
  const std::size_t n = 200000;
  index.Reserve(n);
  for (std::size_t i = 0; i < n; ++i) index.Add(rng(), static_cast<std::uint32_t>(i));
  index.Build();
  // 4 tables of 10-byte records (the 48 bits outside the key block, the id), plus 1 MiB of directories.
  BOOST_CHECK_LE(index.bytes_per_entry(), 64.0);
  BOOST_CHECK_GE(index.bytes_per_entry(), 40.0);
}

// The same property on real SimHashes, which are not uniform: every paragraph (and every run of
// three paragraphs) of the seed articles and of their Traditional copies, which holds many near
// pairs at small distances.
BOOST_AUTO_TEST_CASE(equals_brute_force_on_real_fingerprints) {
  namespace fs = std::filesystem;
  std::vector<std::string> texts;
  std::vector<fs::path> files;
  for (const char* dir : {"/fixtures/seeds/expected", "/fixtures/dedup/traditional"})
    for (const auto& e : fs::directory_iterator(std::string(ZHCANON_SOURCE_DIR) + dir))
      if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    const std::string text = zhcanon::testing::ReadFile(f);
    std::vector<std::string> paras;
    for (std::size_t p = 0; p < text.size();) {
      std::size_t q = text.find("\n\n", p);
      if (q == std::string::npos) q = text.size();
      if (q > p) paras.push_back(text.substr(p, q - p));
      p = q + 2;
    }
    for (std::size_t i = 0; i < paras.size(); ++i) {
      texts.push_back(paras[i]);
      if (i + 2 < paras.size()) texts.push_back(paras[i] + paras[i + 1] + paras[i + 2]);
    }
  }
  const zhcanon::dedup::Fingerprinter fp;
  std::vector<std::uint64_t> fps;
  std::vector<std::uint32_t> ids;
  for (const std::string& t : texts) {
    fps.push_back(fp.Compute(t).simhash);
    ids.push_back(static_cast<std::uint32_t>(ids.size()));
  }
  BOOST_REQUIRE_GT(fps.size(), 500u);
  for (int k = 0; k <= HammingIndex::kMaxDistance; ++k) {
    HammingIndex index(k);
    for (std::size_t i = 0; i < fps.size(); ++i) index.Add(fps[i], ids[i]);
    index.Build();
    int mismatches = 0;
    std::size_t pairs = 0;
    for (std::uint64_t q : fps) {
      const auto want = BruteForce(fps, ids, q, k);
      pairs += want.size();
      if (Query(index, q, k) != want) ++mismatches;
    }
    BOOST_TEST_INFO("k = " << k);
    BOOST_CHECK_EQUAL(mismatches, 0);
    BOOST_CHECK_GT(pairs, fps.size());  // near pairs beyond each fingerprint itself
  }
}
