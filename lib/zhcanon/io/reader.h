// Reads documents from what a command line names: files, directories (walked recursively,
// in sorted order so runs are reproducible), `-` for stdin, and JSONL corpora (.jsonl,
// .jsonl.gz, .jsonl.zst) whose lines carry `id`, `text` and `metadata` the way datatrove
// and dolma write them. Streams: memory holds one document (or one JSONL line) at a time.
//
//   zhcanon::io::DocumentReader reader({"fixtures/seeds", "more.jsonl.zst"}, {});
//   zhcanon::Document doc;
//   zhcanon::Diagnostics diag;
//   while (reader.Next(doc, diag)) {
//     if (diag.failed()) { report(doc.id, diag); } else { process(doc); }
//     diag.Clear();
//   }
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"

namespace zhcanon::io {

/// How to read stdin (`-`) and files whose kind is not clear from their name.
enum class InputKind {
  kAuto,      // by extension; stdin: JSONL when its first line is a JSON object with "text"
  kDocument,  // each file (and stdin) is one document
  kJsonl,     // each file (and stdin) is JSONL, one document per line (gz/zst by extension or magic)
};
/// Parses "auto", "document", "jsonl"; throws std::invalid_argument otherwise.
InputKind ParseInputKind(std::string_view name);

struct ReaderOptions {
  /// kAuto reads .jsonl, .jsonl.gz, .jsonl.zst, .ndjson (.gz, .zst) as JSONL, other files as
  /// documents.
  InputKind kind = InputKind::kAuto;
  /// Extensions read when walking a directory (files named explicitly are always read).
  /// Compared case-insensitively with the end of the file name; a missing leading '.' is added.
  std::vector<std::string> extensions = {".md", ".markdown", ".html", ".htm", ".xhtml", ".txt",
                                         ".jsonl", ".jsonl.gz", ".jsonl.zst"};
  /// Stream used for `-` (defaults to std::cin when null). Not owned.
  std::istream* stdin_stream = nullptr;
};

/// Yields one Document at a time:
/// - a file: id = its path relative to the directory given on the command line (for a file
///   named directly, the path as given); text = the raw bytes (not decoded: see
///   encoding.h); format = FormatFromPath(path); metadata.path = the path as opened;
/// - a JSONL line: id = record "id" (or "<file>:<line>" when absent; a non-string id is
///   converted to text), text = record "text" (already UTF-8), metadata = MetadataFromJson
///   of record "metadata" plus any other top-level keys kept in metadata.extra;
///   format = kAuto; metadata.path = the JSONL file.
/// A problem with one input (missing path, unreadable file, JSONL line that is not JSON or
/// has no string "text") yields a Document whose id names it, with diag.failed() and a
/// Problem at its path and line, and reading goes on with the next input or line.
///
/// Details:
/// - Directories are walked depth first and their files yielded sorted by relative path
///   (bytewise, '/' separators), so runs are reproducible. Only regular files (or symlinks
///   to them) with a wanted extension are read; symlinked directories are followed, but a
///   directory already walked (same device and inode) is skipped, so loops end and aliased
///   trees are read once. An unreadable subdirectory or a broken symlink with a wanted
///   extension yields a failed Document; a directory without any input file yields one
///   failed Document ("no input files (looked for …)") with id = the directory.
/// - JSONL is streamed (one line in memory; lines of any length), gzip and zstd detected by
///   their magic bytes whatever the name, concatenated gzip members and zstd frames read as
///   one stream. A truncated or corrupt compressed file yields the good lines, then one failed
///   Document "<file>:<line>". Blank lines are skipped; CRLF and a leading UTF-8 BOM are fine.
///   Invalid UTF-8 in a line is replaced by U+FFFD, with a warning. Other top-level keys go to
///   metadata.extra under their own name, or "record_<key>" when the record's "metadata"
///   already has that key; a top-level well-known key (e.g. "title") fills that field. A
///   "path" the record carried is kept as extra["record_path"]. A non-object "metadata" is
///   kept as extra["record_metadata"] (warning). Problems carry line, byte_offset (in the
///   decompressed stream) and, for JSON syntax errors, the column.
/// - `-` (stdin) with kAuto: when the first non-blank line is a JSON object with a "text"
///   key, stdin is JSONL (records' metadata.path "-"); otherwise all of stdin, byte for
///   byte, is one Document with id "-" (decompressed if it was gzip/zstd). With kDocument
///   the raw bytes are one Document. Naming `-` twice yields a failed Document the second time.
/// Not thread-safe: one thread calls Next().
class DocumentReader {
 public:
  DocumentReader(std::vector<std::string> inputs, ReaderOptions options);
  ~DocumentReader();
  DocumentReader(const DocumentReader&) = delete;
  DocumentReader& operator=(const DocumentReader&) = delete;

  /// Fills `doc` (overwriting it) and returns true, or returns false at the end.
  /// Problems go to `diag` (which the caller clears between documents).
  bool Next(Document& doc, Diagnostics& diag);

  /// Bytes read so far from all inputs (before decompression), for progress and rates.
  /// As of the end of the last Next(); safe to call from another thread while Next() runs.
  std::uint64_t bytes_read() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhcanon::io
