// Progress of a run, for people watching it: a one-line bar redrawn in place (for a terminal)
// or a plain line every few seconds (for a log file or a CI job). The meter only formats and
// decides when; the tool prints what it returns (the library never prints).
//
//   zhcanon::pipeline::ProgressMeter meter({.style = ProgressStyle::kBar, .label = "zhcanon run"},
//                                          std::chrono::steady_clock::now());
//   meter.SetTotalBytes(*InputBytes(inputs, reader_options.extensions));   // enables % and ETA
//   run_options.on_progress = [&](std::uint64_t docs, std::uint64_t bytes) {
//     std::cerr << meter.Update(docs, bytes, std::chrono::steady_clock::now());
//   };
//   ...
//   std::cerr << meter.Clear();                // before the summary
//
// Bar:   "[=======>        ] 45% 12,345 docs 56.7/120.0 MB 12.3 MB/s ETA 0:05 1,234 docs/s"
// Lines: "zhcanon run: 12,345 documents, 56.7 MB of 120.0 MB (45%), 12.3 MB/s, 1,234 documents/s, ETA 5 s"
// Without a known total the percentage, the bar and the ETA are left out.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zhcanon::pipeline {

enum class ProgressStyle {
  kBar,    // "\r" + one line redrawn in place (a terminal)
  kLines,  // one line with "\n" every interval (a log)
};

struct ProgressOptions {
  ProgressStyle style = ProgressStyle::kLines;
  /// Seconds between two outputs; 0 = the default (0.25 for the bar, 5 for lines).
  double interval_seconds = 0;
  /// What starts each plain line ("zhcanon run" gives "zhcanon run: …").
  std::string label;
  /// The bar's line is cut to this many columns (the terminal's width).
  int columns = 100;
};

class ProgressMeter {
 public:
  using Clock = std::chrono::steady_clock;
  ProgressMeter(ProgressOptions options, Clock::time_point start);

  /// The bytes all inputs hold, when known (0 = unknown). Thread-safe: a background thread
  /// that sizes the inputs may set it while the run has started.
  void SetTotalBytes(std::uint64_t total) { total_bytes_.store(total, std::memory_order_relaxed); }
  std::uint64_t total_bytes() const { return total_bytes_.load(std::memory_order_relaxed); }

  /// What to print for this state ("" when the last output is less than the interval old).
  /// Called from one thread at a time.
  std::string Update(std::uint64_t documents, std::uint64_t bytes, Clock::time_point now);
  /// What to print before other output so that it does not run into the bar: "\r" and an
  /// erase-line sequence once a bar is drawn, "" otherwise. The next Update draws it again.
  std::string Clear();
  /// The text of one state, whatever the interval (no "\r" or "\n").
  std::string Format(std::uint64_t documents, std::uint64_t bytes, Clock::time_point now) const;

 private:
  ProgressOptions options_;
  Clock::time_point start_;
  Clock::time_point last_{};
  bool drawn_ = false;
  bool any_ = false;
  std::atomic<std::uint64_t> total_bytes_{0};
};

/// "12,345": digits grouped by thousands.
std::string GroupThousands(std::uint64_t n);
/// "0:05", "12:34", "1:02:03".
std::string FormatDuration(double seconds);

/// The bytes of the files a run will read from `inputs`, found the way io::DocumentReader finds
/// them (directories walked for files with one of `extensions`, symlinked directories not
/// followed), or nullopt when one input is stdin ("-") and so the total cannot be known.
/// Missing or unreadable paths count as 0. Stops early (returning nullopt) when `stop` is set.
std::optional<std::uint64_t> InputBytes(const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& extensions,
                                        const std::atomic<bool>* stop = nullptr);

}  // namespace zhcanon::pipeline
