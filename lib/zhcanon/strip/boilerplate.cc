#include "zhcanon/strip/boilerplate.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include <unicode/regex.h>

#include "zhcanon/core/error.h"

namespace zhcanon::strip {

extern const std::string_view kDefaultBoilerplateRules;  // generated from boilerplate.rules

// All rules are compiled twice: once each, to tell which rule matched, and once as a single
// alternation, so that a line that matches no rule (nearly all lines) costs one search
// instead of one per rule.
namespace {
std::atomic<std::uint64_t> next_filter_id{1};
}  // namespace

// The alternation is split in two: rules anchored at the line start (^…) are tried at offset 0
// only (lookingAt), and the others are searched (find). Kept together, the anchored ones would
// stop ICU from skipping ahead to the characters an unanchored rule can start with, and every
// offset of every line would be tried.
struct BoilerplateFilter::Compiled {
  std::vector<std::unique_ptr<icu::RegexPattern>> each;
  std::unique_ptr<icu::RegexPattern> anchored;
  std::unique_ptr<icu::RegexPattern> floating;
};

BoilerplateFilter::BoilerplateFilter()
    : compiled_(std::make_unique<Compiled>()), id_(next_filter_id.fetch_add(1)) {}
BoilerplateFilter::BoilerplateFilter(BoilerplateFilter&&) noexcept = default;
BoilerplateFilter& BoilerplateFilter::operator=(BoilerplateFilter&&) noexcept = default;
BoilerplateFilter::~BoilerplateFilter() = default;

namespace {

std::unique_ptr<icu::RegexPattern> Compile(const std::string& pattern, std::string_view source,
                                           int line) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  std::unique_ptr<icu::RegexPattern> p(icu::RegexPattern::compile(
      icu::UnicodeString::fromUTF8(pattern), 0, parse_error, status));
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
  std::string anchored, floating;
  for (const Rule& r : f.rules_) {
    std::string& group = r.pattern.starts_with("^") ? anchored : floating;
    if (!group.empty()) group += '|';
    group += "(?:" + r.pattern + ")";
  }
  if (!anchored.empty()) f.compiled_->anchored = Compile(anchored, source, 0);
  if (!floating.empty()) f.compiled_->floating = Compile(floating, source, 0);
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

// Lines longer than this are never boilerplate (see boilerplate.rules): it protects content
// paragraphs that mention 版权 or ICP, and keeps the filter off the long lines that make up
// most of an article's bytes.
constexpr size_t kMaxBoilerplateLineChars = 160;

size_t CountCodePointsUpTo(std::string_view s, size_t limit) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80 && ++n > limit) break;
  }
  return n;
}

// A RegexMatcher is not thread-safe and costs an allocation to make, so each thread keeps one
// per filter it has used, keyed by the filter's unique id (never by address, which a later
// filter may reuse).
icu::RegexMatcher* ThreadMatcher(std::uint64_t filter_id, size_t rule, const icu::RegexPattern& p) {
  struct Entry {
    std::uint64_t id;
    size_t rule;
    std::unique_ptr<icu::RegexMatcher> matcher;
  };
  thread_local std::vector<Entry> cache;
  for (Entry& e : cache)
    if (e.id == filter_id && e.rule == rule) return e.matcher.get();
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> m(p.matcher(status));
  if (U_FAILURE(status)) return nullptr;
  if (cache.size() >= 64) cache.erase(cache.begin());
  cache.push_back({filter_id, rule, std::move(m)});
  return cache.back().matcher.get();
}

enum class Mode { kLookingAt, kFind };

// Matches on UTF-16: ICU's regex engine has a fast path for UTF-16 text only (on a UTF-8 UText
// every character goes through UTEXT_NEXT32, which made the filter cost as much as parsing the
// HTML). Lines are short, so converting each one is cheap.
bool Found(icu::RegexMatcher* m, const icu::UnicodeString& line, Mode mode = Mode::kFind) {
  if (m == nullptr) return false;
  UErrorCode status = U_ZERO_ERROR;
  m->reset(line);
  bool found = (mode == Mode::kFind ? m->find(status) : m->lookingAt(status)) && U_SUCCESS(status);
  static const icu::UnicodeString kEmpty;
  m->reset(kEmpty);  // the matcher must not keep a reference to the caller's string
  return found;
}

}  // namespace

int BoilerplateFilter::Match(std::string_view line) const {
  if (rules_.empty() || CountCodePointsUpTo(line, kMaxBoilerplateLineChars) > kMaxBoilerplateLineChars)
    return -1;
  thread_local icu::UnicodeString line16;
  line16 = icu::UnicodeString::fromUTF8(icu::StringPiece(line.data(), static_cast<int32_t>(line.size())));
  const size_t all = compiled_->each.size();
  const bool candidate =
      (compiled_->anchored &&
       Found(ThreadMatcher(id_, all, *compiled_->anchored), line16, Mode::kLookingAt)) ||
      (compiled_->floating && Found(ThreadMatcher(id_, all + 1, *compiled_->floating), line16));
  if (!candidate) return -1;
  for (size_t i = 0; i < all; ++i)
    if (Found(ThreadMatcher(id_, i, *compiled_->each[i]), line16)) return static_cast<int>(i);
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
