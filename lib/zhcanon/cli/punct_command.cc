#include "zhcanon/cli/punct_command.h"

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "zhcanon/core/error.h"
#include "zhcanon/punct/normalizer.h"

namespace po = boost::program_options;

namespace zhcanon::cli {

namespace {

constexpr std::string_view kUsage =
    R"(Usage: zhcanon-punct [OPTIONS] INPUT...

Normalizes the punctuation, character width and white space of Chinese text to one
convention (GB/T 15834-2011 for the default zh-hans profile), with ICU deciding what each
character is, without touching Latin text, numbers, code, URLs, e-mail addresses or paths.

Reads text files, directories (walked recursively in sorted order), JSONL corpora (.jsonl
.jsonl.gz .jsonl.zst, {id,text,metadata} per line) or `-` for stdin (JSONL when its first
line is a JSON object with "text"). Input bytes in GBK/GB18030, Big5, UTF-16 and other
charsets are converted to UTF-8 first. Normalizes each document's text and title and nothing
else: markup stays (run zhcanon-strip first). Writes JSONL to stdout unless -o; --format
text writes only the normalized texts.

Rules (each can be switched off with --no-RULE; --explain names them):
  unicode      NFC; zero-width characters (not inside emoji sequences), BOM, soft hyphens,
               controls (but tab and newline) removed; NBSP and other spaces become ' '
  width        full-width letters, digits and symbols (Ａ１＠) become ASCII
  punctuation  , . ? ! : ; become ，。？！：；in Chinese context; full-width ones become
               ASCII in Latin context; 3.14 1,000 10:30 v1.2 U.S. e.g. stay
  parentheses  (…) with Han inside become （…）, （…） without Han become (…)
  quotes       "…" '…' in Chinese context become “…” ‘…’ (zh-hant: 「…」『…』); the
               other quote family is converted to the profile's
  ellipsis     ... 。。。 … become …… in Chinese context
  dash         -- — －－ used as a dash become —— in Chinese context
  spacing      no spaces between Han characters or around Chinese punctuation; runs of
               spaces collapsed; line ends trimmed
  blank-lines  at most one blank line between paragraphs
  indent       leading ideographic-space indents removed
Never changed: URLs, e-mail addresses, paths, `inline code`, ``` fenced blocks and
enumerations (1. 1) (1)) at line start. Unbalanced quotes and parentheses are left as they
are and reported by --explain.

Each document's metadata gets punct_changes (the number of changes in its text and title)
and, when there are any, punct_unbalanced (unbalanced quotes and parentheses found).

Exit status: 0 every document processed, 1 some documents in the error report (or the run
stopped by --on-invalid=fail), 2 usage or I/O error, 130 interrupted.

Examples:
  zhcanon-punct corpus.jsonl -o corpus.punct.jsonl
  zhcanon-punct --format text --explain article.txt
  zhcanon-punct --profile zh-hant --cjk-latin-space add - < dump.jsonl
  zhcanon-strip pages/ | zhcanon-t2s - | zhcanon-punct - -o clean.jsonl

Options)";

// One line per change: ID:LINE:COLUMN: RULE: "before" -> "after" (JSON strings, so that
// spaces and newlines are visible); title changes have "title" for the line.
void WriteChanges(std::ostream& out, const Document& doc, std::string_view field,
                  const std::vector<punct::Change>& changes) {
  std::ostringstream block;
  for (const punct::Change& c : changes) {
    block << doc.id << ':';
    if (field == "title") block << "title";
    else block << c.line;
    block << ':' << c.column << ": " << c.rule << ": ";
    if (c.rule.starts_with("unbalanced-"))
      block << nlohmann::json(c.before).dump() << " left as it is\n";
    else
      block << nlohmann::json(c.before).dump() << " -> " << nlohmann::json(c.after).dump() << '\n';
  }
  out << block.str();
}

}  // namespace

void AddPunctOptions(po::options_description& desc, PunctFlags& f, std::string_view prefix) {
  const std::string p(prefix);
  for (std::string_view rule : punct::RuleNames()) f.off[std::string(rule)] = false;
  desc.add_options()
      ((p + "profile").c_str(), po::value(&f.profile)->value_name("NAME")->default_value(f.profile),
       "zh-hans (GB/T 15834-2011: ，。“”‘’), zh-hant (the same with 「」『』), or ascii (Chinese "
       "punctuation to ASCII everywhere: ，。→ , . and “”「」→ \").")
      ((p + "cjk-latin-space").c_str(),
       po::value(&f.cjk_latin_space)->value_name("MODE")->default_value(f.cjk_latin_space),
       "Spaces between Han and Latin letters or digits: keep (as found), add (one space: 中文 AI "
       "中文), remove (中文AI中文).")
      ((p + "explain").c_str(), po::value(&f.explain)->value_name("FILE")->implicit_value("-"),
       ("Print each change as ID:LINE:COLUMN: RULE: \"before\" -> \"after\" (the line is \"title\" "
        "for the title), and each unbalanced quote or parenthesis, to stderr; --" + p + "explain=FILE "
        "writes them to FILE instead. With -j above 1, documents may come in any order.").c_str());
  for (std::string_view rule : punct::RuleNames()) {
    const std::string name = p + "no-" + std::string(rule);
    desc.add_options()(name.c_str(), po::bool_switch(&f.off[std::string(rule)]),
                       ("Switch the " + std::string(rule) + " rule off.").c_str());
  }
}

punct::Options MakePunctOptions(const PunctFlags& f) {
  punct::Options options;
  options.profile = punct::ParseProfile(f.profile);
  options.cjk_latin_space = punct::ParseCjkLatinSpace(f.cjk_latin_space);
  for (const auto& [rule, is_off] : f.off)
    if (is_off) punct::SetRule(options, rule, false);
  return options;
}

PunctExplainOutput::PunctExplainOutput(const std::string& where, std::ostream& err, std::string_view option)
    : where_(where), option_(option) {
  if (where == "-") {
    out_ = &err;
  } else if (!where.empty()) {
    file_ = std::make_unique<std::ofstream>(where, std::ios::binary);
    if (!*file_) throw IoError("cannot write --" + option_ + " file '" + where + "'");
    out_ = file_.get();
  }
}

punct::ExplainSink PunctExplainOutput::Sink() {
  if (out_ == nullptr) return nullptr;
  return [this](const Document& doc, std::string_view field, const std::vector<punct::Change>& changes) {
    std::lock_guard lock(mutex_);
    WriteChanges(*out_, doc, field, changes);
  };
}

std::string PunctExplainOutput::Finish() {
  if (!file_) return {};
  file_->flush();
  if (!*file_) return "writing --" + option_ + " file '" + where_ + "' failed";
  return {};
}

int PunctMain(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view kTool = "zhcanon-punct";
  CommonOptions common;
  PunctFlags flags;

  po::options_description desc("Options");
  AddCommonOptions(desc, common);
  AddPunctOptions(desc, flags);

  if (int status = ParseCommandLine(kTool, args, desc, kUsage, common, streams); status >= 0)
    return status;

  punct::Options options;
  try {
    options = MakePunctOptions(flags);
  } catch (const std::invalid_argument& e) {
    streams.err << kTool << ": " << e.what() << "\nTry '" << kTool << " --help'.\n";
    return kExitUsage;
  }

  std::unique_ptr<PunctExplainOutput> explain;
  try {
    explain = std::make_unique<PunctExplainOutput>(flags.explain, streams.err);
  } catch (const IoError& e) {
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }
  const punct::Punct stage(options, explain->Sink());
  const int status = RunStages(kTool, common, {&stage}, streams);
  if (std::string problem = explain->Finish(); !problem.empty()) {
    streams.err << kTool << ": " << problem << "\n";
    return kExitUsage;
  }
  return status;
}

}  // namespace zhcanon::cli
