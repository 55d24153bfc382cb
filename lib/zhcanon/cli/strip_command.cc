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
  forms and comments go; <title>, <meta>, Open Graph, <time>, <address> and elements marked as
  the author (class="author", itemprop/rel="author") fill metadata. Whole pages keep only the
  main article (see --extract).
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

// The Stripper keeps a pointer to its rules: this stage owns both.
class OwningStripper : public Stage {
 public:
  OwningStripper(strip::StripOptions options, std::unique_ptr<strip::BoilerplateFilter> rules)
      : rules_(std::move(rules)), stripper_(WithRules(std::move(options), rules_.get())) {}
  std::string_view name() const override { return stripper_.name(); }
  void Process(Document& doc, Diagnostics& diag) const override { stripper_.Process(doc, diag); }

 private:
  static strip::StripOptions WithRules(strip::StripOptions o, const strip::BoilerplateFilter* rules) {
    if (rules != nullptr) o.boilerplate = rules;
    return o;
  }
  std::unique_ptr<strip::BoilerplateFilter> rules_;
  strip::Stripper stripper_;
};

}  // namespace

void AddStripOptions(po::options_description& desc, StripFlags& f, std::string_view prefix) {
  const std::string p(prefix);
  desc.add_options()
      ((p + "input-format").c_str(), po::value(&f.input_format)->value_name("FMT")->default_value(f.input_format),
       "Markup of the inputs: auto (by extension; .txt, stdin and JSONL texts are sniffed), "
       "markdown, html or text.")
      ((p + "extract").c_str(), po::value(&f.extract)->value_name("MODE")->default_value(f.extract),
       "HTML content: main (the article only, by text and link density, like Readability), all "
       "(all visible text), or auto (main for pages with <body>, all for fragments).")
      ((p + "captions").c_str(), po::value(&f.captions)->value_name("MODE")->default_value(f.captions),
       "Figure captions (<figcaption>): keep (as their own paragraph) or drop.")
      ((p + "boilerplate").c_str(), po::value(&f.boilerplate_path)->value_name("FILE"),
       "Boilerplate rules to use instead of the built-in ones: one ICU regular expression per "
       "line matching a whole line to remove; # starts a comment.")
      ((p + "no-boilerplate").c_str(), po::bool_switch(&f.no_boilerplate), "Keep every line.");
}

std::unique_ptr<Stage> MakeStripper(const StripFlags& f, std::string_view prefix) {
  const std::string p(prefix);
  strip::StripOptions options;
  options.format = ParseSourceFormat(f.input_format);
  options.extract = strip::ParseExtract(f.extract);
  if (f.captions != "keep" && f.captions != "drop")
    throw std::invalid_argument("--" + p + "captions takes keep or drop, not '" + f.captions + "'");
  options.keep_captions = f.captions == "keep";
  if (f.no_boilerplate && !f.boilerplate_path.empty())
    throw std::invalid_argument("--" + p + "boilerplate and --" + p + "no-boilerplate exclude each other");
  if (f.no_boilerplate) options.boilerplate = nullptr;
  std::unique_ptr<strip::BoilerplateFilter> custom_rules;
  if (!f.boilerplate_path.empty())
    custom_rules = std::make_unique<strip::BoilerplateFilter>(strip::BoilerplateFilter::FromFile(f.boilerplate_path));
  return std::make_unique<OwningStripper>(options, std::move(custom_rules));
}

int StripMain(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view kTool = "zhcanon-strip";
  CommonOptions common;
  StripFlags flags;

  po::options_description desc("Options");
  AddCommonOptions(desc, common);
  AddStripOptions(desc, flags);

  if (int status = ParseCommandLine(kTool, args, desc, kUsage, common, streams); status >= 0)
    return status;

  std::unique_ptr<Stage> stripper;
  try {
    stripper = MakeStripper(flags);
  } catch (const std::invalid_argument& e) {
    streams.err << kTool << ": " << e.what() << "\nTry '" << kTool << " --help'.\n";
    return kExitUsage;
  } catch (const std::runtime_error& e) {  // IoError, ConfigError from the rules file
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }
  return RunStages(kTool, common, {stripper.get()}, streams);
}

}  // namespace zhcanon::cli
