// zhcanon-punct: see lib/zhcanon/cli/punct_command.h and docs/punct.md.
#include <iostream>

#include "zhcanon/cli/punct_command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return zhcanon::cli::PunctMain({argv, argv + argc}, {std::cin, std::cout, std::cerr});
}
