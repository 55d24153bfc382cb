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
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void Write(std::string_view bytes);
  /// Flushes, fsyncs and renames the temporary onto the target.
  void Commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  std::string buffer_;
  bool committed_ = false;
  void FlushBuffer();
};

enum class OutputFormat {
  kJsonl,     // one {"id","text","metadata"} object per line
  kText,      // the text of each document; documents separated by a line holding only "\f"
  kMarkdown,  // a directory tree mirroring the ids, each file with a YAML front matter
};
/// Parses "jsonl", "text", "markdown"; throws std::invalid_argument otherwise.
OutputFormat ParseOutputFormat(std::string_view name);

class DocumentWriter {
 public:
  virtual ~DocumentWriter() = default;
  virtual void Write(const Document& doc) = 0;
  /// Makes the output visible (renames temporaries). Without it nothing replaces the target.
  virtual void Commit() = 0;
};

/// `path` empty or "-": write to `stdout_stream` (not for kMarkdown, which needs a directory).
/// kMarkdown: `path` is a directory (created if missing); each document goes to
/// `<path>/<id with its extension replaced by .md>` through its own AtomicFile at Commit().
/// Ids that would escape the directory ("..", absolute) are rewritten to stay inside it.
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

/// The metadata as a YAML front matter block ("---\n…---\n") with well-known keys first.
std::string FrontMatterYaml(const Metadata& meta);

}  // namespace zhcanon::io
