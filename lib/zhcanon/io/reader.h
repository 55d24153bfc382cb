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
  InputKind kind = InputKind::kAuto;
  /// Extensions read when walking a directory (files named explicitly are always read).
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
  std::uint64_t bytes_read() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhcanon::io
