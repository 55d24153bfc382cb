#define BOOST_TEST_MODULE dedup_clusterer
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "dedup_test_util.h"
#include "test_util.h"
#include "zhcanon/convert/converter.h"
#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"

using zhcanon::dedup::Cluster;
using zhcanon::dedup::ClusterOptions;
using zhcanon::dedup::Clusterer;
using zhcanon::dedup::Clustering;
using zhcanon::dedup::DocumentEntry;
using zhcanon::dedup::Fingerprint;
using zhcanon::dedup::Fingerprinter;
using zhcanon::dedup::KeepPolicy;
using zhcanon::dedup::MatchKind;
using zhcanon::dedup::Member;

namespace {

using zhcanon::testing::Paragraphs;
using zhcanon::testing::Seed;
using zhcanon::testing::Traditional;

const Fingerprinter& Fp() {
  static const Fingerprinter fp;
  return fp;
}

// What the t2s stage would record as t2s_changed_chars.
std::int64_t ConvertedChars(const std::string& text) {
  static const zhcanon::convert::Converter t2s;
  zhcanon::convert::ConvertStats stats;
  std::string out;
  t2s.Convert(text, out, &stats);
  return static_cast<std::int64_t>(stats.changed_chars);
}

DocumentEntry Entry(const std::string& text, std::string date = "") {
  DocumentEntry e;
  e.fingerprint = Fp().Compute(text);
  e.converted_chars = ConvertedChars(text);
  e.date = std::move(date);
  e.length = text.size();
  return e;
}

std::string Join(const std::vector<std::string>& paras) {
  std::string out;
  for (const auto& p : paras) out += (out.empty() ? "" : "\n\n") + p;
  return out;
}

// The first 60% of the paragraphs.
std::string Truncated(const std::string& text) {
  auto paras = Paragraphs(text);
  paras.resize(paras.size() * 6 / 10);
  return Join(paras);
}

// Another site's header and footer around the text, with its middle paragraph dropped.
std::string Reposted(const std::string& text) {
  auto paras = Paragraphs(text);
  paras.erase(paras.begin() + static_cast<std::ptrdiff_t>(paras.size() / 2));
  paras.insert(paras.begin(), "首页 | 新闻 | 财经 | 科技 | 娱乐 | 体育 | 汽车 | 房产\n来源：某某网 编辑：王小明 2025-02-08");
  paras.push_back("版权所有 © 2025 某某网 京ICP备12345678号 联系我们 广告服务 免责声明 网站地图");
  paras.push_back("相关阅读：人工智能改变生活 | 新能源汽车销量再创新高 | 春节档电影票房破纪录");
  return Join(paras);
}

// The cluster holding `doc`, or nullptr.
const Cluster* ClusterOf(const Clustering& r, std::uint32_t doc) {
  for (const Cluster& c : r.clusters)
    for (const Member& m : c.members)
      if (m.doc == doc) return &c;
  return nullptr;
}

bool Together(const Clustering& r, std::uint32_t a, std::uint32_t b) { return r.canonical_of[a] == r.canonical_of[b]; }

// A synthetic fingerprint: long enough, with a given SimHash, sketch bins from `seed` and no
// paragraphs, so that a test controls exactly what matches what.
Fingerprint Synthetic(std::uint64_t simhash, std::uint64_t seed) {
  Fingerprint f;
  std::mt19937_64 rng(seed);
  f.exact_hi = rng();
  f.exact_lo = rng();
  f.simhash = simhash;
  f.features = 1000;
  f.view_chars = 1100;
  for (auto& v : f.sketch) v = static_cast<std::uint16_t>(rng());
  return f;
}

DocumentEntry SyntheticEntry(const Fingerprint& f, std::int64_t converted = 0, std::string date = "",
                             std::uint64_t length = 3000) {
  DocumentEntry e;
  e.fingerprint = f;
  e.converted_chars = converted;
  e.date = std::move(date);
  e.length = length;
  return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(keep_policy_names) {
  for (KeepPolicy p : {KeepPolicy::kDefault, KeepPolicy::kFirst, KeepPolicy::kLongest, KeepPolicy::kEarliest})
    BOOST_CHECK(zhcanon::dedup::ParseKeepPolicy(zhcanon::dedup::KeepPolicyName(p)) == p);
  BOOST_CHECK_THROW(zhcanon::dedup::ParseKeepPolicy("newest"), std::invalid_argument);
  BOOST_CHECK_EQUAL(zhcanon::dedup::MatchKindName(MatchKind::kNear), "near");
  BOOST_CHECK_EQUAL(zhcanon::dedup::MatchKindName(MatchKind::kExact), "exact");
  BOOST_CHECK_EQUAL(zhcanon::dedup::MatchKindName(MatchKind::kCanonical), "canonical");
}

BOOST_AUTO_TEST_CASE(rejects_bad_options) {
  auto make = [](auto change) {
    ClusterOptions o;
    change(o);
    return Clusterer(o);
  };
  BOOST_CHECK_THROW(make([](ClusterOptions& o) { o.max_distance = 9; }), std::invalid_argument);
  BOOST_CHECK_THROW(make([](ClusterOptions& o) { o.max_distance = -1; }), std::invalid_argument);
  BOOST_CHECK_THROW(make([](ClusterOptions& o) { o.min_jaccard = 1.5; }), std::invalid_argument);
  BOOST_CHECK_THROW(make([](ClusterOptions& o) { o.min_containment = -0.1; }), std::invalid_argument);
  BOOST_CHECK_THROW(make([](ClusterOptions& o) { o.max_paragraph_bucket = 1; }), std::invalid_argument);
  BOOST_CHECK_NO_THROW(make([](ClusterOptions& o) { o.max_distance = 8; }));
}

BOOST_AUTO_TEST_CASE(parses_dates_loosely) {
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  struct Case {
    const char* date;
    std::int64_t expected;
  };
  const std::vector<Case> cases = {
      {"2025-02-07 23:01:26", 20250207230126},
      {"2025-02-07T23:01:26+08:00", 20250207230126},
      {"2025-02-07T23:01:26Z", 20250207230126},
      {"2025-02-07", 20250207000000},
      {"2025/2/7 9:05", 20250207090500},
      {"2025.02.07", 20250207000000},
      {"2025年2月7日 23:01", 20250207230100},
      {"  2025-02-07", 20250207000000},
      {"2025-02-07 junk", 20250207000000},
      {"2025-13-01", kNone},
      {"2025-02", kNone},
      {"Feb 7, 2025", kNone},
      {"", kNone},
      {"yesterday", kNone},
  };
  for (const Case& c : cases) {
    BOOST_TEST_INFO(c.date);
    BOOST_CHECK_EQUAL(Clusterer::ParseDate(c.date), c.expected);
  }
}

BOOST_AUTO_TEST_CASE(empty_run) {
  const Clustering r = Clusterer().Run();
  BOOST_CHECK(r.canonical_of.empty());
  BOOST_CHECK(r.clusters.empty());
  BOOST_CHECK_EQUAL(r.stats.documents, 0u);
}

// The acceptance test: different stories on the same topic stay apart, while every
// Traditional copy OpenCC makes, a truncated copy and a re-post with another site's header and
// footer join their original, which stays canonical.
BOOST_AUTO_TEST_CASE(seed_copies_cluster_with_their_original_only) {
  const std::vector<std::string> ids = {"000", "001", "002", "003", "004"};
  Clusterer c;
  std::map<std::string, std::uint32_t> doc;
  // The copies come first and later, so neither Add order nor date makes the originals win.
  for (const std::string& id : ids) {
    for (const std::string config : {"s2t", "s2twp", "s2hk"})
      doc[id + "." + config] = c.Add(Entry(Traditional(id, config), "2025-02-08 09:00:00"));
    doc[id + ".truncated"] = c.Add(Entry(Truncated(Seed(id)), "2025-02-08 09:00:00"));
    doc[id + ".reposted"] = c.Add(Entry(Reposted(Seed(id)), "2025-02-07 11:00:00"));
  }
  for (const std::string& id : ids) doc[id] = c.Add(Entry(Seed(id), "2025-02-07 10:00:00"));
  const Clustering r = c.Run();
  BOOST_CHECK_EQUAL(r.clusters.size(), ids.size());
  for (const std::string& a : ids)
    for (const std::string& b : ids)
      if (a < b) {
        BOOST_TEST_INFO(a << " vs " << b);
        BOOST_CHECK(!Together(r, doc[a], doc[b]));
      }
  for (const std::string& id : ids) {
    const std::uint32_t original = doc[id];
    for (const std::string variant : {"s2t", "s2twp", "s2hk", "truncated", "reposted"}) {
      const std::uint32_t copy = doc[id + "." + variant];
      BOOST_TEST_INFO(id << "." << variant);
      BOOST_CHECK(Together(r, copy, original));
      // The Simplified original has the fewest converted characters and the earliest date. Seed
      // 001 is Traditional itself: there the copies with fewer converted characters may win.
      if (id != "001") BOOST_CHECK_EQUAL(r.canonical_of[copy], original);
    }
  }
}

BOOST_AUTO_TEST_CASE(traditional_copy_loses_for_its_converted_characters) {
  Clusterer c;
  const std::uint32_t copy = c.Add(Entry(Traditional("003", "s2twp")));
  const std::uint32_t original = c.Add(Entry(Seed("003")));
  const Clustering r = c.Run();
  BOOST_REQUIRE_EQUAL(r.clusters.size(), 1u);
  const Cluster& cl = r.clusters[0];
  BOOST_CHECK_EQUAL(cl.canonical, original);
  BOOST_REQUIRE_EQUAL(cl.members.size(), 2u);
  BOOST_CHECK_EQUAL(cl.members[0].doc, original);
  BOOST_CHECK(cl.members[0].kind == MatchKind::kCanonical);
  BOOST_CHECK_EQUAL(cl.members[1].doc, copy);
  BOOST_CHECK(cl.members[1].kind == MatchKind::kNear);
  BOOST_CHECK_GT(cl.members[1].similarity, 0.8);
  BOOST_CHECK(cl.members[1].reason.starts_with("near duplicate (distance "));
  BOOST_CHECK(cl.members[1].reason.ends_with("; canonical needed less t2s conversion"));
  BOOST_CHECK_EQUAL(r.stats.near_duplicates, 1u);
}

BOOST_AUTO_TEST_CASE(exact_duplicates) {
  Clusterer c;
  const std::string text = Seed("000");
  c.Add(Entry(text));
  c.Add(Entry(text + "\n\n。"));  // the same view
  c.Add(Entry(text));
  c.Add(Entry(Seed("002")));
  const Clustering r = c.Run();
  BOOST_REQUIRE_EQUAL(r.clusters.size(), 1u);
  const Cluster& cl = r.clusters[0];
  // Same converted characters and dates: the longest text (doc 1, with its extra bytes) wins.
  BOOST_CHECK_EQUAL(cl.canonical, 1u);
  BOOST_REQUIRE_EQUAL(cl.members.size(), 3u);
  BOOST_CHECK_EQUAL(cl.members[1].doc, 0u);
  BOOST_CHECK_EQUAL(cl.members[2].doc, 2u);
  for (std::size_t i = 1; i < 3; ++i) {
    BOOST_CHECK(cl.members[i].kind == MatchKind::kExact);
    BOOST_CHECK_EQUAL(cl.members[i].distance, 0);
    BOOST_CHECK_EQUAL(cl.members[i].similarity, 1.0);
    BOOST_CHECK_EQUAL(cl.members[i].reason, "exact duplicate; canonical is longer");
  }
  BOOST_CHECK_EQUAL(r.stats.exact_duplicates, 2u);
  BOOST_CHECK_EQUAL(r.stats.near_duplicates, 0u);
  BOOST_CHECK_EQUAL(r.canonical_of[3], 3u);
}

BOOST_AUTO_TEST_CASE(short_texts_match_only_exactly) {
  Clusterer c;
  c.Add(Entry("今天天气很好。"));
  c.Add(Entry("今天天气很好！"));  // the same view: exact
  c.Add(Entry("今天天气真好。"));  // one character off: a short text never near-matches
  c.Add(Entry(""));
  c.Add(Entry("。。"));  // empty views are exact duplicates of each other
  const Clustering r = c.Run();
  BOOST_CHECK_EQUAL(r.stats.short_texts, 5u);
  BOOST_CHECK(Together(r, 0, 1));
  BOOST_CHECK(!Together(r, 0, 2));
  BOOST_CHECK(Together(r, 3, 4));
  BOOST_CHECK_EQUAL(r.stats.exact_duplicates, 2u);
  BOOST_CHECK_EQUAL(r.stats.candidate_pairs, 0u);
  // Short texts that happen to have the same SimHash as a long one are not near-matched either.
  Clusterer d;
  Fingerprint f = Synthetic(0xABCDEF, 1), g = Synthetic(0xABCDEF, 1);
  g.exact_lo ^= 1;
  g.short_text = true;
  d.Add(SyntheticEntry(f));
  d.Add(SyntheticEntry(g));
  BOOST_CHECK(!Together(d.Run(), 0, 1));
}

// A~B and B~C must not chain A to C: every member matches its canonical document directly,
// whatever the visit order. (When B is canonical, A and C are both B's duplicates: a star of
// radius one around B, never a chain.)
BOOST_AUTO_TEST_CASE(no_chaining) {
  // SimHash distances: A-B 2, B-C 2, A-C 4 (> k = 3); sketches: A-B and B-C share 48 of 64 bins,
  // A-C 32 (0.5, would verify, but A and C are never candidates: distance 4, no paragraphs).
  const Fingerprint a = Synthetic(0, 1);
  Fingerprint b = Synthetic(0b0011, 2), c = Synthetic(0b1111, 3);
  for (int i = 0; i < 64; ++i) {
    if (i >= 16) b.sketch[i] = a.sketch[i];
    if (i < 16) c.sketch[i] = b.sketch[i];
    if (i >= 32) c.sketch[i] = a.sketch[i];
  }
  BOOST_REQUIRE_EQUAL(zhcanon::dedup::EstimateJaccard(a, b), 0.75);
  BOOST_REQUIRE_EQUAL(zhcanon::dedup::EstimateJaccard(b, c), 0.75);
  BOOST_REQUIRE_EQUAL(zhcanon::dedup::EstimateJaccard(a, c), 0.5);
  const Fingerprint* fps[] = {&a, &b, &c};
  // Every order of adding, and every one of the three preferred by the keep policy.
  std::vector<int> perm = {0, 1, 2};
  do {
    for (int best = 0; best < 3; ++best) {
      Clusterer clusterer;
      std::vector<DocumentEntry> entries(3);
      std::uint32_t id[3];
      for (int k : perm) {
        const DocumentEntry e = SyntheticEntry(*fps[k], k == best ? 0 : 100 * (10 + k));
        id[k] = clusterer.Add(e);
        entries[id[k]] = e;
      }
      const Clustering r = clusterer.Run();
      BOOST_TEST_INFO("preferred " << "ABC"[best]);
      for (std::uint32_t d = 0; d < 3; ++d)
        if (r.canonical_of[d] != d) BOOST_CHECK(clusterer.Matches(entries[r.canonical_of[d]], entries[d], nullptr));
      BOOST_CHECK_EQUAL(r.clusters.size(), 1u);
      if (best == 1) {
        // B canonical: A and C are both duplicates of B (a star around B, not a chain).
        BOOST_CHECK_EQUAL(r.canonical_of[id[0]], id[1]);
        BOOST_CHECK_EQUAL(r.canonical_of[id[2]], id[1]);
      } else {
        // A (or C) canonical: B joins it; C (or A) is not linked to it through B.
        BOOST_CHECK(!Together(r, id[0], id[2]));
        BOOST_CHECK(Together(r, id[best], id[1]));
      }
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
}

BOOST_AUTO_TEST_CASE(joins_the_best_matching_canonical) {
  // X and Y are 6 bits apart (both canonical at k = 4); Y is visited first (fewest converted).
  ClusterOptions o;
  o.max_distance = 4;
  const Fingerprint x = Synthetic(0, 1);
  Fingerprint y = Synthetic(0b111111, 2);
  for (int i = 0; i < 40; ++i) y.sketch[i] = x.sketch[i];  // J(X, Y) = 40/64
  auto run = [&](std::uint64_t d_simhash, const std::array<std::uint16_t, 64>& d_sketch) {
    Fingerprint d = Synthetic(d_simhash, 3);
    d.sketch = d_sketch;
    Clusterer c(o);
    c.Add(SyntheticEntry(x, 500));
    c.Add(SyntheticEntry(y, 0));
    c.Add(SyntheticEntry(d, 1000));
    return c.Run();
  };
  // Closer in SimHash wins over the keep policy: 2 bits from X, 4 from Y.
  Clustering r = run(0b000011, x.sketch);
  BOOST_CHECK_EQUAL(r.canonical_of[0], 0u);
  BOOST_CHECK_EQUAL(r.canonical_of[1], 1u);
  BOOST_CHECK_EQUAL(r.canonical_of[2], 0u);
  // Equal distance (3 and 3): the higher similarity wins (1.0 with X, 0.625 with Y).
  r = run(0b000111, x.sketch);
  BOOST_CHECK_EQUAL(r.canonical_of[2], 0u);
  // Equal distance and similarity: the one visited first (Y).
  std::array<std::uint16_t, 64> both = x.sketch;  // agrees with X and Y on their 40 shared bins only
  for (int i = 40; i < 64; ++i) both[i] = static_cast<std::uint16_t>(x.sketch[i] ^ y.sketch[i] ^ 0x5555);
  r = run(0b000111, both);
  BOOST_CHECK_EQUAL(r.canonical_of[2], 1u);
}

BOOST_AUTO_TEST_CASE(keep_policies) {
  // Four copies of one fingerprint (exact duplicates), differing in what the policies look at.
  const Fingerprint f = Synthetic(42, 42);
  struct Doc {
    std::int64_t converted;
    const char* date;
    std::uint64_t length;
  };
  const std::vector<Doc> docs = {
      {3000, "2025-01-01", 9000},  // 0: earliest date, longest, but converted (33%)
      {0, "2025-03-01", 3000},  // 1: not converted
      {0, "2025-02-01", 2000},  // 2: not converted, earlier than 1
      {0, "", 8000},            // 3: not converted, no date
  };
  struct Case {
    KeepPolicy policy;
    std::uint32_t canonical;
    std::string reason_of_1;  // why doc 1 lost (or "" when it won)
  };
  const std::vector<Case> cases = {
      {KeepPolicy::kDefault, 2, "exact duplicate; canonical has an earlier date"},
      {KeepPolicy::kFirst, 0, "exact duplicate; canonical came first"},
      {KeepPolicy::kLongest, 0, "exact duplicate; canonical is longer"},
      {KeepPolicy::kEarliest, 0, "exact duplicate; canonical has an earlier date"},
  };
  for (const Case& k : cases) {
    ClusterOptions o;
    o.keep = k.policy;
    Clusterer c(o);
    for (const Doc& d : docs) c.Add(SyntheticEntry(f, d.converted, d.date, d.length));
    const Clustering r = c.Run();
    BOOST_TEST_INFO(zhcanon::dedup::KeepPolicyName(k.policy));
    BOOST_REQUIRE_EQUAL(r.clusters.size(), 1u);
    BOOST_CHECK_EQUAL(r.clusters[0].canonical, k.canonical);
    for (const Member& m : r.clusters[0].members)
      if (m.doc == 1) BOOST_CHECK_EQUAL(m.reason, k.reason_of_1);
  }
  // Default policy, the other reasons.
  Clusterer c;
  c.Add(SyntheticEntry(f, 0, "2025-02-01", 2000));  // canonical
  c.Add(SyntheticEntry(f, 3000, "2025-01-01", 9000));  // more converted (33% of the bytes)
  c.Add(SyntheticEntry(f, 0, "", 9000));            // no date
  c.Add(SyntheticEntry(f, 0, "2025-02-01", 1000));  // shorter
  c.Add(SyntheticEntry(f, 0, "2025-02-01", 2000));  // same keys, later
  const Clustering r = c.Run();
  BOOST_REQUIRE_EQUAL(r.clusters.size(), 1u);
  const std::vector<std::string> reasons = {"", "exact duplicate; canonical needed less t2s conversion",
                                            "exact duplicate; canonical has a date",
                                            "exact duplicate; canonical is longer",
                                            "exact duplicate; canonical came first"};
  for (const Member& m : r.clusters[0].members) BOOST_CHECK_EQUAL(m.reason, reasons[m.doc]);
}

BOOST_AUTO_TEST_CASE(verification_rejects_far_candidates) {
  // Same SimHash (a candidate) but unrelated sketches: verification says no; without it, yes.
  const Fingerprint a = Synthetic(7, 1), b = Synthetic(7, 2);
  Clusterer c;
  c.Add(SyntheticEntry(a));
  c.Add(SyntheticEntry(b));
  Clustering r = c.Run();
  BOOST_CHECK(!Together(r, 0, 1));
  BOOST_CHECK_EQUAL(r.stats.candidate_pairs, 1u);
  BOOST_CHECK_EQUAL(r.stats.rejected_pairs, 1u);
  ClusterOptions o;
  o.verify = false;
  Clusterer nv(o);
  nv.Add(SyntheticEntry(a));
  nv.Add(SyntheticEntry(b));
  r = nv.Run();
  BOOST_CHECK(Together(r, 0, 1));
  BOOST_CHECK_EQUAL(r.stats.verified_pairs, 1u);
  BOOST_REQUIRE_EQUAL(r.clusters.size(), 1u);
  BOOST_CHECK(r.clusters[0].members[1].reason.find("not verified") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(paragraph_candidates_and_boilerplate_buckets) {
  // Three documents far apart in SimHash, sharing one paragraph sample, with a containment high
  // enough (the sketches mostly agree): found through the paragraph bucket only.
  Fingerprint f[3];
  for (int i = 0; i < 3; ++i) {
    f[i] = Synthetic(i == 0 ? 0 : i == 1 ? 0xFFFF : 0xFFFF0000, 10);
    f[i].exact_lo += static_cast<std::uint64_t>(i);
    f[i].paragraphs[0] = 12345;
    for (int b = 0; b < 20; ++b) f[i].sketch[b] = static_cast<std::uint16_t>(f[i].sketch[b] + i);  // J = 44/64
  }
  auto run = [&](int bucket, bool paragraphs) {
    ClusterOptions o;
    o.max_paragraph_bucket = bucket;
    o.paragraph_candidates = paragraphs;
    Clusterer c(o);
    for (const auto& x : f) c.Add(SyntheticEntry(x));
    return c.Run();
  };
  const Clustering with = run(64, true);
  BOOST_CHECK(Together(with, 0, 1));
  BOOST_CHECK(Together(with, 0, 2));
  // A sample shared by more documents than max_paragraph_bucket is boilerplate.
  const Clustering boilerplate = run(2, true);
  BOOST_CHECK(!Together(boilerplate, 0, 1));
  BOOST_CHECK(!Together(boilerplate, 0, 2));
  const Clustering off = run(64, false);
  BOOST_CHECK(!Together(off, 0, 1));
}

BOOST_AUTO_TEST_CASE(containment_with_a_shared_paragraph_verifies) {
  // Jaccard below min_jaccard but one text (mostly) inside the other: a truncated copy.
  Fingerprint whole = Synthetic(0, 1), part = Synthetic(0, 1);
  part.exact_lo ^= 1;
  whole.features = 1000;
  part.features = 250;
  for (int b = 0; b < 64; ++b)
    if (b % 16 >= 4) part.sketch[b] = static_cast<std::uint16_t>(~part.sketch[b]);  // J = 16/64 = 0.25
  whole.paragraphs = {5, 6, 7, 8};
  part.paragraphs = {6, 0, 0, 0};
  ClusterOptions o;
  Member how;
  Clusterer c(o);
  BOOST_CHECK(c.Matches(SyntheticEntry(whole), SyntheticEntry(part), &how));
  BOOST_CHECK(how.kind == MatchKind::kNear);
  BOOST_CHECK_LT(how.similarity, o.min_jaccard);
  BOOST_CHECK_GE(how.containment, o.min_containment);
  BOOST_CHECK(how.reason.find("containment") != std::string::npos);
  BOOST_CHECK(how.reason.find("1 shared paragraph)") != std::string::npos);
  part.paragraphs = {9, 0, 0, 0};  // nothing shared: containment alone is not enough
  BOOST_CHECK(!c.Matches(SyntheticEntry(whole), SyntheticEntry(part), &how));
}

BOOST_AUTO_TEST_CASE(matches_agrees_with_run) {
  std::vector<DocumentEntry> entries;
  for (const std::string id : {"000", "002", "003"}) {
    entries.push_back(Entry(Seed(id), "2025-02-07"));
    entries.push_back(Entry(Traditional(id, "s2twp"), "2025-02-06"));
    entries.push_back(Entry(Truncated(Seed(id))));
    entries.push_back(Entry(Reposted(Seed(id)), "2025-02-08"));
  }
  entries.push_back(Entry("很短的文字。"));
  entries.push_back(Entry("很短的文字！"));
  for (KeepPolicy policy : {KeepPolicy::kDefault, KeepPolicy::kFirst, KeepPolicy::kLongest})
    for (const auto& a : entries)
      for (const auto& b : entries) {
        ClusterOptions o;
        o.keep = policy;
        Clusterer c(o);
        c.Add(a);
        c.Add(b);
        const Clustering r = c.Run();
        Member how;
        const bool m = c.Matches(a, b, &how);
        BOOST_CHECK_EQUAL(m, r.canonical_of[1] == 0);
        if (m) {
          BOOST_REQUIRE_EQUAL(r.clusters.size(), 1u);
          const Member& member = r.clusters[0].members[1];
          BOOST_CHECK(member.kind == how.kind);
          BOOST_CHECK_EQUAL(member.distance, how.distance);
          BOOST_CHECK_EQUAL(member.similarity, how.similarity);
          BOOST_CHECK_EQUAL(member.reason, how.reason);
        }
      }
}

BOOST_AUTO_TEST_CASE(deterministic_and_ordered) {
  std::mt19937_64 rng(5);
  Clusterer c;
  // 300 random documents, 100 near copies, some exact copies.
  std::vector<Fingerprint> originals;
  for (int i = 0; i < 300; ++i) {
    originals.push_back(Synthetic(rng(), rng()));
    originals.back().paragraphs = {rng() | 1, 0, 0, 0};
    c.Add(SyntheticEntry(originals.back(), static_cast<std::int64_t>(rng() % 3), "", rng() % 5000));
  }
  for (int i = 0; i < 150; ++i) {
    Fingerprint f = originals[rng() % originals.size()];
    if (i % 3) {
      f.exact_lo = rng();
      f.simhash ^= std::uint64_t{1} << (rng() % 64);
      f.sketch[rng() % 64] ^= 1;
    }
    c.Add(SyntheticEntry(f, static_cast<std::int64_t>(rng() % 3), "2025-01-01", rng() % 5000));
  }
  const Clustering r1 = c.Run(), r2 = c.Run();
  BOOST_CHECK(r1.canonical_of == r2.canonical_of);
  BOOST_REQUIRE_EQUAL(r1.clusters.size(), r2.clusters.size());
  BOOST_CHECK_EQUAL(r1.stats.documents, 450u);
  std::uint64_t members = 0;
  for (std::size_t i = 0; i < r1.clusters.size(); ++i) {
    const Cluster& a = r1.clusters[i];
    const Cluster& b = r2.clusters[i];
    BOOST_CHECK_EQUAL(a.canonical, b.canonical);
    BOOST_REQUIRE_EQUAL(a.members.size(), b.members.size());
    if (i > 0) BOOST_CHECK_LT(r1.clusters[i - 1].canonical, a.canonical);  // by canonical document
    BOOST_CHECK_EQUAL(a.members[0].doc, a.canonical);
    for (std::size_t m = 1; m < a.members.size(); ++m) {
      BOOST_CHECK_EQUAL(a.members[m].doc, b.members[m].doc);
      BOOST_CHECK_EQUAL(a.members[m].reason, b.members[m].reason);
      if (m > 1) BOOST_CHECK_LT(a.members[m - 1].doc, a.members[m].doc);  // then in Add order
      BOOST_CHECK_EQUAL(r1.canonical_of[a.members[m].doc], a.canonical);
    }
    members += a.members.size() - 1;
  }
  BOOST_CHECK_EQUAL(members, r1.stats.exact_duplicates + r1.stats.near_duplicates);
  BOOST_CHECK_GE(members, 140u);  // the planted copies were found
  BOOST_CHECK_EQUAL(r1.stats.candidate_pairs, r1.stats.verified_pairs + r1.stats.rejected_pairs);
}
