// What every zhcanon tool shares: exit statuses, the common options (-o, --format,
// --threads, --on-invalid, --errors, --input, --quiet, --help, --version), and the run loop
// that reads inputs, runs a tool's stages, writes atomically and reports problems.
// Tools are functions taking arguments and streams, so tests run them in-process:
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::StripMain({"zhcanon-strip", "a.md"}, {std::cin, out, err});
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "zhcanon/core/stage.h"
#include "zhcanon/io/writer.h"
#include "zhcanon/pipeline/runner.h"

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

/// For the duration of a run: SIGINT/SIGTERM set InterruptFlag() (old handlers restored after),
/// and `in` is untied from its output stream. The pipeline reads `in` on one thread while
/// another writes the output; std::cin is tied to std::cout, so every read would flush the
/// output from the reading thread, a data race that lost and duplicated output bytes when stdin
/// was a pipe and --threads > 1.
class RunScope {
 public:
  explicit RunScope(std::istream& in);
  ~RunScope();
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

 private:
  std::istream& in_;
  std::ostream* old_tie_;
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

/// The output format --format names; "auto" picks markdown for a directory (or a path ending
/// in '/'), text for a .txt file, JSONL otherwise. Throws std::invalid_argument for a bad name.
io::OutputFormat ResolveFormat(const CommonOptions& c);

/// Whether two paths name the same file (or would: equal strings when neither exists yet).
bool SamePath(const std::string& a, const std::string& b);

/// "512 B", "3.4 KB", "12.0 MB", for summaries.
std::string HumanBytes(double bytes);

/// A double as its shortest exact text ("0.8", not Boost's "0.80000000000000004"): for --help
/// defaults and messages.
std::string ShortDouble(double v);

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

/// What a tool that needs more than stages (zhcanon-dedup) adds to the run loop of RunStages.
struct RunHooks {
  /// Wraps the writer the common options describe (format, -o, atomic temporary) in the tool's
  /// own, e.g. a dedup::DedupWriter that commits the wrapped one. Called once, before any input
  /// is read; it may throw IoError or ConfigError (exit status 2). Empty: the writer as it is.
  std::function<std::unique_ptr<io::DocumentWriter>(std::unique_ptr<io::DocumentWriter>)> wrap_writer;
  /// Replaces the summary line printed after a successful commit (unless --quiet). Empty: the
  /// usual "N documents: M written, F failed, W warnings; bytes in seconds" line.
  std::function<void(const pipeline::RunStats&, std::ostream& err)> print_summary;
};

/// RunStages with hooks; RunStages(tool, common, stages, streams) is RunStagesWith(…, {}, …).
/// Also maps zhcanon::Interrupted thrown while committing to exit status 130.
int RunStagesWith(std::string_view tool, const CommonOptions& common,
                  const std::vector<const Stage*>& stages, const RunHooks& hooks, Streams streams);

}  // namespace zhcanon::cli
