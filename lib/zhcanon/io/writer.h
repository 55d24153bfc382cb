// Writes documents and error reports without ever losing data: output goes to a temporary
// file beside the target, which replaces it only on Commit(); a run that fails or is
// interrupted leaves an existing output untouched and removes its temporary file.
//
//   auto out = zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kJsonl, "out.jsonl",
//                                              std::cout);
//   out->Write(doc);
//   out->Commit();   // or let it be destroyed: nothing replaces out.jsonl
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"

namespace zhcanon::io {

/// A file written through a temporary in the same directory and renamed onto `path` by
/// Commit(). Throws IoError naming the path on any failure (unwritable directory, full disk).
/// The temporary is "<dir>/.<name>.tmp.<pid>.<random>", created with O_EXCL and mode 0644
/// (less the umask); when `path` already exists the new file takes over its mode.
/// Writes are buffered (1 MiB). Not thread-safe. A target that exists and is not a regular file
/// (a device such as /dev/null or /dev/full, a FIFO) is opened and written directly instead.
class AtomicFile {
 public:
  /// Throws IoError when the directory does not exist or is not writable, or when `path`
  /// is a directory.
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Throws IoError on a write error (ENOSPC…); after one, Commit() refuses to replace the target.
  void Write(std::string_view bytes);
  /// Flushes, fsyncs and renames the temporary onto the target. A second call does nothing.
  void Commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  std::string buffer_;
  bool committed_ = false;
  bool failed_ = false;  // a write failed: the temporary is incomplete
  bool direct_ = false;  // the target is a device, FIFO or socket: written directly, no temporary
  void FlushBuffer();
};

enum class OutputFormat {
  kJsonl,     // one {"id","text","metadata"} object per line
  kText,      // the text of each document; documents separated by a line holding only "\f"
  kMarkdown,  // a directory tree mirroring the ids, each file with a YAML front matter
};
/// Parses "jsonl", "text" (or "txt"), "markdown" (or "md"); throws std::invalid_argument otherwise.
OutputFormat ParseOutputFormat(std::string_view name);

class DocumentWriter {
 public:
  virtual ~DocumentWriter() = default;
  /// The bytes this writer writes for `doc` (a JSONL line, a text, a Markdown file). Pure and
  /// thread-safe, so a pipeline can encode documents on its worker threads and leave only
  /// WriteEncoded to the serial output step.
  virtual std::string Encode(const Document& doc) const = 0;
  /// Writes `bytes`, which Encode(doc) returned. Call in output order, from one thread at a time.
  virtual void WriteEncoded(const Document& doc, std::string_view bytes) = 0;
  /// Encode and write.
  void Write(const Document& doc) { WriteEncoded(doc, Encode(doc)); }
  /// Makes the output visible (renames temporaries). Without it nothing replaces the target.
  virtual void Commit() = 0;
};

/// `path` empty or "-": write to `stdout_stream` (not for kMarkdown, which needs a directory:
/// std::invalid_argument). Write() and Commit() throw IoError when the output fails.
/// kJsonl: DocumentToJson per line, invalid UTF-8 replaced by U+FFFD (never throws for it).
/// kText: each text ends with one "\n" (added unless already there; an empty text adds none).
/// kMarkdown: `path` is a directory (created if missing); each document goes to
/// `<path>/<id with its extension replaced by .md>` as FrontMatterYaml(metadata) + "\n" + text.
/// Each file is written to its own temporary beside the target at Write() (and closed, so
/// millions of documents need no open files and memory holds only the list of names);
/// Commit() syncs the file system once and renames them all. '/' in an id makes
/// subdirectories; "", "." and leading '/' parts are dropped, ".." becomes "__", NUL becomes
/// '_', a part longer than 200 bytes is cut and given a hash. Only an extension that looks
/// like one (1-10 letters/digits: ".html", ".txt") is replaced: "news:123" -> "news:123.md",
/// "a.jsonl:12" -> "a.jsonl:12.md". A name already used in this run (or a directory in the
/// way) gets "-2", "-3"… before ".md", in the order documents are written.
std::unique_ptr<DocumentWriter> MakeDocumentWriter(OutputFormat format, const std::string& path,
                                                   std::ostream& stdout_stream);

/// The error report: one JSON object per problem,
/// {"id","path","stage","severity","message","line","column","byte_offset"} (unknown
/// location fields omitted). Written atomically like the outputs.
class ErrorReportWriter {
 public:
  explicit ErrorReportWriter(const std::string& path);
  ~ErrorReportWriter();
  void Write(const Problem& p);
  void Commit();

 private:
  std::unique_ptr<AtomicFile> file_;
};

/// The metadata as a YAML front matter block ("---\n…---\n") with well-known keys first
/// (MetadataToJson order), then `extra` (nested objects and arrays as YAML maps and
/// sequences). Strings are always double-quoted, so "2025-02-07" or "yes" stay strings;
/// non-ASCII is written as UTF-8 (invalid bytes replaced by U+FFFD). Empty metadata gives
/// "---\n---\n".
std::string FrontMatterYaml(const Metadata& meta);

}  // namespace zhcanon::io
