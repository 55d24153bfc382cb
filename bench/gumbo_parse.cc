// bench_gumbo_parse: the floor for the HTML path. Times a bare gumbo parse (and free) of
// every page, which any gumbo-based stripper must pay; zhcanon's HtmlToText is judged
// against it (bench_strip_html prints the ratio).
//
//   bench_gumbo_parse [-n N] DIR...
//   gumbo-parse    files=2561 MB=22.06 seconds=... MB/s=... pages/s=...
//   gumbo-arena    files=2561 MB=22.06 seconds=... MB/s=... pages/s=...
// The second line parses the same pages with zhcanon::strip::GumboParse (gumbo with a
// per-thread arena, as HtmlToText does): the floor for zhcanon's own HTML path.
#include <gumbo.h>

#include "bench_util.h"
#include "zhcanon/strip/gumbo_parse.h"

namespace {

constexpr char kUsage[] =
    "usage: bench_gumbo_parse [-n N] DIR|FILE...\n"
    "Reads every .html/.htm/.xhtml file under the directories into memory, then times\n"
    "gumbo_parse_with_options + gumbo_destroy_output over all of them, then the same pages\n"
    "through zhcanon::strip::GumboParse (gumbo with an arena); prints the best of N passes\n"
    "(default 5) of each.\n";

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

  bench::Best arena;
  for (int rep = 0; rep < args.repetitions; ++rep) {
    arena.Add(bench::TimePass([&] {
      for (const bench::Page& page : corpus.pages) {
        const zhcanon::strip::GumboParse parse(page.text);
        bench::DoNotOptimize(reinterpret_cast<std::size_t>(parse.get()));
      }
    }));
  }
  bench::PrintLine("gumbo-arena", corpus, arena.seconds);
  return 0;
}
