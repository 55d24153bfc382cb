#include "zhcanon/io/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <unordered_set>
#include <utility>
#include <vector>

#include <xxhash.h>
#include <yaml-cpp/yaml.h>

#include "zhcanon/core/error.h"
#include "zhcanon/io/encoding.h"

namespace zhcanon::io {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr std::size_t kBufferSize = 1 << 20;
// Leaves room in a 255-byte NAME_MAX for ".<name>.tmp.<pid>.<16 hex>" and for "-<n>.md".
constexpr std::size_t kMaxNameBytes = 200;

std::string Quote(const std::string& path) { return "'" + path + "'"; }

std::string RandomHex() {
  static std::atomic<std::uint64_t> counter{0};
  std::random_device rd;
  std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(r));
  return hex;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view TruncateUtf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// Creates "<dir>/.<name>.tmp.<pid>.<random>" beside `path` with O_EXCL, so that the rename in
// Commit() stays within one file system and never clobbers a file someone else made.
int CreateTemp(const std::string& path, std::string& temp_path) {
  fs::path p(path);
  std::string name = p.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw IoError("cannot write " + Quote(path) + ": not a file name");
  std::string dir = p.parent_path().string();
  struct stat target {};
  bool exists = ::stat(path.c_str(), &target) == 0;
  if (exists && S_ISDIR(target.st_mode)) throw IoError("cannot write " + Quote(path) + ": it is a directory");
  std::string prefix = (dir.empty() ? "" : dir + "/") + "." + std::string(TruncateUtf8(name, kMaxNameBytes)) +
                       ".tmp." + std::to_string(::getpid()) + ".";
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp_path = prefix + RandomHex();
    // 0644 before the umask, like any new file; a replaced file keeps its own mode below.
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      if (exists) ::fchmod(fd, target.st_mode & 07777);
      return fd;
    }
    int e = errno;
    if (e == EEXIST) continue;
    std::string where = dir.empty() ? "." : dir;
    if (e == ENOENT || e == ENOTDIR)
      throw IoError("cannot write " + Quote(path) + ": directory " + Quote(where) + " does not exist");
    throw IoError("cannot write " + Quote(path) + ": cannot create a file in " + Quote(where) + ": " +
                  std::strerror(e));
  }
  throw IoError("cannot write " + Quote(path) + ": cannot create a unique temporary file");
}

void WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), std::min<std::size_t>(bytes.size(), std::size_t{1} << 30));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write " + Quote(path) + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Makes a rename durable; best effort, since some file systems refuse fsync on directories.
void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string DumpJson(const ordered_json& j) {
  // replace: invalid UTF-8 in a document becomes U+FFFD instead of throwing.
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// Text followed by exactly one newline (none added to an empty text).
void AppendText(std::string& out, const std::string& text) {
  out += text;
  if (!text.empty() && text.back() != '\n') out += '\n';
}

// --- output: a file through AtomicFile, or a stream -----------------------------------

class Output {
 public:
  Output(const std::string& path, std::ostream& stream) {
    if (path.empty() || path == "-") {
      stream_ = &stream;
    } else {
      file_ = std::make_unique<AtomicFile>(path);
    }
  }
  void Write(std::string_view bytes) {
    if (file_) {
      file_->Write(bytes);
      return;
    }
    stream_->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!*stream_) throw IoError("cannot write to standard output");
  }
  void Commit() {
    if (file_) {
      file_->Commit();
      return;
    }
    stream_->flush();
    if (!*stream_) throw IoError("cannot write to standard output");
  }

 private:
  std::unique_ptr<AtomicFile> file_;
  std::ostream* stream_ = nullptr;
};

class JsonlWriter final : public DocumentWriter {
 public:
  JsonlWriter(const std::string& path, std::ostream& stream) : out_(path, stream) {}
  std::string Encode(const Document& doc) const override {
    std::string line = DumpJson(DocumentToJson(doc));
    line += '\n';
    return line;
  }
  void WriteEncoded(const Document&, std::string_view bytes) override { out_.Write(bytes); }
  void Commit() override { out_.Commit(); }

 private:
  Output out_;
};

class TextWriter final : public DocumentWriter {
 public:
  TextWriter(const std::string& path, std::ostream& stream) : out_(path, stream) {}
  std::string Encode(const Document& doc) const override {
    std::string chunk;
    AppendText(chunk, doc.text);
    return chunk;
  }
  void WriteEncoded(const Document&, std::string_view bytes) override {
    if (!first_) out_.Write("\f\n");
    first_ = false;
    out_.Write(bytes);
  }
  void Commit() override { out_.Commit(); }

 private:
  Output out_;
  bool first_ = true;
};

// --- markdown tree --------------------------------------------------------------------

// One path component made safe: no NUL, no "..", not longer than a file name may be.
std::string SafeComponent(std::string_view c) {
  std::string s(c);
  std::replace(s.begin(), s.end(), '\0', '_');
  if (s == "..") s = "__";
  if (s.size() > kMaxNameBytes) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(XXH64(s.data(), s.size(), 0)));
    s = std::string(TruncateUtf8(s, kMaxNameBytes - 17)) + "-" + hash;
  }
  return s;
}

// Whether `ext` (after the dot) looks like a file extension (html, txt, md, php), as opposed to
// the tail of a date ("2025.02.07") or of a JSONL position ("x.jsonl:12").
bool LooksLikeExtension(std::string_view ext) {
  if (ext.empty() || ext.size() > 10) return false;
  bool letter = false;
  for (char c : ext) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && !(c >= '0' && c <= '9')) return false;
    letter = letter || alpha;
  }
  return letter;
}

class MarkdownWriter final : public DocumentWriter {
 public:
  explicit MarkdownWriter(std::string root) : root_(std::move(root)) {
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec) throw IoError("cannot create output directory " + Quote(root_) + ": " + ec.message());
    if (!fs::is_directory(root_, ec)) throw IoError("cannot write " + Quote(root_) + ": not a directory");
    if (::access(root_.c_str(), W_OK | X_OK) != 0)
      throw IoError("cannot write to directory " + Quote(root_) + ": " + std::strerror(errno));
  }

  ~MarkdownWriter() override {
    for (const auto& [temp, target] : pending_) ::unlink(temp.c_str());
  }

  std::string Encode(const Document& doc) const override {
    std::string content = FrontMatterYaml(doc.metadata);
    content += '\n';
    AppendText(content, doc.text);
    return content;
  }

  void WriteEncoded(const Document& doc, std::string_view content) override {
    std::string rel = Claim(doc.id);
    std::string target = (fs::path(root_) / rel).string();
    std::string parent = fs::path(target).parent_path().string();
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw IoError("cannot create directory " + Quote(parent) + ": " + ec.message());
    std::string temp;
    int fd = CreateTemp(target, temp);
    pending_.emplace_back(temp, target);
    try {
      WriteAll(fd, content, target);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) throw IoError("cannot write " + Quote(target) + ": " + std::strerror(errno));
  }

  void Commit() override {
    // One syncfs for the whole tree instead of an fsync per file: millions of fsyncs
    // would take longer than the run itself.
    int dfd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      int rc = ::syncfs(dfd);
      int e = errno;
      ::close(dfd);
      if (rc != 0) throw IoError("cannot write " + Quote(root_) + ": " + std::strerror(e));
    }
    std::size_t done = 0;
    for (const auto& [temp, target] : pending_) {
      if (::rename(temp.c_str(), target.c_str()) != 0) {
        int e = errno;
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
        throw IoError("cannot write " + Quote(target) + ": " + std::strerror(e));
      }
      ++done;
    }
    pending_.clear();
    SyncDirectory(root_);
  }

 private:
  // The path (relative to root_) for a document id: each '/'-separated part made safe,
  // the last one's extension replaced by ".md", and a "-2", "-3"… suffix when this run
  // already used the name (or a directory stands where the file would go).
  std::string Claim(const std::string& id) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= id.size()) {
      std::size_t slash = id.find('/', start);
      if (slash == std::string::npos) slash = id.size();
      std::string_view part(id.data() + start, slash - start);
      if (!part.empty() && part != ".") parts.push_back(SafeComponent(part));
      start = slash + 1;
    }
    if (parts.empty()) parts.push_back("_");

    std::string prefix;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      std::string base = prefix.empty() ? parts[i] : prefix + "/" + parts[i];
      std::string cand = base;
      if (!dirs_.count(cand)) {
        for (int n = 2; files_.count(cand) || ExistsAsNonDirectory(cand); ++n) cand = base + "-" + std::to_string(n);
        dirs_.insert(cand);
      }
      prefix = std::move(cand);
    }
    std::string name = parts.back();
    std::size_t dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0 && LooksLikeExtension(std::string_view(name).substr(dot + 1)))
      name.resize(dot);
    std::string stem = prefix.empty() ? name : prefix + "/" + name;
    std::string cand = stem + ".md";
    for (int n = 2; files_.count(cand) || dirs_.count(cand) || ExistsAsDirectory(cand); ++n)
      cand = stem + "-" + std::to_string(n) + ".md";
    files_.insert(cand);
    return cand;
  }

  bool ExistsAsNonDirectory(const std::string& rel) const {
    struct stat st {};
    return ::stat((root_ + "/" + rel).c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
  }
  bool ExistsAsDirectory(const std::string& rel) const {
    struct stat st {};
    return ::stat((root_ + "/" + rel).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  std::string root_;
  std::unordered_set<std::string> files_;  // relative paths of files this run writes
  std::unordered_set<std::string> dirs_;   // relative paths of directories this run writes into
  std::vector<std::pair<std::string, std::string>> pending_;  // (temporary, target)
};

// --- YAML -----------------------------------------------------------------------------

// Keys that read back as the same string when written plainly, in YAML 1.1 and 1.2 alike.
bool PlainKey(const std::string& key) {
  if (key.empty()) return false;
  char c0 = key[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  std::string lower = key;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const char* word : {"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
    if (lower == word) return false;
  return true;
}

// Strings as valid UTF-8 (bad bytes become U+FFFD, as in the JSONL output).
std::string Utf8(const std::string& s) { return IsValidUtf8(s) ? s : RepairUtf8(s).text; }

void EmitYaml(YAML::Emitter& out, const ordered_json& j) {
  switch (j.type()) {
    case ordered_json::value_t::object:
      // Empty containers in flow style ("{}", "[]"): block style puts them on a line of their own.
      if (j.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& [k, v] : j.items()) {
        std::string key = Utf8(k);
        out << YAML::Key;
        if (PlainKey(key)) {
          out << key;
        } else {
          out << YAML::DoubleQuoted << key;
        }
        out << YAML::Value;
        EmitYaml(out, v);
      }
      out << YAML::EndMap;
      break;
    case ordered_json::value_t::array:
      if (j.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& v : j) EmitYaml(out, v);
      out << YAML::EndSeq;
      break;
    case ordered_json::value_t::string:
      out << YAML::DoubleQuoted << Utf8(j.get_ref<const std::string&>());
      break;
    case ordered_json::value_t::boolean:
      out << j.get<bool>();
      break;
    case ordered_json::value_t::number_integer:
      out << j.get<std::int64_t>();
      break;
    case ordered_json::value_t::number_unsigned:
      out << j.get<std::uint64_t>();
      break;
    case ordered_json::value_t::number_float:
      out << j.get<double>();
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

// --- AtomicFile -----------------------------------------------------------------------

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  // A device, FIFO or socket (-o /dev/null, -o /dev/stderr, a named pipe) cannot be replaced
  // by renaming a temporary onto it (as root that would even replace the device node with a
  // regular file): write to it directly. Nothing atomic is possible there.
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError("cannot open " + Quote(path_) + " for writing: " + std::strerror(errno));
    direct_ = true;
    return;
  }
  fd_ = CreateTemp(path_, temp_path_);
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  if (!direct_) ::unlink(temp_path_.c_str());
}

void AtomicFile::Write(std::string_view bytes) {
  if (committed_ || fd_ < 0) throw std::logic_error("AtomicFile::Write after Commit: " + path_);
  if (failed_) throw IoError("cannot write " + Quote(path_) + ": an earlier write failed");
  if (buffer_.size() + bytes.size() > kBufferSize) FlushBuffer();
  if (bytes.size() >= kBufferSize) {
    try {
      WriteAll(fd_, bytes, path_);
    } catch (const IoError&) {
      failed_ = true;
      throw;
    }
    return;
  }
  if (buffer_.capacity() < kBufferSize) buffer_.reserve(kBufferSize);
  buffer_.append(bytes);
}

void AtomicFile::FlushBuffer() {
  try {
    WriteAll(fd_, buffer_, path_);
  } catch (const IoError&) {
    // The temporary is now incomplete: it must never be renamed onto the target.
    failed_ = true;
    buffer_.clear();
    throw;
  }
  buffer_.clear();
}

void AtomicFile::Commit() {
  if (committed_) return;
  if (fd_ < 0 || failed_) throw IoError("cannot write " + Quote(path_) + ": an earlier write failed");
  FlushBuffer();
  if (direct_) {
    const int fd = fd_;
    fd_ = -1;
    committed_ = true;
    if (::close(fd) != 0) throw IoError("cannot write " + Quote(path_) + ": " + std::strerror(errno));
    return;
  }
  if (::fsync(fd_) != 0) {
    failed_ = true;
    throw IoError("cannot write " + Quote(path_) + ": " + std::strerror(errno));
  }
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw IoError("cannot write " + Quote(path_) + ": " + std::strerror(errno));
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    throw IoError("cannot replace " + Quote(path_) + ": " + std::strerror(errno));
  committed_ = true;
  buffer_ = std::string();
  SyncDirectory(fs::path(path_).parent_path().string());
}

// --- writers --------------------------------------------------------------------------

OutputFormat ParseOutputFormat(std::string_view name) {
  if (name == "jsonl") return OutputFormat::kJsonl;
  if (name == "text" || name == "txt") return OutputFormat::kText;
  if (name == "markdown" || name == "md") return OutputFormat::kMarkdown;
  throw std::invalid_argument("unknown output format '" + std::string(name) +
                              "' (expected jsonl, text or markdown)");
}

std::unique_ptr<DocumentWriter> MakeDocumentWriter(OutputFormat format, const std::string& path,
                                                   std::ostream& stdout_stream) {
  switch (format) {
    case OutputFormat::kJsonl: return std::make_unique<JsonlWriter>(path, stdout_stream);
    case OutputFormat::kText: return std::make_unique<TextWriter>(path, stdout_stream);
    case OutputFormat::kMarkdown:
      if (path.empty() || path == "-")
        throw std::invalid_argument("markdown output needs a directory (-o DIR), not standard output");
      return std::make_unique<MarkdownWriter>(path);
  }
  throw std::invalid_argument("unknown output format");
}

ErrorReportWriter::ErrorReportWriter(const std::string& path) : file_(std::make_unique<AtomicFile>(path)) {}
ErrorReportWriter::~ErrorReportWriter() = default;

void ErrorReportWriter::Write(const Problem& p) {
  ordered_json j = ordered_json::object();
  j["id"] = p.doc_id;
  j["path"] = p.path;
  j["stage"] = p.stage;
  j["severity"] = SeverityName(p.severity);
  j["message"] = p.message;
  if (p.location.line > 0) j["line"] = p.location.line;
  if (p.location.column > 0) j["column"] = p.location.column;
  if (p.location.byte_offset >= 0) j["byte_offset"] = p.location.byte_offset;
  std::string line = DumpJson(j);
  line += '\n';
  file_->Write(line);
}

void ErrorReportWriter::Commit() { file_->Commit(); }

std::string FrontMatterYaml(const Metadata& meta) {
  ordered_json j = MetadataToJson(meta);
  if (j.empty()) return "---\n---\n";
  YAML::Emitter out;
  out.SetOutputCharset(YAML::EmitNonAscii);
  EmitYaml(out, j);
  std::string yaml = "---\n";
  yaml += out.c_str();
  yaml += "\n---\n";
  return yaml;
}

}  // namespace zhcanon::io
