// zhcanon-dedup: see lib/zhcanon/cli/dedup_command.h and docs/dedup.md.
#include <iostream>

#include "zhcanon/cli/dedup_command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return zhcanon::cli::DedupMain({argv, argv + argc}, {std::cin, std::cout, std::cerr});
}
