#include "zhcanon/cli/zhcanon_command.h"

#include <algorithm>
#include <iostream>

#include "zhcanon/cli/check_command.h"
#include "zhcanon/cli/index_command.h"
#include "zhcanon/cli/run_command.h"
#include "zhcanon/core/version.h"

namespace zhcanon::cli {

namespace {

constexpr Subcommand kSubcommands[] = {
    {"run", "strip → t2s → punct → dedup in one process, on all cores (docs/run.md)", RunMain},
    {"index", "build and maintain the corpus index: build, add, remove, stats (docs/index.md)", IndexMain},
    {"check", "check new articles against the corpus index, for CI (docs/check.md)", CheckMain},
};

const Subcommand* Find(std::string_view name) {
  for (const Subcommand& s : kSubcommands)
    if (s.name == name) return &s;
  return nullptr;
}

void PrintUsage(std::ostream& out) {
  out << "Usage: zhcanon COMMAND [OPTIONS] INPUT...\n"
         "\n"
         "Turns scraped Chinese articles into a clean, canonical corpus. Each stage is also a\n"
         "tool of its own (zhcanon-strip, zhcanon-t2s, zhcanon-punct, zhcanon-dedup).\n"
         "\n"
         "Commands:\n";
  std::size_t width = 0;
  for (const Subcommand& s : kSubcommands) width = std::max(width, s.name.size());
  for (const Subcommand& s : kSubcommands)
    out << "  " << s.name << std::string(width - s.name.size() + 2, ' ') << s.description << "\n";
  out << "\n"
         "Run 'zhcanon COMMAND --help' for a command's options.\n"
         "\n"
         "Options:\n"
         "  -h [ --help ]  Print this help and exit.\n"
         "  --version      Print the version and exit.\n";
}

}  // namespace

std::span<const Subcommand> Subcommands() { return kSubcommands; }

int ZhcanonMain(const std::vector<std::string>& args, Streams streams) {
  if (args.size() < 2) {
    streams.err << "zhcanon: no command given\n\n";
    PrintUsage(streams.err);
    return kExitUsage;
  }
  const std::string& first = args[1];
  if (first == "--help" || first == "-h" || first == "help") {
    if (first == "help" && args.size() > 2) {
      const Subcommand* s = Find(args[2]);
      if (s == nullptr) {
        streams.err << "zhcanon: unknown command '" << args[2] << "'\nTry 'zhcanon --help'.\n";
        return kExitUsage;
      }
      return s->main({"zhcanon " + std::string(s->name), "--help"}, streams);
    }
    PrintUsage(streams.out);
    return kExitSuccess;
  }
  if (first == "--version") {
    streams.out << "zhcanon " << kVersion << "\n";
    return kExitSuccess;
  }
  const Subcommand* s = Find(first);
  if (s == nullptr) {
    streams.err << "zhcanon: " << (first.starts_with("-") ? "unknown option '" : "unknown command '") << first
                << "' (a command comes first: zhcanon COMMAND [OPTIONS] INPUT...)\nTry 'zhcanon --help'.\n";
    return kExitUsage;
  }
  std::vector<std::string> sub_args = {"zhcanon " + std::string(s->name)};
  sub_args.insert(sub_args.end(), args.begin() + 2, args.end());
  return s->main(sub_args, streams);
}

}  // namespace zhcanon::cli
