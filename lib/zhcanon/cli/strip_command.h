// zhcanon-strip as a library function: HTML, Markdown and plain text to clean paragraphs
// plus metadata. tools/strip_main.cc only forwards to it; tests call it in-process.
// `zhcanon run` adds the same options with AddStripOptions and builds the same stage with
// MakeStripper, so the two cannot disagree.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/cli/common.h"
#include "zhcanon/core/stage.h"

namespace zhcanon::cli {

/// Runs zhcanon-strip with `args` (args[0] is the program name). Returns the exit status.
int StripMain(const std::vector<std::string>& args, Streams streams);

/// zhcanon-strip's own options as given on a command line; the initial values are the defaults
/// --help shows.
struct StripFlags {
  std::string input_format = "auto";
  std::string extract = "auto";
  std::string captions = "keep";
  std::string boilerplate_path;  // empty: the built-in rules
  bool no_boilerplate = false;
};

/// Adds --input-format, --extract, --captions, --boilerplate and --no-boilerplate to `desc`,
/// bound to `flags`, each long name preceded by `prefix` ("" in zhcanon-strip and zhcanon run).
void AddStripOptions(boost::program_options::options_description& desc, StripFlags& flags,
                     std::string_view prefix = "");

/// The strip stage the flags describe (owning its --boilerplate rules). Throws
/// std::invalid_argument for a bad value (a usage error; the message names the option with
/// `prefix`), IoError or ConfigError for an unreadable or wrong --boilerplate file.
std::unique_ptr<Stage> MakeStripper(const StripFlags& flags, std::string_view prefix = "");

}  // namespace zhcanon::cli
