// `zhcanon index` as a library function: builds and maintains the persistent corpus index
// that `zhcanon check` compares new articles with (zhcanon/index/corpus_index.h, docs/index.md).
//
//   zhcanon index build CORPUS... --db corpus.db   a new index of a corpus (atomically replaces
//                                                  nothing unless --force)
//   zhcanon index add NEW... --db corpus.db        adds documents, all in one transaction
//   zhcanon index remove ID... --db corpus.db      removes documents by id
//   zhcanon index stats --db corpus.db [--verify]  counts, settings, consistency
//
// Documents go through the same stages as `zhcanon run` (strip → t2s → punct, with the same
// options and defaults) before they are fingerprinted, unless --raw. Tests call it in-process:
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::IndexMain({"zhcanon index", "stats", "--db", "c.db"}, {std::cin, out, err});
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "zhcanon/cli/common.h"
#include "zhcanon/cli/punct_command.h"
#include "zhcanon/cli/strip_command.h"
#include "zhcanon/cli/t2s_command.h"
#include "zhcanon/core/stage.h"
#include "zhcanon/io/decoder.h"
#include "zhcanon/io/reader.h"
#include "zhcanon/io/writer.h"
#include "zhcanon/punct/normalizer.h"

namespace zhcanon::cli {

/// Runs `zhcanon index SUBCOMMAND …` with `args` (args[0] is the program name, e.g.
/// "zhcanon index"; args[1] the subcommand). Returns the exit status.
int IndexMain(const std::vector<std::string>& args, Streams streams);

// --- Shared by `zhcanon index` and `zhcanon check` ------------------------------------------

/// How documents are prepared before they are fingerprinted: `zhcanon run`'s stages and
/// options (strip, t2s with --t2s auto by default, punct), or --raw (decode only).
struct PrepareFlags {
  bool raw = false;
  StripFlags strip;
  T2sFlags t2s{.config = "auto", .dict = {}};
  PunctFlags punct;
};

/// Adds --raw and the strip, t2s (--t2s, --t2s-dict) and punct (--punct-…) options, each group
/// under its own heading in `desc`.
void AddPrepareOptions(boost::program_options::options_description& desc, PrepareFlags& flags);

/// The decode stage and the stages the flags describe, owned, in pipeline order.
struct PreparedStages {
  std::unique_ptr<io::Decoder> decoder;
  std::unique_ptr<Stage> strip;
  std::unique_ptr<Stage> t2s;
  std::unique_ptr<punct::Punct> punct;
  std::unique_ptr<PunctExplainOutput> explain;
  /// For `check --canonical`: snapshots after decode and after strip (see index/checker.h).
  std::vector<std::unique_ptr<Stage>> snapshots;
  std::vector<const Stage*> chain;
  /// "raw" or e.g. "strip,t2s=auto,punct=zh-hans", recorded in the index.
  std::string description;
};

/// Builds the stages. Throws std::invalid_argument for a bad option value (a usage error) and
/// IoError or ConfigError for unreadable rules, dictionaries or configs. With `snapshots`,
/// SnapshotStages go after decode and after strip.
std::unique_ptr<PreparedStages> MakePreparedStages(const PrepareFlags& flags, OnInvalid on_invalid,
                                                   std::ostream& err, bool snapshots = false);

/// Input options `zhcanon index build/add` and `zhcanon check` share with the single tools:
/// --threads, --on-invalid, --input, --quiet (same names and meanings).
struct InputFlags {
  int threads = 1;
  std::string on_invalid = "replace";
  std::string input_kind = "auto";
  bool quiet = false;
};
void AddInputOptions(boost::program_options::options_description& desc, InputFlags& flags);

/// What ParseArgs found.
struct ParsedArgs {
  std::vector<std::string> positional;
  boost::program_options::variables_map vm;
};

/// Parses `args` (args[0] is the program name) into `desc` plus --help and --version and the
/// positional arguments. Returns -1 to go on, or the exit status when the command must stop
/// now: --help (prints `usage`, then the options, to out), --version, a usage error (message
/// on err naming `tool`, with a hint), or no positional argument when `need_positional`.
int ParseArgs(std::string_view tool, const std::vector<std::string>& args,
              boost::program_options::options_description& desc, std::string_view usage, bool need_positional,
              std::string_view positional_name, ParsedArgs& parsed, Streams streams);

/// The first input that does not exist ("-" always exists), or nothing. A command that reads
/// inputs stops with exit status 2 before it changes anything when one is missing.
std::optional<std::string> MissingInput(const std::vector<std::string>& inputs);

}  // namespace zhcanon::cli
