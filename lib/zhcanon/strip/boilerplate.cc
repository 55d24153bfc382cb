#include "zhcanon/strip/boilerplate.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include <unicode/regex.h>
#include <unicode/utext.h>

#include "zhcanon/core/error.h"

namespace zhcanon::strip {

extern const std::string_view kDefaultBoilerplateRules;  // generated from boilerplate.rules

// All rules are compiled twice: once each, to tell which rule matched, and once as a single
// alternation, so that a line that matches no rule (nearly all lines) costs one anchored
// match attempt instead of one per rule.
struct BoilerplateFilter::Compiled {
  std::vector<std::unique_ptr<icu::RegexPattern>> each;
  std::unique_ptr<icu::RegexPattern> any;
};

BoilerplateFilter::BoilerplateFilter() : compiled_(std::make_unique<Compiled>()) {}
BoilerplateFilter::BoilerplateFilter(BoilerplateFilter&&) noexcept = default;
BoilerplateFilter& BoilerplateFilter::operator=(BoilerplateFilter&&) noexcept = default;
BoilerplateFilter::~BoilerplateFilter() = default;

namespace {

std::unique_ptr<icu::RegexPattern> Compile(const std::string& pattern, std::string_view source,
                                           int line) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  std::unique_ptr<icu::RegexPattern> p(icu::RegexPattern::compile(
      icu::UnicodeString::fromUTF8(pattern), UREGEX_CASE_INSENSITIVE, parse_error, status));
  if (U_FAILURE(status)) {
    std::ostringstream msg;
    msg << source << ":" << line;
    if (parse_error.offset >= 0) msg << ":" << parse_error.offset + 1;
    msg << ": invalid boilerplate rule: " << u_errorName(status) << " in /" << pattern << "/";
    throw ConfigError(msg.str());
  }
  return p;
}

}  // namespace

BoilerplateFilter BoilerplateFilter::FromText(std::string_view text, std::string_view source) {
  BoilerplateFilter f;
  std::string comment;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
      comment.clear();  // a blank line ends the comment block
      continue;
    }
    if (line[first] == '#') {
      std::string_view c = line.substr(first + 1);
      if (!c.empty() && c.front() == ' ') c.remove_prefix(1);
      if (!comment.empty()) comment += '\n';
      comment += c;
      continue;
    }
    Rule rule{std::string(line), comment, line_no};
    f.compiled_->each.push_back(Compile(rule.pattern, source, line_no));
    f.rules_.push_back(std::move(rule));
  }
  if (!f.rules_.empty()) {
    std::string all;
    for (const Rule& r : f.rules_) {
      if (!all.empty()) all += '|';
      all += "(?:" + r.pattern + ")";
    }
    f.compiled_->any = Compile(all, source, 0);
  }
  return f;
}

BoilerplateFilter BoilerplateFilter::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read boilerplate rules '" + path + "': " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return FromText(ss.str(), path);
}

const BoilerplateFilter& BoilerplateFilter::Default() {
  static const BoilerplateFilter f = FromText(kDefaultBoilerplateRules, "boilerplate.rules");
  return f;
}

namespace {

bool MatchesWhole(const icu::RegexPattern& pattern, std::string_view line) {
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, line.data(), static_cast<int64_t>(line.size()), &status);
  // A matcher is not thread-safe; one per call keeps Match() safe to call concurrently.
  std::unique_ptr<icu::RegexMatcher> m(pattern.matcher(status));
  bool result = false;
  if (U_SUCCESS(status)) {
    m->reset(ut);
    result = m->matches(status) && U_SUCCESS(status);
  }
  utext_close(ut);
  return result;
}

// Lines longer than this are never boilerplate: every default rule bounds its length, and
// skipping long content lines keeps the filter cheap. Custom rules share the bound.
constexpr size_t kMaxBoilerplateLineBytes = 1024;

}  // namespace

int BoilerplateFilter::Match(std::string_view line) const {
  if (!compiled_->any || line.size() > kMaxBoilerplateLineBytes) return -1;
  if (!MatchesWhole(*compiled_->any, line)) return -1;
  for (size_t i = 0; i < compiled_->each.size(); ++i)
    if (MatchesWhole(*compiled_->each[i], line)) return static_cast<int>(i);
  return -1;
}

std::string BoilerplateFilter::FilterText(std::string_view text,
                                          std::vector<std::string>* removed) const {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    std::string_view para = text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 2;
    std::string kept;
    size_t lp = 0;
    while (lp <= para.size()) {
      size_t nl = para.find('\n', lp);
      std::string_view line = para.substr(lp, nl == std::string_view::npos ? para.size() - lp : nl - lp);
      lp = nl == std::string_view::npos ? para.size() + 1 : nl + 1;
      if (Match(line) >= 0) {
        if (removed) removed->emplace_back(line);
        continue;
      }
      if (!kept.empty()) kept += '\n';
      kept += line;
    }
    if (kept.find_first_not_of(" \t\n") == std::string::npos) continue;
    if (!out.empty()) out += "\n\n";
    out += kept;
  }
  return out;
}

}  // namespace zhcanon::strip
