// The persistent index of an accepted corpus: a SQLite database (WAL mode) holding, per
// document, its id, path, title, date and everything the dedup decision needs (the whole
// dedup::Fingerprint, converted characters, length), so that `zhcanon check` can ask "which
// indexed documents are duplicates of this one" without scanning the table and reach the same
// verdict as zhcanon-dedup (dedup::Clusterer::Matches).
//
//   auto index = zhcanon::index::CorpusIndex::Create("corpus.db", {});   // or Open(path, kReadWrite)
//   index.BeginBatch("add", "zhcanon index add new/");
//   index.Add(doc, /*replace=*/false);                 // IndexedDocument: id, path, title, entry
//   index.CommitBatch();                               // all of the batch or (killed) none
//
//   auto ro = zhcanon::index::CorpusIndex::Open("corpus.db", zhcanon::index::OpenMode::kReadOnly);
//   for (std::int64_t doc : ro.Candidates(fingerprint, 3, 64)) ro.Get(doc);   // then verify
//
// Lookup without scanning (docs/index.md):
//   - exact: an index on the 128-bit exact hash;
//   - near: pigeonhole over the 64-bit SimHash. With max distance k the SimHash is cut into
//     k+1 blocks (16 bits each for the default k = 3); two SimHashes within distance k agree
//     on at least one whole block, so each block is a column with its own index, a query reads
//     the rows that share one of its blocks and keeps those whose popcount distance is <= k;
//   - paragraphs: a table (paragraph hash, document) with the documents' paragraph samples.
//
// Transactions: every change happens inside a batch (BEGIN IMMEDIATE … COMMIT), so a process
// killed at any moment leaves the database holding all of a batch or none of it. Readers
// (other connections, other processes) keep working while a writer adds: WAL mode, and a busy
// timeout so that two writers wait for each other instead of failing.
//
// Thread safety: one CorpusIndex (one SQLite connection) is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"

struct sqlite3;

namespace zhcanon::index {

/// The database schema this code reads and writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 1;
/// PRAGMA application_id of a zhcanon index ("zhci").
inline constexpr std::int32_t kApplicationId = 0x7a686369;

/// What an index is built with, stored in its meta table and read back by Open. Documents
/// added later are fingerprinted with the same options, and `check` verifies candidates with
/// the same cluster options unless told otherwise.
struct IndexSettings {
  /// The largest SimHash distance the index answers (0..dedup::HammingIndex::kMaxDistance):
  /// the SimHash is stored as max_distance + 1 indexed blocks.
  int max_distance = dedup::ClusterOptions{}.max_distance;
  dedup::FingerprintOptions fingerprint;
  /// Verification defaults for `check` (max_distance and keep are not used from here).
  dedup::ClusterOptions cluster;
  /// How documents were prepared before fingerprinting, for people ("strip,t2s=auto,punct=zh-hans"
  /// or "raw"). Not interpreted.
  std::string pipeline;
};

/// One indexed document.
struct IndexedDocument {
  std::int64_t rowid = 0;  // assigned by Add; the "earliest" order of ties
  std::string id;          // unique in the index
  std::string path;
  std::string title;
  dedup::DocumentEntry entry;  // fingerprint, converted_chars, date, length
  std::int64_t batch = 0;      // the batch that added it
};

struct IndexStats {
  std::int64_t documents = 0;
  std::int64_t short_texts = 0;
  std::int64_t paragraph_rows = 0;
  std::int64_t batches = 0;
  std::int64_t file_bytes = 0;  // the database file (not its -wal)
  std::int64_t wal_bytes = 0;
  int schema_version = 0;
  std::string created;          // UTC, ISO 8601
  std::string zhcanon_version;  // of the build that created it
  std::string last_batch;       // UTC time of the last committed batch ("" if none)
};

enum class OpenMode { kReadOnly, kReadWrite };

/// What Add did with a document.
enum class AddResult {
  kAdded,
  kReplaced,  // an indexed document with the same id was replaced (replace = true)
  kExists,    // an indexed document has that id; nothing changed (replace = false)
};

class CorpusIndex {
 public:
  /// Creates a new index at `path` (which must not exist: IoError otherwise, as for an
  /// unwritable directory). Throws ConfigError for settings out of range.
  static CorpusIndex Create(const std::string& path, const IndexSettings& settings);
  /// Opens an existing index. Throws IoError when it cannot be opened (missing file, no
  /// permission) and ConfigError when the file is not a zhcanon index, has a schema version this
  /// build does not know, or stores fingerprints in another layout. `busy_timeout_ms` is how
  /// long a statement waits for another connection's lock before failing.
  static CorpusIndex Open(const std::string& path, OpenMode mode, int busy_timeout_ms = 10000);

  CorpusIndex(CorpusIndex&&) noexcept;
  CorpusIndex& operator=(CorpusIndex&&) noexcept;
  ~CorpusIndex();  // rolls back an uncommitted batch

  const IndexSettings& settings() const { return settings_; }
  const std::string& path() const { return path_; }

  // --- Changing the index. Every change happens inside a batch. Throws IoError when SQLite
  // fails (disk full, database locked past the busy timeout, read-only database).

  /// Starts a batch: a write transaction (BEGIN IMMEDIATE, waiting up to the busy timeout
  /// for another writer) and a row in the batches table. `kind` is "build", "add" or
  /// "remove"; `command` is recorded for people. Throws std::logic_error if one is open.
  void BeginBatch(std::string_view kind, std::string_view command);
  /// Adds (or with `replace`, replaces) a document. Throws std::logic_error outside a batch.
  AddResult Add(const IndexedDocument& doc, bool replace);
  /// Removes the document with this id; false when there is none.
  bool Remove(std::string_view id);
  /// Commits the batch (all of it becomes visible at once).
  void CommitBatch();
  /// Rolls the batch back (nothing of it remains). Does nothing when no batch is open.
  void RollbackBatch();
  bool in_batch() const { return in_batch_; }
  /// Documents added (or replaced) and removed in the open batch.
  std::int64_t batch_added() const { return batch_added_; }
  std::int64_t batch_removed() const { return batch_removed_; }

  // --- Reading. Each call sees the last committed state (or the open batch's own changes).

  /// Rowids of indexed documents that are candidates for `fp` the way dedup::Clusterer finds
  /// them: the same exact hash; a SimHash within `distance` (<= settings().max_distance, else
  /// std::invalid_argument); or, when `paragraph_bucket_limit` > 0, a shared paragraph sample
  /// whose hash fewer than `paragraph_bucket_limit` indexed documents share (a paragraph many
  /// documents share is boilerplate, as ClusterOptions::max_paragraph_bucket says). Ascending,
  /// each once. Reads only the index entries of the query's own keys.
  std::vector<std::int64_t> Candidates(const dedup::Fingerprint& fp, int distance,
                                       int paragraph_bucket_limit) const;
  /// The document with this rowid, or nothing.
  std::optional<IndexedDocument> Get(std::int64_t rowid) const;
  /// The document with this id, or nothing.
  std::optional<IndexedDocument> Find(std::string_view id) const;
  /// Calls `fn` with every indexed document in rowid order (for tests and brute-force checks).
  void ForEach(const std::function<void(const IndexedDocument&)>& fn) const;
  /// Counts the rows (reads a whole index: tens of milliseconds per million documents).
  IndexStats Stats() const;
  /// The number of documents from the batches table (added − removed, which Verify checks
  /// against the rows): instant at any size.
  std::int64_t DocumentCount() const;

  /// Checks the database: SQLite's integrity_check, then zhcanon's own invariants (every
  /// document's blocks and paragraph rows match its fingerprint, no paragraph row without its
  /// document, every batch's document count matches the documents it added). Returns the
  /// problems found, one line each; empty when consistent.
  std::vector<std::string> Verify() const;

  /// The raw connection, for tests and benchmarks that need SQL.
  sqlite3* handle() const { return db_; }

 private:
  CorpusIndex() = default;
  void Close() noexcept;
  void Prepare();  // caches the statements used per document

  sqlite3* db_ = nullptr;
  std::string path_;
  IndexSettings settings_;
  bool in_batch_ = false;
  std::int64_t batch_ = 0;
  std::int64_t batch_added_ = 0, batch_removed_ = 0;
  struct Statements;
  std::unique_ptr<Statements> statements_;
};

/// The SimHash blocks an index with max distance k stores: k + 1 blocks covering the 64 bits
/// (the first 64 % (k+1) blocks one bit wider), block i holding the bits from its offset up.
std::vector<std::uint64_t> SimhashBlocks(std::uint64_t simhash, int max_distance);

/// The fingerprint as the index stores it: a fixed little-endian layout (format byte, sketch
/// size, paragraph samples, flags, then the fields in declaration order), 200 bytes.
std::string EncodeFingerprint(const dedup::Fingerprint& fp);
/// The inverse. False when `blob` is not EncodeFingerprint's layout for this build's
/// kSketchSize and kParagraphSamples.
bool DecodeFingerprint(std::string_view blob, dedup::Fingerprint& fp);


}  // namespace zhcanon::index
