// zhcanon-strip: see lib/zhcanon/cli/strip_command.h and docs/strip.md.
#include <iostream>

#include "zhcanon/cli/strip_command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return zhcanon::cli::StripMain({argv, argv + argc}, {std::cin, std::cout, std::cerr});
}
