#include "zhcanon/pipeline/stage_timer.h"

#include <time.h>

namespace zhcanon::pipeline {

std::chrono::nanoseconds ThreadCpuTime() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

namespace {

// Adds the scope's CPU time to a counter even when the timed call throws. A call runs on one
// thread from start to end (TBB does not move a running task), so the two readings are of the
// same thread's clock.
class Scope {
 public:
  explicit Scope(TimeCounter& counter) : counter_(counter), start_(ThreadCpuTime()) {}
  ~Scope() { counter_.Add(ThreadCpuTime() - start_); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  TimeCounter& counter_;
  std::chrono::nanoseconds start_;
};

}  // namespace

void TimedStage::Process(Document& doc, Diagnostics& diag) const {
  Scope scope(time_);
  inner_.Process(doc, diag);
  documents_.fetch_add(1, std::memory_order_relaxed);
}

std::string TimedWriter::Encode(const Document& doc) const {
  Scope scope(encode_);
  return inner_->Encode(doc);
}

void TimedWriter::WriteEncoded(const Document& doc, std::string_view bytes) {
  Scope scope(write_);
  inner_->WriteEncoded(doc, bytes);
}

void TimedWriter::Commit() {
  Scope scope(commit_);
  inner_->Commit();
}

}  // namespace zhcanon::pipeline
