// A line diff of two texts printed as a unified diff (`diff -u`), short enough for a CI log:
// what `zhcanon check --canonical` shows for an article the pipeline would change.
//
//   zhcanon::index::Diff d = zhcanon::index::UnifiedDiff(before, after, {.context = 1});
//   if (d.changed()) std::cout << d.text;   // "@@ -3,2 +3,2 @@\n 上一行\n-舊\n+旧\n"
//
// Lines are split at '\n' (a final '\n' does not start another line). The edit script is a
// shortest one (Myers' O((N+M)D) algorithm) after the common head and tail are cut off; when
// more than DiffOptions::max_edit_distance lines differ, the whole changed middle is shown as
// one replaced block instead (still a correct diff, only not a minimal one).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zhcanon::index {

struct DiffOptions {
  /// Unchanged lines shown around each change.
  int context = 1;
  /// Lines of output (hunk headers included) before the diff is cut with "… N more lines".
  /// 0 = no limit.
  int max_lines = 24;
  /// Longer lines are cut to this many bytes (at a UTF-8 boundary) followed by "…". 0 = no limit.
  int max_line_bytes = 240;
  /// Beyond this many inserted plus deleted lines the diff is not minimized (bounds time and
  /// memory on texts that share nothing).
  int max_edit_distance = 1000;
  /// With both set, the diff starts with "--- from\n+++ to\n".
  std::string from_label, to_label;
};

struct Diff {
  std::string text;               // the unified diff; empty when the texts are equal
  std::int64_t first_line = 0;    // 1-based line of `before` where the first change is; 0 if none
  std::int64_t lines_deleted = 0;
  std::int64_t lines_inserted = 0;
  bool truncated = false;         // max_lines cut it
  bool changed() const { return lines_deleted + lines_inserted > 0; }
};

/// Never throws for any input (bytes are compared, not decoded).
Diff UnifiedDiff(std::string_view before, std::string_view after, const DiffOptions& options = {});

}  // namespace zhcanon::index
