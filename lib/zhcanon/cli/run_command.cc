#include "zhcanon/cli/run_command.h"

#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <toml++/toml.h>

#include "zhcanon/cli/dedup_command.h"
#include "zhcanon/cli/punct_command.h"
#include "zhcanon/cli/strip_command.h"
#include "zhcanon/cli/t2s_command.h"
#include "zhcanon/core/error.h"
#include "zhcanon/core/version.h"
#include "zhcanon/dedup/dedup_writer.h"
#include "zhcanon/io/decoder.h"
#include "zhcanon/io/reader.h"
#include "zhcanon/io/writer.h"
#include "zhcanon/pipeline/progress.h"
#include "zhcanon/pipeline/runner.h"
#include "zhcanon/pipeline/stage_timer.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace zhcanon::cli {

namespace {

constexpr std::string_view kTool = "zhcanon run";

constexpr std::string_view kUsage =
    R"(Usage: zhcanon run [OPTIONS] INPUT...

Runs the whole pipeline in one process, on all cores: strip (markup to clean paragraphs and
metadata), t2s (Traditional to Simplified), punct (punctuation, width and white space), then
dedup (exact and near duplicates: one canonical copy each). The corpus is the one that
  zhcanon-strip | zhcanon-t2s - | zhcanon-punct - | zhcanon-dedup -
gives with the same options, in input order. Memory holds the documents in flight and the
dedup fingerprints (a few hundred bytes a document), not the corpus: until the dedup decision
the documents wait in a spool file beside the output.

Reads files (.md .markdown .html .htm .xhtml .txt), directories (walked recursively in sorted
order), JSONL corpora (.jsonl .jsonl.gz .jsonl.zst, {id,text,metadata} per line) or `-` for
stdin, in UTF-8, GBK/GB18030, Big5, UTF-16 and other charsets. Writes JSONL to stdout unless
-o; -o DIR/ writes a Markdown tree with YAML front matter.

The defaults make a mainland Simplified corpus from mixed input: --t2s auto (t2s, tw2sp or
hk2s per document), --punct-profile zh-hans, --keep default. Each stage takes the options of
its own tool under the names below (zhcanon-t2s --config is --t2s here, zhcanon-punct's
options get the prefix punct-); --skip leaves stages out.

Options can also come from a TOML file (--config-file FILE). Its keys are the long option
names (t2s = "tw2sp", keep = "longest", no-boilerplate = true, skip = ["dedup"]); a table
names a stage and stands for its prefix ([punct] profile = "zh-hant" is --punct-profile,
[t2s] dict = "fixes.txt" is --t2s-dict, [t2s] config is --t2s; [dedup] keep and [strip]
extract are --keep and --extract). Relative paths are relative to the current directory.
Options given on the command line win over the file; an unknown key is an error.

Progress goes to stderr: a bar on a terminal, a line every 5 seconds otherwise (--progress).
At the end a summary: documents in and out, exact and near duplicates dropped, documents t2s
converted, failures, and the time each stage took (CPU seconds, summed over the workers).

Exit status: 0 every document processed, 1 some documents in the error report (or the run
stopped by --on-invalid=fail), 2 usage, configuration or I/O error, 130 interrupted.

Examples:
  zhcanon run articles/ -o corpus.jsonl --clusters clusters.jsonl --errors errors.jsonl
  zhcanon run dump.jsonl.zst -o clean/ --t2s tw2sp --keep earliest
  zhcanon run --skip dedup --punct-profile zh-hant pages/ -o pages.jsonl
  zhcanon run --config-file zhcanon.toml new/ -o new.jsonl
)";

// The stages in pipeline order, as --skip names them.
constexpr std::string_view kStageNames[] = {"strip", "t2s", "punct", "dedup"};

// Everything the command line and the config file set.
struct RunFlags {
  CommonOptions common;
  StripFlags strip;
  T2sFlags t2s;
  PunctFlags punct;
  DedupFlags dedup;
  std::string skip;
  bool no_stage[std::size(kStageNames)] = {};
  std::string config_file;
  std::string progress = "auto";
};

// The option groups, and which stage (TOML table) each option belongs to.
struct OptionTable {
  po::options_description visible;  // the groups below, each with its caption
  // long option name -> its section: "" for the run's own and the common options, else a stage.
  std::map<std::string, std::string> section_of;
  // every option including the positional inputs, for parsing
  po::options_description all;
};

void Record(OptionTable& t, const po::options_description& group, const std::string& section) {
  for (const auto& o : group.options()) t.section_of[o->long_name()] = section;
  t.visible.add(group);
}

void BuildOptions(OptionTable& t, RunFlags& f) {
  po::options_description common("Options");
  AddCommonOptions(common, f.common);
  common.add_options()
      ("skip", po::value(&f.skip)->value_name("STAGES"),
       "Stages to leave out, comma-separated: strip, t2s, punct, dedup (e.g. --skip t2s,dedup). "
       "Without strip the input texts are taken as they are (plain text, markup and all).")
      ("no-strip", po::bool_switch(&f.no_stage[0]), "The same as --skip strip.")
      ("no-t2s", po::bool_switch(&f.no_stage[1]), "The same as --skip t2s.")
      ("no-punct", po::bool_switch(&f.no_stage[2]), "The same as --skip punct.")
      ("no-dedup", po::bool_switch(&f.no_stage[3]), "The same as --skip dedup.")
      ("config-file", po::value(&f.config_file)->value_name("FILE"),
       "Read options from a TOML file (see above); the command line wins over it.")
      ("progress", po::value(&f.progress)->value_name("MODE")->default_value(f.progress),
       "Progress on stderr: bar (redrawn in place), lines (one every 5 seconds), none, or auto "
       "(bar when stderr is a terminal, else lines). --quiet means none.");
  Record(t, common, "");

  po::options_description strip("Strip options (zhcanon-strip)");
  AddStripOptions(strip, f.strip);
  Record(t, strip, "strip");

  po::options_description t2s("T2s options (zhcanon-t2s)");
  AddT2sOptions(t2s, f.t2s, "t2s");
  Record(t, t2s, "t2s");

  po::options_description punct("Punct options (zhcanon-punct)");
  AddPunctOptions(punct, f.punct, "punct-");
  Record(t, punct, "punct");

  po::options_description dedup("Dedup options (zhcanon-dedup)");
  AddDedupOptions(dedup, f.dedup);
  Record(t, dedup, "dedup");

  t.all.add(t.visible);
  t.all.add_options()("input-file", po::value(&f.common.inputs));
}

std::string Where(const std::string& file, const toml::source_region& r) {
  std::string w = file;
  if (r.begin.line > 0) w += ":" + std::to_string(r.begin.line);
  return w;
}

// A TOML value as the tokens a command line would give the option.
std::optional<std::vector<std::string>> Tokens(const toml::node& v, bool zero_tokens) {
  if (zero_tokens) {
    if (auto b = v.value_exact<bool>()) return *b ? std::vector<std::string>{} : std::optional<std::vector<std::string>>{};
    return std::nullopt;
  }
  if (auto s = v.value_exact<std::string>()) return std::vector<std::string>{*s};
  if (auto i = v.value_exact<std::int64_t>()) return std::vector<std::string>{std::to_string(*i)};
  if (auto d = v.value_exact<double>()) {
    std::ostringstream s;
    s << std::setprecision(17) << *d;
    return std::vector<std::string>{s.str()};
  }
  if (auto b = v.value_exact<bool>()) return std::vector<std::string>{*b ? "true" : "false"};
  if (const toml::array* a = v.as_array()) {
    // A list is what a comma-separated option value holds (skip = ["t2s", "dedup"]).
    std::string joined;
    for (const toml::node& item : *a) {
      auto s = item.value_exact<std::string>();
      if (!s) return std::nullopt;
      if (!joined.empty()) joined += ',';
      joined += *s;
    }
    return std::vector<std::string>{joined};
  }
  return std::nullopt;
}

// One key of the config file, resolved to an option.
struct ConfigEntry {
  std::string option;
  const toml::node* value;
  toml::source_region where;
  std::string key;      // as written, for messages ("punct.profile")
  std::string section;  // the table it is in, "" at the top level
};

// Stores the options of a TOML config file into `vm` after the command line's, which therefore
// win (boost::program_options keeps the first value stored for an option). Throws ConfigError
// naming the file and line for a syntax error, an unknown key or a bad value; IoError when the
// file cannot be read.
void StoreConfigFile(const std::string& path, const OptionTable& t, po::variables_map& vm) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw IoError("cannot read config file '" + path + "'");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(Where(path, e.source()) + ": " + std::string(e.description()));
  }

  auto find_option = [&](const std::string& section, const std::string& key) -> std::string {
    if (section.empty()) return t.section_of.count(key) ? key : "";
    // [t2s] config is zhcanon-t2s's --config, which is --t2s here.
    if (section == "t2s" && key == "config") return "t2s";
    for (const std::string& name : {section + "-" + key, key}) {
      auto it = t.section_of.find(name);
      if (it != t.section_of.end() && it->second == section) return name;
    }
    return "";
  };
  std::set<std::string> sections;
  for (std::string_view s : kStageNames) sections.emplace(s);

  // Unknown keys are collected too (with an empty option), so that the first problem reported
  // is the first in the file: toml++ keeps keys sorted by name.
  std::vector<ConfigEntry> entries;
  for (auto&& [k, v] : root) {
    const std::string key(k.str());
    if (const toml::table* table = v.as_table(); table != nullptr && sections.count(key)) {
      for (auto&& [k2, v2] : *table)
        entries.push_back({find_option(key, std::string(k2.str())), &v2, k2.source(), key + "." + std::string(k2.str()), key});
      continue;
    }
    entries.push_back({v.is_table() ? "" : find_option("", key), &v, k.source(), key, ""});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const ConfigEntry& a, const ConfigEntry& b) {
    return std::pair(a.where.begin.line, a.where.begin.column) < std::pair(b.where.begin.line, b.where.begin.column);
  });

  std::set<std::string> seen;
  for (const ConfigEntry& e : entries) {
    const std::string at = Where(path, e.where) + ": ";
    if (e.option.empty())
      throw ConfigError(at + "unknown key '" + e.key + "'" +
                        (e.section.empty() ? " (keys are the long option names of 'zhcanon run --help'; tables "
                                             "are [strip], [t2s], [punct] and [dedup])"
                                           : " (not an option of the " + e.section + " stage; see 'zhcanon run --help')"));
    if (e.option == "help" || e.option == "version" || e.option == "config-file")
      throw ConfigError(at + "'" + e.key + "' cannot be set in a config file");
    if (!seen.insert(e.option).second)
      throw ConfigError(at + "'" + e.key + "' sets --" + e.option + " a second time");
    const po::option_description& d = t.all.find(e.option, false);
    const bool zero_tokens = d.semantic()->max_tokens() == 0;
    std::optional<std::vector<std::string>> tokens = Tokens(*e.value, zero_tokens);
    if (!tokens) {
      if (zero_tokens && e.value->value_exact<bool>()) continue;  // a switch set to false
      throw ConfigError(at + "'" + e.key + "' takes " +
                        (zero_tokens ? std::string("true or false") : std::string("a string, a number or a list of strings")));
    }
    po::parsed_options parsed(&t.all);
    po::option o;
    o.string_key = e.option;
    o.value = *tokens;
    o.original_tokens = {"--" + e.option};
    o.original_tokens.insert(o.original_tokens.end(), tokens->begin(), tokens->end());
    parsed.options.push_back(std::move(o));
    try {
      po::store(parsed, vm);
    } catch (const po::error& err) {
      throw ConfigError(at + "'" + e.key + "': " + err.what());
    }
  }
}

// Counts the documents whose text t2s changed (it runs right after the t2s stage).
class ConvertedCounter : public Stage {
 public:
  std::string_view name() const override { return "t2s-count"; }
  void Process(Document& doc, Diagnostics&) const override {
    auto it = doc.metadata.extra.find("t2s_changed_chars");
    if (it != doc.metadata.extra.end() && it->is_number() && it->get<double>() > 0)
      count_.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  mutable std::atomic<std::uint64_t> count_{0};
};

std::string Seconds(double s) {
  std::ostringstream o;
  if (s < 1) o << static_cast<int>(s * 1000 + 0.5) << " ms";
  else o << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << " s";
  return o.str();
}

// User and system CPU time of the whole process so far (every thread).
double ProcessCpuSeconds() {
  struct rusage u {};
  if (::getrusage(RUSAGE_SELF, &u) != 0) return 0;
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

int TerminalColumns() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// Sizes the inputs on a thread of its own, so that a tree of millions of files does not delay
// the start; the ETA appears once it is done.
class InputSizer {
 public:
  InputSizer(pipeline::ProgressMeter& meter, std::vector<std::string> inputs, std::vector<std::string> extensions)
      : thread_([this, &meter, inputs = std::move(inputs), extensions = std::move(extensions)] {
          if (auto total = pipeline::InputBytes(inputs, extensions, &stop_)) meter.SetTotalBytes(*total);
        }) {}
  ~InputSizer() {
    stop_ = true;
    thread_.join();
  }
  InputSizer(const InputSizer&) = delete;
  InputSizer& operator=(const InputSizer&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

int RunMain(const std::vector<std::string>& args, Streams streams) {
  auto usage_error = [&](const std::string& msg) {
    streams.err << kTool << ": " << msg << "\nTry '" << kTool << " --help'.\n";
    return kExitUsage;
  };

  RunFlags f;
  f.common.threads = 0;     // all cores: the point of running the stages in one process
  f.t2s.config = "auto";    // mixed input becomes mainland Simplified
  OptionTable table;
  BuildOptions(table, f);

  // --- command line, then the config file under it -------------------------------------------
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    po::positional_options_description pos;
    pos.add("input-file", -1);
    po::store(po::command_line_parser(rest).options(table.all).positional(pos).run(), vm);
    if (vm.count("help")) {
      streams.out << kUsage << table.visible << "\n";
      return kExitSuccess;
    }
    if (vm.count("version")) {
      streams.out << kTool << " " << kVersion << "\n";
      return kExitSuccess;
    }
    if (vm.count("config-file")) StoreConfigFile(vm["config-file"].as<std::string>(), table, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  } catch (const std::runtime_error& e) {  // ConfigError, IoError from the config file
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }
  CommonOptions& c = f.common;
  if (c.inputs.empty())
    return usage_error("no input given (name files, directories, or - for stdin)");

  // --- which stages, built from the tools' own option parsers ----------------------------------
  bool run[std::size(kStageNames)] = {true, true, true, true};
  for (std::size_t i = 0; i < std::size(kStageNames); ++i)
    if (f.no_stage[i]) run[i] = false;
  {
    std::istringstream list(f.skip);
    for (std::string name; std::getline(list, name, ',');) {
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (name.empty()) continue;
      auto it = std::find(std::begin(kStageNames), std::end(kStageNames), name);
      if (it == std::end(kStageNames))
        return usage_error("--skip takes strip, t2s, punct and dedup, not '" + name + "'");
      run[it - std::begin(kStageNames)] = false;
    }
  }
  const bool run_strip = run[0], run_t2s = run[1], run_punct = run[2], run_dedup = run[3];

  io::OutputFormat format;
  OnInvalid on_invalid;
  io::ReaderOptions reader_options;
  std::unique_ptr<Stage> stripper;
  std::unique_ptr<Stage> t2s;
  std::optional<punct::Punct> punct_stage;
  std::unique_ptr<PunctExplainOutput> explain;
  dedup::DedupOptions dedup_options;
  try {
    format = ResolveFormat(c);
    on_invalid = ParseOnInvalid(c.on_invalid);
    reader_options.kind = io::ParseInputKind(c.input_kind);
    if (f.progress != "auto" && f.progress != "bar" && f.progress != "lines" && f.progress != "none")
      throw std::invalid_argument("--progress takes auto, bar, lines or none, not '" + f.progress + "'");
    if (run_strip) stripper = MakeStripper(f.strip);
    if (run_punct) {
      const punct::Options punct_options = MakePunctOptions(f.punct);
      explain = std::make_unique<PunctExplainOutput>(f.punct.explain, streams.err, "punct-explain");
      punct_stage.emplace(punct_options, explain->Sink());
    }
    if (run_dedup) dedup_options = MakeDedupOptions(f.dedup);
    if (run_t2s) t2s = MakeT2s(f.t2s);
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  } catch (const std::runtime_error& e) {  // IoError, ConfigError: rules, dictionaries, configs
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }
  if (c.threads < 0) return usage_error("--threads must be 0 (all cores) or more");
  if (format == io::OutputFormat::kMarkdown && (c.output.empty() || c.output == "-"))
    return usage_error("--format markdown writes a directory tree: give it with -o DIR/");
  // A failed or partial run must never destroy its source, nor one report another.
  for (const std::string& in : c.inputs) {
    if (in == "-") continue;
    if (!c.output.empty() && c.output != "-" && SamePath(in, c.output))
      return usage_error("refusing to write the output over the input '" + in + "'");
    if (!f.dedup.clusters.empty() && SamePath(in, f.dedup.clusters))
      return usage_error("refusing to write the cluster report over the input '" + in + "'");
    if (!c.errors_path.empty() && SamePath(in, c.errors_path))
      return usage_error("refusing to write the error report over the input '" + in + "'");
  }
  if (!f.dedup.clusters.empty()) {
    if (!run_dedup) return usage_error("--clusters needs the dedup stage (it is skipped)");
    if (f.dedup.clusters == "-") return usage_error("--clusters needs a file name (stdout carries the documents)");
    if (!c.output.empty() && c.output != "-" && SamePath(f.dedup.clusters, c.output))
      return usage_error("--clusters and -o name the same file '" + f.dedup.clusters + "'");
  }
  if (!c.errors_path.empty() && !c.output.empty() && c.output != "-" && SamePath(c.errors_path, c.output))
    return usage_error("--errors and -o name the same file '" + c.errors_path + "'");
  reader_options.stdin_stream = &streams.in;
  if (run_dedup) {
    if (dedup_options.spool_dir.empty()) dedup_options.spool_dir = SpoolDirFor(c);
    dedup_options.interrupt = &InterruptFlag();
  }

  // --- progress ----------------------------------------------------------------------------------
  std::string progress_mode = c.quiet ? "none" : f.progress;
  if (progress_mode == "auto")
    progress_mode = &streams.err == &std::cerr && ::isatty(STDERR_FILENO) ? "bar" : "lines";
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ProcessCpuSeconds();
  std::optional<pipeline::ProgressMeter> meter;
  if (progress_mode != "none") {
    pipeline::ProgressOptions progress_options;
    progress_options.style = progress_mode == "bar" ? pipeline::ProgressStyle::kBar : pipeline::ProgressStyle::kLines;
    progress_options.label = std::string(kTool);
    progress_options.columns = TerminalColumns();
    meter.emplace(progress_options, start);
  }

  // --- the run -----------------------------------------------------------------------------------
  std::uint64_t printed = 0, problems = 0;
  constexpr std::uint64_t kMaxPrinted = 20;
  try {
    std::unique_ptr<io::ErrorReportWriter> report;
    if (!c.errors_path.empty()) report = std::make_unique<io::ErrorReportWriter>(c.errors_path);

    // output <- (dedup <-) the pipeline, each writer timed.
    auto timed_output_owner = std::make_unique<pipeline::TimedWriter>(io::MakeDocumentWriter(format, c.output, streams.out));
    pipeline::TimedWriter* timed_output = timed_output_owner.get();
    std::unique_ptr<pipeline::TimedWriter> timed_dedup;
    dedup::DedupWriter* dedup = nullptr;
    if (run_dedup) {
      auto d = std::make_unique<dedup::DedupWriter>(std::move(timed_output_owner), dedup_options);
      dedup = d.get();
      timed_dedup = std::make_unique<pipeline::TimedWriter>(std::move(d));
    }
    io::DocumentWriter& writer =
        timed_dedup ? static_cast<io::DocumentWriter&>(*timed_dedup) : static_cast<io::DocumentWriter&>(*timed_output_owner);

    io::DocumentReader reader(c.inputs, reader_options);
    io::Decoder decoder({.on_invalid = on_invalid});
    ConvertedCounter converted;
    std::vector<std::unique_ptr<pipeline::TimedStage>> timed;
    std::vector<const Stage*> chain;
    auto add = [&](const Stage& s) {
      timed.push_back(std::make_unique<pipeline::TimedStage>(s));
      chain.push_back(timed.back().get());
    };
    add(decoder);
    if (stripper) add(*stripper);
    if (t2s) {
      add(*t2s);
      chain.push_back(&converted);
    }
    if (punct_stage) add(*punct_stage);

    std::optional<InputSizer> sizer;
    if (meter) sizer.emplace(*meter, c.inputs, reader_options.extensions);

    InterruptFlag().store(false);
    RunScope scope(streams.in);
    pipeline::RunOptions run_options;
    run_options.threads = c.threads;
    run_options.interrupt = &InterruptFlag();
    if (meter)
      run_options.on_progress = [&](std::uint64_t docs, std::uint64_t bytes) {
        if (std::string s = meter->Update(docs, bytes, std::chrono::steady_clock::now()); !s.empty())
          streams.err << s << std::flush;
      };
    const pipeline::RunStats stats = pipeline::Run(reader, chain, writer, [&](const Problem& p) {
      ++problems;
      if (report) report->Write(p);
      if (!c.quiet && printed < kMaxPrinted) {
        if (meter) streams.err << meter->Clear();
        streams.err << kTool << ": " << FormatProblem(p) << "\n";
        ++printed;
      }
    }, run_options);
    sizer.reset();
    if (meter) streams.err << meter->Clear();

    if (stats.interrupted) {
      streams.err << kTool << ": interrupted; nothing written\n";
      return kExitInterrupted;
    }
    if (!stats.aborted) {
      if (dedup && meter)
        streams.err << kTool << ": read " << pipeline::GroupThousands(stats.documents_in)
                    << " documents; finding duplicates and writing the output…\n" << std::flush;
      writer.Commit();
    }
    if (report) report->Commit();
    if (std::string problem = explain ? explain->Finish() : ""; !problem.empty()) {
      streams.err << kTool << ": " << problem << "\n";
      return kExitUsage;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (!c.quiet) {
      if (problems > printed)
        streams.err << kTool << ": … and " << problems - printed << " more problems"
                    << (c.errors_path.empty() ? " (write them all with --errors FILE)" : " (see " + c.errors_path + ")")
                    << "\n";
      const std::uint64_t out = dedup ? dedup->stats().documents_out : stats.documents_out;
      std::ostringstream s;
      s << kTool << ": " << pipeline::GroupThousands(stats.documents_in) << " documents in, "
        << pipeline::GroupThousands(stats.aborted ? 0 : out) << " out; ";
      if (dedup) {
        const dedup::ClusterStats& cs = dedup->stats().clusters;
        s << pipeline::GroupThousands(cs.exact_duplicates) << " exact and " << pipeline::GroupThousands(cs.near_duplicates)
          << " near duplicates dropped (" << pipeline::GroupThousands(dedup->stats().cluster_count) << " clusters); ";
      }
      if (t2s) s << pipeline::GroupThousands(converted.count()) << " converted by t2s; ";
      s << pipeline::GroupThousands(stats.documents_failed) << " failed"
        << (stats.documents_failed > 0 && !c.errors_path.empty() ? " (in " + c.errors_path + ")" : "") << ", "
        << pipeline::GroupThousands(stats.warnings) << (stats.warnings == 1 ? " warning\n" : " warnings\n");
      const int threads = c.threads > 0 ? c.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      s << kTool << ": " << std::fixed << std::setprecision(1) << static_cast<double>(stats.bytes_in) / 1e6 << " MB in "
        << Seconds(seconds) << " (" << (seconds > 0 ? static_cast<double>(stats.bytes_in) / 1e6 / seconds : 0)
        << " MB/s, " << pipeline::GroupThousands(seconds > 0 ? static_cast<std::uint64_t>(stats.documents_in / seconds) : 0)
        << " documents/s) on " << threads << (threads == 1 ? " thread, " : " threads, ") << std::setprecision(2)
        << ProcessCpuSeconds() - cpu_start << " CPU s\n";
      s << kTool << ": time per stage (CPU seconds): ";
      for (const auto& t : timed) s << t->name() << " " << Seconds(t->seconds()) << ", ";
      for (std::size_t i = 0; i < 3; ++i)
        if (!run[i]) s << kStageNames[i] << " skipped, ";
      if (timed_dedup) {
        // The dedup writer's Commit includes writing the output through the inner writer.
        const double cluster = std::max(0.0, timed_dedup->commit_seconds() - timed_output->total_seconds());
        s << "dedup " << Seconds(timed_dedup->encode_seconds() + timed_dedup->write_seconds() + cluster)
          << " (fingerprints " << Seconds(timed_dedup->encode_seconds()) << ", spool "
          << Seconds(timed_dedup->write_seconds()) << ", clustering " << Seconds(cluster) << "), ";
      } else {
        s << "dedup skipped, ";
      }
      s << "output " << Seconds(timed_output->total_seconds()) << "\n";
      streams.err << s.str();
    }
    if (stats.aborted) {
      streams.err << kTool << ": stopped by a fatal problem (see above); the output was not written\n";
      return kExitFindings;
    }
    return stats.documents_failed > 0 ? kExitFindings : kExitSuccess;
  } catch (const Interrupted&) {
    if (meter) streams.err << meter->Clear();
    streams.err << kTool << ": interrupted; nothing written\n";
    return kExitInterrupted;
  } catch (const IoError& e) {
    if (meter) streams.err << meter->Clear();
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const ConfigError& e) {
    if (meter) streams.err << meter->Clear();
    streams.err << kTool << ": " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace zhcanon::cli
