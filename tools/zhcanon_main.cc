// zhcanon: the driver with subcommands (zhcanon run …); see lib/zhcanon/cli/zhcanon_command.h
// and docs/run.md.
#include <iostream>

#include "zhcanon/cli/zhcanon_command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return zhcanon::cli::ZhcanonMain({argv, argv + argc}, {std::cin, std::cout, std::cerr});
}
