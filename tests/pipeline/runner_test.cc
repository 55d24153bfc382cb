#define BOOST_TEST_MODULE pipeline_runner
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <sstream>
#include <stdexcept>

#include "zhcanon/core/error.h"
#include "zhcanon/io/reader.h"
#include "zhcanon/io/writer.h"
#include "zhcanon/pipeline/runner.h"

using zhcanon::Diagnostics;
using zhcanon::Document;
using zhcanon::Problem;
using zhcanon::Stage;
using zhcanon::pipeline::Run;
using zhcanon::pipeline::RunOptions;

namespace {

// Upper-cases ASCII; fails documents whose text starts with "bad"; aborts on "stop";
// throws on "throw".
class TestStage : public Stage {
 public:
  std::string_view name() const override { return "test"; }
  void Process(Document& doc, Diagnostics& diag) const override {
    if (doc.text.starts_with("bad")) return diag.Fail("test", "bad document", {.line = 1});
    if (doc.text.starts_with("stop")) return diag.Abort("test", "stop the run");
    if (doc.text.starts_with("throw")) throw zhcanon::IoError("disk full");
    if (doc.text.starts_with("warn")) diag.Warn("test", "just so you know");
    for (char& c : doc.text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
};

struct Outcome {
  zhcanon::pipeline::RunStats stats;
  std::string out;
  std::vector<Problem> problems;
};

Outcome RunOn(const std::vector<std::string>& texts, int threads,
              const std::atomic<bool>* interrupt = nullptr) {
  std::string jsonl;
  for (size_t i = 0; i < texts.size(); ++i)
    jsonl += R"({"id":"d)" + std::to_string(i) + R"(","text":")" + texts[i] + "\"}\n";
  std::istringstream in(jsonl);
  zhcanon::io::ReaderOptions ro;
  ro.kind = zhcanon::io::InputKind::kJsonl;
  ro.stdin_stream = &in;
  zhcanon::io::DocumentReader reader({"-"}, ro);
  std::ostringstream out;
  auto writer = zhcanon::io::MakeDocumentWriter(zhcanon::io::OutputFormat::kText, "", out);
  TestStage stage;
  Outcome o;
  RunOptions opt;
  opt.threads = threads;
  opt.interrupt = interrupt;
  o.stats = Run(reader, {&stage}, *writer, [&](const Problem& p) { o.problems.push_back(p); }, opt);
  writer->Commit();
  o.out = out.str();
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(output_keeps_input_order_with_any_thread_count) {
  std::vector<std::string> texts;
  std::string want;
  for (int i = 0; i < 500; ++i) {
    texts.push_back("doc" + std::to_string(i));
    want += (i ? "\f\n" : "") + std::string("DOC") + std::to_string(i) + "\n";
  }
  for (int threads : {1, 2, 4, 0}) {
    Outcome o = RunOn(texts, threads);
    BOOST_CHECK_EQUAL(o.stats.documents_in, 500u);
    BOOST_CHECK_EQUAL(o.stats.documents_out, 500u);
    BOOST_CHECK_MESSAGE(o.out == want, "order differs with threads=" << threads);
  }
}

BOOST_AUTO_TEST_CASE(every_document_is_written_or_reported) {
  for (int threads : {1, 2}) {
    Outcome o = RunOn({"a", "bad one", "warn b", "c"}, threads);
    BOOST_CHECK_EQUAL(o.stats.documents_in, 4u);
    BOOST_CHECK_EQUAL(o.stats.documents_out, 3u);
    BOOST_CHECK_EQUAL(o.stats.documents_failed, 1u);
    BOOST_CHECK_EQUAL(o.stats.warnings, 1u);
    BOOST_REQUIRE_EQUAL(o.problems.size(), 2u);
    BOOST_CHECK_EQUAL(o.problems[0].doc_id, "d1");
    BOOST_CHECK_EQUAL(o.problems[0].message, "bad document");
    BOOST_CHECK_EQUAL(o.problems[1].doc_id, "d2");
    BOOST_CHECK(o.out.find("BAD") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_fatal_problem_stops_the_run) {
  for (int threads : {1, 2}) {
    Outcome o = RunOn({"a", "stop", "b", "c"}, threads);
    BOOST_CHECK(o.stats.aborted);
    BOOST_CHECK_LE(o.stats.documents_out, 1u);  // only documents before the fatal one
    BOOST_CHECK(o.out.find("B\n") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(stage_exceptions_propagate) {
  for (int threads : {1, 2}) {
    std::vector<std::string> texts(50, "x");
    texts[20] = "throw";
    BOOST_CHECK_THROW(RunOn(texts, threads), zhcanon::IoError);
  }
}

BOOST_AUTO_TEST_CASE(interrupt_stops_reading) {
  std::atomic<bool> flag{true};
  Outcome o = RunOn({"a", "b"}, 2, &flag);
  BOOST_CHECK(o.stats.interrupted);
  BOOST_CHECK_EQUAL(o.stats.documents_in, 0u);
}
