#include "zhcanon/cli/t2s_command.h"

#include <iostream>
#include <memory>

#include "zhcanon/convert/t2s.h"
#include "zhcanon/core/error.h"

namespace po = boost::program_options;

namespace zhcanon::cli {

namespace {

constexpr std::string_view kUsage =
    R"(Usage: zhcanon-t2s [OPTIONS] INPUT...

Converts Traditional Chinese to Simplified with OpenCC's configurations and dictionaries
(Debian's libopencc-data, found the way OpenCC finds them), giving byte for byte the text
OpenCC's own converter gives with the same config, many times faster.

Reads text files, directories (walked recursively in sorted order), JSONL corpora (.jsonl
.jsonl.gz .jsonl.zst, {id,text,metadata} per line) or `-` for stdin (JSONL when its first
line is a JSON object with "text"). Input bytes in GBK/GB18030, Big5, UTF-16 and other
charsets are converted to UTF-8 first. Converts each document's text and title and nothing
else: markup stays (run zhcanon-strip first to remove it). Writes JSONL to stdout unless -o;
--format text writes only the converted texts.

Each document's metadata gets: t2s_config (the config used), t2s_changed_chars (characters
of the text the conversion changed), script (hans, hant or mixed: the script of the input,
from OpenCC's character tables) and hant_share (Traditional-only characters / Han
characters of the input, 0 to 1).

Exit status: 0 every document converted, 1 some documents in the error report (or the run
stopped by --on-invalid=fail), 2 usage, configuration or I/O error, 130 interrupted.

Examples:
  zhcanon-t2s corpus.jsonl -o corpus.hans.jsonl
  zhcanon-t2s --config tw2sp --format text article.txt
  zhcanon-t2s --config auto --dict fixes.txt - < dump.jsonl
  zhcanon-strip pages/ | zhcanon-t2s - -o clean.jsonl

Options)";

}  // namespace

void AddT2sOptions(po::options_description& desc, T2sFlags& f, std::string_view prefix) {
  const std::string config_name = prefix.empty() ? "config,c" : std::string(prefix);
  const std::string dict_name = prefix.empty() ? "dict" : std::string(prefix) + "-dict";
  desc.add_options()
      (config_name.c_str(), po::value(&f.config)->value_name("NAME")->default_value(f.config),
       "OpenCC config: t2s (OpenCC's standard Traditional), tw2s (Taiwan forms), tw2sp (Taiwan "
       "forms and vocabulary), hk2s (Hong Kong forms), the reverse ones (s2t, s2tw, "
       "s2twp, s2hk) and t2tw, t2hk, or the path of an OpenCC JSON config; or auto: per document "
       "t2s, tw2sp or hk2s, from the Taiwan and Hong Kong forms and vocabulary (OpenCC's TW and "
       "HK tables) found in its title and text (Simplified text: t2s).")
      (dict_name.c_str(), po::value(&f.dict)->value_name("FILE"),
       "An OpenCC text dictionary (UTF-8, key<TAB>value[ value...] per line; the first value is "
       "used) whose entries take precedence over the config's: it goes first in the "
       "segmentation and in the first conversion, as a generated OpenCC config would put it.");
}

std::unique_ptr<convert::T2s> MakeT2s(const T2sFlags& f) {
  return std::make_unique<convert::T2s>(convert::T2sOptions{f.config, f.dict});
}

int T2sMain(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view kTool = "zhcanon-t2s";
  CommonOptions common;
  T2sFlags flags;

  po::options_description desc("Options");
  AddCommonOptions(desc, common);
  AddT2sOptions(desc, flags);

  if (int status = ParseCommandLine(kTool, args, desc, kUsage, common, streams); status >= 0)
    return status;

  std::unique_ptr<convert::T2s> t2s;
  try {
    t2s = MakeT2s(flags);
  } catch (const ConfigError& e) {
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }
  return RunStages(kTool, common, {t2s.get()}, streams);
}

}  // namespace zhcanon::cli
