// zhcanon-punct as a library function: punctuation, width and white-space normalization of
// Chinese text (see zhcanon/punct/normalizer.h and docs/punct.md). tools/punct_main.cc only
// forwards to it; tests call it in-process.
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::PunctMain({"zhcanon-punct", "--explain", "-"}, {std::cin, out, err});
#pragma once

#include <string>
#include <vector>

#include "zhcanon/cli/common.h"

namespace zhcanon::cli {

/// Runs zhcanon-punct with `args` (args[0] is the program name). Returns the exit status.
int PunctMain(const std::vector<std::string>& args, Streams streams);

}  // namespace zhcanon::cli
