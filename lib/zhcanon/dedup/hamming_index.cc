#include "zhcanon/dedup/hamming_index.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

namespace zhcanon::dedup {

namespace {

constexpr int kBlockBits = 16;
constexpr std::size_t kBuckets = std::size_t{1} << kBlockBits;

inline std::uint32_t Block(std::uint64_t x, int b) {
  return static_cast<std::uint32_t>(x >> (kBlockBits * b)) & (kBuckets - 1);
}

// The 16-bit masks of at most two bits, by number of bits: probe lists for r = 0, 1, 2.
struct ProbeMasks {
  std::array<std::uint16_t, 1 + 16 + 120> masks{};
  std::array<int, 3> count{};  // masks with at most r bits: the first count[r]
  ProbeMasks() {
    int n = 0;
    masks[n++] = 0;
    count[0] = n;
    for (int i = 0; i < 16; ++i) masks[n++] = static_cast<std::uint16_t>(1u << i);
    count[1] = n;
    for (int i = 0; i < 16; ++i)
      for (int j = i + 1; j < 16; ++j) masks[n++] = static_cast<std::uint16_t>(1u << i | 1u << j);
    count[2] = n;
  }
};
const ProbeMasks kProbes;

}  // namespace

HammingIndex::HammingIndex(int max_distance) : max_distance_(max_distance) {
  if (max_distance < 0 || max_distance > kMaxDistance)
    throw std::invalid_argument("HammingIndex: max_distance must be 0.." + std::to_string(kMaxDistance) + ", not " +
                                std::to_string(max_distance));
  static_assert(kMaxDistance / kBlocks <= 2, "probe masks cover at most two bits per block");
}

void HammingIndex::Add(std::uint64_t fingerprint, std::uint32_t id) {
  static_assert(sizeof(Record) == 10, "records are read as 5 packed words");
  pending_fingerprints_.push_back(fingerprint);
  pending_ids_.push_back(id);
  built_ = false;
}

void HammingIndex::Reserve(std::size_t n) {
  pending_fingerprints_.reserve(n);
  pending_ids_.reserve(n);
}

std::size_t HammingIndex::size() const {
  return (tables_.empty() ? 0 : tables_[0].records.size()) + pending_ids_.size();
}

void HammingIndex::Build() {
  if (built_) return;
  // Everything stored so far: the records of table 0 (any order will do, the tables are
  // rebuilt) and the pending.
  std::vector<std::uint64_t> fps = std::move(pending_fingerprints_);
  std::vector<std::uint32_t> ids = std::move(pending_ids_);
  pending_fingerprints_ = {};
  pending_ids_ = {};
  if (!tables_.empty()) {
    const Table& t0 = tables_[0];
    for (std::uint32_t key = 0; key < kBuckets; ++key)
      for (std::uint32_t i = t0.directory[key]; i < t0.directory[key + 1]; ++i) {
        const Record& r = t0.records[i];
        fps.push_back(key | std::uint64_t{r.words[0]} << 16 | std::uint64_t{r.words[1]} << 32 |
                      std::uint64_t{r.words[2]} << 48);
        ids.push_back(r.words[3] | static_cast<std::uint32_t>(r.words[4]) << 16);
      }
  }
  tables_.assign(kBlocks, Table{});
  const std::size_t n = fps.size();
  // A counting sort per block: the histogram is the directory; within a bucket the entries keep
  // their order (the order does not matter: Query sorts what it returns).
  for (int b = 0; b < kBlocks; ++b) {
    Table& t = tables_[b];
    t.directory.assign(kBuckets + 1, 0);
    for (std::uint64_t fp : fps) ++t.directory[Block(fp, b) + 1];
    for (std::size_t i = 1; i <= kBuckets; ++i) t.directory[i] += t.directory[i - 1];
    std::vector<std::uint32_t> next(t.directory.begin(), t.directory.end() - 1);
    t.records.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t fp = fps[i];
      Record& r = t.records[next[Block(fp, b)]++];
      for (int j = 0; j < 3; ++j) r.words[j] = static_cast<std::uint16_t>(Block(fp, (b + 1 + j) % kBlocks));
      r.words[3] = static_cast<std::uint16_t>(ids[i]);
      r.words[4] = static_cast<std::uint16_t>(ids[i] >> 16);
    }
  }
  built_ = true;
}

namespace {

struct ScanArgs {
  std::uint64_t fp;
  int k, r, probes;
  const std::uint16_t* records;  // 5 words each
  const std::uint32_t* directory;
  int block;
  const std::uint64_t* accept;
  std::vector<std::uint32_t>* out;
};

// One table's buckets within r bits of the query's block value. Always inlined into the two
// callers below, so that __builtin_popcountll becomes the POPCNT instruction in the one built
// for it (the library is built for baseline x86-64, where it is a call into libgcc).
template <bool kFiltered>
[[gnu::always_inline]] inline void ScanTable(const ScanArgs& a) {
  const std::uint32_t key = Block(a.fp, a.block);
  // The query's other three blocks in record order (b+1, b+2, b+3).
  std::uint64_t others = 0;
  for (int j = 0; j < 3; ++j) others |= std::uint64_t{Block(a.fp, (a.block + 1 + j) % 4)} << (16 * j);
  constexpr std::uint64_t kLow48 = (std::uint64_t{1} << 48) - 1;
  for (int p = 0; p < a.probes; ++p) {
    const std::uint16_t mask = kProbes.masks[p];
    const int budget = a.k - __builtin_popcount(mask);  // bits left for the other blocks
    const std::uint32_t end = a.directory[(key ^ mask) + 1];
    for (std::uint32_t i = a.directory[key ^ mask]; i < end; ++i) {
      const std::uint16_t* w = a.records + 5 * static_cast<std::size_t>(i);
      std::uint64_t v;
      std::memcpy(&v, w, 8);  // words 0-3: the three blocks and the id's low half
      const std::uint64_t x = (v & kLow48) ^ others;
      if (__builtin_popcountll(x) > budget) continue;
      // Reported by the first block that differs in at most r bits only, so that one entry
      // is found once however many of its blocks qualify. Block e < b is at record word
      // (e - b - 1) mod 4.
      bool earlier = false;
      for (int e = 0; e < a.block && !earlier; ++e)
        earlier = __builtin_popcount(static_cast<std::uint32_t>(x >> (16 * ((e - a.block + 3) % 4))) & 0xFFFF) <= a.r;
      if (earlier) continue;
      const std::uint32_t id = w[3] | static_cast<std::uint32_t>(w[4]) << 16;
      if constexpr (kFiltered) {
        if (!((a.accept[id >> 6] >> (id & 63)) & 1)) continue;
      }
      a.out->push_back(id);
    }
  }
}

template <bool kFiltered>
void ScanTableBaseline(const ScanArgs& a) {
  ScanTable<kFiltered>(a);
}

#if defined(__x86_64__) && defined(__GNUC__)
template <bool kFiltered>
[[gnu::target("popcnt")]] void ScanTablePopcnt(const ScanArgs& a) {
  ScanTable<kFiltered>(a);
}
const bool kHavePopcnt = [] {
  __builtin_cpu_init();  // this may run before libgcc's own constructor
  return __builtin_cpu_supports("popcnt") != 0;
}();
#endif

}  // namespace

template <bool kFiltered>
void HammingIndex::QueryImpl(std::uint64_t fp, int k, std::vector<std::uint32_t>& out,
                             const std::uint64_t* accept) const {
  if (k < 0 || k > max_distance_)
    throw std::invalid_argument("HammingIndex::Query: k must be 0.." + std::to_string(max_distance_) + ", not " +
                                std::to_string(k));
  if (!built_) throw std::logic_error("HammingIndex::Query: Build() was not called after the last Add()");
  const std::size_t start = out.size();
  const int r = k / kBlocks;
  for (int b = 0; b < kBlocks; ++b) {
    const Table& t = tables_[b];
    const ScanArgs args{fp, k, r, kProbes.count[r], t.records.empty() ? nullptr : t.records[0].words,
                        t.directory.data(), b, accept, &out};
#if defined(__x86_64__) && defined(__GNUC__)
    if (kHavePopcnt) {
      ScanTablePopcnt<kFiltered>(args);
      continue;
    }
#endif
    ScanTableBaseline<kFiltered>(args);
  }
  // Ids may repeat when the same id was added more than once.
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(start), out.end()), out.end());
}

void HammingIndex::Query(std::uint64_t fp, int k, std::vector<std::uint32_t>& out) const {
  QueryImpl<false>(fp, k, out, nullptr);
}

void HammingIndex::Query(std::uint64_t fp, int k, std::vector<std::uint32_t>& out, const std::uint64_t* accept) const {
  QueryImpl<true>(fp, k, out, accept);
}

void HammingIndex::Prefetch(std::uint64_t fp) const {
  if (!built_) return;
  for (int b = 0; b < kBlocks; ++b) {
    const Table& t = tables_[b];
    const std::uint32_t key = Block(fp, b);
    const std::uint32_t begin = t.directory[key];
    if (begin < t.records.size()) __builtin_prefetch(&t.records[begin]);
  }
}

double HammingIndex::bytes_per_entry() const {
  const std::size_t n = size();
  if (n == 0) return 0.0;
  std::size_t bytes = pending_fingerprints_.capacity() * 8 + pending_ids_.capacity() * 4;
  for (const Table& t : tables_)
    bytes += t.records.capacity() * sizeof(Record) + t.directory.capacity() * 4;
  return static_cast<double>(bytes) / static_cast<double>(n);
}

}  // namespace zhcanon::dedup
