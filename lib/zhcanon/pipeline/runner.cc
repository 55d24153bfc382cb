#include "zhcanon/pipeline/runner.h"

#include <memory>
#include <thread>

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

namespace zhcanon::pipeline {

namespace {

struct Item {
  Document doc;
  Diagnostics diag;
  std::string encoded;  // the writer's bytes for doc, made on a worker thread
  bool is_encoded = false;
};

void ProcessItem(Item& item, const std::vector<const Stage*>& stages) {
  for (const Stage* stage : stages) {
    if (item.diag.failed()) return;
    stage->Process(item.doc, item.diag);
  }
}

}  // namespace

RunStats Run(io::DocumentReader& reader, const std::vector<const Stage*>& stages,
             io::DocumentWriter& writer, const ProblemCallback& on_problem,
             const RunOptions& options) {
  RunStats stats;
  auto start = std::chrono::steady_clock::now();
  std::atomic<bool> stop{false};

  auto interrupted = [&] {
    return options.interrupt != nullptr && options.interrupt->load(std::memory_order_relaxed);
  };

  auto read = [&]() -> std::unique_ptr<Item> {
    if (stop.load(std::memory_order_relaxed)) return nullptr;
    if (interrupted()) {
      stats.interrupted = true;
      return nullptr;
    }
    auto item = std::make_unique<Item>();
    const bool got = reader.Next(item->doc, item->diag);
    // Ctrl-C while the reader waited on stdin ends that read early (EINTR): the run is being
    // abandoned and nothing will be committed, so that half-read document is not reported.
    if (interrupted()) {
      stats.interrupted = true;
      return nullptr;
    }
    if (!got) return nullptr;
    ++stats.documents_in;
    return item;
  };

  auto write = [&](Item& item) {
    for (Problem p : item.diag.problems()) {
      p.doc_id = item.doc.id;
      if (p.path.empty()) p.path = item.doc.metadata.path;
      if (p.severity == Severity::kWarning) ++stats.warnings;
      if (on_problem) on_problem(p);
    }
    if (item.diag.aborted()) {
      stats.aborted = true;
      stop = true;
    }
    if (item.diag.failed()) {
      ++stats.documents_failed;
    } else if (!stats.aborted) {
      if (item.is_encoded) writer.WriteEncoded(item.doc, item.encoded);
      else writer.Write(item.doc);
      ++stats.documents_out;
      stats.text_bytes_out += item.doc.text.size();
    }
    stats.bytes_in = reader.bytes_read();
    if (options.on_progress) options.on_progress(stats.documents_in, stats.bytes_in);
  };

  int threads = options.threads > 0 ? options.threads
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (threads == 1) {
    // No pool: the simplest loop is also the fastest for one thread.
    while (auto item = read()) {
      ProcessItem(*item, stages);
      write(*item);
    }
  } else {
    // Items travel between filters as shared_ptr so that those in flight are freed when a
    // stage throws and TBB cancels the pipeline.
    using ItemPtr = std::shared_ptr<Item>;
    // Allow as many workers as asked for, even beyond the cores (TBB would otherwise cap them
    // and print a warning on stderr).
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_pipeline(
          static_cast<size_t>(threads * std::max(1, options.tokens_per_thread)),
          tbb::make_filter<void, ItemPtr>(tbb::filter_mode::serial_in_order,
                                          [&](tbb::flow_control& fc) -> ItemPtr {
                                            auto item = read();
                                            if (!item) fc.stop();
                                            return ItemPtr(std::move(item));
                                          }) &
              tbb::make_filter<ItemPtr, ItemPtr>(tbb::filter_mode::parallel,
                                                 [&](ItemPtr item) {
                                                   if (item && !stop.load(std::memory_order_relaxed)) {
                                                     ProcessItem(*item, stages);
                                                     // Encoding (JSON escaping, YAML) is a third of a
                                                     // cheap stage's time: keep it off the serial step.
                                                     if (!item->diag.failed()) {
                                                       item->encoded = writer.Encode(item->doc);
                                                       item->is_encoded = true;
                                                     }
                                                   }
                                                   return item;
                                                 }) &
              tbb::make_filter<ItemPtr, void>(tbb::filter_mode::serial_in_order, [&](ItemPtr item) {
                if (item) write(*item);
              }));
    });
  }
  stats.bytes_in = reader.bytes_read();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace zhcanon::pipeline
