// The `zhcanon` command: one executable whose first argument names a subcommand
// (`zhcanon run …`), each a library function like the single tools' (RunMain beside StripMain),
// so tests call them in-process. tools/zhcanon_main.cc only forwards to ZhcanonMain.
//
//   std::ostringstream out, err;
//   int status = zhcanon::cli::ZhcanonMain({"zhcanon", "run", "--help"}, {std::cin, out, err});
//
// A new subcommand is one more row in the table in zhcanon_command.cc.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/cli/common.h"

namespace zhcanon::cli {

struct Subcommand {
  std::string_view name;         // "run"
  std::string_view description;  // one line for `zhcanon --help`
  /// Called with args[0] = "zhcanon NAME" and the arguments after NAME.
  int (*main)(const std::vector<std::string>& args, Streams streams);
};

/// The subcommands, in the order `zhcanon --help` lists them.
std::span<const Subcommand> Subcommands();

/// Runs `zhcanon` with `args` (args[0] is the program name): `zhcanon NAME ARGS…` runs the
/// subcommand NAME; `zhcanon --help` (or `help`, `-h`) lists the subcommands; `zhcanon help
/// NAME` is `zhcanon NAME --help`; `--version` prints the version. No or an unknown subcommand
/// is a usage error (exit status 2). Returns the exit status.
int ZhcanonMain(const std::vector<std::string>& args, Streams streams);

}  // namespace zhcanon::cli
