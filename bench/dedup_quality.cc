// bench_dedup_quality: pairwise precision, recall and F1 of zhcanon's near-duplicate detection
// (zhcanon::dedup::Fingerprinter + Clusterer) on the benchmark bench/dedup/make-benchmark builds,
// for zhcanon's defaults, the defaults of two peers, and a sweep over zhcanon's options.
//
//   bench_dedup_quality [--sweep=full|none] [--tsv=FILE] [--explain=N] [--labels=FILE]
//                       [--converted=t2s|none] BENCHMARK.jsonl
//
// Input: JSONL records {"id", "text", "metadata": {"truth_cluster", "variant", "date", ...}}.
// Truth: two documents are duplicates when their truth_cluster is the same.
// Predicted: two documents are duplicates when they end in the same output cluster
// (Clustering::canonical_of). Precision = true predicted pairs / predicted pairs; recall = true
// predicted pairs / truth pairs; F1 their harmonic mean. Recall per variant kind counts only the
// pairs (original, copy of that kind).
//
// Settings:
//   zhcanon defaults      FingerprintOptions{} and ClusterOptions{} as the headers define them
//   data-juicer           document_simhash_deduplicator's defaults: lowercase, white-space
//                         tokens, window 6, every shingle occurrence counted (simhash.compute
//                         over the list), distance 4 (their 6 blocks are an index detail: the
//                         exact index finds the same pairs), no verification
//   text-dedup            text_dedup.simhash's defaults: 64 bits, distance 3, 3-grams of \W-split
//                         tokens, lowercased, as a set (each shingle once), no verification
//   sweep                 zhcanon's knobs one grid at a time (see Sweep())
// The peers see the raw text (their pipelines have no Chinese folding: fold_variants=false) and
// have no short-text rule (min_features=0). Each peer is scored twice: through zhcanon's
// Clusterer (every member matches its canonical document; this also gives them zhcanon's exact
// hash of the dedup view, which their SimHash pipelines do not have) and, as the peers
// themselves cluster, as connected components of all pairs within the distance ("components":
// A~B, B~C joins A and C; SimHash only).
//
// The keep policy sees what a zhcanon pipeline would give it: the characters t2s converts
// (convert::T2s with config auto, t2s_changed_chars), the record's metadata.date, its length.
//
// Times: one thread, all texts in memory; fingerprinting MB/s are MB (10^6 bytes) of text per
// second of wall time and of this thread's CPU time (the machine may be shared); clustering is
// the wall time of Clusterer::Run (index, candidates, verification, clusters).
// Output: Markdown tables on stdout; with --tsv every row and every per-variant recall.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "zhcanon/convert/t2s.h"
#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"

namespace {

namespace dd = zhcanon::dedup;

constexpr const char* kUsage =
    "usage: bench_dedup_quality [--sweep=full|none] [--tsv=FILE] [--explain=N] [--labels=FILE]\n"
    "                           [--converted=t2s|none] BENCHMARK.jsonl\n"
    "  Scores zhcanon's near-duplicate detection against the truth in the benchmark's metadata\n"
    "  (truth_cluster, variant), for zhcanon's defaults, data-juicer's and text-dedup's defaults,\n"
    "  and (--sweep=full, the default) a sweep over zhcanon's options. Markdown on stdout.\n"
    "  --tsv=FILE   also write every row with its per-variant recall as TSV\n"
    "  --explain=N  list on stderr up to N wrong merges and N missed copies per kind at the defaults\n"
    "               and at the best setting of the sweep\n"
    "  --labels=FILE  write each document's canonical document at the defaults as TSV\n"
    "  --converted=t2s|none  what the keep policy is told about characters t2s converts: the count\n"
    "               zhcanon-t2s --config auto records (default), or nothing (0 for every document)\n";

// The variant kinds in the order make-benchmark documents them; others follow in order seen.
const std::vector<std::string> kKnownKinds = {
    "traditional", "taiwan",  "hongkong", "halfwidth",         "chrome",         "para_dropped",
    "truncated",   "number",  "spaces",   "trad+chrome+trunc", "tw+half+spaces",
};

struct Record {
  std::string id;
  std::string text;
  std::string date;
  std::uint32_t truth = 0;  // truth cluster index
  int kind = -1;            // index in Bench::kinds; -1 = the original
  std::int64_t converted_chars = 0;
};

struct Bench {
  std::vector<Record> records;
  std::vector<std::string> kinds;
  std::vector<std::uint32_t> original_of;  // truth cluster -> its original's record (or UINT32_MAX)
  std::uint64_t truth_pairs = 0;
  std::size_t bytes = 0;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_dedup_quality: %s\n", message.c_str());
  std::exit(1);
}

Bench Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die(path + ": cannot open (run bench/dedup/make-benchmark)");
  Bench b;
  std::unordered_map<std::string, std::uint32_t> truth_index;
  std::map<std::string, int> kind_index;
  for (std::size_t i = 0; i < kKnownKinds.size(); ++i) kind_index[kKnownKinds[i]] = static_cast<int>(i);
  b.kinds = kKnownKinds;
  std::vector<bool> kind_seen(b.kinds.size(), false);
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    const std::string where = path + ":" + std::to_string(lineno) + ": ";
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string() || !j.contains("metadata") ||
        !j["metadata"].is_object())
      Die(where + "not a {\"id\", \"text\", \"metadata\"} record");
    const auto& m = j["metadata"];
    if (!m.contains("truth_cluster") || !m["truth_cluster"].is_string() || !m.contains("variant") ||
        !m["variant"].is_string())
      Die(where + "metadata lacks truth_cluster or variant");
    Record r;
    r.id = j.value("id", std::string());
    r.text = j["text"].get<std::string>();
    r.date = m.contains("date") && m["date"].is_string() ? m["date"].get<std::string>() : std::string();
    auto [it, fresh] = truth_index.emplace(m["truth_cluster"].get<std::string>(),
                                           static_cast<std::uint32_t>(truth_index.size()));
    r.truth = it->second;
    if (fresh) b.original_of.push_back(UINT32_MAX);
    const std::string kind = m["variant"].get<std::string>();
    if (kind == "original") {
      if (b.original_of[r.truth] != UINT32_MAX) Die(where + "a second original for " + it->first);
      b.original_of[r.truth] = static_cast<std::uint32_t>(b.records.size());
    } else {
      auto [k, added] = kind_index.emplace(kind, static_cast<int>(b.kinds.size()));
      if (added) {
        b.kinds.push_back(kind);
        kind_seen.push_back(false);
      }
      r.kind = k->second;
      kind_seen[static_cast<std::size_t>(r.kind)] = true;
    }
    b.bytes += r.text.size();
    b.records.push_back(std::move(r));
  }
  if (b.records.empty()) Die(path + ": no records");
  // Drop the kinds the file does not use, keeping the order.
  std::vector<int> remap(b.kinds.size(), -1);
  std::vector<std::string> used;
  for (std::size_t k = 0; k < b.kinds.size(); ++k) {
    if (!kind_seen[k]) continue;
    remap[k] = static_cast<int>(used.size());
    used.push_back(b.kinds[k]);
  }
  b.kinds = used;
  std::vector<std::uint64_t> sizes(b.original_of.size(), 0);
  for (Record& r : b.records) {
    if (r.kind >= 0) r.kind = remap[static_cast<std::size_t>(r.kind)];
    ++sizes[r.truth];
  }
  for (std::uint64_t n : sizes) b.truth_pairs += n * (n - 1) / 2;
  return b;
}

// What t2s would change in each text (the keep policy prefers copies that were Simplified at
// the source), as zhcanon-t2s --config auto reports it.
void CountConverted(Bench& b) {
  zhcanon::convert::T2sOptions options;
  options.config = "auto";
  zhcanon::convert::T2s t2s(options);
  for (Record& r : b.records) {
    zhcanon::Document doc;
    doc.id = r.id;
    doc.text = r.text;
    zhcanon::Diagnostics diag;
    t2s.Process(doc, diag);
    const auto& extra = doc.metadata.extra;
    if (extra.contains("t2s_changed_chars") && extra["t2s_changed_chars"].is_number_integer())
      r.converted_chars = extra["t2s_changed_chars"].get<std::int64_t>();
  }
}

// --- settings ---------------------------------------------------------------------------------

enum class Grouping { kClusterer, kComponents };

struct Setting {
  std::string group;  // "zhcanon", "peer", "sweep: ..."
  std::string name;
  dd::FingerprintOptions fp;
  dd::ClusterOptions cl;
  Grouping grouping = Grouping::kClusterer;
  std::string row_header, row;  // sweep only: the table's row label (header and cells)
};

// Labels for the report tables (dedup::TokenizerName gives the option names).
std::string_view TokenizerLabel(dd::Tokenizer t) {
  switch (t) {
    case dd::Tokenizer::kChars: return "chars";
    case dd::Tokenizer::kSpaceTokens: return "space tokens";
    case dd::Tokenizer::kWordTokens: return "\\W tokens";
  }
  return "?";
}

std::string_view WeightingLabel(dd::Weighting w) {
  switch (w) {
    case dd::Weighting::kSublinear: return "1+ln tf";
    case dd::Weighting::kCount: return "tf";
    case dd::Weighting::kBinary: return "binary";
  }
  return "?";
}

std::string FpKey(const dd::FingerprintOptions& o) {
  return std::string(TokenizerLabel(o.tokenizer)) + "/" + std::to_string(o.ngram) + "/" +
         std::string(WeightingLabel(o.weighting)) + "/" + (o.fold_variants ? "fold" : "raw") + "/" +
         std::to_string(o.min_features) + "/" + std::to_string(o.min_paragraph_chars);
}

std::string OnOff(bool b) { return b ? "on" : "off"; }

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

Setting Defaults() {
  return {"zhcanon", "zhcanon defaults", dd::FingerprintOptions{}, dd::ClusterOptions{}, Grouping::kClusterer, "", ""};
}

std::vector<Setting> Peers() {
  std::vector<Setting> out;
  Setting dj{"peer", "data-juicer defaults", {}, {}, Grouping::kClusterer, "", ""};
  dj.fp.tokenizer = dd::Tokenizer::kSpaceTokens;
  dj.fp.ngram = 6;
  dj.fp.weighting = dd::Weighting::kCount;
  dj.fp.fold_variants = false;
  dj.fp.min_features = 0;
  dj.cl.max_distance = 4;
  dj.cl.verify = false;
  dj.cl.paragraph_candidates = false;
  Setting td{"peer", "text-dedup defaults", {}, {}, Grouping::kClusterer, "", ""};
  td.fp.tokenizer = dd::Tokenizer::kWordTokens;
  td.fp.ngram = 3;
  td.fp.weighting = dd::Weighting::kBinary;
  td.fp.fold_variants = false;
  td.fp.min_features = 0;
  td.cl.max_distance = 3;
  td.cl.verify = false;
  td.cl.paragraph_candidates = false;
  for (Setting s : {dj, td}) {
    out.push_back(s);
    s.name += ", components";
    s.grouping = Grouping::kComponents;
    out.push_back(s);
  }
  return out;
}

// "n 4, verify on" from the header "n | verify" and the cells "4 | on".
std::string Describe(const std::string& header, const std::string& cells) {
  std::string out;
  std::size_t h = 0, c = 0;
  while (h != std::string::npos && c != std::string::npos) {
    const std::size_t hn = header.find(" | ", h), cn = cells.find(" | ", c);
    if (!out.empty()) out += ", ";
    out += header.substr(h, hn == std::string::npos ? hn : hn - h) + " " +
           cells.substr(c, cn == std::string::npos ? cn : cn - c);
    h = hn == std::string::npos ? hn : hn + 3;
    c = cn == std::string::npos ? cn : cn + 3;
  }
  return out;
}

// One grid at a time around the defaults, so each knob's effect can be read off; every grid has
// one column per k (3..6) and one row per value of its other knobs.
std::vector<Setting> Sweep() {
  const dd::FingerprintOptions fp0;
  const dd::ClusterOptions cl0;
  std::vector<Setting> out;
  auto add = [&](Setting s, std::string group, std::string row_header, std::string row) {
    for (int k = 3; k <= 6; ++k) {
      s.group = group;
      s.row_header = row_header;
      s.row = row;
      s.cl.max_distance = k;
      s.name = Describe(row_header, row) + ", k " + std::to_string(k);
      out.push_back(s);
    }
  };
  // n × verify × paragraph candidates, folding on.
  for (int n = 2; n <= 6; ++n)
    for (bool verify : {true, false})
      for (bool para : {true, false}) {
        Setting s{"", "", fp0, cl0, Grouping::kClusterer, "", ""};
        s.fp.ngram = n;
        s.cl.verify = verify;
        s.cl.paragraph_candidates = para;
        add(s, "n-gram size, verification, paragraph candidates", "n | verify | paragraphs",
            std::to_string(n) + " | " + OnOff(verify) + " | " + OnOff(para));
      }
  // Verification thresholds at the default n.
  for (double j : {0.2, 0.3, 0.4, 0.5, 0.6})
    for (double c : {0.7, 0.8, 0.9, 0.95}) {
      Setting s{"", "", fp0, cl0, Grouping::kClusterer, "", ""};
      s.cl.min_jaccard = j;
      s.cl.min_containment = c;
      add(s, "verification thresholds (n " + std::to_string(fp0.ngram) + ")", "min_jaccard | min_containment",
          Fixed(j, 2) + " | " + Fixed(c, 2));
    }
  // n × min_jaccard, verification and paragraph candidates on, min_containment 0.9.
  for (int n = 2; n <= 6; ++n)
    for (double j : {0.3, 0.4, 0.5}) {
      Setting s{"", "", fp0, cl0, Grouping::kClusterer, "", ""};
      s.fp.ngram = n;
      s.cl.min_jaccard = j;
      s.cl.min_containment = 0.9;
      add(s, "n-gram size × min_jaccard (min_containment 0.90)", "n | min_jaccard", std::to_string(n) + " | " + Fixed(j, 2));
    }
  // Folding off: what folding Traditional script and regional vocabulary buys.
  for (int n = 2; n <= 6; ++n) {
    Setting s{"", "", fp0, cl0, Grouping::kClusterer, "", ""};
    s.fp.ngram = n;
    s.fp.fold_variants = false;
    add(s, "folding off (fold_variants=false), default clustering", "n | fold", std::to_string(n) + " | off");
  }
  // SimHash weighting.
  for (dd::Weighting w : {dd::Weighting::kSublinear, dd::Weighting::kCount, dd::Weighting::kBinary}) {
    Setting s{"", "", fp0, cl0, Grouping::kClusterer, "", ""};
    s.fp.weighting = w;
    add(s, "SimHash weighting (n " + std::to_string(fp0.ngram) + ")", "weighting", std::string(WeightingLabel(w)));
  }
  return out;
}

// --- scoring ----------------------------------------------------------------------------------

struct Score {
  double precision = 0, recall = 0, f1 = 0;
  std::uint64_t predicted_pairs = 0, true_pairs = 0;
  std::vector<double> kind_recall;  // per kind: original–copy pairs found
  std::vector<std::uint64_t> kind_total;
  std::uint64_t clusters = 0;  // output clusters with more than one document
};

std::uint64_t Pairs(std::uint64_t n) { return n * (n - 1) / 2; }

Score ScoreLabels(const Bench& b, const std::vector<std::uint32_t>& label) {
  Score s;
  std::unordered_map<std::uint32_t, std::uint64_t> per_label;
  std::unordered_map<std::uint64_t, std::uint64_t> per_label_truth;
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    ++per_label[label[i]];
    ++per_label_truth[(static_cast<std::uint64_t>(label[i]) << 32) | b.records[i].truth];
  }
  for (const auto& [l, n] : per_label) {
    s.predicted_pairs += Pairs(n);
    s.clusters += n > 1;
  }
  for (const auto& [l, n] : per_label_truth) s.true_pairs += Pairs(n);
  s.precision = s.predicted_pairs ? static_cast<double>(s.true_pairs) / static_cast<double>(s.predicted_pairs) : 1.0;
  s.recall = b.truth_pairs ? static_cast<double>(s.true_pairs) / static_cast<double>(b.truth_pairs) : 1.0;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  std::vector<std::uint64_t> hit(b.kinds.size(), 0);
  s.kind_total.assign(b.kinds.size(), 0);
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    const Record& r = b.records[i];
    const std::uint32_t o = b.original_of[r.truth];
    if (r.kind < 0 || o == UINT32_MAX) continue;
    ++s.kind_total[static_cast<std::size_t>(r.kind)];
    hit[static_cast<std::size_t>(r.kind)] += label[i] == label[o];
  }
  s.kind_recall.resize(b.kinds.size());
  for (std::size_t k = 0; k < b.kinds.size(); ++k)
    s.kind_recall[k] = s.kind_total[k] ? static_cast<double>(hit[k]) / static_cast<double>(s.kind_total[k]) : 1.0;
  return s;
}

// Connected components of all pairs within distance k (brute force: the benchmark is small, and
// it is what an exact index returns), as data-juicer's BFS and text-dedup's union-find group them.
std::vector<std::uint32_t> Components(const std::vector<dd::Fingerprint>& fps, int k) {
  std::vector<std::uint32_t> parent(fps.size());
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t i = 0; i < fps.size(); ++i)
    for (std::size_t j = i + 1; j < fps.size(); ++j)
      if (dd::HammingDistance(fps[i].simhash, fps[j].simhash) <= k) {
        std::uint32_t a = find(static_cast<std::uint32_t>(i)), c = find(static_cast<std::uint32_t>(j));
        if (a != c) parent[std::max(a, c)] = std::min(a, c);
      }
  std::vector<std::uint32_t> label(fps.size());
  for (std::size_t i = 0; i < fps.size(); ++i) label[i] = find(static_cast<std::uint32_t>(i));
  return label;
}

struct FingerprintRun {
  std::vector<dd::Fingerprint> fps;
  double seconds = 0;      // wall
  double cpu_seconds = 0;  // this thread's CPU time: what a loaded machine does not inflate
  std::uint64_t short_texts = 0;
};

struct Row {
  Setting setting;
  Score score;
  dd::ClusterStats stats;
  double fp_seconds = 0, fp_mbps = 0, fp_cpu_mbps = 0, cluster_ms = 0;
  std::vector<std::uint32_t> label;
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

class Runner {
 public:
  explicit Runner(const Bench& b) : b_(b) {}

  Row Run(const Setting& s) {
    const FingerprintRun& f = Fingerprints(s.fp);
    Row row;
    row.setting = s;
    row.fp_seconds = f.seconds;
    row.fp_mbps = f.seconds > 0 ? static_cast<double>(b_.bytes) / 1e6 / f.seconds : 0;
    row.fp_cpu_mbps = f.cpu_seconds > 0 ? static_cast<double>(b_.bytes) / 1e6 / f.cpu_seconds : 0;
    const auto t0 = std::chrono::steady_clock::now();
    if (s.grouping == Grouping::kComponents) {
      row.label = Components(f.fps, s.cl.max_distance);
      row.stats.documents = f.fps.size();
      row.stats.short_texts = f.short_texts;
    } else {
      dd::Clusterer c(s.cl);
      for (std::size_t i = 0; i < b_.records.size(); ++i) {
        const Record& r = b_.records[i];
        c.Add({.fingerprint = f.fps[i], .converted_chars = r.converted_chars, .date = r.date, .length = r.text.size()});
      }
      dd::Clustering result = c.Run();
      if (result.canonical_of.size() != b_.records.size())
        Die("Clusterer::Run returned " + std::to_string(result.canonical_of.size()) + " labels for " +
            std::to_string(b_.records.size()) + " documents");
      row.label = std::move(result.canonical_of);
      row.stats = result.stats;
    }
    row.cluster_ms = Seconds(t0) * 1e3;
    row.score = ScoreLabels(b_, row.label);
    return row;
  }

  /// The fingerprints of every record under these options (computed once, then cached).
  const FingerprintRun& Fingerprints(const dd::FingerprintOptions& o) {
    const std::string key = FpKey(o);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    std::fprintf(stderr, "bench_dedup_quality: fingerprinting (%s)\n", key.c_str());
    FingerprintRun run;
    dd::Fingerprinter fp(o);
    run.fps.reserve(b_.records.size());
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = ThreadCpuSeconds();
    for (const Record& r : b_.records) run.fps.push_back(fp.Compute(r.text));
    run.cpu_seconds = ThreadCpuSeconds() - cpu0;
    run.seconds = Seconds(t0);
    for (const dd::Fingerprint& f : run.fps) run.short_texts += f.short_text;
    return cache_.emplace(key, std::move(run)).first->second;
  }

 private:
  const Bench& b_;
  std::map<std::string, FingerprintRun> cache_;
};

// --- output -----------------------------------------------------------------------------------

std::string SettingCells(const Setting& s) {
  const bool verify = s.cl.verify && s.grouping == Grouping::kClusterer;
  return std::string(TokenizerLabel(s.fp.tokenizer)) + " | " + std::to_string(s.fp.ngram) + " | " +
         std::string(WeightingLabel(s.fp.weighting)) + " | " + OnOff(s.fp.fold_variants) + " | " +
         std::to_string(s.cl.max_distance) + " | " + OnOff(verify) + " | " +
         OnOff(s.cl.paragraph_candidates && s.grouping == Grouping::kClusterer) + " | " +
         (verify ? Fixed(s.cl.min_jaccard, 2) + " / " + Fixed(s.cl.min_containment, 2) : std::string("–")) + " | " +
         (s.grouping == Grouping::kComponents ? "components" : "canonical");
}

std::string ScoreCells(const Row& r) {
  return Fixed(r.score.precision, 4) + " | " + Fixed(r.score.recall, 4) + " | " + Fixed(r.score.f1, 4);
}

void PrintMain(const std::vector<Row>& rows) {
  std::puts("| setting | tokens | n | weight | fold | k | verify | paragraphs | min J / C | clusters by | precision | recall | F1 | predicted pairs | short texts | fingerprint MB/s (wall / CPU) | cluster ms |");
  std::puts("| --- | --- | ---: | --- | --- | ---: | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const Row& r : rows) {
    const bool bold = r.setting.group == "zhcanon";
    // Components are found by brute force here: their time says nothing about the peers.
    const std::string cluster_ms = r.setting.grouping == Grouping::kComponents ? "–" : Fixed(r.cluster_ms, 1);
    std::printf("| %s%s%s | %s | %s | %llu | %llu | %.1f / %.1f | %s |\n", bold ? "**" : "", r.setting.name.c_str(),
                bold ? "**" : "", SettingCells(r.setting).c_str(), ScoreCells(r).c_str(),
                static_cast<unsigned long long>(r.score.predicted_pairs),
                static_cast<unsigned long long>(r.stats.short_texts), r.fp_mbps, r.fp_cpu_mbps, cluster_ms.c_str());
  }
}

void PrintKinds(const Bench& b, const std::vector<Row>& rows) {
  std::printf("| setting |");
  for (const std::string& k : b.kinds) std::printf(" %s |", k.c_str());
  std::printf("\n| --- |");
  for (std::size_t i = 0; i < b.kinds.size(); ++i) std::printf(" ---: |");
  std::printf("\n| copies |");
  for (std::uint64_t n : rows.front().score.kind_total) std::printf(" %llu |", static_cast<unsigned long long>(n));
  std::printf("\n");
  for (const Row& r : rows) {
    std::printf("| %s |", r.setting.name.c_str());
    for (double v : r.score.kind_recall) std::printf(" %s |", Fixed(v, 3).c_str());
    std::printf("\n");
  }
}

// Each grid as a matrix: one row per value of its knobs, one column per k; a cell is
// "F1 · precision · recall".
void PrintSweep(const std::vector<Row>& rows, const Row* best) {
  std::vector<std::string> groups;
  for (const Row& r : rows)
    if (std::find(groups.begin(), groups.end(), r.setting.group) == groups.end()) groups.push_back(r.setting.group);
  for (const std::string& g : groups) {
    std::vector<std::string> row_keys;
    std::vector<int> ks;
    std::string header;
    for (const Row& r : rows) {
      if (r.setting.group != g) continue;
      header = r.setting.row_header;
      if (std::find(row_keys.begin(), row_keys.end(), r.setting.row) == row_keys.end()) row_keys.push_back(r.setting.row);
      if (std::find(ks.begin(), ks.end(), r.setting.cl.max_distance) == ks.end()) ks.push_back(r.setting.cl.max_distance);
    }
    std::printf("\nSweep: %s. Cells: F1 · precision · recall.\n\n| %s |", g.c_str(), header.c_str());
    for (int k : ks) std::printf(" k = %d |", k);
    std::printf("\n|");
    for (std::size_t i = 0, n = static_cast<std::size_t>(std::count(header.begin(), header.end(), '|')) + 1; i < n; ++i)
      std::printf(" --- |");
    for (std::size_t i = 0; i < ks.size(); ++i) std::printf(" ---: |");
    std::printf("\n");
    for (const std::string& key : row_keys) {
      std::printf("| %s |", key.c_str());
      for (int k : ks) {
        const Row* cell = nullptr;
        for (const Row& r : rows)
          if (r.setting.group == g && r.setting.row == key && r.setting.cl.max_distance == k) cell = &r;
        if (!cell) {
          std::printf(" |");
          continue;
        }
        const char* mark = cell == best ? "**" : "";
        std::printf(" %s%s%s · %s · %s |", mark, Fixed(cell->score.f1, 3).c_str(), mark,
                    Fixed(cell->score.precision, 3).c_str(), Fixed(cell->score.recall, 3).c_str());
      }
      std::printf("\n");
    }
  }
}

void WriteTsv(const std::string& path, const Bench& b, const std::vector<const Row*>& rows) {
  std::ofstream out(path);
  if (!out) Die(path + ": cannot write");
  out << "group\tname\ttokenizer\tngram\tweighting\tfold\tmax_distance\tverify\tparagraph_candidates\tmin_jaccard"
         "\tmin_containment\tgrouping\tprecision\trecall\tf1\tpredicted_pairs\ttrue_pairs\ttruth_pairs\tclusters"
         "\tshort_texts\texact_duplicates\tnear_duplicates\tcandidate_pairs\tverified_pairs\trejected_pairs"
         "\tfingerprint_seconds\tfingerprint_mbps\tfingerprint_cpu_mbps\tcluster_ms";
  for (const std::string& k : b.kinds) out << "\trecall_" << k;
  out << "\n";
  for (const Row* rp : rows) {
    const Row& r = *rp;
    const Setting& s = r.setting;
    out << s.group << '\t' << s.name << '\t' << TokenizerLabel(s.fp.tokenizer) << '\t' << s.fp.ngram << '\t'
        << WeightingLabel(s.fp.weighting) << '\t' << s.fp.fold_variants << '\t' << s.cl.max_distance << '\t'
        << s.cl.verify << '\t' << s.cl.paragraph_candidates << '\t' << s.cl.min_jaccard << '\t' << s.cl.min_containment
        << '\t' << (s.grouping == Grouping::kComponents ? "components" : "canonical") << '\t'
        << Fixed(r.score.precision, 6) << '\t' << Fixed(r.score.recall, 6) << '\t' << Fixed(r.score.f1, 6) << '\t'
        << r.score.predicted_pairs << '\t' << r.score.true_pairs << '\t' << b.truth_pairs << '\t' << r.score.clusters
        << '\t' << r.stats.short_texts << '\t' << r.stats.exact_duplicates << '\t' << r.stats.near_duplicates << '\t'
        << r.stats.candidate_pairs << '\t' << r.stats.verified_pairs << '\t' << r.stats.rejected_pairs << '\t'
        << Fixed(r.fp_seconds, 3) << '\t' << Fixed(r.fp_mbps, 1) << '\t' << Fixed(r.fp_cpu_mbps, 1) << '\t'
        << Fixed(r.cluster_ms, 2);
    for (double v : r.score.kind_recall) out << '\t' << Fixed(v, 4);
    out << "\n";
  }
  if (!out.flush()) Die(path + ": write failed");
}

// Each document's output cluster at one setting: id, variant, truth cluster, canonical id, and
// what the keep policy saw (characters t2s converts, date).
void WriteLabels(const std::string& path, const Bench& b, const Row& r) {
  std::ofstream out(path);
  if (!out) Die(path + ": cannot write");
  out << "id\tvariant\ttruth_cluster\tcanonical\tconverted_chars\tdate\n";
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    const Record& rec = b.records[i];
    const std::uint32_t o = b.original_of[rec.truth];
    out << rec.id << '\t' << (rec.kind < 0 ? "original" : b.kinds[static_cast<std::size_t>(rec.kind)]) << '\t'
        << (o == UINT32_MAX ? std::string("?") : b.records[o].id) << '\t' << b.records[r.label[i]].id << '\t'
        << rec.converted_chars << '\t' << rec.date << '\n';
  }
  if (!out.flush()) Die(path + ": write failed");
}

// Why copies were not clustered with their original, per kind: no candidate (not an exact
// duplicate, SimHash farther than k, no shared paragraph sample or paragraph candidates off),
// rejected by verification (Clusterer::Matches says no), or matched the original but ended in
// another cluster (a better canonical document, or the paragraph bucket limit).
struct Misses {
  std::vector<std::uint64_t> missed, no_candidate, rejected, elsewhere;
  std::vector<std::string> examples;  // per kind, for stderr
};

Misses AnalyseMisses(const Bench& b, const Row& r, const std::vector<dd::Fingerprint>& fps, std::size_t n_examples) {
  Misses m;
  const std::size_t nk = b.kinds.size();
  m.missed.assign(nk, 0);
  m.no_candidate.assign(nk, 0);
  m.rejected.assign(nk, 0);
  m.elsewhere.assign(nk, 0);
  m.examples.assign(nk, "");
  const dd::ClusterOptions& o = r.setting.cl;
  dd::Clusterer clusterer(o);
  auto entry = [&](std::uint32_t i) {
    const Record& rec = b.records[i];
    return dd::DocumentEntry{fps[i], rec.converted_chars, rec.date, rec.text.size()};
  };
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    const Record& rec = b.records[i];
    const std::uint32_t orig = rec.kind >= 0 ? b.original_of[rec.truth] : UINT32_MAX;
    if (orig == UINT32_MAX || r.label[i] == r.label[orig]) continue;
    const auto k = static_cast<std::size_t>(rec.kind);
    ++m.missed[k];
    const dd::Fingerprint &a = fps[orig], &c = fps[i];
    const bool exact = a.exact_hi == c.exact_hi && a.exact_lo == c.exact_lo;
    const int distance = dd::HammingDistance(a.simhash, c.simhash);
    const int shared = dd::SharedParagraphs(a, c);
    const bool short_text = a.short_text || c.short_text;
    const bool candidate =
        exact || (!short_text && (distance <= o.max_distance || (o.paragraph_candidates && shared > 0)));
    dd::Member how;
    const char* why;
    if (r.setting.grouping == Grouping::kComponents) {
      why = distance <= o.max_distance ? "elsewhere" : "no candidate";
      ++(distance <= o.max_distance ? m.elsewhere : m.no_candidate)[k];
    } else if (!candidate) {
      why = "no candidate";
      ++m.no_candidate[k];
    } else if (!clusterer.Matches(entry(orig), entry(static_cast<std::uint32_t>(i)), &how)) {
      why = "rejected";
      ++m.rejected[k];
    } else {
      why = "elsewhere";
      ++m.elsewhere[k];
    }
    if (m.missed[k] <= n_examples) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "\n  %-12s distance %2d  J %.2f  C %.2f  shared paragraphs %d/%u,%u  features %u,%u  ",
                    why, distance, dd::EstimateJaccard(a, c), dd::EstimateContainment(a, c), shared,
                    a.paragraph_count, c.paragraph_count, a.features, c.features);
      m.examples[k] += buf + rec.id;
    }
  }
  return m;
}

void PrintMisses(const Bench& b, const Misses& m) {
  std::puts("| variant | copies missed | no candidate | rejected by verification | matched, clustered elsewhere |");
  std::puts("| --- | ---: | ---: | ---: | ---: |");
  for (std::size_t k = 0; k < b.kinds.size(); ++k)
    std::printf("| %s | %llu | %llu | %llu | %llu |\n", b.kinds[k].c_str(),
                static_cast<unsigned long long>(m.missed[k]), static_cast<unsigned long long>(m.no_candidate[k]),
                static_cast<unsigned long long>(m.rejected[k]), static_cast<unsigned long long>(m.elsewhere[k]));
}

// The wrong merges (output clusters holding documents of several truth clusters) and the
// missed copies with their numbers, for a human to look at.
void Explain(const Bench& b, const Row& r, const Misses& m, std::size_t n) {
  std::map<std::uint32_t, std::vector<std::uint32_t>> members;
  for (std::size_t i = 0; i < r.label.size(); ++i) members[r.label[i]].push_back(static_cast<std::uint32_t>(i));
  std::fprintf(stderr, "\n== %s: wrong merges (output clusters with documents of several truth clusters)\n",
               r.setting.name.c_str());
  std::size_t wrong = 0;
  for (const auto& [canonical, docs] : members) {
    std::map<std::uint32_t, int> truths;
    for (std::uint32_t d : docs) ++truths[b.records[d].truth];
    if (truths.size() < 2) continue;
    if (wrong++ >= n) continue;
    std::fprintf(stderr, "cluster of %s (%zu documents, %zu truth clusters); from other truth clusters:\n",
                 b.records[canonical].id.c_str(), docs.size(), truths.size());
    for (std::uint32_t d : docs)
      if (b.records[d].truth != b.records[canonical].truth) std::fprintf(stderr, "  %s\n", b.records[d].id.c_str());
  }
  std::fprintf(stderr, "(%zu such clusters)\n", wrong);
  for (std::size_t k = 0; k < b.kinds.size(); ++k)
    std::fprintf(stderr, "== %s: %llu copies not with their original (first %zu: why, numbers against the original)%s\n",
                 b.kinds[k].c_str(), static_cast<unsigned long long>(m.missed[k]), n, m.examples[k].c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string sweep = "full", tsv, labels, converted = "t2s", path;
  std::size_t explain = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a.starts_with("--sweep=")) {
      sweep = a.substr(8);
      if (sweep != "full" && sweep != "none") {
        std::fputs(kUsage, stderr);
        return 2;
      }
    } else if (a.starts_with("--tsv=")) {
      tsv = a.substr(6);
    } else if (a.starts_with("--converted=")) {
      converted = a.substr(12);
      if (converted != "t2s" && converted != "none") {
        std::fputs(kUsage, stderr);
        return 2;
      }
    } else if (a.starts_with("--labels=")) {
      labels = a.substr(9);
    } else if (a.starts_with("--explain=")) {
      explain = std::strtoul(std::string(a.substr(10)).c_str(), nullptr, 10);
    } else if (a.starts_with("-") || !path.empty()) {
      std::fputs(kUsage, stderr);
      return 2;
    } else {
      path = a;
    }
  }
  if (path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  try {
    Bench b = Load(path);
    std::fprintf(stderr, "bench_dedup_quality: %zu documents, %zu truth clusters, %llu truth pairs, %.2f MB\n",
                 b.records.size(), b.original_of.size(), static_cast<unsigned long long>(b.truth_pairs),
                 static_cast<double>(b.bytes) / 1e6);
    if (converted == "t2s") CountConverted(b);

    Runner runner(b);
    std::vector<Row> main_rows;
    main_rows.push_back(runner.Run(Defaults()));
    for (const Setting& s : Peers()) main_rows.push_back(runner.Run(s));
    std::vector<Row> sweep_rows;
    if (sweep == "full") {
      const std::vector<Setting> grid = Sweep();
      for (std::size_t i = 0; i < grid.size(); ++i) {
        if (i % 20 == 0) std::fprintf(stderr, "bench_dedup_quality: sweep %zu/%zu\n", i, grid.size());
        sweep_rows.push_back(runner.Run(grid[i]));
      }
    }
    // The best sweep row: highest F1 among those with precision >= 0.99 (ties: the earlier row).
    const Row* best = nullptr;
    for (const Row& r : sweep_rows)
      if (r.score.precision >= 0.99 && (!best || r.score.f1 > best->score.f1)) best = &r;

    std::printf("%zu documents (%zu originals and their copies), %llu duplicate pairs, %.2f MB; %s\n\n",
                b.records.size(), b.original_of.size(), static_cast<unsigned long long>(b.truth_pairs),
                static_cast<double>(b.bytes) / 1e6, path.c_str());
    std::vector<Row> shown = main_rows;
    if (best) {
      shown.push_back(*best);
      shown.back().setting.name = "best of the sweep (P ≥ 0.99)";
    }
    PrintMain(shown);
    std::printf("\nRecall per variant: share of the copies of each kind clustered with their original\n\n");
    PrintKinds(b, shown);
    const Misses misses = AnalyseMisses(b, main_rows.front(), runner.Fingerprints(main_rows.front().setting.fp).fps, explain);
    std::printf("\nCopies not clustered with their original at zhcanon's defaults, and why (no candidate: not an exact "
                "duplicate, SimHash distance above k and no shared paragraph sample; rejected: Clusterer::Matches "
                "refuses the pair; elsewhere: the copy matches its original but joined another canonical "
                "document):\n\n");
    PrintMisses(b, misses);
    if (best) {
      std::printf("\nThe same for the best setting of the sweep (%s):\n\n", best->setting.name.c_str());
      PrintMisses(b, AnalyseMisses(b, *best, runner.Fingerprints(best->setting.fp).fps, 0));
    }
    if (!sweep_rows.empty()) {
      std::printf("\nSweep around the defaults (chars, zhcanon's view, clusters by canonical document); in bold the "
                  "best F1 with precision ≥ 0.99:\n");
      PrintSweep(sweep_rows, best);
    }
    if (!tsv.empty()) {
      std::vector<const Row*> all;
      for (const Row& r : main_rows) all.push_back(&r);
      for (const Row& r : sweep_rows) all.push_back(&r);
      WriteTsv(tsv, b, all);
    }
    if (explain > 0) {
      Explain(b, main_rows.front(), misses, explain);
      if (best) Explain(b, *best, AnalyseMisses(b, *best, runner.Fingerprints(best->setting.fp).fps, explain), explain);
    }
    if (!labels.empty()) WriteLabels(labels, b, main_rows.front());
  } catch (const std::exception& e) {
    Die(e.what());
  }
  return 0;
}
