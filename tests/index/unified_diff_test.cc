#define BOOST_TEST_MODULE index_unified_diff
#include <boost/test/unit_test.hpp>

#include <random>
#include <sstream>
#include <vector>

#include "zhcanon/index/unified_diff.h"

using zhcanon::index::Diff;
using zhcanon::index::DiffOptions;
using zhcanon::index::UnifiedDiff;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// Applies a unified diff (as `patch` would, strictly: context and deleted lines must match)
// to `before`; returns the lines after, or fails the test.
std::vector<std::string> Apply(const std::vector<std::string>& before, const std::string& diff) {
  std::vector<std::string> out;
  std::size_t pos = 0;  // next line of `before` not yet copied
  std::istringstream in(diff);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0) continue;
    if (line.rfind("@@ -", 0) == 0) {
      std::size_t a_start = std::stoul(line.substr(4));
      std::size_t target = a_start == 0 ? 0 : a_start - 1;
      // "-N,0" names the line before the insertion point.
      if (line.find(",0 +") != std::string::npos && line.find(",0 +") < line.find('+')) target = a_start;
      BOOST_REQUIRE_LE(pos, target);
      while (pos < target) out.push_back(before.at(pos++));
      continue;
    }
    BOOST_REQUIRE(!line.empty());
    const std::string body = line.substr(1);
    if (line[0] == ' ') {
      BOOST_REQUIRE_EQUAL(before.at(pos), body);
      out.push_back(before[pos++]);
    } else if (line[0] == '-') {
      BOOST_REQUIRE_EQUAL(before.at(pos), body);
      ++pos;
    } else if (line[0] == '+') {
      out.push_back(body);
    } else {
      BOOST_FAIL("unexpected diff line: " + line);
    }
  }
  while (pos < before.size()) out.push_back(before[pos++]);
  return out;
}

DiffOptions Unlimited() {
  DiffOptions o;
  o.max_lines = 0;
  o.max_line_bytes = 0;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(equal_texts_have_no_diff) {
  for (const char* t : {"", "a", "a\nb\n", "中文\n\n段落"}) {
    Diff d = UnifiedDiff(t, t);
    BOOST_CHECK(!d.changed());
    BOOST_CHECK(d.text.empty());
    BOOST_CHECK_EQUAL(d.first_line, 0);
  }
  // Only the final newline differs: no line changed.
  BOOST_CHECK(!UnifiedDiff("a\nb", "a\nb\n").changed());
}

BOOST_AUTO_TEST_CASE(diffs_read_like_diff_u) {
  struct Case {
    std::string before, after;
    int context;
    std::string expected;
    std::int64_t first_line;
  };
  const std::vector<Case> cases = {
      {"一\n二\n三\n四\n五\n", "一\n二\n3\n四\n五\n", 1, "@@ -2,3 +2,3 @@\n 二\n-三\n+3\n 四\n", 3},
      {"一\n二\n三\n", "一\n二\n三\n四\n", 1, "@@ -3 +3,2 @@\n 三\n+四\n", 4},
      {"a\nb\n", "x\na\nb\n", 0, "@@ -0,0 +1 @@\n+x\n", 1},
      {"a\nb\nc\n", "a\nc\n", 0, "@@ -2 +1,0 @@\n-b\n", 2},
      // Two changes far apart: two hunks; close together: one.
      {"1\n2\n3\n4\n5\n6\n7\n8\n", "x\n2\n3\n4\n5\n6\n7\ny\n", 1, "@@ -1,2 +1,2 @@\n-1\n+x\n 2\n@@ -7,2 +7,2 @@\n 7\n-8\n+y\n", 1},
      {"1\n2\n3\n4\n", "x\n2\ny\n4\n", 1, "@@ -1,4 +1,4 @@\n-1\n+x\n 2\n-3\n+y\n 4\n", 1},
  };
  for (const Case& c : cases) {
    DiffOptions o = Unlimited();
    o.context = c.context;
    Diff d = UnifiedDiff(c.before, c.after, o);
    BOOST_CHECK_EQUAL(d.text, c.expected);
    if (c.first_line > 0) BOOST_CHECK_EQUAL(d.first_line, c.first_line);
    BOOST_CHECK(Apply(Lines(c.before), d.text) == Lines(c.after));
  }
}

BOOST_AUTO_TEST_CASE(labels_come_first_when_given) {
  DiffOptions o;
  o.from_label = "a.md (after strip)";
  o.to_label = "a.md (canonical)";
  Diff d = UnifiedDiff("舊\n", "旧\n", o);
  BOOST_CHECK_EQUAL(d.text, "--- a.md (after strip)\n+++ a.md (canonical)\n@@ -1 +1 @@\n-舊\n+旧\n");
}

// Property: applying the diff to the text before gives the text after, for random edits,
// including beyond max_edit_distance (then the middle is one replaced block).
BOOST_AUTO_TEST_CASE(applying_the_diff_gives_the_new_text) {
  std::mt19937 rng(11);
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> a;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) a.push_back(std::string(1, static_cast<char>('a' + rng() % 6)));
    std::vector<std::string> b = a;
    const int edits = static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const int op = static_cast<int>(rng() % 3);
      if (op == 0 || b.empty()) b.insert(b.begin() + static_cast<long>(rng() % (b.size() + 1)), "n" + std::to_string(e));
      else if (op == 1) b.erase(b.begin() + static_cast<long>(rng() % b.size()));
      else b[rng() % b.size()] = "c" + std::to_string(e);
    }
    std::string before, after;
    for (const auto& l : a) before += l + "\n";
    for (const auto& l : b) after += l + "\n";
    for (int limit : {1000, 3, 0}) {
      DiffOptions o = Unlimited();
      o.context = static_cast<int>(rng() % 3);
      o.max_edit_distance = limit;
      Diff d = UnifiedDiff(before, after, o);
      BOOST_REQUIRE_MESSAGE(Apply(a, d.text) == b, "round " << round << " limit " << limit << ":\n" << d.text);
      BOOST_CHECK_EQUAL(d.changed(), a != b);
    }
    // Minimal with the default limit: no more changed lines than a delete-all/insert-all.
    Diff d = UnifiedDiff(before, after, Unlimited());
    BOOST_CHECK_LE(d.lines_deleted + d.lines_inserted, 2 * edits);
  }
}

BOOST_AUTO_TEST_CASE(long_diffs_and_long_lines_are_cut) {
  std::string before, after;
  for (int i = 0; i < 100; ++i) {
    before += "行" + std::to_string(i) + "\n";
    after += "线" + std::to_string(i) + "\n";
  }
  DiffOptions o;
  o.max_lines = 5;
  Diff d = UnifiedDiff(before, after, o);
  BOOST_CHECK(d.truncated);
  BOOST_CHECK_EQUAL(d.lines_deleted, 100);
  BOOST_CHECK_EQUAL(d.lines_inserted, 100);
  BOOST_CHECK_EQUAL(std::count(d.text.begin(), d.text.end(), '\n'), 6);
  BOOST_CHECK(d.text.find("… 196 more diff lines\n") != std::string::npos);

  // A line cut at a byte limit inside a 3-byte character is cut before that character.
  o = DiffOptions{};
  o.max_line_bytes = 4;
  d = UnifiedDiff("中文字\n", "中文字。\n", o);
  BOOST_CHECK_EQUAL(d.text, "@@ -1 +1 @@\n-中…\n+中…\n");
}
