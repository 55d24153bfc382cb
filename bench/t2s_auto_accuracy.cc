// bench_t2s_auto: how well `zhcanon-t2s --config auto` picks t2s, tw2sp or hk2s.
//
//   bench_t2s_auto [--native=tw|hk|std] [--max-pages=N] PATH...
//
// Default: PATH holds Simplified pages (files, or the "text" of each line of .jsonl files).
// Each page is made Traditional three times with OpenCC's library, by s2t, s2twp and s2hk, and
// the detector must answer t2s, tw2sp and hk2s respectively. Reported per variant: the share
// picked right, the confusion, and the share of pages whose Simplified output is the same as
// with the right config (a wrong pick on a page without distinguishing words costs nothing).
//
// --native=tw|hk|std: PATH already holds Traditional text of that variant (e.g. Debian's zh-tw
// documentation): only the detector's answers are counted.
#include <array>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>
#include <opencc/SimpleConverter.hpp>

#include "bench_util.h"
#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/variant.h"

namespace {

constexpr const char* kUsage =
    "usage: bench_t2s_auto [--native=tw|hk|std] [--max-pages=N] PATH...\n"
    "  Accuracy of zhcanon's t2s/tw2sp/hk2s detection on Simplified pages converted by OpenCC's\n"
    "  s2t, s2twp and s2hk (or, with --native, on Traditional pages of a known variant).\n";

using zhcanon::convert::Variant;

bench::Corpus Expand(const bench::Corpus& in) {
  bench::Corpus out;
  for (const bench::Page& p : in.pages) {
    if (!p.path.ends_with(".jsonl")) {
      out.pages.push_back(p);
      out.bytes += p.text.size();
      continue;
    }
    std::size_t begin = 0, line = 0;
    while (begin < p.text.size()) {
      std::size_t end = p.text.find('\n', begin);
      if (end == std::string::npos) end = p.text.size();
      ++line;
      const auto j = nlohmann::json::parse(p.text.begin() + static_cast<std::ptrdiff_t>(begin),
                                           p.text.begin() + static_cast<std::ptrdiff_t>(end), nullptr, false);
      if (j.is_object() && j.contains("text") && j["text"].is_string()) {
        out.pages.push_back({p.path + ":" + std::to_string(line), j["text"].get<std::string>()});
        out.bytes += out.pages.back().text.size();
      }
      begin = end + 1;
    }
  }
  return out;
}

int Index(Variant v) { return static_cast<int>(v); }

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::CheckOptions(args, {"native", "max-pages"}, kUsage);
  const std::string native = args.Option("native", "");
  const std::size_t max_pages = std::stoul(args.Option("max-pages", "1000000"));
  bench::Corpus corpus = Expand(bench::LoadCorpus(args.paths, {".txt", ".md", ".jsonl"}));
  if (corpus.pages.size() > max_pages) corpus.pages.resize(max_pages);

  const zhcanon::convert::VariantDetector detector;
  const char* kNames[] = {"t2s", "tw2sp", "hk2s"};

  if (!native.empty()) {
    std::array<std::size_t, 3> picked{};
    for (const bench::Page& p : corpus.pages) ++picked[static_cast<std::size_t>(Index(detector.Detect(p.text)))];
    std::printf("native=%s pages=%zu picked_t2s=%zu picked_tw2sp=%zu picked_hk2s=%zu\n", native.c_str(),
                corpus.pages.size(), picked[0], picked[1], picked[2]);
    return 0;
  }

  // Made with OpenCC's s2t / s2twp / s2hk; the right answer is t2s / tw2sp / hk2s.
  const opencc::SimpleConverter make[] = {opencc::SimpleConverter("s2t"), opencc::SimpleConverter("s2twp"),
                                          opencc::SimpleConverter("s2hk")};
  const zhcanon::convert::Converter back[] = {
      zhcanon::convert::Converter({"t2s", ""}), zhcanon::convert::Converter({"tw2sp", ""}),
      zhcanon::convert::Converter({"hk2s", ""})};
  std::array<std::array<std::size_t, 3>, 3> confusion{};  // [truth][picked]
  std::array<std::size_t, 3> same_output{}, pages{};
  for (const bench::Page& p : corpus.pages) {
    for (int truth = 0; truth < 3; ++truth) {
      std::string text;
      try {
        text = make[truth].Convert(p.text);
      } catch (const std::exception&) {
        continue;
      }
      const int picked = Index(detector.Detect(text));
      ++pages[truth];
      ++confusion[truth][picked];
      if (picked == truth || back[picked].Convert(text) == back[truth].Convert(text)) ++same_output[truth];
    }
  }
  const char* kMade[] = {"s2t", "s2twp", "s2hk"};
  for (int truth = 0; truth < 3; ++truth) {
    const double n = static_cast<double>(pages[truth]);
    std::printf("made_by=%s want=%s pages=%zu correct=%.4f picked_t2s=%zu picked_tw2sp=%zu picked_hk2s=%zu "
                "same_output=%.4f\n",
                kMade[truth], kNames[truth], pages[truth], n ? confusion[truth][truth] / n : 0.0, confusion[truth][0],
                confusion[truth][1], confusion[truth][2], n ? same_output[truth] / n : 0.0);
  }
  return 0;
}
