// Shared by the bench_* programs: loading a corpus into memory, timing best-of-N passes
// and printing the one-line result every bench/ script parses.
//
//   bench::Args args = bench::ParseArgs(argc, argv, "usage: ...");
//   bench::Corpus corpus = bench::LoadCorpus(args.paths, {".html", ".htm", ".xhtml"});
//   double t = bench::TimePass([&] { for (auto& p : corpus.pages) Parse(p.text); });
//   bench::PrintLine("gumbo-parse", corpus, best);
//
// MB are 10^6 bytes. Times are std::chrono::steady_clock wall time of a whole pass over
// the corpus (all pages already in memory, no I/O).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace bench {

struct Page {
  std::string path;
  std::string text;
};

struct Corpus {
  std::vector<Page> pages;
  std::size_t bytes = 0;
  double mb() const { return static_cast<double>(bytes) / 1e6; }
};

struct Args {
  int repetitions = 5;
  std::vector<std::string> paths;
  /// `--key=value` options, for the program to interpret (see Option()).
  std::vector<std::pair<std::string, std::string>> options;

  /// The value of `--key=value`, or `fallback` when absent.
  std::string Option(std::string_view key, std::string fallback) const {
    for (const auto& [k, v] : options)
      if (k == key) return v;
    return fallback;
  }
};

[[noreturn]] inline void Usage(const char* usage, int status) {
  std::fputs(usage, status == 0 ? stdout : stderr);
  std::exit(status);
}

/// Parses `[-n N] [--key=value]... PATH...`; exits with status 2 and `usage` on a bad command line.
inline Args ParseArgs(int argc, char** argv, const char* usage) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") Usage(usage, 0);
    if (a == "-n" || a == "--repetitions") {
      if (i + 1 >= argc) Usage(usage, 2);
      char* end = nullptr;
      long n = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || n < 1 || n > 1000) Usage(usage, 2);
      args.repetitions = static_cast<int>(n);
    } else if (a.starts_with("--") && a.find('=') != std::string_view::npos) {
      std::size_t eq = a.find('=');
      args.options.emplace_back(std::string(a.substr(2, eq - 2)), std::string(a.substr(eq + 1)));
    } else if (a.starts_with("-") && a != "-") {
      Usage(usage, 2);
    } else {
      args.paths.emplace_back(a);
    }
  }
  if (args.paths.empty()) Usage(usage, 2);
  return args;
}

/// Exits with status 2 and `usage` when an option is not one of `known`.
inline void CheckOptions(const Args& args, const std::vector<std::string_view>& known, const char* usage) {
  for (const auto& kv : args.options) {
    if (std::find(known.begin(), known.end(), kv.first) == known.end()) {
      std::fprintf(stderr, "unknown option --%s\n", kv.first.c_str());
      Usage(usage, 2);
    }
  }
}

inline bool HasExtension(const std::filesystem::path& p, const std::vector<std::string>& exts) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(exts.begin(), exts.end(), e) != exts.end();
}

inline bool ReadFile(const std::filesystem::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

/// Reads every file with one of `exts` (lower case, with the dot) under the given
/// directories (recursively; a file named directly is taken whatever its extension), in
/// sorted path order so that every run sees the same sequence. Exits with status 1 when a
/// path is missing or nothing was found.
inline Corpus LoadCorpus(const std::vector<std::string>& paths, const std::vector<std::string>& exts) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const std::string& root : paths) {
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) {
      files.emplace_back(root);
      continue;
    }
    if (!fs::is_directory(root, ec)) {
      std::fprintf(stderr, "bench: %s: no such file or directory\n", root.c_str());
      std::exit(1);
    }
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && HasExtension(it->path(), exts)) files.push_back(it->path());
    }
    if (ec) {
      std::fprintf(stderr, "bench: %s: %s\n", root.c_str(), ec.message().c_str());
      std::exit(1);
    }
  }
  std::sort(files.begin(), files.end());
  Corpus corpus;
  corpus.pages.reserve(files.size());
  for (const fs::path& f : files) {
    Page page;
    page.path = f.string();
    if (!ReadFile(f, page.text)) {
      std::fprintf(stderr, "bench: %s: cannot read\n", page.path.c_str());
      std::exit(1);
    }
    corpus.bytes += page.text.size();
    corpus.pages.push_back(std::move(page));
  }
  if (corpus.pages.empty()) {
    std::fprintf(stderr, "bench: no input files found\n");
    std::exit(1);
  }
  return corpus;
}

/// Wall time in seconds of one call of `pass`.
template <typename F>
double TimePass(F&& pass) {
  auto start = std::chrono::steady_clock::now();
  pass();
  std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
  return d.count();
}

/// Best (smallest) time of each named pass; passes run alternately (a, b, a, b, …) so
/// that frequency scaling and a noisy neighbour affect all of them alike.
struct Best {
  double seconds = std::numeric_limits<double>::infinity();
  void Add(double t) { seconds = std::min(seconds, t); }
};

/// `<name>  files=<n> MB=<x> seconds=<t> MB/s=<r> pages/s=<p>`
inline void PrintLine(const char* name, const Corpus& c, double seconds) {
  std::printf("%-14s files=%zu MB=%.2f seconds=%.4f MB/s=%.2f pages/s=%.0f\n", name, c.pages.size(), c.mb(),
              seconds, c.mb() / seconds, static_cast<double>(c.pages.size()) / seconds);
}

/// Optimized builds only measure something; say so loudly otherwise.
inline void WarnIfDebug(const char* program) {
#ifndef NDEBUG
  std::fprintf(stderr, "%s: warning: built without NDEBUG (not a Release build); timings are not representative\n",
               program);
#else
  (void)program;
#endif
}

/// Keeps the optimizer from dropping work whose result is otherwise unused.
inline void DoNotOptimize(std::size_t v) { asm volatile("" : : "r"(v) : "memory"); }

}  // namespace bench
