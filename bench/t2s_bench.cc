// bench_t2s: zhcanon's OpenCC converter against the OpenCC library itself, on the same pages
// held in memory, in one run; checks first that both give identical bytes for every page.
//
//   bench_t2s [-n N] [--config=t2s] [--min-mb=20] [--opencc-reps=2] [--write-jsonl=F]
//             [--write-text=F] [--write-expected=F] [--prepare-only=yes] [--threads=N] PATH...
//
// PATH: files or directories (.txt .md .html .htm .xhtml; .jsonl: the "text" of each line is a
// page). When the pages add up to less than --min-mb MB they are repeated (whole pages, in order)
// until they do, so that a pass takes long enough to time. Each page is converted separately,
// as a pipeline converts documents: zhcanon::convert::Converter::Convert into a reused string,
// opencc::SimpleConverter::Convert. zhcanon runs best of N passes (5), OpenCC best of
// --opencc-reps (2: it is slow), alternately.
//
// For bench/run-t2s, which times other converters on the same pages: --write-jsonl writes the
// pages (after repetition) as {"id","text"} lines, --write-text writes them joined by "\n" (for
// the opencc tool), --write-expected writes OpenCC's output of each page as {"text"} lines.
// --prepare-only=yes writes them and stops (nothing is timed). --threads=2 also times zhcanon
// with pages handed to 2 threads (one shared Converter), to show how the library scales.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencc/SimpleConverter.hpp>

#include "bench_util.h"
#include "zhcanon/convert/converter.h"

namespace {

constexpr const char* kUsage =
    "usage: bench_t2s [-n N] [--config=t2s] [--min-mb=20] [--opencc-reps=2] [--write-jsonl=F]\n"
    "                 [--write-text=F] [--write-expected=F] [--prepare-only=yes] [--threads=N] PATH...\n"
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
  bench::CheckOptions(args, {"config", "min-mb", "opencc-reps", "write-jsonl", "write-text", "write-expected",
                             "prepare-only", "threads"},
                      kUsage);
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

  auto write = [&](const std::string& file, auto&& line) {
    if (file.empty()) return;
    std::ofstream f(file, std::ios::binary);
    for (std::size_t i = 0; i < corpus.pages.size(); ++i) f << line(i);
    if (!f) {
      std::fprintf(stderr, "bench_t2s: cannot write %s\n", file.c_str());
      std::exit(1);
    }
  };
  write(args.Option("write-jsonl", ""), [&](std::size_t i) {
    return nlohmann::json{{"id", std::to_string(i) + ":" + corpus.pages[i].path}, {"text", corpus.pages[i].text}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  });
  write(args.Option("write-text", ""), [&](std::size_t i) { return corpus.pages[i].text + "\n"; });

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

  write(args.Option("write-expected", ""), [&](std::size_t i) {
    std::string t;
    try {
      t = theirs.Convert(corpus.pages[i].text);
    } catch (const std::exception&) {
    }
    return nlohmann::json{{"text", t}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  });

  if (args.Option("prepare-only", "no") == "yes") return 0;

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
  const int threads = std::stoi(args.Option("threads", "1"));
  bench::Best best_threads;
  if (threads > 1) {
    for (int r = 0; r < args.repetitions; ++r) {
      best_threads.Add(bench::TimePass([&] {
        std::atomic<std::size_t> next{0};
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
          pool.emplace_back([&] {
            std::string local;
            std::size_t n = 0;
            for (std::size_t i; (i = next.fetch_add(1)) < corpus.pages.size();) {
              local.clear();
              ours.Convert(corpus.pages[i].text, local);
              n += local.size();
            }
            bench::DoNotOptimize(n);
          });
        }
        for (auto& t : pool) t.join();
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
  if (threads > 1) {
    const std::string name = "zhcanon-j" + std::to_string(threads);
    bench::PrintLine(name.c_str(), corpus, best_threads.seconds);
    std::printf("ratio zhcanon-j%d/zhcanon = %.2f\n", threads, best_ours.seconds / best_threads.seconds);
  }
  return differ == 0 ? 0 : 1;
}
