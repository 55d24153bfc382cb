#define BOOST_TEST_MODULE pipeline_progress
#include <boost/test/unit_test.hpp>

#include "test_util.h"
#include "zhcanon/pipeline/progress.h"

using zhcanon::pipeline::FormatDuration;
using zhcanon::pipeline::GroupThousands;
using zhcanon::pipeline::InputBytes;
using zhcanon::pipeline::ProgressMeter;
using zhcanon::pipeline::ProgressOptions;
using zhcanon::pipeline::ProgressStyle;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(numbers_and_durations_for_people) {
  struct {
    std::uint64_t n;
    const char* expected;
  } groups[] = {{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {100000, "100,000"}};
  for (const auto& c : groups) BOOST_CHECK_EQUAL(GroupThousands(c.n), c.expected);
  struct {
    double s;
    const char* expected;
  } durations[] = {{0, "0:00"}, {5.4, "0:05"}, {59.6, "1:00"}, {754, "12:34"}, {3723, "1:02:03"}, {-3, "0:00"}};
  for (const auto& c : durations) BOOST_CHECK_EQUAL(FormatDuration(c.s), c.expected);
}

BOOST_AUTO_TEST_CASE(lines_every_interval_with_rate_percentage_and_eta) {
  const auto t0 = ProgressMeter::Clock::time_point{} + 1000s;
  ProgressMeter m({.style = ProgressStyle::kLines, .label = "zhcanon run"}, t0);
  BOOST_CHECK_EQUAL(m.Update(10, 1'000'000, t0 + 1s), "");  // before the first interval (5 s)
  BOOST_CHECK_EQUAL(m.Update(50, 10'000'000, t0 + 5s),
                    "zhcanon run: 50 documents, 10.0 MB, 2.0 MB/s, 10 documents/s\n");
  m.SetTotalBytes(40'000'000);
  BOOST_CHECK_EQUAL(m.Update(60, 12'000'000, t0 + 7s), "");  // 2 s after the last line
  BOOST_CHECK_EQUAL(m.Update(2000, 20'000'000, t0 + 10s),
                    "zhcanon run: 2,000 documents, 20.0 MB of 40.0 MB (50%), 2.0 MB/s, 200 documents/s, ETA 0:10\n");
  BOOST_CHECK_EQUAL(m.Clear(), "");  // lines need no clearing
}

BOOST_AUTO_TEST_CASE(bar_is_redrawn_in_place_and_cleared) {
  const auto t0 = ProgressMeter::Clock::time_point{} + 1000s;
  ProgressMeter m({.style = ProgressStyle::kBar, .columns = 200}, t0);
  BOOST_CHECK_EQUAL(m.Clear(), "");
  m.SetTotalBytes(100'000'000);
  const std::string s = m.Update(1234, 25'000'000, t0 + 10s);
  BOOST_CHECK_EQUAL(s, "\r[====>           ] 25% 1,234 docs 25.0/100.0 MB 2.5 MB/s ETA 0:30 123 docs/s\033[K");
  BOOST_CHECK_EQUAL(m.Update(1300, 26'000'000, t0 + 10s + 100ms), "");
  BOOST_CHECK_EQUAL(m.Clear(), "\r\033[K");
  BOOST_CHECK_EQUAL(m.Clear(), "");
}

// Reading runs ahead of the output and the total is an estimate: the meter never shows more
// than 99% or a negative ETA, and cuts the bar to the terminal.
BOOST_AUTO_TEST_CASE(regression_bytes_beyond_the_total_and_narrow_terminals) {
  const auto t0 = ProgressMeter::Clock::time_point{} + 1000s;
  ProgressMeter m({.style = ProgressStyle::kBar, .columns = 30}, t0);
  m.SetTotalBytes(1000);
  const std::string line = m.Format(5, 5000, t0 + 1s);
  BOOST_CHECK_EQUAL(line, "[===============>] 99% 5 docs");  // 29 columns
  ProgressMeter lines({.style = ProgressStyle::kLines}, t0);
  lines.SetTotalBytes(1000);
  BOOST_CHECK_EQUAL(lines.Format(5, 5000, t0 + 1s), "5 documents, 0.0 MB of 0.0 MB (99%), 0.0 MB/s, 5 documents/s, ETA 0:00");
  BOOST_CHECK_EQUAL(lines.Format(0, 0, t0), "0 documents, 0.0 MB of 0.0 MB (0%), 0.0 MB/s, 0 documents/s");
}

BOOST_AUTO_TEST_CASE(input_bytes_counts_the_files_the_reader_reads) {
  zhcanon::testing::TempDir dir;
  zhcanon::testing::WriteFile(dir / "a.md", std::string(100, 'a'));
  zhcanon::testing::WriteFile(dir / "sub/b.HTML", std::string(20, 'b'));
  zhcanon::testing::WriteFile(dir / "sub/c.png", std::string(1000, 'c'));  // not an input
  zhcanon::testing::WriteFile(dir / "d.jsonl", std::string(3, 'd'));
  const std::vector<std::string> ext = {".md", ".html", "jsonl"};
  BOOST_CHECK_EQUAL(InputBytes({dir.str()}, ext).value(), 123u);
  // A file named explicitly counts whatever its extension; missing paths count 0.
  BOOST_CHECK_EQUAL(InputBytes({dir / "sub/c.png", dir / "a.md", dir / "missing"}, ext).value(), 1100u);
  BOOST_CHECK(!InputBytes({dir / "a.md", "-"}, ext).has_value());
  std::atomic<bool> stop{true};
  BOOST_CHECK(!InputBytes({dir.str()}, ext, &stop).has_value());
}
