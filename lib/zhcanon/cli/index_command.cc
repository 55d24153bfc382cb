#include "zhcanon/cli/index_command.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "zhcanon/cli/dedup_command.h"
#include "zhcanon/core/error.h"
#include "zhcanon/core/version.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/dedup/hamming_index.h"
#include "zhcanon/index/checker.h"
#include "zhcanon/index/corpus_index.h"
#include "zhcanon/index/index_writer.h"
#include "zhcanon/pipeline/runner.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace zhcanon::cli {

namespace {

constexpr std::string_view kUsage =
    R"(Usage: zhcanon index COMMAND [OPTIONS] ...

Maintains the corpus index that `zhcanon check` compares new articles with: a SQLite
database (WAL mode) holding, per accepted document, its id, path, title, date, exact hash,
SimHash (in indexed blocks, so that near duplicates are found without a scan), paragraph
samples and MinHash sketch: what zhcanon-dedup decides duplicates by (docs/index.md).

Commands:
  build   index a corpus into a new database (--force replaces an existing one)
  add     add documents to an index, all of them in one transaction
  remove  remove documents from an index by id
  stats   print an index's counts and settings; --verify checks its consistency

Run 'zhcanon index COMMAND --help' for a command's options.

Exit status: 0 success, 1 some documents failed or were not found (or --verify found
problems), 2 usage or I/O error, 130 interrupted.
)";

constexpr std::string_view kBuildUsage =
    R"(Usage: zhcanon index build [OPTIONS] CORPUS... --db FILE

Indexes a corpus into a new database FILE: reads files (.md .markdown .html .htm .xhtml
.txt), directories (walked recursively in sorted order), JSONL corpora (.jsonl .jsonl.gz
.jsonl.zst) or `-` for stdin, prepares each document as `zhcanon run` does (strip, t2s,
punct, with the same options; --raw takes the texts as they are, e.g. a corpus zhcanon run
wrote) and stores its fingerprint under its id (the path relative to the directory given, or
the JSONL "id").

The database is written beside FILE under a temporary name and renamed onto FILE only when
the whole corpus is indexed: an interrupted or failed build leaves no index, or the old one.
FILE must not exist unless --force (do not replace an index other processes are writing).
The fingerprint and verification options are stored in the index: `index add` and `check`
use them.

Exit status: 0 every document indexed, 1 some documents failed (they are not in the index)
or had an id already indexed, 2 usage or I/O error, 130 interrupted.

Examples:
  zhcanon index build corpus/ --db corpus.db
  zhcanon index build corpus.jsonl.zst --raw --db corpus.db -j 0
)";

constexpr std::string_view kAddUsage =
    R"(Usage: zhcanon index add [OPTIONS] NEW... --db FILE

Adds documents (read and prepared as `zhcanon index build` does) to the index FILE in one
transaction: when the run is killed at any moment, the index holds all of them or none.
Checks (readers) go on while it adds; a second writer waits for it (--busy-timeout). An id
already indexed is kept as it is and reported, unless --replace.

Exit status: 0 every document added, 1 some documents failed or had an id already indexed
(the others are added), 2 usage or I/O error, 130 interrupted (nothing added).

Examples:
  zhcanon check --db corpus.db new/ && zhcanon index add --db corpus.db new/
  zhcanon index add --db corpus.db --replace fixed/article.md
)";

constexpr std::string_view kRemoveUsage =
    R"(Usage: zhcanon index remove [OPTIONS] ID... --db FILE

Removes the documents with these ids (as `zhcanon check` and `index stats` name them) from
the index FILE, in one transaction. `-` reads ids from stdin, one per line.

Exit status: 0 every id removed, 1 some ids were not in the index (the others are removed),
2 usage or I/O error.

Examples:
  zhcanon index remove --db corpus.db news/2025/a.md news/2025/b.md
  cut -f1 gone.tsv | zhcanon index remove --db corpus.db -
)";

constexpr std::string_view kStatsUsage =
    R"(Usage: zhcanon index stats [OPTIONS] --db FILE

Prints what the index FILE holds (documents, paragraph rows, batches, file size) and how it
was built (schema version, max distance, fingerprint and verification options, pipeline).
--verify also checks its consistency: SQLite's integrity check, then that every document's
hash blocks and paragraph rows agree with its stored fingerprint, and that the batches add
up to the documents.

Exit status: 0 success (and consistent), 1 --verify found problems, 2 usage or I/O error.
)";

std::string Seconds(double s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << " s";
  return o.str();
}


std::string JoinArgs(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

bool SamePath(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

void AddDbOption(po::options_description& desc, std::string& db) {
  desc.add_options()("db", po::value(&db)->value_name("FILE"), "The index (a SQLite database). Required.");
}

void AddBusyTimeoutOption(po::options_description& desc, int& ms) {
  desc.add_options()("busy-timeout", po::value(&ms)->value_name("MS")->default_value(ms),
                     "How long to wait for another process's write lock on the index before giving up.");
}

// What build/add print and report about each problem of the pipeline.
class ProblemPrinter {
 public:
  ProblemPrinter(std::string_view tool, std::ostream& err, bool quiet, const std::string& errors_path)
      : tool_(tool), err_(err), quiet_(quiet), errors_path_(errors_path) {
    if (!errors_path.empty()) report_ = std::make_unique<io::ErrorReportWriter>(errors_path);
  }
  void operator()(const Problem& p) {
    ++problems_;
    if (p.severity != Severity::kWarning) ++failed_problems_;
    if (report_) report_->Write(p);
    if (!quiet_ && printed_ < kMaxPrinted) {
      err_ << tool_ << ": " << FormatProblem(p) << "\n";
      ++printed_;
    }
  }
  void Message(const std::string& text) {
    ++problems_;
    if (!quiet_ && printed_ < kMaxPrinted) {
      err_ << tool_ << ": " << text << "\n";
      ++printed_;
    }
  }
  void Finish() {
    if (report_) report_->Commit();
    if (!quiet_ && problems_ > printed_)
      err_ << tool_ << ": … and " << problems_ - printed_ << " more problems"
           << (errors_path_.empty() ? " (write them all with --errors FILE)" : " (see " + errors_path_ + ")") << "\n";
  }

 private:
  static constexpr std::uint64_t kMaxPrinted = 20;
  std::string tool_;
  std::ostream& err_;
  bool quiet_;
  std::string errors_path_;
  std::unique_ptr<io::ErrorReportWriter> report_;
  std::uint64_t problems_ = 0, failed_problems_ = 0, printed_ = 0;
};

// Runs the pipeline into `writer` with the interrupt flag armed.
pipeline::RunStats RunInto(const std::vector<std::string>& inputs, const InputFlags& in, const PreparedStages& stages,
                           io::DocumentWriter& writer, const pipeline::ProblemCallback& on_problem, std::istream& stdin_stream) {
  io::ReaderOptions reader_options;
  reader_options.kind = io::ParseInputKind(in.input_kind);
  reader_options.stdin_stream = &stdin_stream;
  io::DocumentReader reader(inputs, reader_options);
  InterruptFlag().store(false);
  RunScope scope(stdin_stream);
  pipeline::RunOptions run_options;
  run_options.threads = in.threads;
  run_options.interrupt = &InterruptFlag();
  return pipeline::Run(reader, stages.chain, writer, on_problem, run_options);
}

// The fingerprint and verification options of zhcanon-dedup, with help written for an index
// (they are stored in it and become check's defaults); parsed and checked by MakeDedupOptions,
// so the two tools accept and reject the same values.
void AddFingerprintOptions(po::options_description& desc, DedupFlags& f) {
  desc.add_options()
      ("distance", po::value(&f.distance)->value_name("K")->default_value(f.distance),
       "Largest SimHash Hamming distance the index answers (0 to 8; zhcanon-dedup's --distance): "
       "the SimHash is stored as K+1 indexed blocks. `check --distance` may ask for less, not more.")
      ("ngram", po::value(&f.ngram)->value_name("N")->default_value(f.ngram),
       "n of the n-grams fingerprinted (as zhcanon-dedup --ngram).")
      ("tokenizer", po::value(&f.tokenizer)->value_name("T")->default_value(f.tokenizer),
       "chars, space or word (as zhcanon-dedup --tokenizer).")
      ("weighting", po::value(&f.weighting)->value_name("W")->default_value(f.weighting),
       "sublinear, count or binary (as zhcanon-dedup --weighting).")
      ("min-features", po::value(&f.min_features)->value_name("N")->default_value(f.min_features),
       "Texts with fewer distinct n-grams are matched exactly only (as zhcanon-dedup).")
      ("no-fold", po::bool_switch(&f.no_fold), "Do not fold Traditional script and regional vocabulary into the "
       "fingerprints (as zhcanon-dedup --no-fold).")
      ("min-jaccard", po::value(&f.min_jaccard)->value_name("J")->default_value(f.min_jaccard, ShortDouble(f.min_jaccard)),
       "Verification default for check: estimated Jaccard similarity that makes a candidate a duplicate.")
      ("min-containment", po::value(&f.min_containment)->value_name("C")
                              ->default_value(f.min_containment, ShortDouble(f.min_containment)),
       "Verification default for check: estimated containment that, with a shared paragraph, makes "
       "a candidate a duplicate.")
      ("no-verify", po::bool_switch(&f.no_verify), "Verification default for check: every candidate is a duplicate.")
      ("no-paragraphs", po::bool_switch(&f.no_paragraphs),
       "Verification default for check: shared paragraphs do not make candidates.");
}

index::IndexSettings MakeSettings(const DedupFlags& f, const std::string& pipeline) {
  const dedup::DedupOptions o = MakeDedupOptions(f);
  index::IndexSettings s;
  s.max_distance = f.distance;
  s.fingerprint = o.fingerprint;
  s.cluster = o.cluster;
  s.pipeline = pipeline;
  return s;
}

// A temporary path beside `target`, as io::AtomicFile names its temporaries.
std::string TempPathFor(const std::string& target) {
  const fs::path p(target);
  std::random_device rd;
  const std::string name = "." + p.filename().string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  return (p.parent_path() / name).string();
}

void RemoveDatabaseFiles(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
}

// Before a new index is renamed onto an old one, the old one's WAL must go: SQLite would
// otherwise replay its frames into the new file. A clean close of the last connection
// checkpoints and deletes it; what cannot be opened is removed.
void RetireOldIndex(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  }
  sqlite3_close_v2(db);
  std::error_code ec;
  fs::remove(path + "-wal", ec);
  fs::remove(path + "-shm", ec);
}

void SyncDirectory(const std::string& file) {
  fs::path dir = fs::path(file).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

int UsageError(std::string_view tool, const std::string& msg, std::ostream& err) {
  err << tool << ": " << msg << "\nTry '" << tool << " --help'.\n";
  return kExitUsage;
}

// --- build and add ------------------------------------------------------------------------

int BuildOrAdd(bool build, const std::vector<std::string>& args, Streams streams) {
  const std::string_view tool = build ? "zhcanon index build" : "zhcanon index add";
  std::string db, errors_path;
  bool force = false, replace = false, create = false;
  std::int64_t batch_size = 0;
  int busy_timeout = 10000;
  InputFlags in;
  PrepareFlags prep;
  DedupFlags fpf;

  po::options_description desc("Options");
  AddDbOption(desc, db);
  if (build) {
    desc.add_options()("force", po::bool_switch(&force), "Replace FILE if it exists.");
  } else {
    desc.add_options()
        ("create", po::bool_switch(&create), "Create the index (with the default settings) if FILE does not exist.")
        ("batch-size", po::value(&batch_size)->value_name("N")->default_value(batch_size),
         "Commit every N documents, each group all or nothing (0: one transaction for the whole run).");
    AddBusyTimeoutOption(desc, busy_timeout);
  }
  desc.add_options()
      ("replace", po::bool_switch(&replace), "A document whose id is already indexed replaces it (otherwise the indexed "
       "one stays and the new one is reported).")
      ("errors", po::value(&errors_path)->value_name("FILE"),
       "Write every problem as JSONL ({id,path,stage,severity,message,line,column,byte_offset}).");
  AddInputOptions(desc, in);
  po::options_description fp_desc("Fingerprint options (stored in the index)");
  if (build) {
    AddFingerprintOptions(fp_desc, fpf);
    desc.add(fp_desc);
  }
  AddPrepareOptions(desc, prep);

  ParsedArgs parsed;
  if (int s = ParseArgs(tool, args, desc, build ? kBuildUsage : kAddUsage, true, "CORPUS", parsed, streams); s >= 0)
    return s;
  const std::vector<std::string>& inputs = parsed.positional;
  if (db.empty()) return UsageError(tool, "--db FILE is required", streams.err);
  if (in.threads < 0) return UsageError(tool, "--threads must be 0 (all cores) or more", streams.err);
  if (batch_size < 0) return UsageError(tool, "--batch-size must be 0 or more", streams.err);
  if (auto missing = MissingInput(inputs)) {
    streams.err << tool << ": cannot read '" << *missing << "': no such file or directory; nothing was "
                << (build ? "built" : "added") << "\n";
    return kExitUsage;
  }
  for (const std::string& input : inputs)
    if (input != "-" && SamePath(input, db)) return UsageError(tool, "the index '" + db + "' is also an input", streams.err);
  std::error_code ec;
  if (fs::is_directory(db, ec)) return UsageError(tool, "--db '" + db + "' is a directory", streams.err);
  if (build && fs::exists(db, ec) && !force)
    return UsageError(tool, "'" + db + "' exists (--force replaces it; `zhcanon index add` adds to it)", streams.err);

  std::unique_ptr<PreparedStages> stages;
  OnInvalid on_invalid;
  index::IndexSettings settings;
  try {
    on_invalid = ParseOnInvalid(in.on_invalid);
    io::ParseInputKind(in.input_kind);
    stages = MakePreparedStages(prep, on_invalid, streams.err);
    if (build) settings = MakeSettings(fpf, stages->description);
  } catch (const std::invalid_argument& e) {
    return UsageError(tool, e.what(), streams.err);
  } catch (const std::runtime_error& e) {
    streams.err << tool << ": " << e.what() << "\n";
    return kExitUsage;
  }

  const auto start = std::chrono::steady_clock::now();
  const std::string target = build ? TempPathFor(db) : db;
  struct TempGuard {
    std::string path;
    ~TempGuard() {
      if (!path.empty()) RemoveDatabaseFiles(path);
    }
  } temp_guard{build ? target : std::string()};

  try {
    std::optional<index::CorpusIndex> idx;
    if (build) {
      idx.emplace(index::CorpusIndex::Create(target, settings));
    } else if (!fs::exists(db, ec) && create) {
      settings.pipeline = stages->description;
      idx.emplace(index::CorpusIndex::Create(db, settings));
      if (!in.quiet) streams.err << tool << ": created the index '" << db << "'\n";
    } else {
      idx.emplace(index::CorpusIndex::Open(db, index::OpenMode::kReadWrite, busy_timeout));
      if (!in.quiet && idx->settings().pipeline != stages->description)
        streams.err << tool << ": note: the index was built with documents prepared as '" << idx->settings().pipeline
                    << "', these are prepared as '" << stages->description << "'\n";
    }
    std::unique_ptr<dedup::Fingerprinter> fingerprinter;
    try {
      fingerprinter = std::make_unique<dedup::Fingerprinter>(idx->settings().fingerprint);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }

    ProblemPrinter printer(tool, streams.err, in.quiet, errors_path);
    index::IndexWriterOptions wopts;
    wopts.replace = replace;
    wopts.batch_size = batch_size;
    wopts.kind = build ? "build" : "add";
    wopts.command = JoinArgs(args);
    index::IndexWriter writer(*idx, *fingerprinter, wopts, [&](const Document& doc) {
      printer.Message(doc.id + ": already in the index, kept as it is (--replace replaces it)");
    });
    const pipeline::RunStats stats =
        RunInto(inputs, in, *stages, writer, [&](const Problem& p) { printer(p); }, streams.in);
    if (stages->explain) {
      if (std::string msg = stages->explain->Finish(); !msg.empty()) streams.err << tool << ": " << msg << "\n";
    }
    if (stats.interrupted) {
      streams.err << tool << ": interrupted; nothing " << (build ? "built" : "added") << "\n";
      return kExitInterrupted;
    }
    if (stats.aborted) {
      printer.Finish();
      streams.err << tool << ": stopped by a fatal problem (see above); nothing " << (build ? "built" : "added") << "\n";
      return kExitFindings;
    }
    writer.Commit();
    const index::IndexWriterStats& ws = writer.stats();
    const std::int64_t total = idx->DocumentCount();
    idx.reset();  // closes the connection: checkpoints the WAL into the file
    if (build) {
      if (fs::exists(db, ec)) RetireOldIndex(db);
      fs::rename(target, db);  // throws filesystem_error
      temp_guard.path.clear();
      SyncDirectory(db);
    }
    printer.Finish();
    if (!in.quiet) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      streams.err << tool << ": " << ws.added << " added";
      if (ws.replaced) streams.err << ", " << ws.replaced << " replaced";
      if (ws.existing) streams.err << ", " << ws.existing << " already indexed (kept)";
      streams.err << ", " << stats.documents_failed << " failed; '" << db << "' holds " << total
                  << (total == 1 ? " document" : " documents") << " (" << Seconds(seconds) << ")\n";
    }
    return stats.documents_failed > 0 || ws.existing > 0 ? kExitFindings : kExitSuccess;
  } catch (const IoError& e) {
    streams.err << tool << ": " << e.what() << "; nothing " << (build ? "built" : "added") << "\n";
    return kExitUsage;
  } catch (const ConfigError& e) {
    streams.err << tool << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const fs::filesystem_error& e) {
    streams.err << tool << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const Interrupted&) {
    streams.err << tool << ": interrupted; nothing " << (build ? "built" : "added") << "\n";
    return kExitInterrupted;
  }
}

// --- remove -------------------------------------------------------------------------------

int Remove(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view tool = "zhcanon index remove";
  std::string db;
  int busy_timeout = 10000;
  bool quiet = false;
  po::options_description desc("Options");
  AddDbOption(desc, db);
  AddBusyTimeoutOption(desc, busy_timeout);
  desc.add_options()("quiet,q", po::bool_switch(&quiet), "Print nothing on stderr but errors.");
  ParsedArgs parsed;
  if (int s = ParseArgs(tool, args, desc, kRemoveUsage, true, "ID", parsed, streams); s >= 0) return s;
  if (db.empty()) return UsageError(tool, "--db FILE is required", streams.err);
  std::vector<std::string> ids;
  for (const std::string& a : parsed.positional) {
    if (a != "-") {
      ids.push_back(a);
      continue;
    }
    for (std::string line; std::getline(streams.in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) ids.push_back(line);
    }
  }
  try {
    auto idx = index::CorpusIndex::Open(db, index::OpenMode::kReadWrite, busy_timeout);
    idx.BeginBatch("remove", JoinArgs(args));
    std::int64_t missing = 0;
    for (const std::string& id : ids) {
      if (!idx.Remove(id)) {
        ++missing;
        streams.err << tool << ": no document '" << id << "' in the index\n";
      }
    }
    const std::int64_t removed = idx.batch_removed();
    idx.CommitBatch();
    if (!quiet)
      streams.err << tool << ": " << removed << " removed; '" << db << "' holds " << idx.DocumentCount()
                  << " documents\n";
    return missing > 0 ? kExitFindings : kExitSuccess;
  } catch (const std::runtime_error& e) {  // IoError, ConfigError
    streams.err << tool << ": " << e.what() << "; nothing removed\n";
    return kExitUsage;
  }
}

// --- stats --------------------------------------------------------------------------------

int Stats(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view tool = "zhcanon index stats";
  std::string db, format = "text";
  bool verify = false;
  po::options_description desc("Options");
  AddDbOption(desc, db);
  desc.add_options()
      ("format,f", po::value(&format)->value_name("FMT")->default_value(format), "text (for people) or json.")
      ("verify", po::bool_switch(&verify), "Also check the index's consistency (reads all of it).");
  ParsedArgs parsed;
  if (int s = ParseArgs(tool, args, desc, kStatsUsage, false, "", parsed, streams); s >= 0) return s;
  if (!parsed.positional.empty())
    return UsageError(tool, "unexpected argument '" + parsed.positional[0] + "' (the index is --db FILE)", streams.err);
  if (db.empty()) return UsageError(tool, "--db FILE is required", streams.err);
  if (format != "text" && format != "json") return UsageError(tool, "--format takes text or json, not '" + format + "'", streams.err);
  try {
    auto idx = index::CorpusIndex::Open(db, index::OpenMode::kReadOnly);
    const index::IndexStats st = idx.Stats();
    const index::IndexSettings& s = idx.settings();
    std::vector<std::string> problems;
    if (verify) problems = idx.Verify();
    const int blocks = s.max_distance + 1;
    if (format == "json") {
      nlohmann::ordered_json j;
      j["index"] = db;
      j["schema_version"] = st.schema_version;
      j["documents"] = st.documents;
      j["short_texts"] = st.short_texts;
      j["paragraph_rows"] = st.paragraph_rows;
      j["batches"] = st.batches;
      j["last_batch"] = st.last_batch;
      j["file_bytes"] = st.file_bytes;
      j["wal_bytes"] = st.wal_bytes;
      j["created"] = st.created;
      j["zhcanon_version"] = st.zhcanon_version;
      j["pipeline"] = s.pipeline;
      j["max_distance"] = s.max_distance;
      j["fingerprint"] = {{"tokenizer", dedup::TokenizerName(s.fingerprint.tokenizer)},
                          {"ngram", s.fingerprint.ngram},
                          {"weighting", dedup::WeightingName(s.fingerprint.weighting)},
                          {"fold_variants", s.fingerprint.fold_variants},
                          {"min_features", s.fingerprint.min_features},
                          {"min_paragraph_chars", s.fingerprint.min_paragraph_chars}};
      j["verification"] = {{"verify", s.cluster.verify},
                           {"min_jaccard", s.cluster.min_jaccard},
                           {"min_containment", s.cluster.min_containment},
                           {"paragraph_candidates", s.cluster.paragraph_candidates},
                           {"max_paragraph_bucket", s.cluster.max_paragraph_bucket}};
      if (verify) {
        j["consistent"] = problems.empty();
        j["problems"] = problems;
      }
      streams.out << j.dump(2) << "\n";
    } else {
      std::ostream& o = streams.out;
      o << "index:           " << db << "\n"
        << "schema version:  " << st.schema_version << "\n"
        << "documents:       " << st.documents << " (" << st.short_texts << " short texts, matched exactly only)\n"
        << "paragraph rows:  " << st.paragraph_rows << "\n"
        << "batches:         " << st.batches << (st.last_batch.empty() ? "" : " (last committed " + st.last_batch + ")") << "\n"
        << "file size:       " << HumanBytes(static_cast<double>(st.file_bytes))
        << (st.wal_bytes > 0 ? " (+ " + HumanBytes(static_cast<double>(st.wal_bytes)) + " WAL)" : "") << "\n"
        << "created:         " << st.created << " by zhcanon " << st.zhcanon_version << "\n"
        << "pipeline:        " << s.pipeline << "\n"
        << "max distance:    " << s.max_distance << " (SimHash in " << blocks << " indexed blocks of " << 64 / blocks
        << (64 % blocks ? "-" + std::to_string(64 / blocks + 1) : "") << " bits)\n"
        << "fingerprint:     " << dedup::TokenizerName(s.fingerprint.tokenizer) << " " << s.fingerprint.ngram
        << "-grams, " << dedup::WeightingName(s.fingerprint.weighting) << " weighting, variants "
        << (s.fingerprint.fold_variants ? "folded" : "not folded") << ", short below " << s.fingerprint.min_features
        << " features\n"
        << "verification:    ";
      if (!s.cluster.verify) o << "off (every candidate is a duplicate)";
      else o << "Jaccard >= " << s.cluster.min_jaccard << ", or containment >= " << s.cluster.min_containment
             << " with a shared paragraph";
      o << "; paragraph candidates " << (s.cluster.paragraph_candidates ? "on" : "off") << "\n";
      if (verify) {
        o << "consistency:     " << (problems.empty() ? "ok" : std::to_string(problems.size()) + " problems") << "\n";
        for (const std::string& p : problems) o << "  " << p << "\n";
      }
    }
    return problems.empty() ? kExitSuccess : kExitFindings;
  } catch (const std::runtime_error& e) {
    streams.err << tool << ": " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace

// --- shared helpers -----------------------------------------------------------------------

void AddPrepareOptions(po::options_description& desc, PrepareFlags& f) {
  po::options_description raw("Preparation (as zhcanon run)");
  raw.add_options()("raw", po::bool_switch(&f.raw),
                    "Take the texts as they are (only decoded to UTF-8): for a corpus `zhcanon run` already "
                    "wrote. The strip, t2s and punct options below are then not used.");
  desc.add(raw);
  po::options_description strip("Strip options (zhcanon-strip)");
  AddStripOptions(strip, f.strip);
  desc.add(strip);
  po::options_description t2s("T2s options (zhcanon-t2s)");
  AddT2sOptions(t2s, f.t2s, "t2s");
  desc.add(t2s);
  po::options_description punct("Punct options (zhcanon-punct)");
  AddPunctOptions(punct, f.punct, "punct-");
  desc.add(punct);
}

std::unique_ptr<PreparedStages> MakePreparedStages(const PrepareFlags& f, OnInvalid on_invalid, std::ostream& err,
                                                   bool snapshots) {
  auto s = std::make_unique<PreparedStages>();
  s->decoder = std::make_unique<io::Decoder>(io::DecodeOptions{.on_invalid = on_invalid});
  s->chain.push_back(s->decoder.get());
  if (f.raw) {
    s->description = "raw";
    if (snapshots) {
      s->snapshots.push_back(std::make_unique<index::SnapshotStage>(index::kSourceSnapshot));
      s->snapshots.push_back(std::make_unique<index::SnapshotStage>(index::kStrippedSnapshot));
      s->chain.push_back(s->snapshots[0].get());
      s->chain.push_back(s->snapshots[1].get());
    }
    return s;
  }
  const punct::Options punct_options = MakePunctOptions(f.punct);
  s->strip = MakeStripper(f.strip);
  s->t2s = MakeT2s(f.t2s);
  s->explain = std::make_unique<PunctExplainOutput>(f.punct.explain, err, "punct-explain");
  s->punct = std::make_unique<punct::Punct>(punct_options, s->explain->Sink());
  if (snapshots) {
    s->snapshots.push_back(std::make_unique<index::SnapshotStage>(index::kSourceSnapshot));
    s->snapshots.push_back(std::make_unique<index::SnapshotStage>(index::kStrippedSnapshot));
    s->chain.push_back(s->snapshots[0].get());
  }
  s->chain.push_back(s->strip.get());
  if (snapshots) s->chain.push_back(s->snapshots[1].get());
  s->chain.push_back(s->t2s.get());
  s->chain.push_back(s->punct.get());
  s->description = "strip,t2s=" + f.t2s.config + (f.t2s.dict.empty() ? "" : "+dict") + ",punct=" + f.punct.profile;
  return s;
}

void AddInputOptions(po::options_description& desc, InputFlags& f) {
  desc.add_options()
      ("threads,j", po::value(&f.threads)->value_name("N")->default_value(f.threads),
       "Worker threads; 0 uses every core.")
      ("on-invalid", po::value(&f.on_invalid)->value_name("POLICY")->default_value(f.on_invalid),
       "Bytes that are not valid text after charset detection: replace (with U+FFFD, reported "
       "as a warning with the byte offset), skip (the document fails), or fail (stop the run).")
      ("input", po::value(&f.input_kind)->value_name("KIND")->default_value(f.input_kind),
       "How to read inputs: auto (JSONL for .jsonl/.jsonl.gz/.jsonl.zst files and for stdin whose "
       "first line is a JSON object with \"text\"; one document per file otherwise), document, jsonl.")
      ("quiet,q", po::bool_switch(&f.quiet), "Print nothing on stderr but errors.");
}

int ParseArgs(std::string_view tool, const std::vector<std::string>& args, po::options_description& desc,
              std::string_view usage, bool need_positional, std::string_view positional_name, ParsedArgs& parsed,
              Streams streams) {
  desc.add_options()("help,h", "Print this help and exit.")("version", "Print the version and exit.");
  po::options_description all;
  all.add(desc);
  all.add_options()("positional", po::value(&parsed.positional));
  po::positional_options_description pos;
  pos.add("positional", -1);
  try {
    std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    po::store(po::command_line_parser(rest).options(all).positional(pos).run(), parsed.vm);
    if (parsed.vm.count("help")) {
      streams.out << usage << "\n" << desc << "\n";
      return kExitSuccess;
    }
    if (parsed.vm.count("version")) {
      streams.out << tool << " " << kVersion << "\n";
      return kExitSuccess;
    }
    po::notify(parsed.vm);
  } catch (const po::error& e) {
    return UsageError(tool, e.what(), streams.err);
  }
  if (need_positional && parsed.positional.empty())
    return UsageError(tool, "no " + std::string(positional_name) + " given", streams.err);
  return -1;
}

std::optional<std::string> MissingInput(const std::vector<std::string>& inputs) {
  for (const std::string& in : inputs) {
    if (in == "-") continue;
    std::error_code ec;
    if (!fs::exists(in, ec)) return in;
  }
  return std::nullopt;
}

int IndexMain(const std::vector<std::string>& args, Streams streams) {
  constexpr std::string_view tool = "zhcanon index";
  if (args.size() < 2) {
    streams.err << tool << ": no command given (build, add, remove or stats)\nTry '" << tool << " --help'.\n";
    return kExitUsage;
  }
  const std::string& command = args[1];
  if (command == "--help" || command == "-h" || command == "help") {
    streams.out << kUsage;
    return kExitSuccess;
  }
  if (command == "--version") {
    streams.out << tool << " " << kVersion << "\n";
    return kExitSuccess;
  }
  std::vector<std::string> sub = {std::string(tool) + " " + command};
  sub.insert(sub.end(), args.begin() + 2, args.end());
  if (command == "build") return BuildOrAdd(true, sub, streams);
  if (command == "add") return BuildOrAdd(false, sub, streams);
  if (command == "remove") return Remove(sub, streams);
  if (command == "stats") return Stats(sub, streams);
  streams.err << tool << ": unknown command '" << command << "' (build, add, remove or stats)\nTry '" << tool
              << " --help'.\n";
  return kExitUsage;
}

}  // namespace zhcanon::cli
