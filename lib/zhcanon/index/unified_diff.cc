#include "zhcanon/index/unified_diff.h"

#include <algorithm>
#include <vector>

namespace zhcanon::index {

namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

enum class Op : char { kEqual = ' ', kDelete = '-', kInsert = '+' };

struct Edit {
  Op op;
  std::size_t a, b;  // line index in before / after (for kInsert `a` is where it goes)
};

// Myers' greedy algorithm on a[0..n) and b[0..m), with the V array of every round kept for
// the backtrack. Returns false when the edit distance exceeds `limit`.
bool Myers(const std::vector<std::string_view>& a, std::size_t a0, std::size_t n,
           const std::vector<std::string_view>& b, std::size_t b0, std::size_t m, int limit,
           std::vector<Edit>& out) {
  const int N = static_cast<int>(n), M = static_cast<int>(m);
  const long long total = static_cast<long long>(n) + static_cast<long long>(m);
  const int max = static_cast<int>(std::min<long long>(total, limit));
  const int offset = max + 1;
  std::vector<int> v(static_cast<std::size_t>(2 * max + 3), 0);
  // Round d only reads diagonals -d-1..d+1: keeping just that slice of V per round makes the
  // trace O(D^2) rather than O(D * (N + M)).
  std::vector<std::vector<int>> trace;
  int found = -1;
  for (int d = 0; d <= max && found < 0; ++d) {
    trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
    for (int k = -d; k <= d; k += 2) {
      int x;
      if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) x = v[offset + k + 1];
      else x = v[offset + k - 1] + 1;
      int y = x - k;
      while (x < N && y < M && a[a0 + x] == b[b0 + y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= N && y >= M) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return false;
  // Backtrack from (N, M) through the saved rounds.
  std::vector<Edit> rev;
  int x = N, y = M;
  for (int d = found; d >= 0; --d) {
    const std::vector<int>& vd = trace[static_cast<std::size_t>(d)];
    auto at = [&](int k) { return vd[static_cast<std::size_t>(k + d + 1)]; };
    const int k = x - y;
    int prev_k;
    if (d == 0) prev_k = 0;
    else if (k == -d || (k != d && at(k - 1) < at(k + 1))) prev_k = k + 1;
    else prev_k = k - 1;
    const int prev_x = d == 0 ? 0 : at(prev_k);
    const int prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      --x, --y;
      rev.push_back({Op::kEqual, a0 + static_cast<std::size_t>(x), b0 + static_cast<std::size_t>(y)});
    }
    if (d > 0) {
      if (x == prev_x) rev.push_back({Op::kInsert, a0 + static_cast<std::size_t>(x), b0 + static_cast<std::size_t>(prev_y)});
      else rev.push_back({Op::kDelete, a0 + static_cast<std::size_t>(prev_x), b0 + static_cast<std::size_t>(y)});
    }
    x = prev_x;
    y = prev_y;
  }
  out.insert(out.end(), rev.rbegin(), rev.rend());
  return true;
}

std::string_view CutLine(std::string_view line, int max_bytes, bool& cut) {
  cut = false;
  if (max_bytes <= 0 || line.size() <= static_cast<std::size_t>(max_bytes)) return line;
  std::size_t end = static_cast<std::size_t>(max_bytes);
  while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;  // not inside a character
  cut = true;
  return line.substr(0, end);
}

}  // namespace

Diff UnifiedDiff(std::string_view before, std::string_view after, const DiffOptions& options) {
  Diff diff;
  if (before == after) return diff;
  const auto a = SplitLines(before), b = SplitLines(after);

  // The common head and tail are most of the text when a pipeline touches a few lines.
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;

  std::vector<Edit> edits;
  edits.reserve(a.size() + 8);
  for (std::size_t i = 0; i < head; ++i) edits.push_back({Op::kEqual, i, i});
  const std::size_t n = a.size() - head - tail, m = b.size() - head - tail;
  if (!Myers(a, head, n, b, head, m, std::max(0, options.max_edit_distance), edits)) {
    for (std::size_t i = 0; i < n; ++i) edits.push_back({Op::kDelete, head + i, head});
    for (std::size_t j = 0; j < m; ++j) edits.push_back({Op::kInsert, head + n, head + j});
  }
  for (std::size_t i = 0; i < tail; ++i) edits.push_back({Op::kEqual, a.size() - tail + i, b.size() - tail + i});

  if (a == b) return diff;  // only a final newline differed: no line changed
  for (const Edit& e : edits) {
    if (e.op == Op::kDelete) ++diff.lines_deleted;
    if (e.op == Op::kInsert) ++diff.lines_inserted;
  }
  if (!diff.changed()) return diff;

  // Hunks: runs of changes closer than 2 * context lines share one hunk.
  const std::size_t ctx = static_cast<std::size_t>(std::max(0, options.context));
  std::vector<std::pair<std::size_t, std::size_t>> hunks;  // [begin, end) in edits
  for (std::size_t i = 0; i < edits.size();) {
    if (edits[i].op == Op::kEqual) {
      ++i;
      continue;
    }
    std::size_t begin = i >= ctx ? i - ctx : 0;
    std::size_t end = i;
    std::size_t equal_run = 0;
    while (end < edits.size()) {
      if (edits[end].op == Op::kEqual) {
        if (++equal_run > 2 * ctx) break;
      } else {
        equal_run = 0;
      }
      ++end;
    }
    // Keep only `ctx` unchanged lines after the last change.
    std::size_t trailing = 0;
    while (trailing < end - begin && edits[end - 1 - trailing].op == Op::kEqual) ++trailing;
    if (trailing > ctx) end -= trailing - ctx;
    if (!hunks.empty() && begin < hunks.back().second) begin = hunks.back().second;
    hunks.emplace_back(begin, end);
    i = end;
  }

  for (const Edit& e : edits)
    if (e.op != Op::kEqual) {
      diff.first_line = static_cast<std::int64_t>(e.a) + 1;
      break;
    }

  std::vector<std::string> out;
  if (!options.from_label.empty() && !options.to_label.empty()) {
    out.push_back("--- " + options.from_label);
    out.push_back("+++ " + options.to_label);
  }
  for (const auto& [begin, end] : hunks) {
    std::size_t a_start = edits[begin].a, b_start = edits[begin].b, a_len = 0, b_len = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (edits[i].op != Op::kInsert) ++a_len;
      if (edits[i].op != Op::kDelete) ++b_len;
    }
    // diff -u numbers an empty side by the line before it.
    auto range = [](std::size_t start, std::size_t len) {
      std::string r = std::to_string(len == 0 ? start : start + 1);
      if (len != 1) r += "," + std::to_string(len);
      return r;
    };
    out.push_back("@@ -" + range(a_start, a_len) + " +" + range(b_start, b_len) + " @@");
    for (std::size_t i = begin; i < end; ++i) {
      const Edit& e = edits[i];
      bool cut = false;
      std::string_view line = CutLine(e.op == Op::kInsert ? b[e.b] : a[e.a], options.max_line_bytes, cut);
      std::string s(1, static_cast<char>(e.op));
      s.append(line);
      if (cut) s += "…";
      out.push_back(std::move(s));
    }
  }
  std::size_t limit = options.max_lines > 0 ? static_cast<std::size_t>(options.max_lines) : out.size();
  if (out.size() > limit) {
    diff.truncated = true;
    const std::size_t more = out.size() - limit;
    out.resize(limit);
    out.push_back("… " + std::to_string(more) + " more diff lines");
  }
  for (const std::string& line : out) {
    diff.text += line;
    diff.text += '\n';
  }
  return diff;
}

}  // namespace zhcanon::index
