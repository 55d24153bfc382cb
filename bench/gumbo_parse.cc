// bench_gumbo_parse: the floor for the HTML path. Times a bare gumbo parse (and free) of
// every page, which any gumbo-based stripper must pay; zhcanon's HtmlToText is judged
// against it (bench_strip_html prints the ratio).
//
//   bench_gumbo_parse [-n N] DIR...
//   gumbo-parse    files=2561 MB=22.06 seconds=... MB/s=... pages/s=...
#include <gumbo.h>

#include "bench_util.h"

namespace {

constexpr char kUsage[] =
    "usage: bench_gumbo_parse [-n N] DIR|FILE...\n"
    "Reads every .html/.htm/.xhtml file under the directories into memory, then times\n"
    "gumbo_parse_with_options + gumbo_destroy_output over all of them; prints the best of\n"
    "N passes (default 5).\n";

}  // namespace

int main(int argc, char** argv) {
  bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::WarnIfDebug("bench_gumbo_parse");
  bench::Corpus corpus = bench::LoadCorpus(args.paths, {".html", ".htm", ".xhtml"});

  bench::Best best;
  for (int rep = 0; rep < args.repetitions; ++rep) {
    best.Add(bench::TimePass([&] {
      for (const bench::Page& page : corpus.pages) {
        GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, page.text.data(), page.text.size());
        bench::DoNotOptimize(reinterpret_cast<std::size_t>(out->root));
        gumbo_destroy_output(&kGumboDefaultOptions, out);
      }
    }));
  }
  bench::PrintLine("gumbo-parse", corpus, best.seconds);
  return 0;
}
