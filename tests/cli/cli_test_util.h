// Helpers shared by the tests of the command-line tools (tests/cli/*_test.cc): running a tool's
// Main in process or its built binary through the shell, and reading JSONL output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "zhcanon/cli/common.h"

namespace zhcanon::testing {

/// What a tool run gave: its exit status, stdout and stderr.
struct Run {
  int status;
  std::string out, err;
};

using ToolMain = int (*)(const std::vector<std::string>&, cli::Streams);

/// Runs `main` in this process as `argv0 args...` with `stdin_text` on stdin.
inline Run RunInProcess(ToolMain main, const std::string& argv0, std::vector<std::string> args,
                        const std::string& stdin_text = "") {
  args.insert(args.begin(), argv0);
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  const int status = main(args, {in, out, err});
  return {status, out.str(), err.str()};
}

/// Runs the built tool `tool` (ZHCANON_BINARY_DIR/tools/<tool>) with `args` through the shell;
/// stdout is captured, stderr dropped. Status -1 when it did not exit normally.
inline Run RunBinary(const std::string& tool, const std::string& args) {
  const std::filesystem::path bin = std::filesystem::path(ZHCANON_BINARY_DIR) / "tools" / tool;
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(bin), bin << " is not built");
  const std::string cmd = bin.string() + " " + args + " 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(pipe);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, ""};
}

/// The records of JSONL text, one per non-empty line (nlohmann::json, or ordered_json to keep
/// key order).
template <class Json = nlohmann::json>
std::vector<Json> JsonLines(const std::string& s) {
  std::vector<Json> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(Json::parse(line));
  return out;
}

}  // namespace zhcanon::testing
