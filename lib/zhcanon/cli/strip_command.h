// zhcanon-strip as a library function: HTML, Markdown and plain text to clean paragraphs
// plus metadata. tools/strip_main.cc only forwards to it; tests call it in-process.
#pragma once

#include <string>
#include <vector>

#include "zhcanon/cli/common.h"

namespace zhcanon::cli {

/// Runs zhcanon-strip with `args` (args[0] is the program name). Returns the exit status.
int StripMain(const std::vector<std::string>& args, Streams streams);

}  // namespace zhcanon::cli
