// zhcanon-t2s: see lib/zhcanon/cli/t2s_command.h and docs/t2s.md.
#include <iostream>

#include "zhcanon/cli/t2s_command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return zhcanon::cli::T2sMain({argv, argv + argc}, {std::cin, std::cout, std::cerr});
}
