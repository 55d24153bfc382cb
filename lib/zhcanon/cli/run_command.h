// `zhcanon run` as a library function: strip → t2s → punct → dedup in one process, on all
// cores, streaming, output in input order, with progress on stderr and a summary at the end.
// Each stage takes the options of its own tool (zhcanon-strip, zhcanon-t2s, zhcanon-punct,
// zhcanon-dedup: the same Add*Options functions and the same Stage types), so `zhcanon run`
// and the tools piped together give the same corpus. tools/zhcanon_main.cc reaches it through
// the `zhcanon` dispatcher (zhcanon_command.h); tests call it in-process:
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::RunMain({"zhcanon run", "--threads", "2", "articles/"},
//                                      {std::cin, out, err});
//
// Options can also come from a TOML file (--config-file): see docs/run.md.
#pragma once

#include <string>
#include <vector>

#include "zhcanon/cli/common.h"

namespace zhcanon::cli {

/// Runs `zhcanon run` with `args` (args[0] is the program name, e.g. "zhcanon run"; messages
/// always name the tool "zhcanon run"). Returns the exit status.
int RunMain(const std::vector<std::string>& args, Streams streams);

}  // namespace zhcanon::cli
