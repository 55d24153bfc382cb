// `zhcanon check` as a library function: the CI check of newly scraped articles against the
// corpus index (zhcanon/index/checker.h, docs/check.md). Exit status 0 when clean, 1 when there
// are findings, 2 on usage or I/O errors. Tests call it in-process:
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::CheckMain({"zhcanon check", "--db", "corpus.db", "new/"},
//                                        {std::cin, out, err});
#pragma once

#include <string>
#include <vector>

#include "zhcanon/cli/common.h"

namespace zhcanon::cli {

/// Runs `zhcanon check` with `args` (args[0] is the program name, e.g. "zhcanon check").
/// Findings go to out (text, json or GitHub workflow commands), the summary and errors to err.
int CheckMain(const std::vector<std::string>& args, Streams streams);

}  // namespace zhcanon::cli
