#include "zhcanon/core/diagnostics.h"

#include "zhcanon/core/stage.h"

#include <stdexcept>

namespace zhcanon {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
    case Severity::kFatal: return "fatal";
  }
  return "error";
}

void Diagnostics::Add(Problem p) {
  if (p.severity != Severity::kWarning) failed_ = true;
  if (p.severity == Severity::kFatal) aborted_ = true;
  problems_.push_back(std::move(p));
}

void Diagnostics::Warn(std::string stage, std::string message, Location where) {
  Add({.stage = std::move(stage), .message = std::move(message), .location = where,
       .severity = Severity::kWarning});
}

void Diagnostics::Fail(std::string stage, std::string message, Location where) {
  Add({.stage = std::move(stage), .message = std::move(message), .location = where,
       .severity = Severity::kError});
}

void Diagnostics::Abort(std::string stage, std::string message, Location where) {
  Add({.stage = std::move(stage), .message = std::move(message), .location = where,
       .severity = Severity::kFatal});
}

void Diagnostics::Clear() {
  problems_.clear();
  failed_ = aborted_ = false;
}

std::string FormatProblem(const Problem& p) {
  std::string out = p.path.empty() ? p.doc_id : p.path;
  if (p.location.line > 0) {
    out += ":" + std::to_string(p.location.line);
    if (p.location.column > 0) out += ":" + std::to_string(p.location.column);
  } else if (p.location.byte_offset >= 0) {
    out += ": byte " + std::to_string(p.location.byte_offset);
  }
  out += ": ";
  out += SeverityName(p.severity);
  out += ": ";
  out += p.stage;
  out += ": ";
  out += p.message;
  return out;
}

std::string_view OnInvalidName(OnInvalid p) {
  switch (p) {
    case OnInvalid::kReplace: return "replace";
    case OnInvalid::kSkip: return "skip";
    case OnInvalid::kFail: return "fail";
  }
  return "replace";
}

OnInvalid ParseOnInvalid(std::string_view name) {
  if (name == "replace") return OnInvalid::kReplace;
  if (name == "skip") return OnInvalid::kSkip;
  if (name == "fail") return OnInvalid::kFail;
  throw std::invalid_argument("unknown --on-invalid policy '" + std::string(name) +
                              "' (expected replace, skip or fail)");
}

}  // namespace zhcanon
