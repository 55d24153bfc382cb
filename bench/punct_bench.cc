// bench_punct: zhcanon::punct::Normalizer throughput on news text, single thread.
//
//   bench_punct [-n N] [--min-mb=50] [--profile=zh-hans] [--explain=no] [--fast-path=yes] PATH...
//
// PATH: files or directories (.txt .md); the default corpus is the seed articles after strip
// (fixtures/seeds/expected/*.txt). The pages are repeated (whole pages, in order) until they add
// up to --min-mb MB, then each page is normalized separately into a reused string, as the punct
// stage does per document; the best of N passes (5) is printed. --explain=yes also collects the
// Change list (what zhcanon-punct --explain costs); --fast-path=no sends every line through the
// full rules (Options::fast_path), to show what the fast path gains.
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "zhcanon/punct/normalizer.h"

namespace {

constexpr const char* kUsage =
    "usage: bench_punct [-n N] [--min-mb=50] [--profile=zh-hans] [--explain=no] [--fast-path=yes] PATH...\n"
    "  Times zhcanon::punct::Normalizer on the pages (.txt .md files), repeated to --min-mb MB.\n";

}  // namespace

int main(int argc, char** argv) {
  bench::WarnIfDebug("bench_punct");
  const bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::CheckOptions(args, {"min-mb", "profile", "explain", "fast-path"}, kUsage);
  const bench::Corpus seeds = bench::LoadCorpus(args.paths, {".txt", ".md"});
  const double min_mb = std::stod(args.Option("min-mb", "50"));
  const bool explain = args.Option("explain", "no") == "yes";

  bench::Corpus corpus;
  while (corpus.mb() < min_mb)
    for (const bench::Page& p : seeds.pages) {
      corpus.pages.push_back(p);
      corpus.bytes += p.text.size();
    }

  zhcanon::punct::Options options;
  try {
    options.profile = zhcanon::punct::ParseProfile(args.Option("profile", "zh-hans"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_punct: %s\n", e.what());
    return 2;
  }
  options.fast_path = args.Option("fast-path", "yes") == "yes";
  const zhcanon::punct::Normalizer normalizer(options);

  std::string out;
  std::vector<zhcanon::punct::Change> changes;
  std::size_t total_changes = 0;
  bench::Best best;
  for (int rep = 0; rep < args.repetitions; ++rep) {
    total_changes = 0;
    best.Add(bench::TimePass([&] {
      for (const bench::Page& p : corpus.pages) {
        changes.clear();
        total_changes += normalizer.Normalize(p.text, out, explain ? &changes : nullptr);
        bench::DoNotOptimize(out.size());
      }
    }));
  }
  std::printf("source: %zu files, %.2f MB, repeated to %zu pages; %zu changes per pass\n", seeds.pages.size(),
              seeds.mb(), corpus.pages.size(), total_changes);
  const std::string name = std::string("punct-") + args.Option("profile", "zh-hans") + (explain ? "+explain" : "") +
                           (options.fast_path ? "" : "-nofast");
  bench::PrintLine(name.c_str(), corpus, best.seconds);
  return 0;
}
