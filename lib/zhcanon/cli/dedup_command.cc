#include "zhcanon/cli/dedup_command.h"

#include <charconv>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "zhcanon/core/error.h"
#include "zhcanon/dedup/hamming_index.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace zhcanon::cli {

namespace {

constexpr std::string_view kUsage =
    R"(Usage: zhcanon-dedup [OPTIONS] INPUT...

Finds exact and near-duplicate documents and keeps one canonical copy of each: a re-post in
Traditional script or with Taiwan or Hong Kong vocabulary, with other punctuation, another
site's header and footer, a paragraph dropped or the end cut off still meets its original.

Reads text files, directories (walked recursively in sorted order), JSONL corpora (.jsonl
.jsonl.gz .jsonl.zst, {id,text,metadata} per line) or `-` for stdin (JSONL when its first
line is a JSON object with "text"). Input bytes in GBK/GB18030, Big5, UTF-16 and other
charsets are converted to UTF-8 first. Compares each document's text as it is given: markup
is not removed, so normally feed it what zhcanon-strip (then zhcanon-t2s and zhcanon-punct)
wrote; the comparison folds script, regional vocabulary, width, case, punctuation and white
space itself, so unconverted text works too. Writes the kept documents, unchanged and in
input order, as JSONL to stdout unless -o. Nothing is written before the whole input has been
read: the documents wait in a spool file beside the output (or in $TMPDIR for stdout).

How documents are compared: each text's dedup view has Traditional characters and Taiwan/Hong
Kong vocabulary folded to mainland Simplified (OpenCC tw2sp/hk2s/t2s), full-width forms
folded, Latin lowercased, punctuation and white space removed. Equal views are exact
duplicates. Otherwise a pair is a candidate when the 64-bit SimHashes of their n-grams differ
in at most --distance bits, or when they share a hashed paragraph of the view; a candidate is
a near duplicate when the estimated Jaccard similarity of the two n-gram sets reaches
--min-jaccard, or when one text is contained in the other (--min-containment) and they share
a paragraph. No chaining: every duplicate matches its cluster's canonical document directly,
so A~B and B~C never put A and C together unless A~C. Texts with fewer than --min-features
distinct n-grams are matched exactly only (counted as short texts).

Each canonical document that had duplicates gets the metadata duplicates (their ids) and
dedup_cluster (its cluster's number in the report). --clusters writes the report, JSONL, one
line per cluster: {"cluster","canonical","size","members":[{"id","kind","distance",
"similarity","containment","reason"}]}; the dropped documents are listed there.

Exit status: 0 every document processed, 1 some documents in the error report (or the run
stopped by --on-invalid=fail), 2 usage, configuration or I/O error, 130 interrupted.

Examples:
  zhcanon-dedup corpus.jsonl -o corpus.dedup.jsonl --clusters clusters.jsonl
  zhcanon-strip pages/ | zhcanon-t2s - | zhcanon-punct - | zhcanon-dedup - -o clean.jsonl
  zhcanon-dedup --keep earliest --distance 4 articles/ -o canonical/

Options)";


std::string Plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

void AddDedupOptions(po::options_description& desc, DedupFlags& f, std::string_view prefix) {
  const std::string p(prefix);
  auto name = [&](const char* n) { return p + n; };
  desc.add_options()
      (name("ngram").c_str(), po::value(&f.ngram)->value_name("N")->default_value(f.ngram),
       "Length of the n-grams (characters of the dedup view, or tokens) that are the features of "
       "SimHash and of the similarity sketch, 1 to 16.")
      (name("distance").c_str(), po::value(&f.distance)->value_name("K")->default_value(f.distance),
       "Largest Hamming distance between two SimHashes that makes the pair a candidate, 0 to 8. "
       "The index finds every such pair exactly; a larger K finds more candidates for the "
       "verification to judge.")
      (name("tokenizer").c_str(), po::value(&f.tokenizer)->value_name("T")->default_value(f.tokenizer),
       "How features are cut: chars (character n-grams of the dedup view), space (n-grams of the "
       "white-space-separated tokens of the text, as data-juicer does), word (n-grams of the "
       "lowercased \\W-separated tokens, as text-dedup does). space and word are for comparison: "
       "Chinese has no spaces between words.")
      (name("weighting").c_str(), po::value(&f.weighting)->value_name("W")->default_value(f.weighting),
       "SimHash weight of a feature from its count in the text: sublinear (1 + ln count, so a "
       "repeated phrase does not dominate), count, binary.")
      (name("min-features").c_str(), po::value(&f.min_features)->value_name("N")->default_value(f.min_features),
       "Texts with fewer distinct features are short: matched exactly only, never near-matched "
       "(a few characters say too little to call two texts the same story).")
      (name("no-verify").c_str(), po::bool_switch(&f.no_verify),
       "Link every candidate pair without checking its similarity (faster, less precise).")
      (name("min-jaccard").c_str(),
       po::value(&f.min_jaccard)->value_name("X")->default_value(f.min_jaccard, ShortDouble(f.min_jaccard)),
       "A candidate pair is a near duplicate when the estimated Jaccard similarity of the two "
       "feature sets is at least X (0 to 1)...")
      (name("min-containment").c_str(),
       po::value(&f.min_containment)->value_name("X")
           ->default_value(f.min_containment, ShortDouble(f.min_containment)),
       "...or when at least the share X of the smaller feature set is in the larger one and the "
       "two share a paragraph (a truncated copy, or one with an added header and footer).")
      (name("no-paragraphs").c_str(), po::bool_switch(&f.no_paragraphs),
       "Do not make pairs that share a paragraph candidates (SimHash only).")
      (name("no-fold").c_str(), po::bool_switch(&f.no_fold),
       "Do not fold Traditional characters and Taiwan/Hong Kong vocabulary in the dedup view "
       "(then a Traditional copy does not meet its Simplified original).")
      (name("keep").c_str(), po::value(&f.keep)->value_name("POLICY")->default_value(f.keep),
       "Which document of a cluster is kept: default (the copy that was Simplified at the "
       "source: the smallest share of characters changed by t2s, in whole percent of the text, "
       "from the metadata t2s_changed_chars that zhcanon-t2s writes, or counted here when it is "
       "missing; then the earliest date, then the "
       "longest text, then the first), first (in input order), longest (then first), earliest "
       "(by metadata date; undated last; then first).")
      (name("clusters").c_str(), po::value(&f.clusters)->value_name("FILE"),
       "Write the cluster report (JSONL, one line per cluster of two or more) to FILE, atomically.")
      (name("spool-dir").c_str(), po::value(&f.spool_dir)->value_name("DIR"),
       "Keep the spool (a temporary copy of the input documents, deleted at exit) in DIR instead "
       "of beside the output.");
}

dedup::DedupOptions MakeDedupOptions(const DedupFlags& f) {
  dedup::DedupOptions o;
  if (f.ngram < 1 || f.ngram > 16)
    throw std::invalid_argument("--ngram must be 1 to 16, not " + std::to_string(f.ngram));
  if (f.distance < 0 || f.distance > dedup::HammingIndex::kMaxDistance)
    throw std::invalid_argument("--distance must be 0 to " + std::to_string(dedup::HammingIndex::kMaxDistance) +
                                ", not " + std::to_string(f.distance));
  if (f.min_features < 0)
    throw std::invalid_argument("--min-features must be 0 or more, not " + std::to_string(f.min_features));
  if (!(f.min_jaccard >= 0 && f.min_jaccard <= 1))
    throw std::invalid_argument("--min-jaccard must be 0 to 1, not " + ShortDouble(f.min_jaccard));
  if (!(f.min_containment >= 0 && f.min_containment <= 1))
    throw std::invalid_argument("--min-containment must be 0 to 1, not " + ShortDouble(f.min_containment));

  // The parsers say "unknown tokenizer 'x' (expected ...)"; the tool names its option:
  // "unknown --tokenizer 'x' (expected ...)".
  try {
    o.fingerprint.tokenizer = dedup::ParseTokenizer(f.tokenizer);
    o.fingerprint.weighting = dedup::ParseWeighting(f.weighting);
  } catch (const std::invalid_argument& e) {
    std::string message = e.what();
    if (message.starts_with("unknown ")) message.insert(std::string_view("unknown ").size(), "--");
    throw std::invalid_argument(message);
  }

  try {
    o.cluster.keep = dedup::ParseKeepPolicy(f.keep);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("unknown --keep policy '" + f.keep + "' (expected default, first, longest or earliest)");
  }
  o.fingerprint.ngram = f.ngram;
  o.fingerprint.min_features = f.min_features;
  o.fingerprint.fold_variants = !f.no_fold;
  o.cluster.max_distance = f.distance;
  o.cluster.verify = !f.no_verify;
  o.cluster.min_jaccard = f.min_jaccard;
  o.cluster.min_containment = f.min_containment;
  o.cluster.paragraph_candidates = !f.no_paragraphs;
  o.report_path = f.clusters;
  o.spool_dir = f.spool_dir;
  return o;
}

std::string SpoolDirFor(const CommonOptions& c) {
  const std::string& o = c.output;
  if (o.empty() || o == "-") return {};
  std::error_code ec;
  // A Markdown tree: the directory itself (the spool is unlinked at once, so it never shows
  // among the output files).
  if (c.format == "markdown" || c.format == "md" || o.back() == '/' || fs::is_directory(o, ec)) return o;
  std::string parent = fs::path(o).parent_path().string();
  return parent.empty() ? "." : parent;
}

int DedupMain(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view kTool = "zhcanon-dedup";
  const auto start = std::chrono::steady_clock::now();
  CommonOptions common;
  DedupFlags flags;

  po::options_description desc("Options");
  AddCommonOptions(desc, common);
  AddDedupOptions(desc, flags);

  if (int status = ParseCommandLine(kTool, args, desc, kUsage, common, streams); status >= 0)
    return status;

  auto usage_error = [&](const std::string& msg) {
    streams.err << kTool << ": " << msg << "\nTry '" << kTool << " --help'.\n";
    return kExitUsage;
  };
  dedup::DedupOptions options;
  try {
    options = MakeDedupOptions(flags);
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  // The report replaces its file on success: it must not replace the output or an input.
  if (!flags.clusters.empty()) {
    if (flags.clusters == "-") return usage_error("--clusters needs a file name (stdout carries the documents)");
    if (!common.output.empty() && common.output != "-" && SamePath(flags.clusters, common.output))
      return usage_error("--clusters and -o name the same file '" + flags.clusters + "'");
    for (const std::string& in : common.inputs)
      if (in != "-" && SamePath(flags.clusters, in))
        return usage_error("refusing to write the cluster report over the input '" + in + "'");
  }
  if (options.spool_dir.empty()) options.spool_dir = SpoolDirFor(common);
  options.interrupt = &InterruptFlag();

  dedup::DedupWriter* dedup = nullptr;
  RunHooks hooks;
  hooks.wrap_writer = [&](std::unique_ptr<io::DocumentWriter> inner) -> std::unique_ptr<io::DocumentWriter> {
    auto writer = std::make_unique<dedup::DedupWriter>(std::move(inner), options);
    dedup = writer.get();
    return writer;
  };
  hooks.print_summary = [&](const pipeline::RunStats& run, std::ostream& err) {
    const dedup::DedupStats& s = dedup->stats();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double mbps = seconds > 0 ? static_cast<double>(run.bytes_in) / 1e6 / seconds : 0;
    const std::uint64_t dropped = s.clusters.exact_duplicates + s.clusters.near_duplicates;
    err << kTool << ": " << Plural(run.documents_in, "document", "documents") << " in, " << s.documents_out
        << " out; " << dropped << (dropped == 1 ? " duplicate" : " duplicates") << " dropped ("
        << s.clusters.exact_duplicates << " exact, " << s.clusters.near_duplicates << " near) in "
        << Plural(s.cluster_count, "cluster", "clusters") << "; "
        << Plural(s.clusters.short_texts, "short text", "short texts") << " (exact matching only); "
        << run.documents_failed << " failed, " << Plural(run.warnings, "warning", "warnings") << "; "
        << HumanBytes(static_cast<double>(run.bytes_in)) << " in " << std::fixed << std::setprecision(2) << seconds
        << " s (" << std::setprecision(1) << mbps << " MB/s)\n";
  };
  return RunStagesWith(kTool, common, {}, hooks, streams);
}

}  // namespace zhcanon::cli
