#include "zhcanon/cli/strip_command.h"

#include <iostream>

#include "zhcanon/core/error.h"
#include "zhcanon/strip/stripper.h"

namespace po = boost::program_options;

namespace zhcanon::cli {

namespace {

constexpr std::string_view kUsage =
    R"(Usage: zhcanon-strip [OPTIONS] INPUT...

Turns scraped articles into clean paragraphs of plain text (one blank line between
paragraphs) plus metadata.

Reads files (.md .markdown .html .htm .xhtml .txt), directories (walked recursively in sorted
order), JSONL corpora (.jsonl .jsonl.gz .jsonl.zst, {id,text,metadata} per line) or `-` for
stdin. Input bytes in GBK/GB18030, Big5, UTF-16 and other charsets are detected and converted
to UTF-8. Writes JSONL to stdout unless -o.

- Markdown: YAML (---), TOML (+++) and JSON ({...}) front matter become metadata; headings stay
  as paragraphs without markers; emphasis, link targets and images go; code is kept verbatim;
  raw HTML goes through the HTML path; a closing source link like [qq](https://...) becomes
  metadata.source_url; without a title, the first heading gives it.
- HTML: block elements end paragraphs; scripts, styles, navigation, asides, headers, footers,
  forms and comments go; <title>, <meta>, Open Graph, <time> and <address> fill metadata. Whole
  pages keep only the main article (see --extract).
- Plain text: each non-blank line is a paragraph; a short first line gives the title.
- Boilerplate lines (ICP/公安备案 numbers, copyright, "点击查看本文英文版", share prompts) are
  removed by ICU regular expressions (see --boilerplate); bylines such as 记者：… stay.

Exit status: 0 every document processed, 1 some documents in the error report (or the run
stopped by --on-invalid=fail), 2 usage or I/O error, 130 interrupted.

Examples:
  zhcanon-strip articles/ -o corpus.jsonl --errors errors.jsonl
  zhcanon-strip page.html --format text
  zhcanon-strip archive/ -o clean/ --format markdown
  cat dump.jsonl | zhcanon-strip - | zhcanon-t2s -

Options)";

}  // namespace

int StripMain(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view kTool = "zhcanon-strip";
  CommonOptions common;
  std::string input_format = "auto", extract = "auto", captions = "keep", boilerplate_path;
  bool no_boilerplate = false;

  po::options_description desc("Options");
  AddCommonOptions(desc, common);
  desc.add_options()
      ("input-format", po::value(&input_format)->value_name("FMT")->default_value(input_format),
       "Markup of the inputs: auto (by extension; .txt, stdin and JSONL texts are sniffed), "
       "markdown, html or text.")
      ("extract", po::value(&extract)->value_name("MODE")->default_value(extract),
       "HTML content: main (the article only, by text and link density, like Readability), all "
       "(all visible text), or auto (main for pages with <body>, all for fragments).")
      ("captions", po::value(&captions)->value_name("MODE")->default_value(captions),
       "Figure captions (<figcaption>): keep (as their own paragraph) or drop.")
      ("boilerplate", po::value(&boilerplate_path)->value_name("FILE"),
       "Boilerplate rules to use instead of the built-in ones: one ICU regular expression per "
       "line matching a whole line to remove; # starts a comment.")
      ("no-boilerplate", po::bool_switch(&no_boilerplate), "Keep every line.");

  if (int status = ParseCommandLine(kTool, args, desc, kUsage, common, streams); status >= 0)
    return status;

  strip::StripOptions options;
  std::unique_ptr<strip::BoilerplateFilter> custom_rules;
  try {
    options.format = ParseSourceFormat(input_format);
    options.extract = strip::ParseExtract(extract);
    if (captions != "keep" && captions != "drop")
      throw std::invalid_argument("--captions takes keep or drop, not '" + captions + "'");
    options.keep_captions = captions == "keep";
    if (no_boilerplate && !boilerplate_path.empty())
      throw std::invalid_argument("--boilerplate and --no-boilerplate exclude each other");
    if (no_boilerplate) options.boilerplate = nullptr;
    if (!boilerplate_path.empty()) {
      custom_rules = std::make_unique<strip::BoilerplateFilter>(
          strip::BoilerplateFilter::FromFile(boilerplate_path));
      options.boilerplate = custom_rules.get();
    }
  } catch (const std::invalid_argument& e) {
    streams.err << kTool << ": " << e.what() << "\nTry '" << kTool << " --help'.\n";
    return kExitUsage;
  } catch (const std::runtime_error& e) {  // IoError, ConfigError from the rules file
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }

  strip::Stripper stripper(options);
  return RunStages(kTool, common, {&stripper}, streams);
}

}  // namespace zhcanon::cli
