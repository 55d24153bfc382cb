// bench_index_synth: fills a zhcanon corpus index with synthetic documents, through the
// library (zhcanon::index::CorpusIndex::Add), for bench/index_query_bench: a million rows
// without fingerprinting a million texts. Then times in-process lookups.
//
//   bench_index_synth --db big.db --add 1000000 [--seed 1] [--batch 100000] [--queries 2000]
//   bench_index_synth --db big.db --startup
//
// Each synthetic document has random 128-bit exact hash, 64-bit SimHash, sketch and four
// paragraph hashes, 300-3000 features, a date and a title: rows of the size real ones have.
// The index must exist (zhcanon index build); its settings are kept. --queries N then times N
// lookups (CorpusIndex::Candidates + Get + Clusterer::Matches per candidate, what `zhcanon
// check` does per article) of random fingerprints and of near copies of stored ones, and
// prints `lookup ... us/query` lines. --startup times (CPU, this process) what `zhcanon check` builds
// before it reads an article: the strip, t2s (--t2s auto), punct stages and the Fingerprinter,
// in that order, then opening the index.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <ctime>

#include "zhcanon/convert/t2s.h"
#include "zhcanon/convert/variant.h"
#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/index/corpus_index.h"
#include "zhcanon/punct/normalizer.h"
#include "zhcanon/strip/stripper.h"

namespace {

zhcanon::dedup::Fingerprint Random(std::mt19937_64& rng) {
  zhcanon::dedup::Fingerprint f;
  f.exact_hi = rng();
  f.exact_lo = rng();
  f.simhash = rng();
  f.features = 300 + static_cast<std::uint32_t>(rng() % 2700);
  f.view_chars = f.features + 3;
  for (auto& v : f.sketch) v = static_cast<std::uint16_t>(rng());
  for (auto& v : f.paragraphs) v = rng() | 1;
  std::sort(f.paragraphs.begin(), f.paragraphs.end());
  f.paragraph_count = 4 + static_cast<std::uint32_t>(rng() % 20);
  return f;
}

long Arg(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == name) return std::strtol(argv[i + 1], nullptr, 10);
  return fallback;
}

std::string StrArg(int argc, char** argv, const char* name) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == name) return argv[i + 1];
  return {};
}

double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// What `zhcanon check` builds before it reads an article, one after the other, in CPU ms.
void Startup(const std::string& db) {
  double t = CpuMs();
  auto lap = [&t] {
    const double now = CpuMs(), d = now - t;
    t = now;
    return d;
  };
  zhcanon::strip::Stripper stripper;
  const double strip = lap();
  zhcanon::punct::Punct punct;
  const double punct_ms = lap();
  zhcanon::convert::T2s t2s({.config = "auto", .user_dictionary = ""});
  const double t2s_ms = lap();
  zhcanon::dedup::Fingerprinter fold{zhcanon::dedup::FingerprintOptions{}};
  const double fold_ms = lap();
  zhcanon::dedup::FingerprintOptions no_fold;
  no_fold.fold_variants = false;
  zhcanon::dedup::Fingerprinter plain{no_fold};
  const double plain_ms = lap();
  zhcanon::convert::T2s t2s_only({.config = "t2s", .user_dictionary = ""});
  const double t2s_only_ms = lap();
  auto index = zhcanon::index::CorpusIndex::Open(db, zhcanon::index::OpenMode::kReadOnly);
  const double open_ms = lap();
  // --t2s auto loads these when the first Traditional document comes (VariantConverters).
  const auto variants = zhcanon::convert::SharedVariantConverters();
  variants->detector();
  const double detector_ms = lap();
  variants->Get(zhcanon::convert::Variant::kTaiwan);
  const double tw2sp_ms = lap();
  variants->Get(zhcanon::convert::Variant::kHongKong);
  const double hk2s_ms = lap();
  std::printf("startup cpu_ms: strip=%.1f punct=%.1f t2s_auto=%.1f fingerprinter_fold=%.1f (after t2s auto) "
              "fingerprinter_no_fold=%.1f t2s_t2s=%.1f index_open=%.1f; at the first Traditional document: "
              "variant_detector=%.1f tw2sp=%.1f hk2s=%.1f\n",
              strip, punct_ms, t2s_ms, fold_ms, plain_ms, t2s_only_ms, open_ms, detector_ms, tw2sp_ms, hk2s_ms);
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string db = StrArg(argc, argv, "--db");
  const long add = Arg(argc, argv, "--add", 0);
  const long batch = Arg(argc, argv, "--batch", 100000);
  const long queries = Arg(argc, argv, "--queries", 0);
  bool startup = false;
  for (int i = 1; i < argc; ++i) startup = startup || std::string(argv[i]) == "--startup";
  std::mt19937_64 rng(static_cast<std::uint64_t>(Arg(argc, argv, "--seed", 1)));
  if (db.empty() || add < 0 || batch <= 0) {
    std::fprintf(stderr, "usage: bench_index_synth --db FILE [--add N] [--seed S] [--batch N] [--queries N] [--startup]\n");
    return 2;
  }
  try {
    if (startup) {
      Startup(db);
      return 0;
    }
    auto index = zhcanon::index::CorpusIndex::Open(db, zhcanon::index::OpenMode::kReadWrite);
    const long start_count = index.Stats().documents;
    auto t = std::chrono::steady_clock::now();
    for (long done = 0; done < add;) {
      index.BeginBatch("add", "bench_index_synth");
      for (long i = 0; i < batch && done < add; ++i, ++done) {
        zhcanon::index::IndexedDocument d;
        char id[64];
        std::snprintf(id, sizeof id, "synthetic/%08ld.md", start_count + done);
        d.id = id;
        d.path = std::string("corpus/") + id;
        d.title = "合成文档 " + std::to_string(start_count + done);
        d.entry.fingerprint = Random(rng);
        d.entry.date = "202" + std::to_string(rng() % 6) + "-0" + std::to_string(1 + rng() % 9) + "-1" +
                       std::to_string(rng() % 10);
        d.entry.length = d.entry.fingerprint.view_chars * 3;
        index.Add(d, false);
      }
      index.CommitBatch();
      std::fprintf(stderr, "bench_index_synth: %ld documents added (%.1f s)\n", done, Since(t));
    }
    if (add > 0)
      std::printf("synth added=%ld seconds=%.1f docs/s=%.0f\n", add, Since(t), add / std::max(1e-9, Since(t)));

    if (queries > 0) {
      const auto& s = index.settings();
      zhcanon::dedup::ClusterOptions opts = s.cluster;
      opts.keep = zhcanon::dedup::KeepPolicy::kFirst;
      zhcanon::dedup::Clusterer verifier(opts);
      // Near copies of stored fingerprints: a few SimHash bits flipped, the rest equal.
      std::vector<zhcanon::dedup::Fingerprint> stored;
      const long total = index.Stats().documents;
      for (long i = 0; i < 50; ++i) {
        char id[64];
        std::snprintf(id, sizeof id, "synthetic/%08ld.md", static_cast<long>(rng() % static_cast<std::uint64_t>(std::max(1L, total))));
        if (auto d = index.Find(id)) stored.push_back(d->entry.fingerprint);
      }
      for (int kind = 0; kind < 2; ++kind) {
        if (kind == 1 && stored.empty()) break;
        long candidates = 0, matches = 0;
        t = std::chrono::steady_clock::now();
        for (long q = 0; q < queries; ++q) {
          zhcanon::dedup::Fingerprint f = kind == 0 ? Random(rng) : stored[static_cast<std::size_t>(q) % stored.size()];
          if (kind == 1) {
            f.exact_hi ^= 1;
            f.simhash ^= 1ULL << (rng() % 64);
          }
          zhcanon::dedup::DocumentEntry e{.fingerprint = f, .converted_chars = 0, .date = "", .length = 1000};
          for (std::int64_t rowid : index.Candidates(f, s.max_distance, s.cluster.max_paragraph_bucket)) {
            ++candidates;
            auto d = index.Get(rowid);
            zhcanon::dedup::Member how;
            if (d && verifier.Matches(d->entry, e, &how)) ++matches;
          }
        }
        const double sec = Since(t);
        std::printf("lookup %s queries=%ld documents=%ld us/query=%.1f candidates/query=%.2f matches/query=%.2f\n",
                    kind == 0 ? "random" : "near-copy", queries, total, sec * 1e6 / queries,
                    static_cast<double>(candidates) / queries, static_cast<double>(matches) / queries);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_index_synth: %s\n", e.what());
    return 1;
  }
  return 0;
}
