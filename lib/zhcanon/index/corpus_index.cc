#include "zhcanon/index/corpus_index.h"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "zhcanon/core/error.h"
#include "zhcanon/core/version.h"
#include "zhcanon/dedup/hamming_index.h"

namespace fs = std::filesystem;

namespace zhcanon::index {

namespace {

// SQLite integers are signed: 64-bit hashes are stored bit for bit as int64.
std::int64_t ToSql(std::uint64_t v) { return std::bit_cast<std::int64_t>(v); }
std::uint64_t FromSql(std::int64_t v) { return std::bit_cast<std::uint64_t>(v); }

std::string UtcNow() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string DoubleText(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Every SQLite failure names the database and what zhcanon was doing, so that "database is
// locked" or "disk I/O error" can be acted on.
[[noreturn]] void Fail(sqlite3* db, const std::string& path, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string msg = "index '" + path + "': " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  if ((code & 0xff) == SQLITE_NOTADB) throw ConfigError("index '" + path + "': not a zhcanon index (not a SQLite database)");
  if ((code & 0xff) == SQLITE_BUSY)
    msg += " (another process holds the write lock; it waited for the busy timeout)";
  throw IoError(msg);
}

// A prepared statement that resets itself after use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const std::string& path, std::string_view sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK)
      Fail(db, path, "preparing \"" + std::string(sql.substr(0, 60)) + "\"");
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), path_(std::move(o.path_)), stmt_(std::exchange(o.stmt_, nullptr)) {}
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(path_, o.path_);
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }

  Stmt& Bind(int i, std::int64_t v) {
    Check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    Check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    Check(sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT));
    return *this;
  }
  /// True while there is a row; resets the statement when done.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    sqlite3_reset(stmt_);
    if (rc == SQLITE_DONE) return false;
    sqlite3_clear_bindings(stmt_);
    Fail(db_, path_, "running \"" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + "\"");
  }
  void Run() {
    while (Step()) {
    }
  }
  void Reset() { sqlite3_reset(stmt_); }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::string_view Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail(db_, path_, "binding a parameter");
  }
  sqlite3* db_ = nullptr;
  std::string path_;  // a copy: the statement may outlive a moved-from CorpusIndex's string
  sqlite3_stmt* stmt_ = nullptr;
};

void Exec(sqlite3* db, const std::string& path, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    Fail(db, path, "running \"" + sql.substr(0, 60) + "\"");
  }
}

std::int64_t QueryInt(sqlite3* db, const std::string& path, const std::string& sql) {
  Stmt s(db, path, sql);
  std::int64_t v = 0;
  if (s.Step()) {
    v = s.Int(0);
    s.Reset();
  }
  return v;
}

std::string BlockColumn(int i) { return "b" + std::to_string(i); }

// A batch inserts into k + 4 B-trees at random keys: with SQLite's default 2 MB cache a large
// batch spills pages into the WAL again and again. The cache is allocated as it fills, so a
// small batch does not pay for the limit.
const std::string kWriterCache = "PRAGMA cache_size=-262144";  // 256 MiB

// --- Fingerprint layout --------------------------------------------------------------------

constexpr std::uint8_t kFingerprintFormat = 1;
constexpr std::size_t kFingerprintBytes =
    4 + 3 * 8 + 3 * 4 + dedup::kSketchSize * 2 + dedup::kParagraphSamples * 8;

template <typename T>
void Put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
}

template <typename T>
T Get(const unsigned char*& p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  p += sizeof(T);
  return static_cast<T>(v);
}

std::string LayoutName() {
  return std::to_string(kFingerprintFormat) + "/" + std::to_string(dedup::kSketchSize) + "/" +
         std::to_string(dedup::kParagraphSamples);
}

// --- Settings in the meta table ------------------------------------------------------------

std::map<std::string, std::string> SettingsToMeta(const IndexSettings& s) {
  const auto& f = s.fingerprint;
  const auto& c = s.cluster;
  return {
      {"max_distance", std::to_string(s.max_distance)},
      {"fingerprint.layout", LayoutName()},
      {"fingerprint.tokenizer", std::string(dedup::TokenizerName(f.tokenizer))},
      {"fingerprint.ngram", std::to_string(f.ngram)},
      {"fingerprint.weighting", std::string(dedup::WeightingName(f.weighting))},
      {"fingerprint.fold_variants", f.fold_variants ? "1" : "0"},
      {"fingerprint.min_features", std::to_string(f.min_features)},
      {"fingerprint.min_paragraph_chars", std::to_string(f.min_paragraph_chars)},
      {"cluster.paragraph_candidates", c.paragraph_candidates ? "1" : "0"},
      {"cluster.max_paragraph_bucket", std::to_string(c.max_paragraph_bucket)},
      {"cluster.verify", c.verify ? "1" : "0"},
      {"cluster.min_jaccard", DoubleText(c.min_jaccard)},
      {"cluster.min_containment", DoubleText(c.min_containment)},
      {"pipeline", s.pipeline},
  };
}

// The ranges dedup::Fingerprinter and dedup::Clusterer accept (they throw ConfigError and
// std::invalid_argument outside them), so that neither Create nor Open lets settings through
// that a later Checker or `index add` would stop on.
void ValidateSettings(const IndexSettings& s) {
  dedup::CheckFingerprintOptions(s.fingerprint);  // ConfigError
  dedup::ClusterOptions cluster = s.cluster;
  cluster.max_distance = s.max_distance;  // the index's distance is what check clusters with at most
  try {
    dedup::CheckClusterOptions(cluster);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

IndexSettings SettingsFromMeta(const std::map<std::string, std::string>& meta, const std::string& path) {
  auto get = [&](const std::string& key) -> const std::string& {
    auto it = meta.find(key);
    if (it == meta.end()) throw ConfigError("index '" + path + "': meta table has no '" + key + "'");
    return it->second;
  };
  auto get_int = [&](const std::string& key) {
    const std::string& v = get(key);
    int out = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size())
      throw ConfigError("index '" + path + "': meta '" + key + "' is not an integer: '" + v + "'");
    return out;
  };
  auto get_double = [&](const std::string& key) {
    const std::string& v = get(key);
    double out = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size())
      throw ConfigError("index '" + path + "': meta '" + key + "' is not a number: '" + v + "'");
    return out;
  };
  if (get("fingerprint.layout") != LayoutName())
    throw ConfigError("index '" + path + "' stores fingerprints in layout " + get("fingerprint.layout") +
                      ", this build uses " + LayoutName() + ": rebuild it with `zhcanon index build`");
  IndexSettings s;
  try {
    s.max_distance = get_int("max_distance");
    s.fingerprint.tokenizer = dedup::ParseTokenizer(get("fingerprint.tokenizer"));
    s.fingerprint.ngram = get_int("fingerprint.ngram");
    s.fingerprint.weighting = dedup::ParseWeighting(get("fingerprint.weighting"));
    s.fingerprint.fold_variants = get_int("fingerprint.fold_variants") != 0;
    s.fingerprint.min_features = get_int("fingerprint.min_features");
    s.fingerprint.min_paragraph_chars = get_int("fingerprint.min_paragraph_chars");
    s.cluster.paragraph_candidates = get_int("cluster.paragraph_candidates") != 0;
    s.cluster.max_paragraph_bucket = get_int("cluster.max_paragraph_bucket");
    s.cluster.verify = get_int("cluster.verify") != 0;
    s.cluster.min_jaccard = get_double("cluster.min_jaccard");
    s.cluster.min_containment = get_double("cluster.min_containment");
    s.cluster.max_distance = s.max_distance;
    s.pipeline = get("pipeline");
  } catch (const std::invalid_argument& e) {
    throw ConfigError("index '" + path + "': " + e.what());
  }
  // A damaged or hand-edited meta table (found by tests/fuzz/index_reader_fuzzer.cc: a
  // min_containment of 1.9) must stop Open with a ConfigError, not the Checker built from these
  // settings later with std::invalid_argument, which `zhcanon check` does not catch.
  try {
    ValidateSettings(s);
  } catch (const ConfigError& e) {
    throw ConfigError("index '" + path + "': meta table: " + e.what());
  }
  return s;
}

}  // namespace

// --- Public helpers ------------------------------------------------------------------------

std::vector<std::uint64_t> SimhashBlocks(std::uint64_t simhash, int max_distance) {
  const int n = max_distance + 1;
  std::vector<std::uint64_t> blocks;
  blocks.reserve(static_cast<std::size_t>(n));
  int offset = 0;
  for (int i = 0; i < n; ++i) {
    const int width = 64 / n + (i < 64 % n ? 1 : 0);
    const std::uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
    blocks.push_back((simhash >> offset) & mask);
    offset += width;
  }
  return blocks;
}

std::string EncodeFingerprint(const dedup::Fingerprint& fp) {
  std::string out;
  out.reserve(kFingerprintBytes);
  Put<std::uint8_t>(out, kFingerprintFormat);
  Put<std::uint8_t>(out, dedup::kSketchSize);
  Put<std::uint8_t>(out, dedup::kParagraphSamples);
  Put<std::uint8_t>(out, fp.short_text ? 1 : 0);
  Put(out, fp.exact_hi);
  Put(out, fp.exact_lo);
  Put(out, fp.simhash);
  Put(out, fp.features);
  Put(out, fp.view_chars);
  Put(out, fp.paragraph_count);
  for (std::uint16_t v : fp.sketch) Put(out, v);
  for (std::uint64_t v : fp.paragraphs) Put(out, v);
  return out;
}

bool DecodeFingerprint(std::string_view blob, dedup::Fingerprint& fp) {
  if (blob.size() != kFingerprintBytes) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (p[0] != kFingerprintFormat || p[1] != dedup::kSketchSize || p[2] != dedup::kParagraphSamples || p[3] > 1)
    return false;
  fp.short_text = p[3] == 1;
  p += 4;
  fp.exact_hi = Get<std::uint64_t>(p);
  fp.exact_lo = Get<std::uint64_t>(p);
  fp.simhash = Get<std::uint64_t>(p);
  fp.features = Get<std::uint32_t>(p);
  fp.view_chars = Get<std::uint32_t>(p);
  fp.paragraph_count = Get<std::uint32_t>(p);
  for (std::uint16_t& v : fp.sketch) v = Get<std::uint16_t>(p);
  for (std::uint64_t& v : fp.paragraphs) v = Get<std::uint64_t>(p);
  return true;
}

// --- CorpusIndex ---------------------------------------------------------------------------

struct CorpusIndex::Statements {
  Stmt insert_doc, insert_paragraph, delete_doc, delete_paragraph, find_id, get, exact, paragraph;
  std::vector<Stmt> block;  // per block: rowid and simhash of the rows with that block value
  Stmt insert_batch, update_batch;
};

CorpusIndex::CorpusIndex(CorpusIndex&& o) noexcept { *this = std::move(o); }

CorpusIndex& CorpusIndex::operator=(CorpusIndex&& o) noexcept {
  if (this != &o) {
    Close();
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
    settings_ = std::move(o.settings_);
    in_batch_ = std::exchange(o.in_batch_, false);
    batch_ = o.batch_;
    batch_added_ = o.batch_added_;
    batch_removed_ = o.batch_removed_;
    statements_ = std::move(o.statements_);
  }
  return *this;
}

CorpusIndex::~CorpusIndex() { Close(); }

void CorpusIndex::Close() noexcept {
  if (db_ == nullptr) return;
  if (in_batch_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  in_batch_ = false;
  statements_.reset();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

namespace {

sqlite3* OpenConnection(const std::string& path, int flags, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open index '" + path + "': " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    throw IoError(msg);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // An index is a file from elsewhere (a CI artifact, a download): its schema must not run
  // code on our reads. The index has no views, and a view can hold a recursive query that never
  // ends (a `meta` view made `zhcanon check` hang: tests/fuzz/regressions/index_reader/
  // meta_recursive_view.db); untrusted schema functions are off as SQLite's "defense against
  // the dark arts" advises.
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  return db;
}

}  // namespace

CorpusIndex CorpusIndex::Create(const std::string& path, const IndexSettings& settings) {
  ValidateSettings(settings);
  std::error_code ec;
  if (fs::exists(path, ec)) throw IoError("index '" + path + "' already exists");
  CorpusIndex index;
  index.path_ = path;
  index.settings_ = settings;
  index.settings_.cluster.max_distance = settings.max_distance;
  index.db_ = OpenConnection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE, 10000);
  sqlite3* db = index.db_;
  // WAL: readers do not block the writer nor the writer them; it must be set outside a
  // transaction, and it is persistent (every later connection uses it).
  Exec(db, path, "PRAGMA journal_mode=WAL");
  Exec(db, path, "PRAGMA synchronous=FULL");
  Exec(db, path, kWriterCache);
  Exec(db, path, "BEGIN IMMEDIATE");
  std::string sql =
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE batches(batch INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, command TEXT NOT NULL,"
      " started TEXT NOT NULL, committed TEXT NOT NULL, added INTEGER NOT NULL DEFAULT 0,"
      " removed INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE documents(doc INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
      " path TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL,"
      " exact_hi INTEGER NOT NULL, exact_lo INTEGER NOT NULL, simhash INTEGER NOT NULL,"
      " short_text INTEGER NOT NULL, converted_chars INTEGER NOT NULL, length INTEGER NOT NULL,"
      " batch INTEGER NOT NULL, fingerprint BLOB NOT NULL";
  for (int i = 0; i <= settings.max_distance; ++i) sql += ", " + BlockColumn(i) + " INTEGER NOT NULL";
  sql += ");";
  sql += "CREATE INDEX documents_exact ON documents(exact_lo, exact_hi);";
  // (block, simhash): the popcount check reads the index alone, never the table.
  for (int i = 0; i <= settings.max_distance; ++i)
    sql += "CREATE INDEX documents_" + BlockColumn(i) + " ON documents(" + BlockColumn(i) + ", simhash);";
  sql += "CREATE TABLE paragraphs(hash INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(hash, doc)) WITHOUT ROWID;";
  Exec(db, path, sql);
  {
    Stmt put(db, path, "INSERT INTO meta(key, value) VALUES(?1, ?2)");
    auto meta = SettingsToMeta(index.settings_);
    meta["created"] = UtcNow();
    meta["zhcanon_version"] = kVersion;
    for (const auto& [k, v] : meta) put.Bind(1, k).Bind(2, v).Run();
  }
  Exec(db, path, "PRAGMA application_id=" + std::to_string(kApplicationId));
  Exec(db, path, "PRAGMA user_version=" + std::to_string(kSchemaVersion));
  Exec(db, path, "COMMIT");
  index.Prepare();
  return index;
}

CorpusIndex CorpusIndex::Open(const std::string& path, OpenMode mode, int busy_timeout_ms) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError("index '" + path + "' does not exist (create it with `zhcanon index build`)");
  if (fs::is_directory(path, ec)) throw IoError("index '" + path + "' is a directory");
  CorpusIndex index;
  index.path_ = path;
  index.db_ = OpenConnection(path, mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                             busy_timeout_ms);
  sqlite3* db = index.db_;
  const std::int64_t app = QueryInt(db, path, "PRAGMA application_id");
  const std::int64_t version = QueryInt(db, path, "PRAGMA user_version");
  if (app != kApplicationId) throw ConfigError("index '" + path + "': not a zhcanon index (application_id " + std::to_string(app) + ")");
  if (version != kSchemaVersion)
    throw ConfigError("index '" + path + "' has schema version " + std::to_string(version) + "; this zhcanon reads version " +
                      std::to_string(kSchemaVersion) + (version > kSchemaVersion ? " (made by a newer zhcanon)" : ""));
  // Views are disabled on our connections (OpenConnection): name one as what it is rather than
  // failing on the first read of it.
  if (QueryInt(db, path, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'") != 0)
    throw ConfigError("index '" + path + "': not a zhcanon index (its schema has views)");
  if (mode == OpenMode::kReadWrite) {
    Exec(db, path, "PRAGMA synchronous=FULL");
    Exec(db, path, kWriterCache);
  }
  std::map<std::string, std::string> meta;
  {
    Stmt s(db, path, "SELECT key, value FROM meta");
    while (s.Step()) meta[s.Text(0)] = s.Text(1);
  }
  index.settings_ = SettingsFromMeta(meta, path);
  index.Prepare();
  return index;
}

void CorpusIndex::Prepare() {
  auto s = std::make_unique<Statements>();
  const std::string& p = path_;
  std::string cols = "id, path, title, date, exact_hi, exact_lo, simhash, short_text, converted_chars, length, batch, fingerprint";
  std::string vals = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12";
  for (int i = 0; i <= settings_.max_distance; ++i) {
    cols += ", " + BlockColumn(i);
    vals += ", ?" + std::to_string(13 + i);
  }
  s->insert_doc = Stmt(db_, p, "INSERT INTO documents(" + cols + ") VALUES(" + vals + ")");
  s->insert_paragraph = Stmt(db_, p, "INSERT OR IGNORE INTO paragraphs(hash, doc) VALUES(?1, ?2)");
  s->delete_doc = Stmt(db_, p, "DELETE FROM documents WHERE doc = ?1");
  s->delete_paragraph = Stmt(db_, p, "DELETE FROM paragraphs WHERE hash = ?1 AND doc = ?2");
  const std::string fields = "doc, id, path, title, date, converted_chars, length, batch, fingerprint";
  s->find_id = Stmt(db_, p, "SELECT " + fields + " FROM documents WHERE id = ?1");
  s->get = Stmt(db_, p, "SELECT " + fields + " FROM documents WHERE doc = ?1");
  s->exact = Stmt(db_, p, "SELECT doc FROM documents WHERE exact_lo = ?1 AND exact_hi = ?2");
  s->paragraph = Stmt(db_, p, "SELECT doc FROM paragraphs WHERE hash = ?1 LIMIT ?2");
  for (int i = 0; i <= settings_.max_distance; ++i)
    s->block.emplace_back(db_, p, "SELECT doc, simhash FROM documents WHERE " + BlockColumn(i) + " = ?1");
  s->insert_batch = Stmt(db_, p, "INSERT INTO batches(kind, command, started, committed) VALUES(?1, ?2, ?3, ?3)");
  s->update_batch = Stmt(db_, p, "UPDATE batches SET committed = ?1, added = ?2, removed = ?3 WHERE batch = ?4");
  statements_ = std::move(s);
}

void CorpusIndex::BeginBatch(std::string_view kind, std::string_view command) {
  if (in_batch_) throw std::logic_error("CorpusIndex::BeginBatch: a batch is already open");
  // IMMEDIATE takes the write lock now (waiting for another writer up to the busy timeout)
  // instead of failing halfway through the batch when a read turns into a write.
  Exec(db_, path_, "BEGIN IMMEDIATE");
  in_batch_ = true;
  batch_added_ = batch_removed_ = 0;
  try {
    statements_->insert_batch.Bind(1, kind).Bind(2, command).Bind(3, UtcNow()).Run();
  } catch (...) {
    RollbackBatch();
    throw;
  }
  batch_ = sqlite3_last_insert_rowid(db_);
}

AddResult CorpusIndex::Add(const IndexedDocument& doc, bool replace) {
  if (!in_batch_) throw std::logic_error("CorpusIndex::Add outside a batch");
  AddResult result = AddResult::kAdded;
  if (auto old = Find(doc.id)) {
    if (!replace) return AddResult::kExists;
    Remove(doc.id);
    result = AddResult::kReplaced;
  }
  const dedup::Fingerprint& fp = doc.entry.fingerprint;
  Stmt& ins = statements_->insert_doc;
  ins.Bind(1, doc.id).Bind(2, doc.path).Bind(3, doc.title).Bind(4, doc.entry.date);
  ins.Bind(5, ToSql(fp.exact_hi)).Bind(6, ToSql(fp.exact_lo)).Bind(7, ToSql(fp.simhash));
  ins.Bind(8, fp.short_text ? 1 : 0).Bind(9, doc.entry.converted_chars).Bind(10, ToSql(doc.entry.length));
  ins.Bind(11, batch_).BindBlob(12, EncodeFingerprint(fp));
  const auto blocks = SimhashBlocks(fp.simhash, settings_.max_distance);
  for (std::size_t i = 0; i < blocks.size(); ++i) ins.Bind(13 + static_cast<int>(i), ToSql(blocks[i]));
  ins.Run();
  const std::int64_t rowid = sqlite3_last_insert_rowid(db_);
  for (std::uint64_t h : fp.paragraphs)
    if (h != 0) statements_->insert_paragraph.Bind(1, ToSql(h)).Bind(2, rowid).Run();
  ++batch_added_;
  return result;
}

bool CorpusIndex::Remove(std::string_view id) {
  if (!in_batch_) throw std::logic_error("CorpusIndex::Remove outside a batch");
  auto old = Find(id);
  if (!old) return false;
  for (std::uint64_t h : old->entry.fingerprint.paragraphs)
    if (h != 0) statements_->delete_paragraph.Bind(1, ToSql(h)).Bind(2, old->rowid).Run();
  statements_->delete_doc.Bind(1, old->rowid).Run();
  ++batch_removed_;
  return true;
}

void CorpusIndex::CommitBatch() {
  if (!in_batch_) throw std::logic_error("CorpusIndex::CommitBatch: no batch is open");
  try {
    statements_->update_batch.Bind(1, UtcNow()).Bind(2, batch_added_).Bind(3, batch_removed_).Bind(4, batch_).Run();
    Exec(db_, path_, "COMMIT");
  } catch (...) {
    RollbackBatch();
    throw;
  }
  in_batch_ = false;
}

void CorpusIndex::RollbackBatch() {
  if (!in_batch_) return;
  in_batch_ = false;
  // After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite has already rolled back; a second
  // ROLLBACK then fails harmlessly.
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::vector<std::int64_t> CorpusIndex::Candidates(const dedup::Fingerprint& fp, int distance,
                                                  int paragraph_bucket_limit) const {
  if (distance < 0 || distance > settings_.max_distance)
    throw std::invalid_argument("distance " + std::to_string(distance) + " is beyond the index's max distance " +
                                std::to_string(settings_.max_distance) + " (rebuild it with a larger --distance)");
  std::vector<std::int64_t> out;
  Stmt& exact = statements_->exact;
  exact.Bind(1, ToSql(fp.exact_lo)).Bind(2, ToSql(fp.exact_hi));
  while (exact.Step()) out.push_back(exact.Int(0));
  // Pigeonhole: within distance <= max_distance, at least one of the max_distance + 1 blocks
  // is equal, so every such row is found by one of these lookups.
  const auto blocks = SimhashBlocks(fp.simhash, settings_.max_distance);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    Stmt& s = statements_->block[i];
    s.Bind(1, ToSql(blocks[i]));
    while (s.Step())
      if (dedup::HammingDistance(FromSql(s.Int(1)), fp.simhash) <= distance) out.push_back(s.Int(0));
  }
  if (paragraph_bucket_limit > 0) {
    std::vector<std::int64_t> bucket;
    for (std::uint64_t h : fp.paragraphs) {
      if (h == 0) continue;
      bucket.clear();
      Stmt& s = statements_->paragraph;
      s.Bind(1, ToSql(h)).Bind(2, paragraph_bucket_limit);
      while (s.Step()) bucket.push_back(s.Int(0));
      if (static_cast<int>(bucket.size()) < paragraph_bucket_limit) out.insert(out.end(), bucket.begin(), bucket.end());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

IndexedDocument RowToDocument(const Stmt& s, const std::string& path) {
  IndexedDocument d;
  d.rowid = s.Int(0);
  d.id = s.Text(1);
  d.path = s.Text(2);
  d.title = s.Text(3);
  d.entry.date = s.Text(4);
  d.entry.converted_chars = s.Int(5);
  d.entry.length = FromSql(s.Int(6));
  d.batch = s.Int(7);
  if (!DecodeFingerprint(s.Blob(8), d.entry.fingerprint))
    throw ConfigError("index '" + path + "': document '" + d.id + "' has a damaged fingerprint");
  return d;
}

}  // namespace

std::optional<IndexedDocument> CorpusIndex::Get(std::int64_t rowid) const {
  Stmt& s = statements_->get;
  s.Bind(1, rowid);
  if (!s.Step()) return std::nullopt;
  IndexedDocument d = RowToDocument(s, path_);
  s.Reset();
  return d;
}

std::optional<IndexedDocument> CorpusIndex::Find(std::string_view id) const {
  Stmt& s = statements_->find_id;
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  IndexedDocument d = RowToDocument(s, path_);
  s.Reset();
  // A damaged id index can lead SQLite to another row without reporting corruption (found by
  // tests/fuzz/index_reader_fuzzer.cc: regressions/index_reader/damaged_id_index_finds_other_row.db).
  // Add(replace) and Remove act on what Find returns: they must not delete another document.
  if (d.id != id)
    throw ConfigError("index '" + path_ + "' is damaged: looking up document '" + std::string(id) + "' found '" +
                      d.id + "' (check it with `zhcanon index stats --verify`)");
  return d;
}

void CorpusIndex::ForEach(const std::function<void(const IndexedDocument&)>& fn) const {
  Stmt s(db_, path_,
         "SELECT doc, id, path, title, date, converted_chars, length, batch, fingerprint FROM documents ORDER BY doc");
  while (s.Step()) fn(RowToDocument(s, path_));
}

IndexStats CorpusIndex::Stats() const {
  IndexStats st;
  st.documents = QueryInt(db_, path_, "SELECT count(*) FROM documents");
  st.short_texts = QueryInt(db_, path_, "SELECT count(*) FROM documents WHERE short_text != 0");
  st.paragraph_rows = QueryInt(db_, path_, "SELECT count(*) FROM paragraphs");
  st.batches = QueryInt(db_, path_, "SELECT count(*) FROM batches");
  st.schema_version = static_cast<int>(QueryInt(db_, path_, "PRAGMA user_version"));
  {
    Stmt s(db_, path_, "SELECT key, value FROM meta WHERE key IN ('created', 'zhcanon_version')");
    while (s.Step()) (s.Text(0) == "created" ? st.created : st.zhcanon_version) = s.Text(1);
  }
  {
    Stmt s(db_, path_, "SELECT committed FROM batches ORDER BY batch DESC LIMIT 1");
    if (s.Step()) {
      st.last_batch = s.Text(0);
      s.Reset();
    }
  }
  std::error_code ec;
  auto size = fs::file_size(path_, ec);
  st.file_bytes = ec ? 0 : static_cast<std::int64_t>(size);
  size = fs::file_size(path_ + "-wal", ec);
  st.wal_bytes = ec ? 0 : static_cast<std::int64_t>(size);
  return st;
}

std::int64_t CorpusIndex::DocumentCount() const {
  return QueryInt(db_, path_, "SELECT coalesce(sum(added - removed), 0) FROM batches");
}

std::vector<std::string> CorpusIndex::Verify() const {
  std::vector<std::string> problems;
  {
    Stmt s(db_, path_, "PRAGMA integrity_check");
    while (s.Step())
      if (std::string line = s.Text(0); line != "ok") problems.push_back("sqlite: " + line);
  }
  if (!problems.empty()) return problems;  // the rest reads tables that may be broken

  const std::int64_t docs = QueryInt(db_, path_, "SELECT count(*) FROM documents");
  const std::int64_t net = QueryInt(db_, path_, "SELECT coalesce(sum(added - removed), 0) FROM batches");
  if (docs != net)
    problems.push_back("documents: " + std::to_string(docs) + " rows, but the batches added " + std::to_string(net) +
                       " (added - removed)");
  if (std::int64_t n = QueryInt(db_, path_, "SELECT count(*) FROM documents WHERE batch NOT IN (SELECT batch FROM batches)"))
    problems.push_back("documents: " + std::to_string(n) + " rows of a batch that is not in the batches table");
  if (std::int64_t n = QueryInt(db_, path_, "SELECT count(*) FROM paragraphs WHERE doc NOT IN (SELECT doc FROM documents)"))
    problems.push_back("paragraphs: " + std::to_string(n) + " rows whose document is not in the index");

  // Every document's derived columns and paragraph rows must agree with its fingerprint.
  std::string sql = "SELECT doc, id, exact_hi, exact_lo, simhash, short_text, fingerprint";
  for (int i = 0; i <= settings_.max_distance; ++i) sql += ", " + BlockColumn(i);
  sql += " FROM documents ORDER BY doc";
  Stmt s(db_, path_, sql);
  Stmt para(db_, path_, "SELECT count(*) FROM paragraphs WHERE hash = ?1 AND doc = ?2");
  std::int64_t expected_paragraph_rows = 0;
  constexpr std::size_t kMaxReported = 20;
  while (s.Step()) {
    if (problems.size() >= kMaxReported) {
      problems.push_back("… (stopped after " + std::to_string(kMaxReported) + " problems)");
      s.Reset();
      break;
    }
    const std::string id = s.Text(1);
    dedup::Fingerprint fp;
    if (!DecodeFingerprint(s.Blob(6), fp)) {
      problems.push_back("document '" + id + "': damaged fingerprint blob");
      continue;
    }
    if (FromSql(s.Int(2)) != fp.exact_hi || FromSql(s.Int(3)) != fp.exact_lo || FromSql(s.Int(4)) != fp.simhash ||
        (s.Int(5) != 0) != fp.short_text)
      problems.push_back("document '" + id + "': hash columns differ from its fingerprint");
    const auto blocks = SimhashBlocks(fp.simhash, settings_.max_distance);
    for (std::size_t i = 0; i < blocks.size(); ++i)
      if (FromSql(s.Int(7 + static_cast<int>(i))) != blocks[i])
        problems.push_back("document '" + id + "': block column " + BlockColumn(static_cast<int>(i)) + " is wrong");
    std::set<std::uint64_t> distinct;
    for (std::uint64_t h : fp.paragraphs)
      if (h != 0) distinct.insert(h);
    expected_paragraph_rows += static_cast<std::int64_t>(distinct.size());
    for (std::uint64_t h : distinct) {
      para.Bind(1, ToSql(h)).Bind(2, s.Int(0));
      para.Step();
      const bool present = para.Int(0) == 1;
      para.Reset();
      if (!present) problems.push_back("document '" + id + "': a paragraph row is missing");
    }
  }
  if (problems.empty()) {
    const std::int64_t rows = QueryInt(db_, path_, "SELECT count(*) FROM paragraphs");
    if (rows != expected_paragraph_rows)
      problems.push_back("paragraphs: " + std::to_string(rows) + " rows, the documents' fingerprints give " +
                         std::to_string(expected_paragraph_rows));
  }
  return problems;
}

}  // namespace zhcanon::index
