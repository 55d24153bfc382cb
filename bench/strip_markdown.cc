// bench_strip_markdown: zhcanon's Markdown path against its floor. Runs, alternately on
// the same in-memory files, a bare md4c parse with empty callbacks (whole file, GitHub
// dialect) and what Stripper does with a Markdown document: ParseFrontMatter, then
// MarkdownToText on the body with HTML blocks handed to HtmlToText (extract=all) and inline
// tags dropped, fresh TextBuilder/Metadata/Diagnostics per file, plus TextBuilder::Finish.
//
//   bench_strip_markdown [-n N] [--only=strip] DIR...
//   md4c-parse     files=... MB=... seconds=... MB/s=... pages/s=...
//   strip-markdown files=... MB=... seconds=... MB/s=... pages/s=...
//   ratio strip/md4c = 0.xx          (strip MB/s divided by md4c MB/s)
#include <md4c.h>

#include <cstdio>
#include <string>

#include "bench_util.h"
#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/strip/front_matter.h"
#include "zhcanon/strip/html.h"
#include "zhcanon/strip/markdown.h"
#include "zhcanon/strip/text_builder.h"

namespace {

constexpr char kUsage[] =
    "usage: bench_strip_markdown [-n N] [--only=strip] DIR|FILE...\n"
    "Reads every .md/.markdown/.txt file under the directories into memory, then times,\n"
    "alternately, a bare md4c parse and zhcanon's front matter + MarkdownToText path over all\n"
    "of them (best of N passes, default 5) and prints both and `ratio strip/md4c` (throughput\n"
    "ratio). --only=strip skips the md4c passes.\n";

int NoBlock(MD_BLOCKTYPE, void*, void*) { return 0; }
int NoSpan(MD_SPANTYPE, void*, void*) { return 0; }
int NoText(MD_TEXTTYPE, const MD_CHAR*, MD_SIZE size, void* userdata) {
  *static_cast<std::size_t*>(userdata) += size;
  return 0;
}

void Md4cPass(const bench::Corpus& corpus) {
  MD_PARSER parser{};
  parser.flags = MD_DIALECT_GITHUB;
  parser.enter_block = NoBlock;
  parser.leave_block = NoBlock;
  parser.enter_span = NoSpan;
  parser.leave_span = NoSpan;
  parser.text = NoText;
  std::size_t text_bytes = 0;
  for (const bench::Page& page : corpus.pages)
    md_parse(page.text.data(), static_cast<MD_SIZE>(page.text.size()), &parser, &text_bytes);
  bench::DoNotOptimize(text_bytes);
}

struct StripStats {
  std::size_t out_bytes = 0;
  std::size_t failed = 0;
  std::size_t problems = 0;
};

StripStats StripPass(const bench::Corpus& corpus) {
  namespace strip = zhcanon::strip;
  StripStats stats;
  strip::HtmlOptions html_options;
  html_options.extract = strip::Extract::kAll;
  for (const bench::Page& page : corpus.pages) {
    strip::TextBuilder builder;
    zhcanon::Metadata meta;
    zhcanon::Diagnostics diag;
    std::string_view text = page.text;
    strip::FrontMatter fm = strip::ParseFrontMatter(text, meta, diag);
    strip::MarkdownOptions md;
    md.first_line = fm.body_line;
    md.on_html = [&](std::string_view html, bool block, strip::TextBuilder& out, zhcanon::Metadata& m) {
      if (block) strip::HtmlToText(html, html_options, out, m, diag);
      else if (html.starts_with("<br") || html.starts_with("<BR")) out.LineBreak();
    };
    strip::MarkdownToText(text.substr(fm.body_offset), md, builder, meta, diag);
    std::string out = builder.Finish();
    stats.out_bytes += out.size();
    stats.failed += diag.failed();
    stats.problems += diag.problems().size();
  }
  return stats;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::CheckOptions(args, {"only"}, kUsage);
  std::string only = args.Option("only", "");
  if (!only.empty() && only != "strip") bench::Usage(kUsage, 2);
  bool with_md4c = only.empty();

  bench::WarnIfDebug("bench_strip_markdown");
  bench::Corpus corpus = bench::LoadCorpus(args.paths, {".md", ".markdown", ".txt"});

  bench::Best md4c, strip;
  StripStats stats;
  for (int rep = 0; rep < args.repetitions; ++rep) {
    if (with_md4c) md4c.Add(bench::TimePass([&] { Md4cPass(corpus); }));
    strip.Add(bench::TimePass([&] { stats = StripPass(corpus); }));
  }
  if (with_md4c) bench::PrintLine("md4c-parse", corpus, md4c.seconds);
  bench::PrintLine("strip-markdown", corpus, strip.seconds);
  if (with_md4c) std::printf("ratio strip/md4c = %.2f\n", md4c.seconds / strip.seconds);
  std::fflush(stdout);
  std::fprintf(stderr, "strip-markdown: text_MB=%.2f failed_files=%zu problems=%zu\n",
               static_cast<double>(stats.out_bytes) / 1e6, stats.failed, stats.problems);
  return 0;
}
