// zhcanon-dedup as a library function: exact and near-duplicate detection with one canonical
// copy per cluster (see zhcanon/dedup/dedup_writer.h and docs/dedup.md). tools/dedup_main.cc
// only forwards to it; tests call it in-process.
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::DedupMain({"zhcanon-dedup", "--clusters", "c.jsonl", "-"},
//                                        {std::cin, out, err});
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/cli/common.h"
#include "zhcanon/dedup/dedup_writer.h"

namespace zhcanon::cli {

/// Runs zhcanon-dedup with `args` (args[0] is the program name). Returns the exit status.
int DedupMain(const std::vector<std::string>& args, Streams streams);

/// zhcanon-dedup's own options as given on a command line; the initial values are the library's
/// defaults, which --help shows.
struct DedupFlags {
  int ngram = dedup::FingerprintOptions{}.ngram;
  int distance = dedup::ClusterOptions{}.max_distance;
  std::string tokenizer = "chars";
  std::string weighting = "sublinear";
  int min_features = dedup::FingerprintOptions{}.min_features;
  bool no_verify = false;
  double min_jaccard = dedup::ClusterOptions{}.min_jaccard;
  double min_containment = dedup::ClusterOptions{}.min_containment;
  bool no_paragraphs = false;
  bool no_fold = false;
  std::string keep = "default";
  std::string clusters;   // the cluster report; empty: none
  std::string spool_dir;  // empty: beside the output (SpoolDirFor)
};

/// Adds --ngram, --distance, --tokenizer, --weighting, --min-features, --no-verify,
/// --min-jaccard, --min-containment, --no-paragraphs, --no-fold, --keep, --clusters and
/// --spool-dir to `desc`, bound to `flags`, each long name preceded by `prefix` (for a driver
/// that runs several stages: "dedup-" gives --dedup-keep).
void AddDedupOptions(boost::program_options::options_description& desc, DedupFlags& flags,
                     std::string_view prefix = "");

/// The DedupWriter options the flags describe (report_path = --clusters, spool_dir =
/// --spool-dir as given). Throws std::invalid_argument naming the option for a value out of
/// range or unknown.
dedup::DedupOptions MakeDedupOptions(const DedupFlags& flags);

/// Where the spool goes when --spool-dir is not given: the -o directory for a Markdown tree,
/// the directory of the -o file, or "" ($TMPDIR) for stdout. Beside the output because the
/// output needs that disk anyway, and /tmp is often small or in RAM.
std::string SpoolDirFor(const CommonOptions& common);

}  // namespace zhcanon::cli
