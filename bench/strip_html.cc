// bench_strip_html: zhcanon's HTML path against its floor. Runs, alternately on the same
// in-memory pages, a bare gumbo parse (as bench_gumbo_parse) and
// zhcanon::strip::HtmlToText with a fresh TextBuilder, Metadata and Diagnostics per page
// (plus TextBuilder::Finish, since a caller always needs the text), and the whole strip stage
// (Stripper::Process: HtmlToText plus the boilerplate rules), and prints the best of N passes
// of each and their throughput ratios to the bare parse.
//
//   bench_strip_html [-n N] [--extract=auto|main|all] [--only=strip] DIR...
//   gumbo-parse    files=... MB=... seconds=... MB/s=... pages/s=...
//   strip-html     files=... MB=... seconds=... MB/s=... pages/s=...
//   strip-stage    files=... MB=... seconds=... MB/s=... pages/s=...
//   ratio strip/gumbo = 0.xx          (strip MB/s divided by gumbo MB/s)
//   ratio stage/gumbo = 0.xx
#include <gumbo.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "bench_util.h"
#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/strip/html.h"
#include "zhcanon/strip/stripper.h"
#include "zhcanon/strip/text_builder.h"

namespace {

constexpr char kUsage[] =
    "usage: bench_strip_html [-n N] [--extract=auto|main|all] [--only=strip] DIR|FILE...\n"
    "Reads every .html/.htm/.xhtml file under the directories into memory, then times, alternately,\n"
    "a bare gumbo parse and zhcanon::strip::HtmlToText over all of them (best of N passes,\n"
    "default 5) and prints both and `ratio strip/gumbo` (throughput ratio, 1.00 = as fast as\n"
    "the bare parse). --only=strip skips the gumbo passes.\n";

struct StripStats {
  std::size_t out_bytes = 0;
  std::size_t failed = 0;
  std::size_t warnings = 0;
};

StripStats StripPass(const bench::Corpus& corpus, const zhcanon::strip::HtmlOptions& options) {
  StripStats stats;
  for (const bench::Page& page : corpus.pages) {
    zhcanon::strip::TextBuilder builder;
    zhcanon::Metadata meta;
    zhcanon::Diagnostics diag;
    zhcanon::strip::HtmlToText(page.text, options, builder, meta, diag);
    std::string text = builder.Finish();
    stats.out_bytes += text.size();
    stats.failed += diag.failed();
    stats.warnings += diag.problems().size();
  }
  return stats;
}

// The whole strip stage as the tools run it on an HTML page: HtmlToText, then the
// boilerplate rules and the empty-document check (Stripper::Process). The page is copied
// into a Document first, as the reader would have filled it.
StripStats StagePass(const bench::Corpus& corpus, const zhcanon::strip::Stripper& stripper) {
  StripStats stats;
  for (const bench::Page& page : corpus.pages) {
    zhcanon::Document doc;
    doc.text = page.text;
    doc.format = zhcanon::SourceFormat::kHtml;
    zhcanon::Diagnostics diag;
    stripper.Process(doc, diag);
    stats.out_bytes += diag.failed() ? 0 : doc.text.size();
    stats.failed += diag.failed();
    stats.warnings += diag.problems().size();
  }
  return stats;
}

void GumboPass(const bench::Corpus& corpus) {
  for (const bench::Page& page : corpus.pages) {
    GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, page.text.data(), page.text.size());
    bench::DoNotOptimize(reinterpret_cast<std::size_t>(out->root));
    gumbo_destroy_output(&kGumboDefaultOptions, out);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::CheckOptions(args, {"extract", "only"}, kUsage);
  zhcanon::strip::HtmlOptions options;
  try {
    options.extract = zhcanon::strip::ParseExtract(args.Option("extract", "auto"));
  } catch (const std::invalid_argument&) {
    bench::Usage(kUsage, 2);
  }
  std::string only = args.Option("only", "");
  if (!only.empty() && only != "strip") bench::Usage(kUsage, 2);
  bool with_gumbo = only.empty();

  bench::WarnIfDebug("bench_strip_html");
  bench::Corpus corpus = bench::LoadCorpus(args.paths, {".html", ".htm", ".xhtml"});

  zhcanon::strip::StripOptions stage_options;
  stage_options.extract = options.extract;
  const zhcanon::strip::Stripper stripper(stage_options);

  bench::Best gumbo, strip, stage;
  StripStats stats, stage_stats;
  for (int rep = 0; rep < args.repetitions; ++rep) {
    if (with_gumbo) gumbo.Add(bench::TimePass([&] { GumboPass(corpus); }));
    strip.Add(bench::TimePass([&] { stats = StripPass(corpus, options); }));
    stage.Add(bench::TimePass([&] { stage_stats = StagePass(corpus, stripper); }));
  }
  if (with_gumbo) bench::PrintLine("gumbo-parse", corpus, gumbo.seconds);
  bench::PrintLine("strip-html", corpus, strip.seconds);
  bench::PrintLine("strip-stage", corpus, stage.seconds);
  if (with_gumbo) {
    std::printf("ratio strip/gumbo = %.2f\n", gumbo.seconds / strip.seconds);
    std::printf("ratio stage/gumbo = %.2f\n", gumbo.seconds / stage.seconds);
  }
  std::fflush(stdout);
  std::fprintf(stderr, "strip-html: extract=%s text_MB=%.2f failed_pages=%zu problems=%zu\n",
               std::string(zhcanon::strip::ExtractName(options.extract)).c_str(),
               static_cast<double>(stats.out_bytes) / 1e6, stats.failed, stats.warnings);
  return 0;
}
