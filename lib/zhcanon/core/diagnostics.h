// Per-document problems. A bad document is never an exception: a stage records what
// went wrong, where, and whether the document can still go to the output.
//
//   zhcanon::Diagnostics diag;
//   diag.Warn("decode", "invalid UTF-8 replaced with U+FFFD", {.byte_offset = 812});
//   diag.Fail("strip", "front matter: unterminated YAML block", {.line = 1});
//   if (diag.failed()) report.Add(doc.id, diag);   // document goes to the error report
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zhcanon {

/// Where in the input a problem is. Lines and columns are 1-based; 0 means unknown.
/// `byte_offset` is 0-based; -1 means unknown.
struct Location {
  std::int64_t line = 0;
  std::int64_t column = 0;
  std::int64_t byte_offset = -1;
};

/// How seriously a problem affects the document.
enum class Severity {
  kWarning,  // repaired; the document is still written
  kError,    // the document is not written; it is in the error report
  kFatal,    // the run must stop (for example --on-invalid=fail); nothing is committed
};

std::string_view SeverityName(Severity s);

struct Problem {
  std::string doc_id;  // filled by whoever reports it
  std::string path;    // the input file, when known
  std::string stage;   // "read", "decode", "strip", ...
  std::string message;
  Location location;
  Severity severity = Severity::kError;
};

/// The problems one document collected while going through the stages. Not thread-safe;
/// each document in flight has its own.
class Diagnostics {
 public:
  void Warn(std::string stage, std::string message, Location where = {});
  void Fail(std::string stage, std::string message, Location where = {});
  void Abort(std::string stage, std::string message, Location where = {});
  void Add(Problem p);

  /// True when the document must not be written (an error or a fatal problem).
  bool failed() const { return failed_; }
  /// True when the whole run must stop.
  bool aborted() const { return aborted_; }
  const std::vector<Problem>& problems() const { return problems_; }
  std::vector<Problem>& mutable_problems() { return problems_; }
  void Clear();

 private:
  std::vector<Problem> problems_;
  bool failed_ = false;
  bool aborted_ = false;
};

/// "path:line:column: stage: message" (the parts that are known), for stderr.
std::string FormatProblem(const Problem& p);

}  // namespace zhcanon
