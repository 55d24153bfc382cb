// bench_t2s: zhcanon's OpenCC converter against the OpenCC library itself, on the same pages
// held in memory, in one run; checks first that both give identical bytes for every page.
//
//   bench_t2s [-n N] [--config=t2s] [--min-mb=20] [--opencc-reps=2] PATH...
//
// PATH: files or directories (.txt .md .html .htm .xhtml; .jsonl: the "text" of each line is a
// page). When the pages add up to less than --min-mb MB they are repeated (whole pages, in order)
// until they do, so that a pass takes long enough to time. Each page is converted separately,
// as a pipeline converts documents: zhcanon::convert::Converter::Convert into a reused string,
// opencc::SimpleConverter::Convert. zhcanon runs best of N passes (5), OpenCC best of
// --opencc-reps (2: it is slow), alternately.
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <opencc/SimpleConverter.hpp>

#include "bench_util.h"
#include "zhcanon/convert/converter.h"

namespace {

constexpr const char* kUsage =
    "usage: bench_t2s [-n N] [--config=t2s] [--min-mb=20] [--opencc-reps=2] PATH...\n"
    "  Times zhcanon::convert::Converter and opencc::SimpleConverter on the same pages (files, or\n"
    "  the \"text\" of each line of .jsonl files), after checking their outputs are identical.\n";

// .jsonl files become one page per line (its "text"); other files are one page each.
bench::Corpus Expand(const bench::Corpus& in) {
  bench::Corpus out;
  for (const bench::Page& p : in.pages) {
    if (!p.path.ends_with(".jsonl")) {
      out.pages.push_back(p);
      out.bytes += p.text.size();
      continue;
    }
    std::size_t line_no = 0, begin = 0;
    while (begin < p.text.size()) {
      std::size_t end = p.text.find('\n', begin);
      if (end == std::string::npos) end = p.text.size();
      ++line_no;
      const auto j = nlohmann::json::parse(p.text.begin() + static_cast<std::ptrdiff_t>(begin),
                                           p.text.begin() + static_cast<std::ptrdiff_t>(end), nullptr, false);
      if (j.is_object() && j.contains("text") && j["text"].is_string()) {
        bench::Page page{p.path + ":" + std::to_string(line_no), j["text"].get<std::string>()};
        out.bytes += page.text.size();
        out.pages.push_back(std::move(page));
      }
      begin = end + 1;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::WarnIfDebug("bench_t2s");
  const bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::CheckOptions(args, {"config", "min-mb", "opencc-reps"}, kUsage);
  const std::string config = args.Option("config", "t2s");
  const double min_mb = std::stod(args.Option("min-mb", "20"));
  const int opencc_reps = std::max(1, std::stoi(args.Option("opencc-reps", "2")));

  bench::Corpus corpus = Expand(bench::LoadCorpus(args.paths, {".txt", ".md", ".html", ".htm", ".xhtml", ".jsonl"}));
  if (corpus.pages.empty()) {
    std::fprintf(stderr, "bench_t2s: no pages\n");
    return 1;
  }
  const std::size_t distinct_pages = corpus.pages.size();
  const std::size_t distinct_bytes = corpus.bytes;
  for (std::size_t i = 0; corpus.mb() < min_mb; ++i) {
    bench::Page copy = corpus.pages[i % distinct_pages];
    corpus.bytes += copy.text.size();
    corpus.pages.push_back(std::move(copy));
  }

  const zhcanon::convert::Converter ours(zhcanon::convert::ConverterOptions{config, ""});
  const opencc::SimpleConverter theirs(config);

  // Identical output first: a faster converter that differs would be worth nothing.
  std::size_t differ = 0, opencc_failed = 0;
  std::string first_difference;
  for (std::size_t i = 0; i < distinct_pages; ++i) {
    const bench::Page& p = corpus.pages[i];
    std::string want;
    try {
      want = theirs.Convert(p.text);
    } catch (const std::exception&) {
      ++opencc_failed;  // invalid UTF-8: OpenCC throws, zhcanon copies the bytes
      continue;
    }
    if (ours.Convert(p.text) != want && differ++ == 0) first_difference = p.path;
  }

  std::string out;
  std::size_t sink = 0;
  bench::Best best_ours, best_theirs;
  for (int r = 0; r < args.repetitions; ++r) {
    best_ours.Add(bench::TimePass([&] {
      for (const bench::Page& p : corpus.pages) {
        out.clear();
        ours.Convert(p.text, out);
        sink += out.size();
      }
    }));
    if (r < opencc_reps) {
      best_theirs.Add(bench::TimePass([&] {
        for (const bench::Page& p : corpus.pages) {
          try {
            sink += theirs.Convert(p.text).size();
          } catch (const std::exception&) {
          }
        }
      }));
    }
  }
  bench::DoNotOptimize(sink);

  std::printf("config=%s pages=%zu distinct_pages=%zu distinct_MB=%.2f identical=%s pages_differ=%zu opencc_rejected=%zu%s%s\n",
              config.c_str(), corpus.pages.size(), distinct_pages, static_cast<double>(distinct_bytes) / 1e6,
              differ == 0 ? "yes" : "NO", differ, opencc_failed, differ ? " first=" : "", first_difference.c_str());
  bench::PrintLine("zhcanon", corpus, best_ours.seconds);
  bench::PrintLine("opencc-lib", corpus, best_theirs.seconds);
  std::printf("ratio zhcanon/opencc = %.2f\n", best_theirs.seconds / best_ours.seconds);
  return differ == 0 ? 0 : 1;
}
