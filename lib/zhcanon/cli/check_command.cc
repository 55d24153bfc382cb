#include "zhcanon/cli/check_command.h"

#include <chrono>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "zhcanon/cli/index_command.h"
#include "zhcanon/core/error.h"
#include "zhcanon/core/version.h"
#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/dedup/hamming_index.h"
#include "zhcanon/index/checker.h"
#include "zhcanon/index/corpus_index.h"
#include "zhcanon/pipeline/runner.h"

namespace po = boost::program_options;

namespace zhcanon::cli {

namespace {

constexpr std::string_view kTool = "zhcanon check";

constexpr std::string_view kUsage =
    R"(Usage: zhcanon check [OPTIONS] NEW... [--db FILE]

Checks newly scraped articles before they join a corpus, for CI: reads files (.md .markdown
.html .htm .xhtml .txt), directories (walked recursively in sorted order), JSONL (.jsonl
.jsonl.gz .jsonl.zst) or `-` for stdin, prepares each article as `zhcanon run` does (strip,
t2s, punct, with the same options) and reports, per article:
  duplicate         an exact or near duplicate of a document in the index --db (which one,
                    SimHash distance, estimated similarity): the verdict zhcanon-dedup reaches
                    on the same two documents, with the indexed one as the canonical copy
                    (the indexed document with the article's own id is its earlier version,
                    not a duplicate: an edited article is checked like a new one)
  batch-duplicate   an exact or near duplicate of another article checked in the same run
                    (the one zhcanon-dedup's --keep policy would keep is not reported)
  invalid           an article a stage could not read: undecodable bytes, bad front matter,
                    no text left after stripping, an unreadable file or JSONL line
  missing-metadata  a field named by --require is absent or empty
  not-canonical     with --canonical: an article the pipeline would change (t2s, punct; the
                    text after strip compared with the text after them), with a short
                    unified diff, like `black --check`

Output on stdout: one `FILE:LINE: SEVERITY: MESSAGE [KIND]` line per finding (text), one JSON
document (json), or GitHub Actions workflow commands (github: ::error file=…,line=…::…
annotations). A summary goes to stderr unless --quiet.

Exit status: 0 no findings, 1 findings, 2 usage or I/O error (a missing input, an index that
cannot be opened), 130 interrupted.

Examples:
  zhcanon check --db corpus.db new/
  zhcanon check --db corpus.db --require title,date --canonical --format github new/*.md
  zhcanon check --format json new.jsonl > findings.json
)";

std::string Fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string FileOf(const index::CheckedDocument& d) { return d.path.empty() ? d.id : d.path; }

std::string MessageOf(const index::CheckedDocument& d, const index::Finding& f) {
  return d.record ? "record \"" + d.id + "\": " + f.message : f.message;
}

std::string_view SeverityWord(Severity s) { return s == Severity::kWarning ? "warning" : "error"; }

// GitHub workflow command escaping (actions/toolkit's escapeData and escapeProperty).
std::string EscapeData(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string EscapeProperty(std::string_view s) {
  std::string out;
  for (char c : EscapeData(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

void PrintText(const std::vector<index::CheckedDocument>& docs, std::ostream& out) {
  for (const auto& d : docs) {
    for (const auto& f : d.findings) {
      out << FileOf(d);
      if (f.location.line > 0) {
        out << ":" << f.location.line;
        if (f.location.column > 0) out << ":" << f.location.column;
      }
      out << ": " << SeverityWord(f.severity) << ": " << MessageOf(d, f) << " [" << index::FindingKindName(f.kind)
          << "]\n";
      if (!f.diff.empty()) {
        std::istringstream lines(f.diff);
        for (std::string line; std::getline(lines, line);) out << "    " << line << "\n";
      }
    }
  }
}

void PrintGithub(const std::vector<index::CheckedDocument>& docs, std::ostream& out) {
  for (const auto& d : docs) {
    for (const auto& f : d.findings) {
      out << "::" << SeverityWord(f.severity) << " file=" << EscapeProperty(FileOf(d));
      if (f.location.line > 0) {
        out << ",line=" << f.location.line;
        if (f.location.column > 0) out << ",col=" << f.location.column;
      }
      out << ",title=" << EscapeProperty("zhcanon check: " + std::string(index::FindingKindName(f.kind))) << "::"
          << EscapeData(MessageOf(d, f) + (f.diff.empty() ? "" : "\n" + f.diff)) << "\n";
    }
  }
}

nlohmann::ordered_json FindingJson(const index::CheckedDocument& d, const index::Finding& f) {
  nlohmann::ordered_json j;
  j["file"] = FileOf(d);
  j["line"] = f.location.line;
  if (f.location.column > 0) j["column"] = f.location.column;
  j["id"] = d.id;
  j["severity"] = SeverityWord(f.severity);
  j["kind"] = index::FindingKindName(f.kind);
  j["message"] = f.message;
  if (!f.stage.empty()) j["stage"] = f.stage;
  if (f.match) {
    const index::MatchInfo& m = *f.match;
    j["match"] = {{"indexed", m.indexed},
                  {"id", m.id},
                  {"path", m.path},
                  {"title", m.title},
                  {"kind", dedup::MatchKindName(m.kind)},
                  {"distance", m.distance},
                  {"similarity", std::stod(Fixed(m.similarity, 4))},
                  {"containment", std::stod(Fixed(m.containment, 4))}};
  }
  if (!f.missing.empty()) j["missing"] = f.missing;
  if (!f.diff.empty()) j["diff"] = f.diff;
  return j;
}

std::map<index::FindingKind, std::size_t> CountByKind(const std::vector<index::CheckedDocument>& docs) {
  std::map<index::FindingKind, std::size_t> n;
  for (const auto& d : docs)
    for (const auto& f : d.findings) ++n[f.kind];
  return n;
}

}  // namespace

int CheckMain(const std::vector<std::string>& args, Streams streams) {
  std::string db, require, format = "text", keep = "default";
  bool canonical = false, no_batch = false;
  int busy_timeout = 10000;
  int context = index::DiffOptions{}.context, max_diff_lines = index::DiffOptions{}.max_lines;
  std::optional<int> distance;
  std::optional<double> min_jaccard, min_containment;
  InputFlags in;
  PrepareFlags prep;

  po::options_description desc("Options");
  desc.add_options()
      ("db", po::value(&db)->value_name("FILE"),
       "The corpus index (built by `zhcanon index build`). Without it only the other findings are reported.")
      ("format,f", po::value(&format)->value_name("FMT")->default_value(format),
       "text (FILE:LINE: SEVERITY: MESSAGE [KIND], for people), json (one document with every finding), or github "
       "(workflow commands: annotations on the files of a pull request).")
      ("require", po::value(&require)->value_name("FIELDS"),
       "Metadata fields every article must have, comma-separated: title, date, author, source_url, summary, lang, "
       "tags, categories, or any other front matter key.")
      ("canonical", po::bool_switch(&canonical),
       "Also report articles that the pipeline would change, with a short unified diff.")
      ("no-batch", po::bool_switch(&no_batch), "Do not compare the new articles with each other.")
      ("distance", po::value<int>()->value_name("K")->notifier([&](int v) { distance = v; }),
       "SimHash distance that makes a candidate (default: the index's max distance; at most that).")
      ("min-jaccard", po::value<double>()->value_name("J")->notifier([&](double v) { min_jaccard = v; }),
       "Estimated Jaccard similarity that makes a candidate a duplicate (default: the index's setting).")
      ("min-containment", po::value<double>()->value_name("C")->notifier([&](double v) { min_containment = v; }),
       "Estimated containment that, with a shared paragraph, makes a candidate a duplicate (default: the "
       "index's setting).")
      ("keep", po::value(&keep)->value_name("POLICY")->default_value(keep),
       "Of two new articles that duplicate each other, the one zhcanon-dedup --keep POLICY keeps is not "
       "reported: default, first, longest, earliest.")
      ("context", po::value(&context)->value_name("N")->default_value(context),
       "Unchanged lines around each change in --canonical diffs.")
      ("max-diff-lines", po::value(&max_diff_lines)->value_name("N")->default_value(max_diff_lines),
       "Cut each --canonical diff after N lines (0: no limit).");
  desc.add_options()("busy-timeout", po::value(&busy_timeout)->value_name("MS")->default_value(busy_timeout),
                     "How long to wait for the index while another process holds a lock on it.");
  AddInputOptions(desc, in);
  AddPrepareOptions(desc, prep);

  ParsedArgs parsed;
  if (int s = ParseArgs(kTool, args, desc, kUsage, true, "article", parsed, streams); s >= 0) return s;
  const std::vector<std::string>& inputs = parsed.positional;
  auto usage_error = [&](const std::string& msg) {
    streams.err << kTool << ": " << msg << "\nTry '" << kTool << " --help'.\n";
    return kExitUsage;
  };
  if (format != "text" && format != "json" && format != "github")
    return usage_error("--format takes text, json or github, not '" + format + "'");
  if (in.threads < 0) return usage_error("--threads must be 0 (all cores) or more");
  if (context < 0 || max_diff_lines < 0) return usage_error("--context and --max-diff-lines must be 0 or more");
  if (auto missing = MissingInput(inputs)) {
    streams.err << kTool << ": cannot read '" << *missing << "': no such file or directory\n";
    return kExitUsage;
  }

  try {
    std::optional<index::CorpusIndex> idx;
    if (!db.empty()) idx.emplace(index::CorpusIndex::Open(db, index::OpenMode::kReadOnly, busy_timeout));
    const index::IndexSettings settings = idx ? idx->settings() : index::IndexSettings{};

    index::CheckOptions options;
    options.cluster = settings.cluster;
    options.cluster.max_distance = distance.value_or(settings.max_distance);
    if (min_jaccard) options.cluster.min_jaccard = *min_jaccard;
    if (min_containment) options.cluster.min_containment = *min_containment;
    options.require = SplitList(require);
    options.canonical = canonical;
    options.batch = !no_batch;
    options.diff.context = context;
    options.diff.max_lines = max_diff_lines;

    std::unique_ptr<PreparedStages> stages;
    std::unique_ptr<dedup::Fingerprinter> fingerprinter;
    try {
      options.cluster.keep = dedup::ParseKeepPolicy(keep);
      if (options.cluster.max_distance < 0 || options.cluster.max_distance > settings.max_distance)
        throw std::invalid_argument("--distance must be 0 to " + std::to_string(settings.max_distance) +
                                    (idx ? " (the index's max distance)" : "") + ", not " +
                                    std::to_string(options.cluster.max_distance));
      if (!(options.cluster.min_jaccard >= 0 && options.cluster.min_jaccard <= 1) ||
          !(options.cluster.min_containment >= 0 && options.cluster.min_containment <= 1))
        throw std::invalid_argument("--min-jaccard and --min-containment must be 0 to 1");
      io::ParseInputKind(in.input_kind);
      const OnInvalid on_invalid = ParseOnInvalid(in.on_invalid);
      // The fingerprinter (ICU tables, and OpenCC's t2s shared with the t2s stage through
      // convert::SharedVariantConverters) is built beside the stages, on a second core.
      auto fingerprinter_loaded = std::async(std::launch::async, [&settings] {
        return std::make_unique<dedup::Fingerprinter>(settings.fingerprint);
      });
      stages = MakePreparedStages(prep, on_invalid, streams.err, canonical);
      fingerprinter = fingerprinter_loaded.get();
    } catch (const std::invalid_argument& e) {
      return usage_error(e.what());
    }
    if (idx && !in.quiet && settings.pipeline != stages->description)
      streams.err << kTool << ": note: the index was built with documents prepared as '" << settings.pipeline
                  << "', these are prepared as '" << stages->description << "'\n";

    index::Checker checker(idx ? &*idx : nullptr, *fingerprinter, options);
    io::ReaderOptions reader_options;
    reader_options.kind = io::ParseInputKind(in.input_kind);
    reader_options.stdin_stream = &streams.in;
    io::DocumentReader reader(inputs, reader_options);
    pipeline::RunOptions run_options;
    run_options.threads = in.threads;
    InterruptFlag().store(false);
    run_options.interrupt = &InterruptFlag();
    const auto start = std::chrono::steady_clock::now();
    const pipeline::RunStats stats =
        pipeline::Run(reader, stages->chain, checker, [&](const Problem& p) { checker.OnProblem(p); }, run_options);
    if (stages->explain) {
      if (std::string msg = stages->explain->Finish(); !msg.empty()) streams.err << kTool << ": " << msg << "\n";
    }
    if (stats.interrupted) {
      streams.err << kTool << ": interrupted\n";
      return kExitInterrupted;
    }
    checker.Commit();
    const auto& docs = checker.documents();
    const std::size_t findings = checker.findings();

    if (format == "json") {
      nlohmann::ordered_json j;
      j["tool"] = kTool;
      j["version"] = kVersion;
      j["index"] = db.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(db);
      j["indexed_documents"] = idx ? idx->DocumentCount() : 0;
      j["articles"] = docs.size();
      std::size_t with = 0;
      for (const auto& d : docs) with += !d.findings.empty();
      j["articles_with_findings"] = with;
      nlohmann::ordered_json counts = nlohmann::ordered_json::object();
      for (auto [kind, n] : CountByKind(docs)) counts[std::string(index::FindingKindName(kind))] = n;
      j["counts"] = counts;
      j["findings"] = nlohmann::ordered_json::array();
      for (const auto& d : docs)
        for (const auto& f : d.findings) j["findings"].push_back(FindingJson(d, f));
      j["exit_status"] = findings > 0 || stats.aborted ? 1 : 0;
      streams.out << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    } else if (format == "github") {
      PrintGithub(docs, streams.out);
    } else {
      PrintText(docs, streams.out);
    }
    if (stats.aborted) streams.err << kTool << ": stopped by a fatal problem (--on-invalid=fail); later articles were not checked\n";
    if (!in.quiet) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      streams.err << kTool << ": " << docs.size() << (docs.size() == 1 ? " article" : " articles") << " checked";
      if (idx) streams.err << " against " << idx->DocumentCount() << " indexed documents";
      if (findings == 0) {
        streams.err << ": no findings";
      } else {
        streams.err << ": " << findings << (findings == 1 ? " finding" : " findings") << " (";
        bool first = true;
        for (auto [kind, n] : CountByKind(docs)) {
          streams.err << (first ? "" : ", ") << index::FindingKindName(kind) << ": " << n;
          first = false;
        }
        streams.err << ")";
      }
      streams.err << " (" << Fixed(seconds, 2) << " s)\n";
    }
    return findings > 0 || stats.aborted ? kExitFindings : kExitSuccess;
  } catch (const IoError& e) {
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const ConfigError& e) {
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace zhcanon::cli
