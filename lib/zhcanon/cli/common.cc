#include "zhcanon/cli/common.h"

#include <charconv>

#include <csignal>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "zhcanon/core/error.h"
#include "zhcanon/core/version.h"
#include "zhcanon/io/decoder.h"
#include "zhcanon/io/reader.h"
#include "zhcanon/io/writer.h"
#include "zhcanon/pipeline/runner.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace zhcanon::cli {

std::atomic<bool>& InterruptFlag() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {
extern "C" void OnSignal(int) { InterruptFlag().store(true); }
}  // namespace

RunScope::RunScope(std::istream& in) : in_(in), old_tie_(in.tie(nullptr)) {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

RunScope::~RunScope() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  in_.tie(old_tie_);
}

io::OutputFormat ResolveFormat(const CommonOptions& c) {
  if (c.format != "auto") return io::ParseOutputFormat(c.format);
  const std::string& o = c.output;
  std::error_code ec;
  if (!o.empty() && o != "-" && (o.back() == '/' || fs::is_directory(o, ec))) return io::OutputFormat::kMarkdown;
  if (o.ends_with(".txt")) return io::OutputFormat::kText;
  return io::OutputFormat::kJsonl;
}

bool SamePath(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

std::string ShortDouble(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::string HumanBytes(double bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1);
  if (bytes >= 1 << 20) s << bytes / (1 << 20) << " MB";
  else if (bytes >= 1 << 10) s << bytes / (1 << 10) << " KB";
  else s << std::setprecision(0) << bytes << " B";
  return s.str();
}

namespace {



// Refuses to write over an input: a failed or partial run must never destroy its source.
std::string OutputIsInput(const CommonOptions& c) {
  if (c.output.empty() || c.output == "-") return {};
  std::error_code ec;
  for (const std::string& in : c.inputs) {
    if (in == "-") continue;
    if (fs::exists(c.output, ec) && fs::equivalent(in, c.output, ec)) return in;
  }
  return {};
}

}  // namespace

void AddCommonOptions(po::options_description& desc, CommonOptions& o) {
  desc.add_options()
      ("output,o", po::value(&o.output)->value_name("PATH"),
       "Write here instead of stdout (`-`). Written to a temporary file that replaces PATH only "
       "when the run succeeds. A directory (or a path ending in /) means --format markdown.")
      ("format,f", po::value(&o.format)->value_name("FMT")->default_value(o.format),
       "Output format: jsonl (one {id,text,metadata} object per line), text (the texts, documents "
       "separated by a form-feed line), markdown (a tree of .md files with YAML front matter, "
       "mirroring the input paths, in the -o directory), or auto (markdown for a directory, text for "
       "a .txt path, else jsonl).")
      ("threads,j", po::value(&o.threads)->value_name("N")->default_value(o.threads),
       "Worker threads; 0 uses every core. Output order is always the input order.")
      ("on-invalid", po::value(&o.on_invalid)->value_name("POLICY")->default_value(o.on_invalid),
       "Bytes that are not valid text after charset detection: replace (with U+FFFD, reported "
       "as a warning with the byte offset), skip (the document goes to the error report), or fail "
       "(stop the run and write nothing).")
      ("errors", po::value(&o.errors_path)->value_name("FILE"),
       "Write every problem as JSONL ({id,path,stage,severity,message,line,column,byte_offset}).")
      ("input", po::value(&o.input_kind)->value_name("KIND")->default_value(o.input_kind),
       "How to read inputs: auto (JSONL for .jsonl/.jsonl.gz/.jsonl.zst files and for stdin whose "
       "first line is a JSON object with \"text\"; one document per file otherwise), document, jsonl.")
      ("quiet,q", po::bool_switch(&o.quiet), "Print nothing on stderr but fatal errors.")
      ("help,h", "Print this help and exit.")
      ("version", "Print the version and exit.");
}

int ParseCommandLine(std::string_view tool, const std::vector<std::string>& args,
                     po::options_description& desc, std::string_view usage,
                     CommonOptions& common, Streams streams) {
  po::options_description all = desc;
  std::vector<std::string> inputs;
  all.add_options()("input-file", po::value(&inputs));
  po::positional_options_description pos;
  pos.add("input-file", -1);
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    po::store(po::command_line_parser(rest).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      streams.out << usage << "\n" << desc << "\n";
      return kExitSuccess;
    }
    if (vm.count("version")) {
      streams.out << tool << " " << kVersion << "\n";
      return kExitSuccess;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    streams.err << tool << ": " << e.what() << "\nTry '" << tool << " --help'.\n";
    return kExitUsage;
  }
  common.inputs = std::move(inputs);
  if (common.inputs.empty()) {
    streams.err << tool << ": no input given (name files, directories, or - for stdin)\nTry '"
                << tool << " --help'.\n";
    return kExitUsage;
  }
  return -1;
}

int RunStages(std::string_view tool, const CommonOptions& c, const std::vector<const Stage*>& stages,
              Streams streams) {
  return RunStagesWith(tool, c, stages, {}, streams);
}

int RunStagesWith(std::string_view tool, const CommonOptions& c, const std::vector<const Stage*>& stages,
                  const RunHooks& hooks, Streams streams) {
  auto usage_error = [&](const std::string& msg) {
    streams.err << tool << ": " << msg << "\nTry '" << tool << " --help'.\n";
    return kExitUsage;
  };
  io::OutputFormat format;
  OnInvalid on_invalid;
  io::ReaderOptions reader_options;
  try {
    format = ResolveFormat(c);
    on_invalid = ParseOnInvalid(c.on_invalid);
    reader_options.kind = io::ParseInputKind(c.input_kind);
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  if (c.threads < 0) return usage_error("--threads must be 0 (all cores) or more");
  if (std::string in = OutputIsInput(c); !in.empty())
    return usage_error("refusing to write the output over the input '" + in + "'");
  if (format == io::OutputFormat::kMarkdown && (c.output.empty() || c.output == "-"))
    return usage_error("--format markdown writes a directory tree: give it with -o DIR/");
  reader_options.stdin_stream = &streams.in;

  std::uint64_t printed = 0;
  constexpr std::uint64_t kMaxPrinted = 20;
  try {
    std::unique_ptr<io::ErrorReportWriter> report;
    if (!c.errors_path.empty()) report = std::make_unique<io::ErrorReportWriter>(c.errors_path);
    auto writer = io::MakeDocumentWriter(format, c.output, streams.out);
    if (hooks.wrap_writer) writer = hooks.wrap_writer(std::move(writer));
    io::DocumentReader reader(c.inputs, reader_options);
    io::Decoder decoder({.on_invalid = on_invalid});
    std::vector<const Stage*> chain = {&decoder};
    chain.insert(chain.end(), stages.begin(), stages.end());

    InterruptFlag().store(false);
    RunScope scope(streams.in);
    pipeline::RunOptions run_options;
    run_options.threads = c.threads;
    run_options.interrupt = &InterruptFlag();
    std::uint64_t problems = 0;
    auto stats = pipeline::Run(reader, chain, *writer, [&](const Problem& p) {
      ++problems;
      if (report) report->Write(p);
      if (!c.quiet && printed < kMaxPrinted) {
        streams.err << tool << ": " << FormatProblem(p) << "\n";
        ++printed;
      }
    }, run_options);

    if (stats.interrupted) {
      streams.err << tool << ": interrupted; nothing written" << "\n";
      return kExitInterrupted;
    }
    if (report) report->Commit();
    if (!stats.aborted) writer->Commit();
    if (!c.quiet) {
      if (problems > printed)
        streams.err << tool << ": … and " << problems - printed << " more problems"
                    << (c.errors_path.empty() ? " (write them all with --errors FILE)" : " (see " + c.errors_path + ")")
                    << "\n";
    }
    if (!c.quiet && hooks.print_summary) {
      hooks.print_summary(stats, streams.err);
    } else if (!c.quiet) {
      double mbps = stats.seconds > 0 ? stats.bytes_in / 1e6 / stats.seconds : 0;
      streams.err << tool << ": " << stats.documents_in
                  << (stats.documents_in == 1 ? " document: " : " documents: ") << stats.documents_out
                  << " written, " << stats.documents_failed << " failed, " << stats.warnings
                  << (stats.warnings == 1 ? " warning; " : " warnings; ") << HumanBytes(static_cast<double>(stats.bytes_in)) << " in "
                  << std::fixed << std::setprecision(2) << stats.seconds << " s ("
                  << std::setprecision(1) << mbps << " MB/s)\n";
    }
    if (stats.aborted) {
      streams.err << tool << ": stopped by a fatal problem (see above); the output was not written\n";
      return kExitFindings;
    }
    return stats.documents_failed > 0 ? kExitFindings : kExitSuccess;
  } catch (const Interrupted&) {
    // A writer that does its work in Commit() (dedup) checks the interrupt flag there.
    streams.err << tool << ": interrupted; nothing written" << "\n";
    return kExitInterrupted;
  } catch (const IoError& e) {
    streams.err << tool << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const ConfigError& e) {
    streams.err << tool << ": " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace zhcanon::cli
