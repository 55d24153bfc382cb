// Adding documents to a CorpusIndex as the end of a pipeline: an io::DocumentWriter that
// fingerprints each document on the worker threads (Encode) and inserts it in the serial step
// (WriteEncoded), inside one batch that Commit() commits. `zhcanon index build` and
// `zhcanon index add` put it behind pipeline::Run with the strip, t2s and punct stages.
//
//   auto index = zhcanon::index::CorpusIndex::Open("corpus.db", zhcanon::index::OpenMode::kReadWrite);
//   zhcanon::dedup::Fingerprinter fingerprinter(index.settings().fingerprint);
//   zhcanon::index::IndexWriter writer(index, fingerprinter, {.command = "zhcanon index add new/"});
//   auto stats = zhcanon::pipeline::Run(reader, stages, writer, on_problem, run_options);
//   if (!stats.aborted && !stats.interrupted) writer.Commit();   // else: nothing was added
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "zhcanon/core/document.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/index/corpus_index.h"
#include "zhcanon/io/writer.h"

namespace zhcanon::index {

/// What the dedup decision needs from a processed document (the same as dedup::DedupWriter
/// takes): `fp`, metadata.extra["t2s_changed_chars"] (0 when absent), metadata.date and the
/// text's length in bytes.
dedup::DocumentEntry EntryFor(const Document& doc, const dedup::Fingerprint& fp);

struct IndexWriterOptions {
  /// Replace an indexed document with the same id (otherwise it is kept and reported).
  bool replace = false;
  /// Commit every this many documents (each such group is a batch of its own); 0 = one batch
  /// for the whole run.
  std::int64_t batch_size = 0;
  /// The batch kind ("build", "add") and the command line recorded with it.
  std::string kind = "add";
  std::string command;
};

struct IndexWriterStats {
  std::int64_t added = 0;     // new ids
  std::int64_t replaced = 0;  // ids that were indexed already (with replace)
  std::int64_t existing = 0;  // ids that were indexed already, left as they were
  std::int64_t batches = 0;   // batches committed
};

class IndexWriter : public io::DocumentWriter {
 public:
  /// Called in the serial step for each document whose id was already indexed (replace off).
  using ExistsCallback = std::function<void(const Document& doc)>;
  /// `index` and `fingerprinter` are not owned and must outlive the writer; `fingerprinter`
  /// must have the index's fingerprint options.
  IndexWriter(CorpusIndex& index, const dedup::Fingerprinter& fingerprinter, IndexWriterOptions options,
              ExistsCallback on_exists = nullptr);
  ~IndexWriter() override;  // rolls back an uncommitted batch

  /// The document's fingerprint (EncodeFingerprint). Thread-safe.
  std::string Encode(const Document& doc) const override;
  /// Adds the document (opening a batch first if none is open). Throws IoError when SQLite fails.
  void WriteEncoded(const Document& doc, std::string_view bytes) override;
  /// Commits the open batch. Throws IoError when the commit fails (then nothing of it remains).
  void Commit() override;
  const IndexWriterStats& stats() const { return stats_; }

 private:
  CorpusIndex& index_;
  const dedup::Fingerprinter& fingerprinter_;
  IndexWriterOptions options_;
  ExistsCallback on_exists_;
  IndexWriterStats stats_;
  std::int64_t in_batch_ = 0;
};

}  // namespace zhcanon::index
