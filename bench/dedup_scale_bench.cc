// bench_dedup_scale: how fast zhcanon-dedup's core is, and how it grows.
//
//   bench_dedup_scale [-n N] [--min-mb=50] [--threads=1] [--docs=1000000,10000000] [--planted=0.02]
//                     [--max-distance=3] [--fold=yes] PATH...
//
// 1. Fingerprinting: zhcanon::dedup::Fingerprinter::Compute on real text, per thread. PATH: files
//    or directories of .txt/.md pages (e.g. fixtures/seeds/expected) and JSONL files whose records
//    have a "text" field (e.g. bench/out/*.jsonl, real Debian pages after zhcanon-strip). Each
//    PATH is measured on its own: its pages are repeated (whole pages, in order) to --min-mb MB
//    and fingerprinted one by one; the best of N passes (5) is printed. With --threads=T, T
//    threads fingerprint the same pages at once and the line gives MB/s per thread.
// 2. Clustering: zhcanon::dedup::Clusterer::Run on synthetic fingerprints (random, with a share
//    --planted of documents that are near copies of an earlier one: SimHash 0..max-distance bits
//    away, a sketch with 10% of its bins changed, a paragraph sample shared), for each count in
//    --docs, each in a child process so that its peak RSS is its own. Printed: seconds to add
//    and to run (Run includes building the Hamming index and the paragraph buckets), peak RSS,
//    the RSS growth during Run per document, the HammingIndex's bytes per entry, and how many
//    planted copies were found.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/dedup/hamming_index.h"

namespace {

constexpr const char* kUsage =
    "usage: bench_dedup_scale [-n N] [--min-mb=50] [--threads=1] [--docs=1000000,10000000] [--planted=0.02]\n"
    "                         [--max-distance=3] [--fold=yes] PATH...\n"
    "  Times Fingerprinter::Compute on the pages of each PATH (.txt/.md files or directories, .jsonl files\n"
    "  with a \"text\" field), then Clusterer::Run on synthetic fingerprints (--docs=0: skip).\n";

using zhcanon::dedup::Clusterer;
using zhcanon::dedup::DocumentEntry;
using zhcanon::dedup::Fingerprint;

bench::Corpus LoadPath(const std::string& path) {
  if (path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0) {
    bench::Corpus c;
    std::ifstream in(path);
    if (!in) {
      std::fprintf(stderr, "bench_dedup_scale: %s: cannot read\n", path.c_str());
      std::exit(1);
    }
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) continue;
      bench::Page p{path, j["text"].get<std::string>()};
      c.bytes += p.text.size();
      c.pages.push_back(std::move(p));
    }
    return c;
  }
  return bench::LoadCorpus({path}, {".txt", ".md"});
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double RssMb() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1e3;  // kB
}

void BenchFingerprint(const std::string& path, const bench::Args& args) {
  const bench::Corpus source = LoadPath(path);
  if (source.pages.empty()) {
    std::fprintf(stderr, "bench_dedup_scale: %s: no pages\n", path.c_str());
    return;
  }
  const double min_mb = std::stod(args.Option("min-mb", "50"));
  bench::Corpus corpus;
  while (corpus.mb() < min_mb)
    for (const bench::Page& p : source.pages) {
      corpus.pages.push_back(p);
      corpus.bytes += p.text.size();
    }
  zhcanon::dedup::FingerprintOptions options;
  options.fold_variants = args.Option("fold", "yes") == "yes";
  const zhcanon::dedup::Fingerprinter fp(options);
  const int threads = std::stoi(args.Option("threads", "1"));
  bench::Best best, best_cpu;
  for (int rep = 0; rep < args.repetitions; ++rep) {
    std::vector<double> cpu(static_cast<std::size_t>(threads), 0.0);
    best.Add(bench::TimePass([&] {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          const double start = ThreadCpuSeconds();
          std::uint64_t x = 0;
          for (const bench::Page& p : corpus.pages) x ^= fp.Compute(p.text).simhash;
          bench::DoNotOptimize(x);
          cpu[static_cast<std::size_t>(t)] = ThreadCpuSeconds() - start;
        });
      for (auto& th : pool) th.join();
    }));
    best_cpu.Add(*std::max_element(cpu.begin(), cpu.end()));
  }
  std::printf("source: %s: %zu pages, %.2f MB (mean %.0f bytes/page), repeated to %zu pages, %d thread(s)\n",
              path.c_str(), source.pages.size(), source.mb(), source.mb() * 1e6 / source.pages.size(),
              corpus.pages.size(), threads);
  // Wall time per thread (each thread fingerprints the whole corpus), and the thread's CPU time:
  // on a busy machine the second is the one that says what a thread costs.
  bench::PrintLine(options.fold_variants ? "fingerprint" : "fingerprint-nofold", corpus, best.seconds);
  std::printf("%-14s cpu_seconds=%.4f cpu_MB/s=%.2f\n", options.fold_variants ? "fingerprint" : "fingerprint-nofold",
              best_cpu.seconds, corpus.mb() / best_cpu.seconds);
}

// Synthetic fingerprints: what Clusterer sees of a corpus with `planted` near copies.
struct Synthetic {
  std::vector<DocumentEntry> docs;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> planted;  // (copy, original)
};

void MakeEntry(std::mt19937_64& rng, std::size_t i, DocumentEntry& e) {
  Fingerprint& f = e.fingerprint;
  f.exact_hi = rng();
  f.exact_lo = rng();
  f.simhash = rng();
  f.features = 200 + static_cast<std::uint32_t>(rng() % 4000);
  f.view_chars = f.features + 20;
  for (auto& s : f.sketch) s = static_cast<std::uint16_t>(rng());
  const int paras = static_cast<int>(rng() % 5);
  std::vector<std::uint64_t> p;
  for (int k = 0; k < paras; ++k) p.push_back(rng() | 1);
  std::sort(p.begin(), p.end());
  f.paragraphs = {};
  for (int k = 0; k < paras; ++k) f.paragraphs[k] = p[k];
  f.paragraph_count = static_cast<std::uint32_t>(paras);
  e.converted_chars = rng() % 10 == 0 ? static_cast<std::int64_t>(rng() % 500) : 0;
  if (rng() % 8 != 0) {
    char date[32];
    std::snprintf(date, sizeof date, "20%02d-%02d-%02d %02d:%02d:%02d", static_cast<int>(rng() % 25),
                  static_cast<int>(1 + rng() % 12), static_cast<int>(1 + rng() % 28), static_cast<int>(rng() % 24),
                  static_cast<int>(rng() % 60), static_cast<int>(rng() % 60));
    e.date = date;
  }
  e.length = f.features * 3ull + rng() % 100;
  (void)i;
}

void BenchCluster(std::size_t n, double planted_share, int max_distance) {
  std::mt19937_64 rng(42 + n);
  const double rss0 = RssMb();
  zhcanon::dedup::ClusterOptions options;
  options.max_distance = max_distance;
  Clusterer clusterer(options);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> planted;
  std::vector<std::uint64_t> simhashes;
  simhashes.reserve(n);
  DocumentEntry e;
  std::vector<DocumentEntry> recent;  // originals to copy from (a small window: no 10M copies in memory)
  std::vector<std::uint32_t> recent_ids;
  const double add_seconds = bench::TimePass([&] {
    for (std::size_t i = 0; i < n; ++i) {
      const bool copy = !recent.empty() && std::uniform_real_distribution<double>(0, 1)(rng) < planted_share;
      if (copy) {
        const std::size_t pick = rng() % recent.size();
        e = recent[pick];
        Fingerprint& f = e.fingerprint;
        f.exact_hi = rng();
        f.exact_lo = rng();
        const int flips = static_cast<int>(rng() % (max_distance + 1));
        for (int k = 0; k < flips; ++k) f.simhash ^= std::uint64_t{1} << (rng() % 64);  // may repeat: <= flips
        for (auto& s : f.sketch)
          if (rng() % 10 == 0) s = static_cast<std::uint16_t>(rng());
        e.converted_chars += 1;  // the copy loses: the original stays canonical
        planted.emplace_back(static_cast<std::uint32_t>(i), recent_ids[pick]);
      } else {
        MakeEntry(rng, i, e);
      }
      simhashes.push_back(e.fingerprint.simhash);
      const std::uint32_t id = clusterer.Add(e);
      if (!copy) {
        if (recent.size() < 1024) {
          recent.push_back(e);
          recent_ids.push_back(id);
        } else {
          const std::size_t slot = rng() % recent.size();
          recent[slot] = e;
          recent_ids[slot] = id;
        }
      }
    }
  });
  const double rss_added = RssMb();
  zhcanon::dedup::Clustering result;
  const double cpu0 = ThreadCpuSeconds();
  const double run_seconds = bench::TimePass([&] { result = clusterer.Run(); });
  const double run_cpu = ThreadCpuSeconds() - cpu0;
  const double peak = PeakRssMb();
  std::size_t found = 0;
  for (const auto& [copy, orig] : planted) found += result.canonical_of[copy] == result.canonical_of[orig];
  // The Hamming index alone (Run builds one like it over the non-short documents).
  zhcanon::dedup::HammingIndex index(max_distance);
  index.Reserve(n);
  for (std::size_t i = 0; i < n; ++i) index.Add(simhashes[i], static_cast<std::uint32_t>(i));
  const double build_seconds = bench::TimePass([&] { index.Build(); });
  std::vector<std::uint32_t> out;
  const std::size_t queries = std::min<std::size_t>(n, 200000);
  const double query_seconds = bench::TimePass([&] {
    for (std::size_t i = 0; i < queries; ++i) {
      out.clear();
      index.Query(simhashes[i], max_distance, out);
    }
  });
  std::printf(
      "cluster docs=%zu k=%d add_s=%.2f run_s=%.2f run_cpu_s=%.2f peak_rss_MB=%.0f rss_before_run_MB=%.0f "
      "run_growth_B/doc=%.0f index_B/entry=%.1f index_build_s=%.2f index_query_us=%.2f planted=%zu found=%zu "
      "clusters=%zu near=%llu exact=%llu candidates=%llu rejected=%llu\n",
      n, max_distance, add_seconds, run_seconds, run_cpu, peak, rss_added - rss0, (peak - rss_added) * 1e6 / n,
      index.bytes_per_entry(), build_seconds, query_seconds * 1e6 / queries, planted.size(), found,
      result.clusters.size(), static_cast<unsigned long long>(result.stats.near_duplicates),
      static_cast<unsigned long long>(result.stats.exact_duplicates),
      static_cast<unsigned long long>(result.stats.candidate_pairs),
      static_cast<unsigned long long>(result.stats.rejected_pairs));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  bench::WarnIfDebug("bench_dedup_scale");
  const bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::CheckOptions(args, {"min-mb", "threads", "docs", "planted", "max-distance", "fold"}, kUsage);
  for (const std::string& path : args.paths) BenchFingerprint(path, args);
  std::fflush(stdout);

  std::stringstream docs(args.Option("docs", "1000000,10000000"));
  const double planted = std::stod(args.Option("planted", "0.02"));
  const int max_distance = std::stoi(args.Option("max-distance", "3"));
  for (std::string item; std::getline(docs, item, ',');) {
    const std::size_t n = std::stoull(item);
    if (n == 0) continue;
    // A child per size: its peak RSS is its own.
    const pid_t pid = fork();
    if (pid == 0) {
      BenchCluster(n, planted, max_distance);
      std::_Exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::fprintf(stderr, "bench_dedup_scale: docs=%zu failed\n", n);
  }
  return 0;
}
