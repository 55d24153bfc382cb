#include "zhcanon/io/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>
#include <utility>

#include <simdjson.h>

#include "zhcanon/core/json_object.h"
#include "zhcanon/io/encoding.h"
#include "zhcanon/io/line_reader.h"

namespace zhcanon::io {

static_assert(LineReader::kPadding >= simdjson::SIMDJSON_PADDING, "lines must be parseable in place");

InputKind ParseInputKind(std::string_view name) {
  if (name == "auto") return InputKind::kAuto;
  if (name == "document") return InputKind::kDocument;
  if (name == "jsonl") return InputKind::kJsonl;
  throw std::invalid_argument("unknown input kind '" + std::string(name) +
                              "' (expected auto, document or jsonl)");
}

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(), [](char a, char b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(a) == lower(b);
  });
}

bool IsJsonlName(std::string_view path) {
  for (std::string_view ext : {".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst"})
    if (EndsWithNoCase(path, ext)) return true;
  return false;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Reads the whole file into `out`: one read of the size fstat reports, then on to the end in
// case the file grew or reports no size (FIFOs, /proc).
bool ReadFileBytes(const std::string& path, std::string& out, std::uint64_t& bytes, std::string& error) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    error = std::strerror(S_ISDIR(st.st_mode) ? EISDIR : errno);
    ::close(fd);
    return false;
  }
  std::size_t have = 0;
  std::size_t want = S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0;
  out.resize(want);
  bool ok = true;
  while (true) {
    if (have == out.size()) out.resize(std::max<std::size_t>(out.size() * 2, have + 64 * 1024));
    // Linux transfers at most 0x7ffff000 bytes per read().
    std::size_t n = std::min<std::size_t>(out.size() - have, std::size_t{1} << 30);
    ssize_t got = ::read(fd, out.data() + have, n);
    if (got < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      ok = false;
      break;
    }
    if (got == 0) break;
    have += static_cast<std::size_t>(got);
  }
  ::close(fd);
  out.resize(have);
  bytes += have;
  return ok;
}

ordered_json ToJson(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      ordered_json a = ordered_json::array();
      // A named copy: value_unsafe() refers into the temporary result, which a range-for
      // over it would outlive.
      simdjson::dom::array arr = e.get_array().value_unsafe();
      for (simdjson::dom::element x : arr) a.push_back(ToJson(x));
      return a;
    }
    case element_type::OBJECT: {
      ordered_json o = ordered_json::object();
      simdjson::dom::object obj = e.get_object().value_unsafe();
      o.get_ref<ordered_json::object_t&>().reserve(obj.size());  // ordered_map is a vector
      JsonObjectBuilder out(o);  // a repeated key: its first place, its last value
      for (simdjson::dom::key_value_pair kv : obj) out.Set(std::string(kv.key), ToJson(kv.value));
      return o;
    }
    case element_type::INT64: return e.get_int64().value_unsafe();
    case element_type::UINT64: return e.get_uint64().value_unsafe();
    case element_type::DOUBLE: return e.get_double().value_unsafe();
    case element_type::STRING: return std::string(e.get_string().value_unsafe());
    case element_type::BOOL: return e.get_bool().value_unsafe();
    case element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

const char* JsonTypeName(const ordered_json& j) {
  switch (j.type()) {
    case ordered_json::value_t::object: return "an object";
    case ordered_json::value_t::array: return "an array";
    case ordered_json::value_t::string: return "a string";
    case ordered_json::value_t::boolean: return "a boolean";
    case ordered_json::value_t::null: return "null";
    default: return "a number";
  }
}

const char* JsonTypeName(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: return "an object";
    case element_type::ARRAY: return "an array";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
    default: return "a number";
  }
}

// What one input turns into before it is read.
struct Pending {
  enum class Type { kDocument, kJsonl, kStdin, kFailure };
  Type type = Type::kDocument;
  std::string id;
  std::string path;     // as opened
  std::string message;  // kFailure
};

}  // namespace

class DocumentReader::Impl {
 public:
  Impl(std::vector<std::string> inputs, ReaderOptions options)
      : inputs_(std::move(inputs)), options_(std::move(options)) {
    for (std::string& ext : options_.extensions) {
      if (!ext.empty() && ext[0] != '.') ext.insert(ext.begin(), '.');
    }
  }

  bool Next(Document& doc, Diagnostics& diag) {
    bool more = NextUnpublished(doc, diag);
    published_bytes_.store(bytes_done_ + (lines_ ? lines_->raw_bytes() : 0), std::memory_order_relaxed);
    return more;
  }

  // A pipeline's output stage asks for progress while the input stage reads.
  std::uint64_t bytes_read() const { return published_bytes_.load(std::memory_order_relaxed); }

 private:
  bool NextUnpublished(Document& doc, Diagnostics& diag) {
    while (true) {
      if (lines_) {
        if (NextRecord(doc, diag)) return true;
        continue;
      }
      if (queue_.empty()) {
        if (next_input_ >= inputs_.size()) return false;
        Expand(inputs_[next_input_++]);
        continue;
      }
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      switch (p.type) {
        case Pending::Type::kFailure:
          FailInput(doc, diag, p.id, p.path, p.message);
          return true;
        case Pending::Type::kDocument:
          ReadDocument(p, doc, diag);
          return true;
        case Pending::Type::kJsonl: {
          std::string error;
          lines_ = LineReader::OpenFile(p.path, error);
          if (!lines_) {
            FailInput(doc, diag, p.id, p.path, "cannot open: " + error);
            return true;
          }
          lines_path_ = p.path;
          continue;
        }
        case Pending::Type::kStdin:
          if (StartStdin(doc, diag)) return true;
          continue;
      }
    }
  }

  // Turns one command-line input into Pending entries.
  void Expand(const std::string& input) {
    if (input == "-") {
      queue_.push_back({Pending::Type::kStdin, "-", "-", {}});
      return;
    }
    struct stat st {};
    if (::stat(input.c_str(), &st) != 0) {
      queue_.push_back({Pending::Type::kFailure, input, input, std::string("cannot open: ") + std::strerror(errno)});
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      ExpandDirectory(input);
      return;
    }
    queue_.push_back({IsJsonl(input) ? Pending::Type::kJsonl : Pending::Type::kDocument, input, input, {}});
  }

  bool IsJsonl(const std::string& path) const {
    switch (options_.kind) {
      case InputKind::kJsonl: return true;
      case InputKind::kDocument: return false;
      case InputKind::kAuto: return IsJsonlName(path);
    }
    return false;
  }

  bool WantedExtension(std::string_view name) const {
    for (const std::string& ext : options_.extensions)
      if (name.size() > ext.size() && EndsWithNoCase(name, ext)) return true;
    return false;
  }

  // Walks `root` depth first, each directory's entries in name order, then sorts what it
  // found by relative path so that the order does not depend on the file system. Symlinked
  // directories are followed, but a directory already walked (same device and inode) is not
  // walked again, which stops loops and reads an aliased tree once.
  void ExpandDirectory(const std::string& root) {
    struct Found {
      std::string rel;
      Pending pending;
    };
    std::vector<Found> found;
    auto fail = [&](const std::string& rel, const std::string& path, std::string message) {
      found.push_back({rel, {Pending::Type::kFailure, rel.empty() ? root : rel, path, std::move(message)}});
    };
    std::set<std::pair<dev_t, ino_t>> walked;
    std::vector<std::string> stack{""};
    bool any_file = false;
    while (!stack.empty()) {
      std::string rel = std::move(stack.back());
      stack.pop_back();
      fs::path dir = rel.empty() ? fs::path(root) : fs::path(root) / rel;
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0) {
        fail(rel, dir.string(), std::string("cannot open directory: ") + std::strerror(errno));
        continue;
      }
      if (!walked.insert({st.st_dev, st.st_ino}).second) continue;

      std::error_code ec;
      fs::directory_iterator it(dir, ec);
      if (ec) {
        fail(rel, dir.string(), "cannot open directory: " + ec.message());
        continue;
      }
      std::vector<fs::directory_entry> entries;
      for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        entries.push_back(*it);
      }
      if (ec) fail(rel, dir.string(), "cannot list directory: " + ec.message());
      std::sort(entries.begin(), entries.end(),
                [](const fs::directory_entry& a, const fs::directory_entry& b) { return a.path() < b.path(); });
      std::vector<std::string> subdirs;
      for (const fs::directory_entry& entry : entries) {
        std::string name = entry.path().filename().string();
        std::string child = rel.empty() ? name : rel + "/" + name;
        std::error_code sec;
        bool is_dir = entry.is_directory(sec);
        if (sec) {
          // A broken symlink or an entry we may not stat: report it only when it looks
          // like an input, so stray dangling links elsewhere do not fail the run.
          if (WantedExtension(name)) fail(child, entry.path().string(), "cannot open: " + sec.message());
          continue;
        }
        if (is_dir) {
          subdirs.push_back(std::move(child));
        } else if (entry.is_regular_file(sec) && WantedExtension(name)) {
          any_file = true;
          std::string path = entry.path().string();
          Pending::Type type = IsJsonl(path) ? Pending::Type::kJsonl : Pending::Type::kDocument;
          found.push_back({child, {type, child, std::move(path), {}}});
        }
      }
      for (auto s = subdirs.rbegin(); s != subdirs.rend(); ++s) stack.push_back(std::move(*s));
    }
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.rel < b.rel; });
    for (Found& f : found) queue_.push_back(std::move(f.pending));
    if (!any_file && found.empty()) {  // (an unreadable directory is reported already)
      std::string looked;
      for (const std::string& ext : options_.extensions) looked += (looked.empty() ? "" : " ") + ext;
      queue_.push_back({Pending::Type::kFailure, root, root, "no input files (looked for " + looked + ")"});
    }
  }

  static void Reset(Document& doc, std::string_view id, std::string_view path, SourceFormat format) {
    doc.id.assign(id);
    doc.text.clear();
    doc.metadata = Metadata{};
    doc.metadata.path.assign(path);
    doc.format = format;
  }

  static void Report(Diagnostics& diag, Severity severity, const std::string& id, const std::string& path,
                     std::string message, Location where = {}) {
    diag.Add({.doc_id = id, .path = path, .stage = "read", .message = std::move(message), .location = where,
              .severity = severity});
  }

  void FailInput(Document& doc, Diagnostics& diag, const std::string& id, const std::string& path,
                 std::string message) {
    Reset(doc, id, path, SourceFormat::kAuto);
    Report(diag, Severity::kError, id, path, std::move(message));
  }

  void ReadDocument(const Pending& p, Document& doc, Diagnostics& diag) {
    Reset(doc, p.id, p.path, FormatFromPath(p.path));
    std::string error;
    if (!ReadFileBytes(p.path, doc.text, bytes_done_, error)) {
      doc.text.clear();
      Report(diag, Severity::kError, p.id, p.path, "cannot read: " + error);
    }
  }

  // Returns true when stdin became a document in `doc`; false when it is read as JSONL
  // through lines_.
  bool StartStdin(Document& doc, Diagnostics& diag) {
    std::istream& in = options_.stdin_stream != nullptr ? *options_.stdin_stream : std::cin;
    if (stdin_used_) {
      FailInput(doc, diag, "-", "-", "standard input named more than once; it was read the first time");
      return true;
    }
    stdin_used_ = true;
    if (options_.kind == InputKind::kJsonl) {
      lines_ = LineReader::FromStream(in);
      lines_path_ = "-";
      return false;
    }
    Reset(doc, "-", "-", SourceFormat::kAuto);
    if (options_.kind == InputKind::kDocument) {
      // Raw bytes, like a document file (not decompressed).
      char chunk[64 * 1024];
      while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        doc.text.append(chunk, static_cast<std::size_t>(in.gcount()));
        bytes_done_ += static_cast<std::uint64_t>(in.gcount());
      }
      if (in.bad()) Report(diag, Severity::kError, "-", "-", "cannot read standard input");
      return true;
    }
    // kAuto: look at the first non-blank line while keeping every byte for the other case.
    std::unique_ptr<LineReader> lines = LineReader::FromStream(in);
    lines->set_retain(true);
    bool jsonl = false;
    std::string_view line;
    while (lines->Next(line)) {
      if (IsBlank(line)) continue;
      if (lines->line_number() == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      std::size_t invalid = 0;
      std::int64_t first = -1;
      simdjson::dom::element root;
      if (!Parse(line, root, invalid, first)) {
        simdjson::dom::object obj;
        jsonl = !root.get_object().get(obj) && !obj["text"].error();
      }
      break;
    }
    lines->Rewind();
    if (jsonl) {
      lines_ = std::move(lines);
      lines_path_ = "-";
      return false;
    }
    if (!lines->ReadAll(doc.text)) Report(diag, Severity::kError, "-", "-", "cannot read standard input: " + lines->error());
    bytes_done_ += lines->raw_bytes();
    return true;
  }

  // Parses one padded line with simdjson; invalid UTF-8 is replaced and the line parsed again
  // (counted in `invalid`). Returns the simdjson error (0 when `root` is set).
  simdjson::error_code Parse(std::string_view line, simdjson::dom::element& root, std::size_t& invalid,
                             std::int64_t& first) {
    simdjson::error_code err = parser_.parse(line.data(), line.size(), false).get(root);
    if (err != simdjson::UTF8_ERROR) return err;
    Utf8Repair repair = RepairUtf8(line);
    invalid = repair.invalid_sequences;
    first = repair.first_invalid_offset;
    repaired_ = std::move(repair.text);
    repaired_.reserve(repaired_.size() + LineReader::kPadding);  // simdjson reads past the end
    return parser_.parse(repaired_.data(), repaired_.size(), false).get(root);
  }

  bool NextRecord(Document& doc, Diagnostics& diag) {
    std::string_view line;
    while (lines_->Next(line)) {
      if (IsBlank(line)) continue;
      if (lines_->line_number() == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      ParseRecord(line, doc, diag);
      return true;
    }
    bool failed = !lines_->error().empty();
    if (failed) {
      std::int64_t ln = lines_->line_number() + 1;
      std::string id = lines_path_ + ":" + std::to_string(ln);
      Reset(doc, id, lines_path_, SourceFormat::kAuto);
      Report(diag, Severity::kError, id, lines_path_, "cannot read line " + std::to_string(ln) + ": " + lines_->error(),
             {.line = ln});
    }
    bytes_done_ += lines_->raw_bytes();
    lines_.reset();
    return failed;
  }

  void ParseRecord(std::string_view line, Document& doc, Diagnostics& diag) {
    const std::int64_t ln = lines_->line_number();
    Location where{.line = ln, .column = 0, .byte_offset = lines_->line_offset()};
    std::string fallback_id = lines_path_ + ":" + std::to_string(ln);
    // The metadata is replaced as a whole by Assemble(), or reset on a failure below.
    doc.id = fallback_id;
    doc.text.clear();
    doc.format = SourceFormat::kAuto;
    auto fail = [&](std::string message, Location at) {
      Reset(doc, fallback_id, lines_path_, SourceFormat::kAuto);
      Report(diag, Severity::kError, fallback_id, lines_path_, std::move(message), at);
    };
    id_ = nullptr;
    meta_ = nullptr;
    others_.clear();
    have_text_ = false;
    text_problem_ = "has no \"text\" key";

    std::size_t invalid = 0;
    std::int64_t first = -1;
    simdjson::dom::element root;
    simdjson::error_code err = Parse(line, root, invalid, first);
    if (!err) {
      simdjson::dom::object obj;
      if (root.get_object().get(obj)) {
        fail(std::string("JSONL record is ") + JsonTypeName(root) + ", not an object", where);
        return;
      }
      for (simdjson::dom::key_value_pair kv : obj) {
        if (kv.key == "text") {
          std::string_view text;
          if (!kv.value.get_string().get(text)) {
            doc.text.assign(text);
            have_text_ = true;
          } else {
            text_problem_ = std::string("has \"text\" that is ") + JsonTypeName(kv.value) + ", not a string";
          }
        } else if (kv.key == "id") {
          id_ = ToJson(kv.value);
        } else if (kv.key == "metadata") {
          meta_ = ToJson(kv.value);
        } else {
          others_.emplace_back(std::string(kv.key), ToJson(kv.value));
        }
      }
    } else {
      // simdjson refuses some valid JSON (integers beyond 64 bits); nlohmann reads those,
      // and for real syntax errors says in which column. Not a record nested deeper than
      // simdjson allows: nlohmann would parse it, and copying it into the metadata recursively
      // would then overflow the stack (tests/fuzz/regressions/jsonl_reader/record_nested_*).
      if (err == simdjson::DEPTH_ERROR) {
        fail("JSONL record nested too deeply (more than 1024 levels)", where);
        return;
      }
      ordered_json j;
      try {
        j = ParseJson(line);  // linear in the number of keys; ordered_json::parse is not
      } catch (const ordered_json::parse_error& e) {
        if (e.byte > 0) {
          where.column = static_cast<std::int64_t>(e.byte);
          where.byte_offset += static_cast<std::int64_t>(e.byte) - 1;
        }
        fail(std::string("not valid JSON: ") + simdjson::error_message(err), where);
        return;
      } catch (const ordered_json::exception& e) {
        // out_of_range.406: a number beyond a double (1e309), which JSON allows but no
        // program can hold (tests/fuzz/regressions/jsonl_reader/number_beyond_double_1e309).
        fail(std::string("JSONL record cannot be read: ") + e.what(), where);
        return;
      }
      if (!j.is_object()) {
        fail(std::string("JSONL record is ") + JsonTypeName(j) + ", not an object", where);
        return;
      }
      for (auto& [key, value] : j.items()) {
        if (key == "text") {
          if (value.is_string()) {
            doc.text = value.get<std::string>();
            have_text_ = true;
          } else {
            text_problem_ = std::string("has \"text\" that is ") + JsonTypeName(value) + ", not a string";
          }
        } else if (key == "id") {
          id_ = std::move(value);
        } else if (key == "metadata") {
          meta_ = std::move(value);
        } else {
          others_.emplace_back(key, std::move(value));
        }
      }
    }
    Assemble(doc, diag, where, fallback_id);
    if (invalid > 0) {
      Report(diag, Severity::kWarning, doc.id, lines_path_,
             "invalid UTF-8 in the JSONL line replaced with U+FFFD (" + std::to_string(invalid) + " sequence" +
                 (invalid == 1 ? ")" : "s)"),
             {.line = ln, .column = first + 1, .byte_offset = where.byte_offset + first});
    }
  }

  // Builds the Document from the parts of a record ParseRecord collected.
  void Assemble(Document& doc, Diagnostics& diag, Location where, const std::string& fallback_id) {
    if (id_.is_string()) {
      doc.id = id_.get<std::string>();
    } else if (!id_.is_null()) {
      doc.id = id_.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    }
    if (doc.id.empty()) doc.id = fallback_id;
    if (!have_text_) {
      doc.metadata = Metadata{};
      doc.metadata.path = lines_path_;
      Report(diag, Severity::kError, doc.id, lines_path_, "JSONL record " + text_problem_, where);
      return;
    }
    ordered_json combined = ordered_json::object();
    if (meta_.is_object()) {
      combined = std::move(meta_);
    } else if (!meta_.is_null()) {
      Report(diag, Severity::kWarning, doc.id, lines_path_,
             std::string("\"metadata\" is ") + JsonTypeName(meta_) +
                 ", not an object; kept as metadata \"record_metadata\"",
             where);
      others_.emplace(others_.begin(), "record_metadata", std::move(meta_));
    }
    // Top-level keys besides id/text/metadata (dolma's "source", "added", ...) are kept;
    // one whose name the record's metadata already uses gets a "record_" prefix.
    JsonObjectBuilder out(combined);
    for (auto& [key, value] : others_) {
      std::string name = key;
      while (out.Contains(name)) name = "record_" + name;
      out.Set(std::move(name), std::move(value));
    }
    Metadata m = MetadataFromJson(combined);
    // metadata.path names the JSONL file; a path the record carried is kept beside it.
    if (!m.path.empty() && m.path != lines_path_ && !m.extra.contains("record_path")) m.extra["record_path"] = m.path;
    m.path = lines_path_;
    doc.metadata = std::move(m);
  }

  std::vector<std::string> inputs_;
  ReaderOptions options_;
  std::size_t next_input_ = 0;
  std::deque<Pending> queue_;
  std::unique_ptr<LineReader> lines_;
  std::string lines_path_;
  std::uint64_t bytes_done_ = 0;
  std::atomic<std::uint64_t> published_bytes_{0};
  bool stdin_used_ = false;

  simdjson::dom::parser parser_;
  std::string repaired_;
  // The record being assembled (members so their capacity is reused).
  ordered_json id_;
  ordered_json meta_;
  std::vector<std::pair<std::string, ordered_json>> others_;
  bool have_text_ = false;
  std::string text_problem_;
};

DocumentReader::DocumentReader(std::vector<std::string> inputs, ReaderOptions options)
    : impl_(std::make_unique<Impl>(std::move(inputs), std::move(options))) {}
DocumentReader::~DocumentReader() = default;

bool DocumentReader::Next(Document& doc, Diagnostics& diag) { return impl_->Next(doc, diag); }

std::uint64_t DocumentReader::bytes_read() const { return impl_->bytes_read(); }

}  // namespace zhcanon::io
