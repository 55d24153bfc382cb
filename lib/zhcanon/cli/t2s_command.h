// zhcanon-t2s as a library function: Traditional Chinese to Simplified, byte for byte what
// OpenCC gives. tools/t2s_main.cc only forwards to it; tests call it in-process.
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::T2sMain({"zhcanon-t2s", "--config", "tw2sp", "-"}, {std::cin, out, err});
#pragma once

#include <string>
#include <vector>

#include "zhcanon/cli/common.h"

namespace zhcanon::cli {

/// Runs zhcanon-t2s with `args` (args[0] is the program name). Returns the exit status.
int T2sMain(const std::vector<std::string>& args, Streams streams);

}  // namespace zhcanon::cli
