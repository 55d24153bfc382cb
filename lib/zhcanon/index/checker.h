// What `zhcanon check` finds in new articles: duplicates of indexed documents or of each other,
// documents a stage could not read, missing metadata, and (optionally) articles that the
// pipeline would change. A Checker is the io::DocumentWriter at the end of the usual
// pipeline (decode → strip → t2s → punct), fed the pipeline's problems too:
//
//   zhcanon::index::Checker checker(&index, fingerprinter, options);
//   auto stats = pipeline::Run(reader, stages, checker,
//                              [&](const Problem& p) { checker.OnProblem(p); }, run_options);
//   checker.Commit();                        // compares the new articles with each other
//   for (const auto& doc : checker.documents()) for (const auto& f : doc.findings) …
//
// The duplicate verdict is zhcanon-dedup's: candidates are found the way dedup::Clusterer
// finds them (exact hash, SimHash within the distance, shared paragraph sample; see
// CorpusIndex::Candidates) and verified with dedup::Clusterer::Matches with the indexed
// document as the canonical one; the best match wins (smallest distance, then highest
// similarity, then the earliest indexed); the indexed document with the article's own id is its
// earlier version, never a duplicate. Articles that match nothing indexed are clustered
// with each other by dedup::Clusterer::Run: each one that is not its cluster's canonical
// document is a duplicate of that canonical (new) article.
//
// --canonical needs the text as it was after strip: put SnapshotStages in the chain
// (SnapshotStage(kSourceSnapshot) right after decode, SnapshotStage(kStrippedSnapshot) right
// after strip); the Checker compares the snapshot with the final text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/stage.h"
#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/index/corpus_index.h"
#include "zhcanon/index/unified_diff.h"
#include "zhcanon/io/writer.h"

namespace zhcanon::index {

enum class FindingKind {
  kDuplicate,        // exact or near duplicate of an indexed document
  kBatchDuplicate,   // exact or near duplicate of another article checked in the same run
  kInvalid,          // a problem a stage reported: unreadable, undecodable, bad front matter, no text
  kMissingMetadata,  // a required metadata field is empty or absent
  kNotCanonical,     // the pipeline would change the article (CheckOptions::canonical)
};
/// "duplicate", "batch-duplicate", "invalid", "missing-metadata", "not-canonical".
std::string_view FindingKindName(FindingKind k);

/// The document a duplicate matches.
struct MatchInfo {
  bool indexed = true;  // an indexed document; false: another new article
  std::string id, path, title;
  dedup::MatchKind kind = dedup::MatchKind::kExact;  // kExact or kNear
  int distance = 0;
  double similarity = 1.0, containment = 1.0;
};

struct Finding {
  FindingKind kind = FindingKind::kInvalid;
  Severity severity = Severity::kError;  // kError or kWarning
  std::string message;                   // one line, without the file name
  Location location;                     // in the input file; line 0 = unknown
  std::string stage;                     // kInvalid: the stage that reported it
  std::optional<MatchInfo> match;        // kDuplicate, kBatchDuplicate
  std::vector<std::string> missing;      // kMissingMetadata: the fields
  std::string diff;                      // kNotCanonical: a short unified diff, "" otherwise
};

struct CheckedDocument {
  std::string id;
  std::string path;        // the input file (a JSONL file for records)
  std::string title;       // after the stages ("" when a stage failed the document)
  bool record = false;     // a record of a JSONL input, not a whole file
  bool processed = false;  // went through every stage (false: a stage failed it)
  std::vector<Finding> findings;
};

struct CheckOptions {
  /// Verification: the index's settings by default. max_distance must not exceed the index's.
  /// `keep` decides which of two new duplicates is reported (the other one).
  dedup::ClusterOptions cluster;
  /// Metadata fields that must be present and non-empty: title, date, author, source_url,
  /// summary, lang, tags, categories, or any other key of metadata.extra.
  std::vector<std::string> require;
  /// Report articles whose text or title the stages after strip would change.
  bool canonical = false;
  DiffOptions diff;
  /// Compare the new articles with each other.
  bool batch = true;
};

/// metadata.extra keys the snapshot stages write (removed from nothing: check's documents are
/// never written anywhere).
inline constexpr std::string_view kSourceSnapshot = "zhcanon_check_source";
inline constexpr std::string_view kStrippedSnapshot = "zhcanon_check_stripped";

/// A stage that copies doc.text (and, for kStrippedSnapshot, the title) into
/// metadata.extra[key]. Never fails a document.
class SnapshotStage : public Stage {
 public:
  explicit SnapshotStage(std::string_view key) : key_(key) {}
  std::string_view name() const override { return "snapshot"; }
  void Process(Document& doc, Diagnostics& diag) const override;

 private:
  std::string key_;
};

class Checker : public io::DocumentWriter {
 public:
  /// `index` may be null (no index: only the other findings). `index` and `fingerprinter` are
  /// not owned; `fingerprinter` must have the index's fingerprint options. Throws
  /// std::invalid_argument when options.cluster.max_distance exceeds the index's.
  Checker(const CorpusIndex* index, const dedup::Fingerprinter& fingerprinter, CheckOptions options);
  ~Checker() override;

  /// Records a problem of the pipeline (pipeline::ProblemCallback; input order).
  void OnProblem(const Problem& p);
  /// Fingerprints the document and, with `canonical`, diffs it. Thread-safe.
  std::string Encode(const Document& doc) const override;
  /// Looks the document up in the index and checks its metadata (serial, input order).
  void WriteEncoded(const Document& doc, std::string_view bytes) override;
  /// Compares the new articles with each other. Call once, after the pipeline.
  void Commit() override;

  /// In input order, every document the pipeline yielded (failed ones too).
  const std::vector<CheckedDocument>& documents() const { return documents_; }
  /// Findings in all documents.
  std::size_t findings() const;

 private:
  CheckedDocument& Current(const std::string& id, const std::string& path, bool for_write);

  const CorpusIndex* index_;
  const dedup::Fingerprinter& fingerprinter_;
  CheckOptions options_;
  dedup::Clusterer verifier_;
  std::vector<CheckedDocument> documents_;
  bool current_open_ = false;  // the last document got problems but was not written yet
  // Articles that matched nothing indexed: their entries for the batch comparison.
  std::vector<std::pair<std::size_t, dedup::DocumentEntry>> unmatched_;
  bool committed_ = false;
};

}  // namespace zhcanon::index
