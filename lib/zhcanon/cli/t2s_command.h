// zhcanon-t2s as a library function: Traditional Chinese to Simplified, byte for byte what
// OpenCC gives. tools/t2s_main.cc only forwards to it; tests call it in-process.
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::T2sMain({"zhcanon-t2s", "--config", "tw2sp", "-"}, {std::cin, out, err});
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/cli/common.h"
#include "zhcanon/convert/t2s.h"

namespace zhcanon::cli {

/// Runs zhcanon-t2s with `args` (args[0] is the program name). Returns the exit status.
int T2sMain(const std::vector<std::string>& args, Streams streams);

/// zhcanon-t2s's own options as given on a command line; the initial values are the defaults
/// --help shows (`zhcanon run` starts from config "auto").
struct T2sFlags {
  std::string config = "t2s";
  std::string dict;  // empty: none
};

/// Adds the config option and --dict to `desc`, bound to `flags`. With an empty `prefix` they
/// are zhcanon-t2s's --config (-c) and --dict; with a prefix P they are --P and --P-dict
/// (`zhcanon run` uses "t2s": --t2s tw2sp --t2s-dict fixes.txt).
void AddT2sOptions(boost::program_options::options_description& desc, T2sFlags& flags,
                   std::string_view prefix = "");

/// The t2s stage the flags describe. Throws ConfigError for an unknown config or a bad dictionary.
std::unique_ptr<convert::T2s> MakeT2s(const T2sFlags& flags);

}  // namespace zhcanon::cli
