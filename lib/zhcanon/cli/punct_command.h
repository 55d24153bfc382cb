// zhcanon-punct as a library function: punctuation, width and white-space normalization of
// Chinese text (see zhcanon/punct/normalizer.h and docs/punct.md). tools/punct_main.cc only
// forwards to it; tests call it in-process.
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::PunctMain({"zhcanon-punct", "--explain", "-"}, {std::cin, out, err});
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/cli/common.h"
#include "zhcanon/punct/normalizer.h"

namespace zhcanon::cli {

/// Runs zhcanon-punct with `args` (args[0] is the program name). Returns the exit status.
int PunctMain(const std::vector<std::string>& args, Streams streams);

/// zhcanon-punct's own options as given on a command line; the initial values are the defaults
/// --help shows.
struct PunctFlags {
  std::string profile = "zh-hans";
  std::string cjk_latin_space = "keep";
  std::string explain;              // empty: none; "-": the error stream; else a file
  std::map<std::string, bool> off;  // rule name -> switched off (filled by AddPunctOptions)
};

/// Adds --profile, --cjk-latin-space, --explain and --no-RULE for each rule to `desc`, bound to
/// `flags`, each long name preceded by `prefix` (`zhcanon run` uses "punct-": --punct-profile,
/// --punct-no-quotes).
void AddPunctOptions(boost::program_options::options_description& desc, PunctFlags& flags,
                     std::string_view prefix = "");

/// The normalizer options the flags describe. Throws std::invalid_argument for a bad profile
/// or --cjk-latin-space value.
punct::Options MakePunctOptions(const PunctFlags& flags);

/// Where --explain writes its lines: the error stream ("-"), a file, or nowhere (""). The sink
/// is thread-safe (the stage calls it from the worker threads).
class PunctExplainOutput {
 public:
  /// Throws IoError "cannot write --OPTION file 'PATH'" when the file cannot be created;
  /// `option` is the option's long name for messages ("explain", "punct-explain").
  PunctExplainOutput(const std::string& where, std::ostream& err, std::string_view option = "explain");
  /// Null when there is nowhere to write.
  punct::ExplainSink Sink();
  /// Flushes the file; returns the message to print when writing it failed, else "".
  std::string Finish();

 private:
  std::string where_, option_;
  std::unique_ptr<std::ofstream> file_;
  std::ostream* out_ = nullptr;
  std::mutex mutex_;
};

}  // namespace zhcanon::cli
