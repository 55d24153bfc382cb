#define BOOST_TEST_MODULE pipeline_stage_timer
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <thread>

#include "zhcanon/pipeline/stage_timer.h"

namespace {

// Keeps the CPU busy for `d` of this thread's CPU time.
void Burn(std::chrono::nanoseconds d) {
  const auto until = zhcanon::pipeline::ThreadCpuTime() + d;
  while (zhcanon::pipeline::ThreadCpuTime() < until) {
  }
}

// Burns 20 ms of CPU, so that the time it takes is known from below, and appends to the text.
class SlowStage : public zhcanon::Stage {
 public:
  std::string_view name() const override { return "slow"; }
  void Process(zhcanon::Document& doc, zhcanon::Diagnostics& diag) const override {
    Burn(std::chrono::milliseconds(20));
    doc.text += "!";
    if (doc.id == "bad") diag.Fail("slow", "bad document");
  }
};

class ThrowingWriter : public zhcanon::io::DocumentWriter {
 public:
  std::string Encode(const zhcanon::Document& doc) const override { return doc.text; }
  void WriteEncoded(const zhcanon::Document&, std::string_view bytes) override { written += bytes; }
  void Commit() override {
    Burn(std::chrono::milliseconds(10));
    throw std::runtime_error("disk full");
  }
  std::string written;
};

}  // namespace

BOOST_AUTO_TEST_CASE(timed_stage_is_the_inner_stage_plus_a_clock) {
  SlowStage slow;
  zhcanon::pipeline::TimedStage timed(slow);
  BOOST_CHECK_EQUAL(timed.name(), "slow");
  zhcanon::Document a{.id = "a", .text = "x"}, bad{.id = "bad", .text = "y"};
  zhcanon::Diagnostics da, dbad;
  std::thread t1([&] { timed.Process(a, da); });
  std::thread t2([&] { timed.Process(bad, dbad); });
  t1.join();
  t2.join();
  BOOST_CHECK_EQUAL(a.text, "x!");
  BOOST_CHECK(!da.failed());
  BOOST_CHECK(dbad.failed());  // problems pass through unchanged
  BOOST_CHECK_EQUAL(timed.documents(), 2u);
  // CPU seconds of each thread: the two 20 ms calls add up even though they ran at the same time.
  BOOST_CHECK_GE(timed.seconds(), 0.040);
  BOOST_CHECK_LT(timed.seconds(), 5.0);
}

// Waiting is not working: a stage blocked on something else is not charged for it.
BOOST_AUTO_TEST_CASE(time_asleep_is_not_counted) {
  class Sleepy : public zhcanon::Stage {
   public:
    std::string_view name() const override { return "sleepy"; }
    void Process(zhcanon::Document&, zhcanon::Diagnostics&) const override {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } sleepy;
  zhcanon::pipeline::TimedStage timed(sleepy);
  zhcanon::Document d;
  zhcanon::Diagnostics diag;
  timed.Process(d, diag);
  BOOST_CHECK_LT(timed.seconds(), 0.025);
}

BOOST_AUTO_TEST_CASE(timed_writer_forwards_and_counts_a_commit_that_throws) {
  auto inner = std::make_unique<ThrowingWriter>();
  ThrowingWriter* raw = inner.get();
  zhcanon::pipeline::TimedWriter w(std::move(inner));
  zhcanon::Document d{.id = "a", .text = "text"};
  w.Write(d);
  BOOST_CHECK_EQUAL(raw->written, "text");
  BOOST_CHECK_EQUAL(&w.inner(), raw);
  BOOST_CHECK_THROW(w.Commit(), std::runtime_error);
  BOOST_CHECK_GE(w.commit_seconds(), 0.010);
  BOOST_CHECK_GE(w.total_seconds(), w.commit_seconds());
}
