// What every zhcanon tool shares: exit statuses, the common options (-o, --format,
// --threads, --on-invalid, --errors, --input, --quiet, --help, --version), and the run loop
// that reads inputs, runs a tool's stages, writes atomically and reports problems.
// Tools are functions taking arguments and streams, so tests run them in-process:
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::StripMain({"zhcanon-strip", "a.md"}, {std::cin, out, err});
#pragma once

#include <atomic>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "zhcanon/core/stage.h"

namespace zhcanon::cli {

/// Process exit statuses, the same in every tool.
enum ExitStatus : int {
  kExitSuccess = 0,      // every document processed
  kExitFindings = 1,     // some documents went to the error report, or the run was stopped by a policy
  kExitUsage = 2,        // bad arguments, unreadable configuration, unwritable output
  kExitInterrupted = 130,
};

struct Streams {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

struct CommonOptions {
  std::vector<std::string> inputs;
  std::string output;          // empty or "-": stdout
  std::string format = "auto"; // auto|jsonl|text|markdown
  int threads = 1;
  std::string on_invalid = "replace";
  std::string errors_path;     // error report (JSONL); empty: none
  std::string input_kind = "auto";
  bool quiet = false;
};

/// Adds the shared options to `desc`, bound to `opts`.
void AddCommonOptions(boost::program_options::options_description& desc, CommonOptions& opts);

/// The flag a SIGINT/SIGTERM handler sets while a tool runs.
std::atomic<bool>& InterruptFlag();

/// Parses `args` (args[0] is the program name) into `desc` with INPUT... as positional
/// arguments. Returns -1 to go on, or the exit status when the tool must stop now: after
/// --help (prints `usage` and the options to out) or --version, or on a usage error (message
/// on err naming the tool, with a hint to run --help).
int ParseCommandLine(std::string_view tool, const std::vector<std::string>& args,
                     boost::program_options::options_description& desc, std::string_view usage,
                     CommonOptions& common, Streams streams);

/// Reads the inputs, runs `stages` (after decoding, which every tool does first) and writes the
/// result with the common options. Problems are printed to err (at most 20, then a count) and
/// written to --errors; a summary line ends the run unless --quiet. Returns the exit status.
int RunStages(std::string_view tool, const CommonOptions& common,
              const std::vector<const Stage*>& stages, Streams streams);

}  // namespace zhcanon::cli
