// Runs documents from a reader through a chain of stages into a writer, in parallel,
// keeping the input order, with memory bounded by the documents in flight. Every input
// document ends either in the writer or, with its problems, in the problem callback.
//
//   zhcanon::pipeline::RunOptions opt;  opt.threads = 2;
//   std::vector<const zhcanon::Stage*> stages = {&decoder, &stripper};
//   auto stats = zhcanon::pipeline::Run(reader, stages, *writer, on_problem, opt);
//   if (!stats.aborted && !stats.interrupted) writer->Commit();
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/stage.h"
#include "zhcanon/io/reader.h"
#include "zhcanon/io/writer.h"

namespace zhcanon::pipeline {

struct RunOptions {
  /// Worker threads; 0 = all cores.
  int threads = 1;
  /// Documents in flight per thread (bounds memory).
  int tokens_per_thread = 4;
  /// Set asynchronously (e.g. by a SIGINT handler) to stop reading new documents.
  const std::atomic<bool>* interrupt = nullptr;
  /// Called from the writing thread after each document, for progress.
  std::function<void(std::uint64_t docs, std::uint64_t bytes)> on_progress;
};

struct RunStats {
  std::uint64_t documents_in = 0;
  std::uint64_t documents_out = 0;
  std::uint64_t documents_failed = 0;  // in the error report, not the output
  std::uint64_t warnings = 0;          // problems that did not stop a document
  std::uint64_t bytes_in = 0;          // bytes read from the inputs
  std::uint64_t text_bytes_out = 0;    // bytes of text written
  bool aborted = false;                // a fatal problem stopped the run (e.g. --on-invalid=fail)
  bool interrupted = false;            // the interrupt flag stopped the run
  double seconds = 0;
};

/// Called in input order, from one thread at a time, with each problem (doc_id and path set).
using ProblemCallback = std::function<void(const Problem&)>;

/// Runs the chain. Stage exceptions (I/O, configuration) propagate after the workers stop.
/// Does not Commit() the writer: the caller decides from the stats.
RunStats Run(io::DocumentReader& reader, const std::vector<const Stage*>& stages,
             io::DocumentWriter& writer, const ProblemCallback& on_problem,
             const RunOptions& options);

}  // namespace zhcanon::pipeline
