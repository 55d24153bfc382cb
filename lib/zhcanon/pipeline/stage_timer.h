// Time per stage for a run's summary: decorators that add up how long each stage (and the
// writer) spends on all worker threads, without changing what they do.
//
//   zhcanon::strip::Stripper stripper(opt);
//   zhcanon::pipeline::TimedStage timed(stripper);          // same name, same results
//   pipeline::Run(reader, {&decoder, &timed}, writer, on_problem, run_options);
//   timed.seconds();                                          // CPU seconds in Process
//
// The times are CPU seconds of the threads that ran the stage (CLOCK_THREAD_CPUTIME_ID),
// summed: with 4 threads a 10-second run can show 40 seconds of stage time. CPU time, not
// wall-clock time, so that other processes competing for the cores do not inflate a stage;
// time a stage spends blocked (on a disk, on a lock) is not counted.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "zhcanon/core/stage.h"
#include "zhcanon/io/writer.h"

namespace zhcanon::pipeline {

/// The CPU time the calling thread has used so far.
std::chrono::nanoseconds ThreadCpuTime();

/// Adds up nanoseconds from any number of threads.
class TimeCounter {
 public:
  void Add(std::chrono::nanoseconds d) {
    nanoseconds_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.count())), std::memory_order_relaxed);
  }
  double seconds() const { return static_cast<double>(nanoseconds_.load(std::memory_order_relaxed)) / 1e9; }

 private:
  std::atomic<std::uint64_t> nanoseconds_{0};
};

/// A Stage that runs `inner` and records the CPU time its Process calls take. Thread-safe as the
/// inner stage is; `inner` is not owned and must outlive this.
class TimedStage : public Stage {
 public:
  explicit TimedStage(const Stage& inner) : inner_(inner) {}
  std::string_view name() const override { return inner_.name(); }
  void Process(Document& doc, Diagnostics& diag) const override;

  /// CPU seconds spent in the inner stage so far.
  double seconds() const { return time_.seconds(); }
  /// Documents the inner stage processed so far.
  std::uint64_t documents() const { return documents_.load(std::memory_order_relaxed); }

 private:
  const Stage& inner_;
  mutable TimeCounter time_;
  mutable std::atomic<std::uint64_t> documents_{0};
};

/// A DocumentWriter that forwards to `inner` (owned) and records the CPU time spent in Encode
/// (on the worker threads), WriteEncoded (serial) and Commit.
class TimedWriter : public io::DocumentWriter {
 public:
  explicit TimedWriter(std::unique_ptr<io::DocumentWriter> inner) : inner_(std::move(inner)) {}
  std::string Encode(const Document& doc) const override;
  void WriteEncoded(const Document& doc, std::string_view bytes) override;
  void Commit() override;

  double encode_seconds() const { return encode_.seconds(); }
  double write_seconds() const { return write_.seconds(); }
  double commit_seconds() const { return commit_.seconds(); }
  double total_seconds() const { return encode_seconds() + write_seconds() + commit_seconds(); }
  io::DocumentWriter& inner() { return *inner_; }

 private:
  std::unique_ptr<io::DocumentWriter> inner_;
  mutable TimeCounter encode_;
  TimeCounter write_, commit_;
};

}  // namespace zhcanon::pipeline
