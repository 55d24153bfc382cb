#include "zhcanon/dedup/clusterer.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <optional>
#include <stdexcept>

#include "zhcanon/dedup/hamming_index.h"

namespace zhcanon::dedup {

namespace {

constexpr std::int64_t kNoDate = std::numeric_limits<std::int64_t>::max();
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Signed to unsigned, order kept.
inline std::uint64_t Ordered(std::int64_t v) { return static_cast<std::uint64_t>(v) ^ (std::uint64_t{1} << 63); }

struct SortKey {
  std::uint64_t a, b, c;
  std::uint32_t doc;
  bool operator<(const SortKey& o) const {
    if (a != o.a) return a < o.a;
    if (b != o.b) return b < o.b;
    if (c != o.c) return c < o.c;
    return doc < o.doc;
  }
};

template <std::size_t N>
int EqualBins(const std::array<std::uint16_t, N>& a, const std::array<std::uint16_t, N>& b) {
  int equal = 0;
  for (std::size_t i = 0; i < N; ++i) equal += a[i] == b[i];
  return equal;
}

int Shared(const std::array<std::uint64_t, kParagraphSamples>& a, const std::array<std::uint64_t, kParagraphSamples>& b) {
  int shared = 0;
  for (std::uint64_t x : a) {
    if (x == 0) continue;
    for (std::uint64_t y : b)
      if (x == y) {
        ++shared;
        break;
      }
  }
  return shared;
}

// Canonical documents by exact hash, for "has an earlier canonical document the same view?".
// Open addressing with a 32-bit tag beside each document index, so that a probe rarely has to
// look at the document itself.
class ExactTable {
 public:
  explicit ExactTable(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 3 < n * 4) cap <<= 1;
    slots_.assign(cap, Slot{kNone, 0});
    mask_ = cap - 1;
  }
  template <typename Entries>
  std::uint32_t Find(const Entries& entries, std::uint64_t hi, std::uint64_t lo) const {
    const std::uint32_t tag = static_cast<std::uint32_t>(hi);
    for (std::size_t i = lo & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.doc == kNone) return kNone;
      if (s.tag == tag && entries[s.doc].exact_hi == hi && entries[s.doc].exact_lo == lo) return s.doc;
    }
  }
  void Prefetch(std::uint64_t lo) const { __builtin_prefetch(&slots_[lo & mask_]); }
  void Insert(std::uint64_t hi, std::uint64_t lo, std::uint32_t doc) {
    std::size_t i = lo & mask_;
    while (slots_[i].doc != kNone) i = (i + 1) & mask_;
    slots_[i] = Slot{doc, static_cast<std::uint32_t>(hi)};
  }

 private:
  struct Slot {
    std::uint32_t doc, tag;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

// Documents that share a paragraph sample, grouped by sample: buckets of 2..max_bucket
// documents (a sample shared by more is boilerplate), and per (document, slot) its bucket.
class ParagraphBuckets {
 public:
  template <typename Entries>
  ParagraphBuckets(const Entries& entries, std::size_t max_bucket) {
    const std::size_t n = entries.size();
    // One uint64 per sample: the sample's high bits above (document, slot), so sorting groups
    // equal samples. Samples that agree only in their high bits land in one bucket: a few spurious
    // candidates, which verification (on the full samples) sorts out.
    int ref_bits = 1;
    while (ref_bits < 63 && (std::uint64_t{1} << ref_bits) < n * kParagraphSamples) ++ref_bits;
    const std::uint64_t ref_mask = (std::uint64_t{1} << ref_bits) - 1;
    // Counting sort by the top 16 bits, then a small sort per bucket: far faster than one big sort.
    constexpr int kTopBits = 16;
    std::vector<std::uint32_t> start((std::size_t{1} << kTopBits) + 1, 0);
    std::size_t total = 0;
    for (std::size_t d = 0; d < n; ++d) {
      if (entries[d].short_text) continue;
      for (std::uint64_t p : entries[d].paragraphs)
        if (p != 0) ++start[(p >> (64 - kTopBits)) + 1], ++total;
    }
    if (total < 2) return;
    for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    std::vector<std::uint64_t> keys(total);
    {
      std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
      for (std::size_t d = 0; d < n; ++d) {
        if (entries[d].short_text) continue;
        for (int s = 0; s < kParagraphSamples; ++s) {
          const std::uint64_t p = entries[d].paragraphs[s];
          if (p == 0) continue;
          keys[next[p >> (64 - kTopBits)]++] = (p & ~ref_mask) | (d * kParagraphSamples + s);
        }
      }
    }
    for (std::size_t b = 0; b + 1 < start.size(); ++b)
      if (start[b + 1] - start[b] > 1) std::sort(keys.begin() + start[b], keys.begin() + start[b + 1]);
    refs_.assign(n * kParagraphSamples, kNone);
    offsets_.push_back(0);
    for (std::size_t i = 0; i < total;) {
      std::size_t j = i + 1;
      while (j < total && (keys[j] & ~ref_mask) == (keys[i] & ~ref_mask)) ++j;
      if (j - i >= 2 && j - i <= max_bucket) {
        const auto bucket = static_cast<std::uint32_t>(offsets_.size() - 1);
        std::uint32_t last_doc = kNone;
        for (std::size_t k = i; k < j; ++k) {
          const std::uint64_t ref = keys[k] & ref_mask;
          refs_[ref] = bucket;
          const auto doc = static_cast<std::uint32_t>(ref / kParagraphSamples);
          if (doc != last_doc) docs_.push_back(doc);  // a document twice in a bucket: high-bit twins
          last_doc = doc;
        }
        offsets_.push_back(static_cast<std::uint32_t>(docs_.size()));
      }
      i = j;
    }
  }
  void Prefetch(std::uint32_t doc) const {
    if (!refs_.empty()) __builtin_prefetch(&refs_[static_cast<std::size_t>(doc) * kParagraphSamples]);
  }
  /// Appends the documents sharing slot `s` of `doc` (including `doc`) that `accept` has.
  void Collect(std::uint32_t doc, const std::uint64_t* accept, std::vector<std::uint32_t>& out) const {
    if (refs_.empty()) return;
    for (int s = 0; s < kParagraphSamples; ++s) {
      const std::uint32_t b = refs_[static_cast<std::size_t>(doc) * kParagraphSamples + s];
      if (b == kNone) continue;
      for (std::uint32_t k = offsets_[b]; k < offsets_[b + 1]; ++k) {
        const std::uint32_t other = docs_[k];
        if ((accept[other >> 6] >> (other & 63)) & 1) out.push_back(other);
      }
    }
  }

 private:
  std::vector<std::uint32_t> refs_;  // per (document, slot): bucket, or kNone
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> docs_;
};

std::string Fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A join decided during Run, for the report.
struct Join {
  std::uint32_t doc, canonical;
  MatchKind kind;
};

}  // namespace

struct Clusterer::Match {
  bool candidate = false, matched = false, exact = false, by_containment = false;
  int distance = 0, shared = 0;
  double similarity = 0, containment = 0;
};

std::string_view KeepPolicyName(KeepPolicy p) {
  switch (p) {
    case KeepPolicy::kFirst: return "first";
    case KeepPolicy::kLongest: return "longest";
    case KeepPolicy::kEarliest: return "earliest";
    default: return "default";
  }
}

KeepPolicy ParseKeepPolicy(std::string_view name) {
  for (KeepPolicy p : {KeepPolicy::kDefault, KeepPolicy::kFirst, KeepPolicy::kLongest, KeepPolicy::kEarliest})
    if (KeepPolicyName(p) == name) return p;
  throw std::invalid_argument("unknown keep policy '" + std::string(name) +
                              "' (expected default, first, longest or earliest)");
}

std::string_view MatchKindName(MatchKind k) {
  switch (k) {
    case MatchKind::kExact: return "exact";
    case MatchKind::kNear: return "near";
    default: return "canonical";
  }
}

void CheckClusterOptions(const ClusterOptions& o) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("dedup: " + what); };
  auto text = [](double v) {  // "1.9", not std::to_string's "1.900000"
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
  };
  if (o.max_distance < 0 || o.max_distance > HammingIndex::kMaxDistance)
    fail("max_distance must be 0.." + std::to_string(HammingIndex::kMaxDistance) + ", not " +
         std::to_string(o.max_distance));
  if (o.max_paragraph_bucket < 2)
    fail("max_paragraph_bucket must be at least 2, not " + std::to_string(o.max_paragraph_bucket));
  if (!(o.min_jaccard >= 0.0 && o.min_jaccard <= 1.0)) fail("min_jaccard must be 0..1, not " + text(o.min_jaccard));
  if (!(o.min_containment >= 0.0 && o.min_containment <= 1.0))
    fail("min_containment must be 0..1, not " + text(o.min_containment));
  if (o.keep != KeepPolicy::kDefault && o.keep != KeepPolicy::kFirst && o.keep != KeepPolicy::kLongest &&
      o.keep != KeepPolicy::kEarliest)
    fail("unknown keep policy");
}

Clusterer::Clusterer(ClusterOptions options) : options_(options) { CheckClusterOptions(options_); }

std::int64_t Clusterer::ParseDate(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  auto number = [&](int min_digits, int max_digits, int& out) {
    int digits = 0, v = 0;
    while (i < s.size() && digits < max_digits && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0'), ++digits;
    out = v;
    return digits >= min_digits;
  };
  // One of the separators; `cjk` is the UTF-8 of 年, 月 or 日 (also accepted).
  auto separator = [&](const char* cjk, bool required) {
    if (i < s.size() && (s[i] == '-' || s[i] == '/' || s[i] == '.')) return ++i, true;
    if (s.substr(i, 3) == cjk) return i += 3, true;
    return !required;
  };
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!number(4, 4, year) || !separator("\xE5\xB9\xB4", true) || !number(1, 2, month) ||
      !separator("\xE6\x9C\x88", true) || !number(1, 2, day))
    return kNoDate;
  if (s.substr(i, 3) == "\xE6\x97\xA5") i += 3;  // 日
  if (month < 1 || month > 12 || day < 1 || day > 31) return kNoDate;
  const std::size_t date_end = i;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    ++i;
    while (i < s.size() && s[i] == ' ') ++i;
    int h, m, sec = 0;
    bool ok = number(1, 2, h) && i < s.size() && s[i++] == ':' && number(2, 2, m);
    if (ok && i < s.size() && s[i] == ':') {
      ++i;
      ok = number(2, 2, sec);
    }
    if (ok && h < 24 && m < 60 && sec <= 60) hour = h, minute = m, second = sec;
  }
  (void)date_end;
  return ((((static_cast<std::int64_t>(year) * 100 + month) * 100 + day) * 100 + hour) * 100 + minute) * 100 + second;
}

Clusterer::Entry Clusterer::Compact(const DocumentEntry& d) {
  Entry e;
  const Fingerprint& f = d.fingerprint;
  e.exact_hi = f.exact_hi;
  e.exact_lo = f.exact_lo;
  e.simhash = f.simhash;
  // Whole percent of the bytes: a few convertible names in a Simplified text round to 0.
  e.converted_chars = d.converted_chars <= 0 ? 0 : d.converted_chars * 100 / static_cast<std::int64_t>(std::max<std::uint64_t>(d.length, 1));
  e.date = ParseDate(d.date);
  e.length = d.length;
  e.paragraphs = f.paragraphs;
  e.sketch = f.sketch;
  e.features = f.features;
  e.short_text = f.short_text;
  return e;
}

std::uint32_t Clusterer::Add(DocumentEntry entry) {
  if (entries_.size() >= kNone) throw std::length_error("dedup: more than 2^32 - 1 documents");
  entries_.push_back(Compact(entry));
  return static_cast<std::uint32_t>(entries_.size() - 1);
}

bool Clusterer::Before(const Entry& a, std::uint32_t ia, const Entry& b, std::uint32_t ib) const {
  switch (options_.keep) {
    case KeepPolicy::kFirst: break;
    case KeepPolicy::kLongest:
      if (a.length != b.length) return a.length > b.length;
      break;
    case KeepPolicy::kEarliest:
      if (a.date != b.date) return a.date < b.date;
      break;
    default:
      if (a.converted_chars != b.converted_chars) return a.converted_chars < b.converted_chars;
      if (a.date != b.date) return a.date < b.date;
      if (a.length != b.length) return a.length > b.length;
      break;
  }
  return ia < ib;
}

Clusterer::Match Clusterer::Compare(const Entry& c, const Entry& d, bool paragraph_candidate) const {
  Match m;
  m.distance = __builtin_popcountll(c.simhash ^ d.simhash);
  if (c.exact_hi == d.exact_hi && c.exact_lo == d.exact_lo) {
    m.candidate = m.matched = m.exact = true;
    m.similarity = m.containment = 1.0;
    return m;
  }
  if (c.short_text || d.short_text) return m;
  m.shared = Shared(c.paragraphs, d.paragraphs);
  m.candidate = m.distance <= options_.max_distance || (paragraph_candidate && m.shared > 0);
  if (c.features == 0 || d.features == 0) {
    m.similarity = m.containment = c.features == d.features ? 1.0 : 0.0;
  } else {
    m.similarity = static_cast<double>(EqualBins(c.sketch, d.sketch)) / kSketchSize;
    const double na = c.features, nb = d.features;
    m.containment = std::clamp(m.similarity * (na + nb) / (1.0 + m.similarity) / std::min(na, nb), 0.0, 1.0);
  }
  if (!m.candidate) return m;
  if (!options_.verify) {
    m.matched = true;
  } else if (m.similarity >= options_.min_jaccard) {
    m.matched = true;
  } else if (m.containment >= options_.min_containment && m.shared > 0) {
    m.matched = m.by_containment = true;
  }
  return m;
}

std::string Clusterer::Reason(const Entry& c, const Entry& d, const Match& m) const {
  std::string r;
  if (m.exact) {
    r = "exact duplicate";
  } else {
    r = "near duplicate (distance " + std::to_string(m.distance) + ", similarity " + Fixed2(m.similarity);
    if (m.by_containment)
      r += ", containment " + Fixed2(m.containment) + ", " + std::to_string(m.shared) + " shared paragraph" +
           (m.shared == 1 ? "" : "s");
    if (!options_.verify) r += ", not verified";
    r += ")";
  }
  // Why the canonical document won: the first key of the policy on which they differ.
  const char* why = "canonical came first";
  const bool keys_converted = options_.keep == KeepPolicy::kDefault;
  const bool keys_date = options_.keep == KeepPolicy::kDefault || options_.keep == KeepPolicy::kEarliest;
  const bool keys_length = options_.keep == KeepPolicy::kDefault || options_.keep == KeepPolicy::kLongest;
  if (keys_converted && c.converted_chars != d.converted_chars) {
    why = "canonical needed less t2s conversion";
  } else if (keys_date && c.date != d.date) {
    why = d.date == kNoDate ? "canonical has a date" : "canonical has an earlier date";
  } else if (keys_length && c.length != d.length) {
    why = "canonical is longer";
  }
  return r + "; " + why;
}

bool Clusterer::Matches(const DocumentEntry& a, const DocumentEntry& b, Member* how) const {
  const Entry ea = Compact(a), eb = Compact(b);
  const Match m = Compare(ea, eb, options_.paragraph_candidates);
  const bool wins = m.matched && Before(ea, 0, eb, 1);
  if (how) {
    how->doc = 1;
    how->kind = !m.matched ? MatchKind::kCanonical : m.exact ? MatchKind::kExact : MatchKind::kNear;
    how->distance = m.distance;
    how->similarity = m.similarity;
    how->containment = m.containment;
    how->reason = wins ? Reason(ea, eb, m) : "";
  }
  return wins;
}

Clustering Clusterer::Run() const {
  const std::size_t n = entries_.size();
  Clustering result;
  ClusterStats& stats = result.stats;
  stats.documents = n;
  result.canonical_of.assign(n, kNone);

  // Visit order: best first by the keep policy.
  std::vector<std::uint32_t> order(n);
  {
    std::vector<SortKey> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Entry& e = entries_[i];
      SortKey& k = keys[i];
      k.doc = static_cast<std::uint32_t>(i);
      k.a = k.b = k.c = 0;
      switch (options_.keep) {
        case KeepPolicy::kFirst: break;
        case KeepPolicy::kLongest: k.a = ~e.length; break;
        case KeepPolicy::kEarliest: k.a = Ordered(e.date); break;
        default:
          k.a = Ordered(e.converted_chars);
          k.b = Ordered(e.date);
          k.c = ~e.length;
          break;
      }
    }
    if (options_.keep != KeepPolicy::kFirst) std::sort(keys.begin(), keys.end());
    for (std::size_t i = 0; i < n; ++i) order[i] = keys[i].doc;
  }
  std::vector<std::uint32_t> rank(n);
  for (std::size_t i = 0; i < n; ++i) rank[order[i]] = static_cast<std::uint32_t>(i);

  HammingIndex index(options_.max_distance);
  {
    std::size_t long_texts = 0;
    for (const Entry& e : entries_) long_texts += !e.short_text;
    stats.short_texts = n - long_texts;
    index.Reserve(long_texts);
    for (std::size_t i = 0; i < n; ++i)
      if (!entries_[i].short_text) index.Add(entries_[i].simhash, static_cast<std::uint32_t>(i));
    index.Build();
  }
  std::optional<ParagraphBuckets> paragraphs;
  if (options_.paragraph_candidates)
    paragraphs.emplace(entries_, static_cast<std::size_t>(options_.max_paragraph_bucket));

  ExactTable exact(n);
  // Canonical documents so far: exactly the candidates a document may join (all were visited
  // before it, which the visit order guarantees).
  std::vector<std::uint64_t> canonical((n + 63) / 64, 0);
  std::vector<Join> joins;
  std::vector<std::uint32_t> candidates;
  candidates.reserve(256);

  // The visit order is random in memory: each document costs a few cache misses (its entry, its
  // exact-table slot, its index buckets, its paragraph refs). They are prefetched ahead, in two
  // stages, since the later addresses depend on the entry.
  constexpr std::size_t kAheadEntry = 16, kAheadRest = 8;
  auto prefetch_entry = [&](std::uint32_t d) {
    const char* p = reinterpret_cast<const char*>(&entries_[d]);
    __builtin_prefetch(p);
    __builtin_prefetch(p + sizeof(Entry) - 1);
  };
  for (std::size_t i = 0; i < std::min(n, kAheadEntry); ++i) prefetch_entry(order[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAheadEntry < n) prefetch_entry(order[i + kAheadEntry]);
    if (i + kAheadRest < n) {
      const std::uint32_t ahead = order[i + kAheadRest];
      const Entry& a = entries_[ahead];
      exact.Prefetch(a.exact_lo);
      if (!a.short_text) {
        index.Prefetch(a.simhash);
        if (paragraphs) paragraphs->Prefetch(ahead);
      }
    }
    const std::uint32_t d = order[i];
    const Entry& e = entries_[d];
    const std::uint32_t twin = exact.Find(entries_, e.exact_hi, e.exact_lo);
    if (twin != kNone) {
      result.canonical_of[d] = twin;
      joins.push_back({d, twin, MatchKind::kExact});
      ++stats.exact_duplicates;
      continue;
    }
    std::uint32_t best = kNone;
    Match best_match;
    if (!e.short_text) {
      candidates.clear();
      index.Query(e.simhash, options_.max_distance, candidates, canonical.data());
      if (paragraphs) {
        const std::size_t before = candidates.size();
        paragraphs->Collect(d, canonical.data(), candidates);
        if (candidates.size() > before) {
          std::sort(candidates.begin(), candidates.end());
          candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        }
      }
      for (std::uint32_t c : candidates) {
        const Match m = Compare(entries_[c], e, paragraphs.has_value());
        if (!m.candidate) continue;  // a spurious paragraph bucket mate (high bits only)
        ++stats.candidate_pairs;
        if (!m.matched) {
          ++stats.rejected_pairs;
          continue;
        }
        ++stats.verified_pairs;
        if (best == kNone || m.distance < best_match.distance ||
            (m.distance == best_match.distance &&
             (m.similarity > best_match.similarity ||
              (m.similarity == best_match.similarity && rank[c] < rank[best])))) {
          best = c;
          best_match = m;
        }
      }
    }
    if (best != kNone) {
      result.canonical_of[d] = best;
      joins.push_back({d, best, MatchKind::kNear});
      ++stats.near_duplicates;
      continue;
    }
    result.canonical_of[d] = d;
    canonical[d >> 6] |= std::uint64_t{1} << (d & 63);
    exact.Insert(e.exact_hi, e.exact_lo, d);
  }

  // Clusters by canonical document, members in Add order after the canonical one.
  std::sort(joins.begin(), joins.end(), [](const Join& a, const Join& b) {
    return a.canonical != b.canonical ? a.canonical < b.canonical : a.doc < b.doc;
  });
  for (std::size_t i = 0; i < joins.size();) {
    Cluster cluster;
    cluster.canonical = joins[i].canonical;
    cluster.members.push_back(Member{cluster.canonical, MatchKind::kCanonical, 0, 1.0, 1.0, ""});
    const Entry& c = entries_[cluster.canonical];
    for (; i < joins.size() && joins[i].canonical == cluster.canonical; ++i) {
      const Join& j = joins[i];
      // Recomputed rather than kept from the loop: only duplicates pay for it.
      const Match m = Compare(c, entries_[j.doc], paragraphs.has_value());
      Member member;
      member.doc = j.doc;
      member.kind = j.kind;
      member.distance = m.distance;
      member.similarity = m.similarity;
      member.containment = m.containment;
      member.reason = Reason(c, entries_[j.doc], m);
      cluster.members.push_back(std::move(member));
    }
    result.clusters.push_back(std::move(cluster));
  }
  return result;
}

}  // namespace zhcanon::dedup
