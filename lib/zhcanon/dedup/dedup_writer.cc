#include "zhcanon/dedup/dedup_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "zhcanon/convert/converter.h"
#include "zhcanon/core/error.h"
#include "zhcanon/core/json_object.h"
#include "zhcanon/dedup/hamming_index.h"

namespace zhcanon::dedup {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// --- What Encode() returns ------------------------------------------------------------
//
//   kMagic (8 bytes) | Fingerprint (sizeof(Fingerprint) bytes, the struct copied as it is) |
//   converted characters (int64) | record
//
// The fingerprint rides in front of the record because Encode() is the only hook the pipeline
// runs on its worker threads, and WriteEncoded() needs the fingerprint. The header never leaves
// the process (WriteEncoded strips it before spooling), so copying the struct's bytes is safe;
// the magic catches bytes that came from some other writer's Encode().
constexpr std::string_view kMagic("zhdedup\x01", 8);
static_assert(std::is_trivially_copyable_v<Fingerprint>, "Fingerprint is copied with memcpy");
constexpr std::size_t kHeaderSize = kMagic.size() + sizeof(Fingerprint) + sizeof(std::int64_t);

// --- The spool record -----------------------------------------------------------------
//
//   id | text | format (1 byte) | title | date | author | source_url | summary | lang | path |
//   tags (u64 count, strings) | categories (u64 count, strings) | extra (CBOR bytes)
//
// Each string and byte block is a u64 size (host byte order) followed by its bytes. Binary
// rather than a JSONL line: the document comes back byte for byte whatever the output format
// (JSON would replace invalid UTF-8 and MetadataFromJson(MetadataToJson(m)) is not the identity,
// e.g. for an `extra` key shadowed by a well-known one), and reading it back needs no JSON
// parser for the text, which is nearly all of the bytes. The id comes first so that Commit()
// can read the ids of clustered documents without reading their texts.

void PutU64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

void PutBytes(std::string& out, std::string_view s) {
  PutU64(out, s.size());
  out.append(s);
}

void PutStrings(std::string& out, const std::vector<std::string>& list) {
  PutU64(out, list.size());
  for (const std::string& s : list) PutBytes(out, s);
}

void AppendRecord(std::string& out, const Document& doc) {
  PutBytes(out, doc.id);
  PutBytes(out, doc.text);
  out.push_back(static_cast<char>(doc.format));
  const Metadata& m = doc.metadata;
  for (const std::string* s : {&m.title, &m.date, &m.author, &m.source_url, &m.summary, &m.lang, &m.path})
    PutBytes(out, *s);
  PutStrings(out, m.tags);
  PutStrings(out, m.categories);
  std::string cbor;
  // CBOR keeps `extra` exactly: key order (ordered_json), strings as bytes, numbers as they were.
  ordered_json::to_cbor(m.extra, cbor);
  PutBytes(out, cbor);
}

// Reads a record back. The spool is this process's own file, but a short read or a disk error
// must still not crash: every size is checked against the bytes that are there.
class RecordParser {
 public:
  explicit RecordParser(std::string_view data) : data_(data) {}

  std::uint64_t U64() {
    Need(sizeof(std::uint64_t));
    std::uint64_t v;
    std::memcpy(&v, data_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string_view Bytes() {
    std::uint64_t n = U64();
    Need(n);
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint8_t Byte() {
    Need(1);
    return static_cast<std::uint8_t>(data_[pos_++]);
  }
  std::vector<std::string> Strings() {
    std::uint64_t n = U64();
    if (n > data_.size()) Corrupt();
    std::vector<std::string> list;
    list.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) list.emplace_back(Bytes());
    return list;
  }

 private:
  void Need(std::uint64_t n) const {
    if (n > data_.size() - pos_) Corrupt();
  }
  [[noreturn]] static void Corrupt() { throw IoError("dedup: the spool file is damaged (read back short)"); }

  std::string_view data_;
  std::size_t pos_ = 0;
};

Document ParseRecord(std::string_view record) {
  RecordParser p(record);
  Document doc;
  doc.id = p.Bytes();
  doc.text = p.Bytes();
  std::uint8_t format = p.Byte();
  doc.format = format <= static_cast<std::uint8_t>(SourceFormat::kHtml) ? static_cast<SourceFormat>(format)
                                                                        : SourceFormat::kAuto;
  Metadata& m = doc.metadata;
  for (std::string* s : {&m.title, &m.date, &m.author, &m.source_url, &m.summary, &m.lang, &m.path})
    *s = p.Bytes();
  m.tags = p.Strings();
  m.categories = p.Strings();
  std::string_view cbor = p.Bytes();
  try {
    m.extra = ParseCbor(cbor);  // linear in the number of keys; from_cbor is not
  } catch (const ordered_json::exception&) {
    throw IoError("dedup: the spool file is damaged (metadata of '" + doc.id + "')");
  }
  return doc;
}

// zhcanon-t2s records how many characters it changed: 0 for a document that was Simplified at
// the source. -1 when the metadata does not say (the caller then counts them itself); an odd
// value counts as 0.
std::int64_t ConvertedChars(const Metadata& m) {
  auto it = m.extra.find("t2s_changed_chars");
  if (it == m.extra.end()) return -1;
  const ordered_json& v = *it;
  if (v.is_number_unsigned()) {
    std::uint64_t u = v.get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? std::numeric_limits<std::int64_t>::max()
               : static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return std::max<std::int64_t>(0, v.get<std::int64_t>());
  if (v.is_number_float()) {
    double d = v.get<double>();
    return std::isfinite(d) && d > 0 && d < 9e18 ? static_cast<std::int64_t>(d) : 0;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    return ec == std::errc() && end == s.data() + s.size() && n > 0 ? n : 0;
  }
  return 0;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// --- The spool file -------------------------------------------------------------------

// An append-only temporary file holding the records in input order, read back by Commit().
// Created with O_EXCL under an unguessable name and unlinked at once: the open descriptor keeps
// it alive, and no exit (not even SIGKILL) can leave it behind on disk.
class Spool {
 public:
  explicit Spool(std::string dir) {
    if (dir.empty()) {
      std::error_code ec;
      dir = fs::temp_directory_path(ec).string();  // $TMPDIR, else /tmp
      if (ec) dir = "/tmp";
    }
    dir_ = dir;
    std::random_device rd;
    for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
      char name[96];
      std::snprintf(name, sizeof name, ".zhcanon-dedup-spool.%ld.%08x%08x", static_cast<long>(::getpid()), rd(), rd());
      std::string path = (fs::path(dir_) / name).string();
      fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd_ >= 0) {
        ::unlink(path.c_str());
      } else if (errno != EEXIST) {
        throw IoError("dedup: cannot create a spool file in " + Quote(dir_) + ": " + std::strerror(errno) +
                      " (the spool holds the documents until the end of the run; choose another place "
                      "with TMPDIR or -o)");
      }
    }
    if (fd_ < 0) throw IoError("dedup: cannot create a unique spool file in " + Quote(dir_));
    buffer_.reserve(kBufferSize);
  }
  ~Spool() {
    if (fd_ >= 0) ::close(fd_);
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  std::uint64_t size() const { return size_; }

  void Append(std::string_view bytes) {
    if (buffer_.size() + bytes.size() > kBufferSize) Flush();
    if (bytes.size() >= kBufferSize) {
      WriteAll(bytes);
    } else {
      buffer_.append(bytes);
    }
    size_ += bytes.size();
  }

  void Flush() {
    WriteAll(buffer_);
    buffer_.clear();
  }

  /// Reads [offset, offset + n) of what was flushed into `out` (resized to what was read).
  void ReadAt(std::uint64_t offset, std::size_t n, std::string& out) const {
    out.resize(n);
    std::size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw IoError("dedup: cannot read the spool file in " + Quote(dir_) + ": " + std::strerror(errno));
      if (r == 0) break;
      done += static_cast<std::size_t>(r);
    }
    out.resize(done);
  }

  void AdviseSequential() const { ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL); }

 private:
  static constexpr std::size_t kBufferSize = 1 << 20;

  void WriteAll(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), std::min<std::size_t>(bytes.size(), std::size_t{1} << 30));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        throw IoError("dedup: cannot write the spool file in " + Quote(dir_) + ": " + std::strerror(errno));
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::string dir_;
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t size_ = 0;  // bytes appended, flushed or not
};

// Reads records front to back through a large buffer, so that Commit() makes a few big reads
// rather than one small read per document; dropped documents in between are skipped unread
// when they do not fall inside a buffer anyway.
class SpoolReader {
 public:
  explicit SpoolReader(const Spool& spool) : spool_(spool) { spool.AdviseSequential(); }

  std::string_view Read(std::uint64_t offset, std::size_t n) {
    if (offset < start_ || offset + n > start_ + buffer_.size()) {
      spool_.ReadAt(offset, std::max(n, kChunk), buffer_);
      start_ = offset;
      if (buffer_.size() < n) throw IoError("dedup: the spool file is damaged (read back short)");
    }
    return std::string_view(buffer_).substr(offset - start_, n);
  }

 private:
  static constexpr std::size_t kChunk = 4 << 20;
  const Spool& spool_;
  std::string buffer_;
  std::uint64_t start_ = 0;
};

// Similarities are estimates from 64-value sketches: three decimals say all they know.
double Round3(double x) { return std::round(x * 1000) / 1000; }

}  // namespace

struct DedupWriter::Impl {
  Impl(std::unique_ptr<io::DocumentWriter> out, const DedupOptions& opts)
      : output(std::move(out)),
        options(opts),
        fingerprinter(opts.fingerprint),
        clusterer(opts.cluster),
        spool(opts.spool_dir) {}

  std::unique_ptr<io::DocumentWriter> output;
  DedupOptions options;
  Fingerprinter fingerprinter;
  Clusterer clusterer;
  std::unique_ptr<io::AtomicFile> report;
  Spool spool;
  std::vector<std::uint64_t> offsets;  // where each document's record starts in the spool
  bool committed = false, commit_started = false;

  bool Interrupted() const {
    return options.interrupt != nullptr && options.interrupt->load(std::memory_order_relaxed);
  }
  std::uint64_t RecordEnd(std::uint32_t i) const { return i + 1 < offsets.size() ? offsets[i + 1] : spool.size(); }
};

DedupWriter::DedupWriter(std::unique_ptr<io::DocumentWriter> output, DedupOptions options) {
  if (!output) throw std::invalid_argument("DedupWriter: no output writer");
  if (options.cluster.max_distance < 0 || options.cluster.max_distance > HammingIndex::kMaxDistance)
    throw ConfigError("dedup: the Hamming distance must be 0 to " + std::to_string(HammingIndex::kMaxDistance) +
                      ", not " + std::to_string(options.cluster.max_distance));
  try {
    impl_ = std::make_unique<Impl>(std::move(output), options);
  } catch (const std::invalid_argument& e) {
    // The Fingerprinter and the Clusterer check their own ranges; to a caller both are options.
    throw ConfigError(std::string("dedup: ") + e.what());
  }
  // Opened now rather than at Commit(): an unwritable report path stops the run before the
  // corpus is read, not after.
  if (!options.report_path.empty()) impl_->report = std::make_unique<io::AtomicFile>(options.report_path);
}

DedupWriter::~DedupWriter() = default;

std::string DedupWriter::Encode(const Document& doc) const {
  // The fingerprinter's view starts with OpenCC's t2s, whose count of changed characters is what
  // the default keep policy needs for a document whose metadata does not say (raw input that did
  // not come through zhcanon-t2s): it tells a Simplified original (about 0) from a Traditional
  // copy (most Han characters). 0 when variants are not folded (no OpenCC data).
  std::uint64_t t2s_changed = 0;
  const Fingerprint fp = impl_->fingerprinter.Compute(doc.text, &t2s_changed);
  std::int64_t converted = ConvertedChars(doc.metadata);
  if (converted < 0) converted = static_cast<std::int64_t>(std::min<std::uint64_t>(t2s_changed, INT64_MAX));
  converted = std::max<std::int64_t>(0, converted);
  std::string out;
  out.reserve(kHeaderSize + doc.id.size() + doc.text.size() + 256);
  out.append(kMagic);
  out.append(reinterpret_cast<const char*>(&fp), sizeof fp);
  out.append(reinterpret_cast<const char*>(&converted), sizeof converted);
  AppendRecord(out, doc);
  return out;
}

void DedupWriter::WriteEncoded(const Document& doc, std::string_view bytes) {
  Impl& m = *impl_;
  if (m.committed) throw std::logic_error("DedupWriter::WriteEncoded after Commit");
  if (bytes.size() < kHeaderSize || bytes.substr(0, kMagic.size()) != kMagic)
    throw std::invalid_argument("DedupWriter::WriteEncoded: the bytes did not come from DedupWriter::Encode");
  if (m.offsets.size() >= std::numeric_limits<std::uint32_t>::max())
    throw ConfigError("dedup: more than 4294967294 documents in one run");
  Fingerprint fp;
  std::memcpy(&fp, bytes.data() + kMagic.size(), sizeof fp);
  std::int64_t converted = 0;
  std::memcpy(&converted, bytes.data() + kMagic.size() + sizeof fp, sizeof converted);
  const std::uint64_t offset = m.spool.size();
  m.spool.Append(bytes.substr(kHeaderSize));  // first: a failed write adds nothing
  m.offsets.push_back(offset);
  m.clusterer.Add({.fingerprint = fp,
                   .converted_chars = converted,
                   .date = doc.metadata.date,
                   .length = doc.text.size()});
}

void DedupWriter::Commit() {
  Impl& m = *impl_;
  if (m.committed) return;
  // A Commit that threw may have written part of the output: doing it again would repeat it.
  if (m.commit_started) throw std::logic_error("DedupWriter::Commit after a failed Commit");
  m.commit_started = true;
  m.spool.Flush();
  const Clustering result = m.clusterer.Run();
  const auto n = static_cast<std::uint32_t>(m.offsets.size());
  if (result.canonical_of.size() != n) throw std::logic_error("dedup: the clustering lost documents");
  if (m.Interrupted()) throw Interrupted();

  // The ids of clustered documents (only those: the others' ids are not needed before the
  // final pass), read from the heads of their records in spool order.
  std::unordered_map<std::uint32_t, std::uint32_t> cluster_of_canonical;  // canonical -> index in clusters
  struct Slot {
    std::uint32_t doc, cluster, member;
  };
  std::vector<Slot> clustered;
  std::vector<std::vector<std::string>> member_ids(result.clusters.size());
  for (std::uint32_t c = 0; c < result.clusters.size(); ++c) {
    const Cluster& cluster = result.clusters[c];
    cluster_of_canonical.emplace(cluster.canonical, c);
    member_ids[c].resize(cluster.members.size());
    for (std::uint32_t k = 0; k < cluster.members.size(); ++k) clustered.push_back({cluster.members[k].doc, c, k});
  }
  std::sort(clustered.begin(), clustered.end(), [](const Slot& a, const Slot& b) { return a.doc < b.doc; });
  // A document is dropped only when the report lists it: whatever the clustering says, nothing
  // leaves the run without a trace.
  std::vector<bool> listed(n, false);
  for (const Slot& slot : clustered)
    if (slot.doc < n) listed[slot.doc] = true;
  std::string head;
  for (const Slot& slot : clustered) {
    if (slot.doc >= n) throw std::logic_error("dedup: the clustering named an unknown document");
    const std::uint64_t start = m.offsets[slot.doc], room = m.RecordEnd(slot.doc) - start;
    m.spool.ReadAt(start, sizeof(std::uint64_t), head);
    std::uint64_t size = 0;
    if (head.size() == sizeof size) std::memcpy(&size, head.data(), sizeof size);
    if (head.size() != sizeof size || size > room - sizeof size)
      throw IoError("dedup: the spool file is damaged (read back short)");
    m.spool.ReadAt(start + sizeof size, size, member_ids[slot.cluster][slot.member]);
  }

  if (m.report) {
    std::string lines;
    for (std::uint32_t c = 0; c < result.clusters.size(); ++c) {
      const Cluster& cluster = result.clusters[c];
      ordered_json members = ordered_json::array();
      std::string canonical_id;
      for (std::size_t k = 0; k < cluster.members.size(); ++k) {
        const Member& mem = cluster.members[k];
        if (mem.doc == cluster.canonical) canonical_id = member_ids[c][k];
        ordered_json j = {{"id", member_ids[c][k]},
                          {"kind", MatchKindName(mem.kind)},
                          {"distance", mem.distance},
                          {"similarity", Round3(mem.similarity)},
                          {"containment", Round3(mem.containment)}};
        if (!mem.reason.empty()) j["reason"] = mem.reason;
        members.push_back(std::move(j));
      }
      ordered_json line = {{"cluster", c + 1},
                           {"canonical", canonical_id},
                           {"size", cluster.members.size()},
                           {"members", std::move(members)}};
      lines += line.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
      lines += '\n';
      if (lines.size() >= (1 << 20)) {
        m.report->Write(lines);
        lines.clear();
      }
    }
    m.report->Write(lines);
  }

  // The canonical corpus: every document that is its own canonical, in input order.
  SpoolReader reader(m.spool);
  std::uint64_t written = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (result.canonical_of[i] != i && listed[i]) continue;
    if ((written & 1023) == 0 && m.Interrupted()) throw Interrupted();
    Document doc = ParseRecord(reader.Read(m.offsets[i], m.RecordEnd(i) - m.offsets[i]));
    if (auto it = cluster_of_canonical.find(i); it != cluster_of_canonical.end()) {
      const Cluster& cluster = result.clusters[it->second];
      ordered_json duplicates = ordered_json::array();
      for (std::size_t k = 0; k < cluster.members.size(); ++k)
        if (cluster.members[k].doc != i) duplicates.push_back(member_ids[it->second][k]);
      doc.metadata.extra["duplicates"] = std::move(duplicates);
      doc.metadata.extra["dedup_cluster"] = it->second + 1;
    }
    m.output->Write(doc);
    ++written;
  }
  if (m.Interrupted()) throw Interrupted();

  if (m.report) m.report->Commit();
  m.output->Commit();
  m.committed = true;
  stats_.clusters = result.stats;
  stats_.documents_in = n;
  stats_.documents_out = written;
  stats_.cluster_count = result.clusters.size();
}

}  // namespace zhcanon::dedup
