#define BOOST_TEST_MODULE cli_zhcanon_command
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli_test_util.h"
#include "zhcanon/cli/zhcanon_command.h"

namespace fs = std::filesystem;
using zhcanon::cli::ZhcanonMain;

namespace {

using Result = zhcanon::testing::Run;

Result Zhcanon(std::vector<std::string> args, const std::string& stdin_text = "") {
  return zhcanon::testing::RunInProcess(ZhcanonMain, "zhcanon", std::move(args), stdin_text);
}

bool Contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// Runs the real zhcanon binary through the shell; returns its exit status and stdout.
Result Binary(const std::string& args) { return zhcanon::testing::RunBinary("zhcanon", args); }

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_every_subcommand_with_its_description) {
  for (const std::string& help : {"--help", "-h", "help"}) {
    Result r = Zhcanon({help});
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(r.out.find("Usage: zhcanon COMMAND") == 0);
    BOOST_CHECK(r.err.empty());
    BOOST_REQUIRE(!zhcanon::cli::Subcommands().empty());
    for (const auto& s : zhcanon::cli::Subcommands())
      BOOST_CHECK_MESSAGE(Contains(r.out, "  " + std::string(s.name) + "  ") && Contains(r.out, std::string(s.description)),
                          s.name);
  }
  BOOST_CHECK_EQUAL(zhcanon::cli::Subcommands()[0].name, "run");
}

BOOST_AUTO_TEST_CASE(version) {
  Result r = Zhcanon({"--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon 0.") == 0);
  r = Zhcanon({"run", "--version"});
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("zhcanon run 0.") == 0);
}

BOOST_AUTO_TEST_CASE(no_or_unknown_command_is_a_usage_error) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{{{}, "no command given"},
                                         {{"frobnicate", "x"}, "unknown command 'frobnicate'"},
                                         {{"--threads", "2", "run"}, "unknown option '--threads'"},
                                         {{"help", "frobnicate"}, "unknown command 'frobnicate'"}}) {
    Result r = Zhcanon(c.args);
    BOOST_CHECK_EQUAL(r.status, 2);
    BOOST_CHECK_MESSAGE(r.err.find("zhcanon: ") == 0 && Contains(r.err, c.message), r.err);
    BOOST_CHECK(r.out.empty());
  }
}

BOOST_AUTO_TEST_CASE(subcommand_gets_the_arguments_after_its_name) {
  Result help = Zhcanon({"run", "--help"});
  BOOST_CHECK_EQUAL(help.status, 0);
  BOOST_CHECK(help.out.find("Usage: zhcanon run") == 0);
  BOOST_CHECK_EQUAL(Zhcanon({"help", "run"}).out, help.out);

  Result r = Zhcanon({"run", "-q", "--skip", "dedup", "-"}, "<p>這是繁體。</p>");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(Contains(r.out, "这是繁体。"));
  r = Zhcanon({"run", "--no-such-option", "-"});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon run: ") == 0 && Contains(r.err, "Try 'zhcanon run --help'"), r.err);
}

// The real binary, once: the dispatcher, the whole pipeline and the exit statuses.
BOOST_AUTO_TEST_CASE(binary_runs_the_pipeline) {
  const std::string seeds = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/input";
  Result r = Binary("--help");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(r.out.find("Usage: zhcanon COMMAND") == 0);
  BOOST_CHECK_EQUAL(Binary("").status, 2);
  BOOST_CHECK_EQUAL(Binary("run").status, 2);
  r = Binary("run --format text " + seeds);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK(Contains(r.out, "DeepSeek"));
  BOOST_CHECK(!Contains(r.out, "ICP备"));
  BOOST_CHECK(!Contains(r.out, "!["));
}
