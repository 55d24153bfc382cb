// An exact index of 64-bit fingerprints: every stored fingerprint within Hamming distance k of
// a query, exactly what a brute-force scan returns, without scanning.
//
//   zhcanon::dedup::HammingIndex index(3);          // answers queries for k <= 3
//   for (uint32_t i = 0; i < n; ++i) index.Add(simhash[i], i);
//   index.Build();
//   std::vector<uint32_t> near;
//   index.Query(simhash[7], 3, near);              // ids, ascending, including 7 itself
//
// Method (pigeonhole): the 64 bits are split into 4 blocks of 16; two fingerprints within
// distance k differ in at most k/4 bits of at least one block, so one table per block, probed
// at every block value within k/4 bits of the query's (1 probe for k <= 3, 17 for k 4..7, 137
// for k = 8), finds every candidate, and the candidates are checked with popcount. Memory per
// stored fingerprint (40 bytes, plus 1 MiB of directories) is reported by bytes_per_entry() and
// documented in docs/dedup.md. A query scans about 4 * n / 65536 entries besides its matches,
// so the time to query every stored fingerprint grows as n^2 (bench/dedup_scale_bench.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace zhcanon::dedup {

class HammingIndex {
 public:
  /// The largest k the tools accept.
  static constexpr int kMaxDistance = 8;
  /// Throws std::invalid_argument unless 0 <= max_distance <= kMaxDistance.
  explicit HammingIndex(int max_distance);
  /// Stores a fingerprint under an id (ids need not be dense or unique). Invalidates Build().
  void Add(std::uint64_t fingerprint, std::uint32_t id);
  void Reserve(std::size_t n);
  /// Sorts the tables; required before Query after any Add.
  void Build();
  /// Appends to `out` (not cleared) the ids of stored fingerprints within distance k of `fp`,
  /// ascending, each once. Throws std::invalid_argument when k > max_distance(), std::logic_error
  /// when not built. Thread-safe after Build().
  void Query(std::uint64_t fp, int k, std::vector<std::uint32_t>& out) const;
  /// The same, restricted to ids whose bit is set in `accept` (bit id % 64 of word id / 64; the
  /// caller makes it cover every stored id). Entries not accepted are skipped before anything
  /// is collected, so a query near a large cluster costs a scan but no sorting.
  void Query(std::uint64_t fp, int k, std::vector<std::uint32_t>& out, const std::uint64_t* accept) const;
  /// A hint that `fp` will be queried soon: starts loading the buckets a Query for it reads
  /// first (for callers that know their next queries, like Clusterer::Run). No effect on results.
  void Prefetch(std::uint64_t fp) const;
  int max_distance() const { return max_distance_; }
  std::size_t size() const;
  /// Bytes of memory per stored fingerprint (tables and fingerprints), for the benchmark.
  double bytes_per_entry() const;

 private:
  // Four tables, one per 16-bit block b: the entries ordered by that block, and a directory of
  // where each of the 65536 block values starts. A query probes the buckets within r = k / 4 bits of its own block value: two
  // fingerprints within distance k differ in at most r bits of some block (pigeonhole). Queries
  // for k <= 3 probe one bucket per table; k 4..7: 17; k = 8: 137.
  static constexpr int kBlocks = 4;
  // Table b holds, per entry, the three other blocks of the fingerprint (b+1, b+2, b+3 mod 4;
  // block b itself is the bucket's key) and the id: 10 bytes, read in sequence, so that a
  // query streams through its buckets without a random access per candidate (a bucket holds
  // n / 65536 entries).
  struct Record {
    std::uint16_t words[5];  // blocks b+1, b+2, b+3; id low, id high
  };
  struct Table {
    std::vector<Record> records;
    std::vector<std::uint32_t> directory;  // 65537 bucket starts
  };
  template <bool kFiltered>
  void QueryImpl(std::uint64_t fp, int k, std::vector<std::uint32_t>& out, const std::uint64_t* accept) const;

  int max_distance_;
  std::vector<std::uint64_t> pending_fingerprints_;  // added since the last Build
  std::vector<std::uint32_t> pending_ids_;
  std::vector<Table> tables_;
  bool built_ = false;
};

}  // namespace zhcanon::dedup
