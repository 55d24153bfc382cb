// Groups fingerprinted documents into clusters of duplicates, one canonical document each.
//
//   zhcanon::dedup::Clusterer c;                      // defaults: docs/dedup.md
//   for (...) c.Add({.fingerprint = fp, .converted_chars = n, .date = d, .length = len});
//   zhcanon::dedup::Clustering r = c.Run();          // r.canonical_of[i], r.clusters
//
// Candidates: equal exact hash; SimHash within distance k (HammingIndex, exact); or a shared
// paragraph sample (catches truncated and partly edited copies that SimHash misses). Each
// candidate pair is verified (unless verify is off): the estimated Jaccard similarity of the
// feature sets must reach min_jaccard, or the estimated containment must reach
// min_containment with at least one shared paragraph sample.
//
// No chaining: documents are visited best first by the keep policy; a document joins the
// cluster of the best-matching canonical document visited before it (smallest distance, then
// highest similarity, then earliest visited), or becomes canonical itself. So every member
// matches its canonical document directly: a cluster is a star of radius one around its
// canonical document, never a chain. A~B, B~C puts A and C together only when B is the
// canonical document both match; when A (or C) is canonical, B joins it and C (or A) does not
// follow unless it matches A (C) itself.
// Short texts (Fingerprint::short_text) are matched by exact hash only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/dedup/fingerprint.h"

namespace zhcanon::dedup {

enum class KeepPolicy {
  kDefault,   // least converted by t2s, then earliest date, then longest, then first. "Least
              // converted" compares the converted characters as a whole percentage of the text's
              // bytes, so a Simplified original holding one convertible name (昇腾) ties with a
              // truncated copy that lost it, and the date decides; a Traditional copy (10-30%) loses.
  kFirst,     // first seen
  kLongest,   // longest text, then first
  kEarliest,  // earliest date (documents without one last), then first
};
std::string_view KeepPolicyName(KeepPolicy p);
/// Parses "default", "first", "longest", "earliest"; throws std::invalid_argument otherwise.
KeepPolicy ParseKeepPolicy(std::string_view name);

struct ClusterOptions {
  /// SimHash Hamming distance for candidates, 0..HammingIndex::kMaxDistance.
  int max_distance = 3;
  /// Use shared paragraph samples as candidates too.
  bool paragraph_candidates = true;
  /// A paragraph hash shared by more documents than this is boilerplate: not a candidate source.
  int max_paragraph_bucket = 64;
  /// Verify candidates by sketch similarity; off = every candidate is a duplicate.
  bool verify = true;
  /// Chosen on bench/dedup (bench/RESULTS.md, "dedup quality"): F1 0.98, precision 0.993.
  double min_jaccard = 0.3;
  double min_containment = 0.9;
  KeepPolicy keep = KeepPolicy::kDefault;
};

/// Throws std::invalid_argument ("dedup: max_distance must be 0..8, not 9") for options Clusterer
/// does not accept; what its constructor checks.
void CheckClusterOptions(const ClusterOptions& options);

/// What the keep policy and the verification need to know about one document.
struct DocumentEntry {
  Fingerprint fingerprint;
  std::int64_t converted_chars = 0;  // t2s_changed_chars (0 when unknown)
  std::string date;                  // as found; compared after normalizing to ISO order, "" = none
  std::uint64_t length = 0;          // bytes of text
};

enum class MatchKind { kCanonical, kExact, kNear };
std::string_view MatchKindName(MatchKind k);  // "canonical", "exact", "near"

struct Member {
  std::uint32_t doc = 0;      // index in Add order
  MatchKind kind = MatchKind::kCanonical;
  int distance = 0;           // SimHash distance to the canonical document
  double similarity = 1.0;    // estimated Jaccard with the canonical document
  double containment = 1.0;   // estimated containment
  std::string reason;         // why it lost, e.g. "exact duplicate; canonical needed less t2s conversion"
};

struct Cluster {
  std::uint32_t canonical = 0;
  std::vector<Member> members;  // canonical first, then the others in Add order
};

/// Pairs are (document, earlier canonical document) that went through verification: exact
/// duplicates are counted in exact_duplicates only.
struct ClusterStats {
  std::uint64_t documents = 0, short_texts = 0, exact_duplicates = 0, near_duplicates = 0;
  std::uint64_t candidate_pairs = 0, verified_pairs = 0, rejected_pairs = 0;
};

struct Clustering {
  /// For each document (Add order): the canonical document of its cluster (itself if canonical).
  std::vector<std::uint32_t> canonical_of;
  /// Clusters with more than one member, ordered by canonical document.
  std::vector<Cluster> clusters;
  ClusterStats stats;
};

class Clusterer {
 public:
  /// Throws std::invalid_argument for options out of range.
  explicit Clusterer(ClusterOptions options = {});
  /// Returns the document's index (0, 1, 2, … in Add order).
  std::uint32_t Add(DocumentEntry entry);
  /// Clusters everything added so far. Deterministic: the same entries give the same result.
  Clustering Run() const;
  /// Compares two documents the way Run does (for zhcanon check): true when b would join a's
  /// cluster with a as canonical; fills distance/similarity/containment/kind. As in a run of
  /// the two documents added a then b: false when they match but the keep policy prefers b
  /// (`how` still describes the match; Matches(b, a, …) is then true). Paragraph samples count
  /// as candidates whatever the size of their bucket (Run skips buckets beyond
  /// max_paragraph_bucket, which needs the whole corpus).
  bool Matches(const DocumentEntry& a, const DocumentEntry& b, Member* how) const;
  const ClusterOptions& options() const { return options_; }
  std::size_t size() const { return entries_.size(); }

  /// The sortable form of a date as DocumentEntry::date holds it: the leading
  /// YYYY-MM-DD[( |T)hh:mm[:ss]] (also with '/' or '.', or 年月日) as the number YYYYMMDDhhmmss;
  /// anything else, or "", is "no date": INT64_MAX, after every date. Time zones are ignored.
  static std::int64_t ParseDate(std::string_view date);

 private:
  // What Run keeps of a document: the fingerprint fields it uses and the keep keys, the date
  // parsed (no heap allocation per document; 216 bytes).
  struct Entry {
    std::uint64_t exact_hi = 0, exact_lo = 0, simhash = 0;
    std::int64_t converted_chars = 0;  // percent of the text's bytes (see KeepPolicy::kDefault)
    std::int64_t date = 0;
    std::uint64_t length = 0;
    std::array<std::uint64_t, kParagraphSamples> paragraphs{};
    std::array<std::uint16_t, kSketchSize> sketch{};
    std::uint32_t features = 0;
    bool short_text = false;
  };
  static Entry Compact(const DocumentEntry& e);
  struct Match;
  Match Compare(const Entry& canonical, const Entry& doc, bool paragraph_candidate) const;
  bool Before(const Entry& a, std::uint32_t ia, const Entry& b, std::uint32_t ib) const;
  std::string Reason(const Entry& canonical, const Entry& member, const Match& m) const;

  ClusterOptions options_;
  std::vector<Entry> entries_;
};

}  // namespace zhcanon::dedup
