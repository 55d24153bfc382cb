// Fuzzes the corpus index reader: the bytes as an index database file, opened read-only the way
// `zhcanon check` and `zhcanon index stats --verify` open it, then read every way they read it
// (Stats, DocumentCount, Verify, ForEach, Find, Get, Candidates, and one Checker query).
//
// Properties: a file that is not a readable zhcanon index gives zhcanon::IoError or
// zhcanon::ConfigError, from Open or from any read (what the tools catch), never a crash, a
// hang or another exception; a read-only index is never written; answers keep their documented
// shape (Candidates ascending and unique, Find and Get return what was asked for); and an index
// that Verify calls consistent answers as its invariants promise (the row count equals the
// batches' count; every document is a candidate of its own fingerprint).
//
// The bytes go to one file per process (in /dev/shm when it is writable, else $TMPDIR or /tmp),
// rewritten for each input; SQLite's -wal, -shm and -journal beside it are removed after each
// input and everything at exit.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "fuzz_check.h"
#include "zhcanon/core/document.h"
#include "zhcanon/core/error.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/dedup/hamming_index.h"
#include "zhcanon/index/checker.h"
#include "zhcanon/index/corpus_index.h"

namespace dedup = zhcanon::dedup;
// (not `index`: that is also a POSIX function of <strings.h>)
namespace ix = zhcanon::index;

namespace {

// The harness is the only connection to its file, so no lock is ever held by another one; a
// short timeout keeps an unexpected SQLITE_BUSY from waiting out libFuzzer's -timeout.
constexpr int kBusyTimeoutMs = 100;
// ForEach is stopped after this many documents (a fuzz input holds few anyway) and the
// per-document lookups stop earlier.
constexpr std::size_t kMaxDocuments = 64;
constexpr std::size_t kMaxLookups = 8;

// The article of the Checker query: tests/fuzz/seeds/index_reader/*.db index this very text
// (as a.txt, and a near copy as b.txt), so that on the seeds the query finds and verifies
// candidates instead of stopping at an empty candidate list.
constexpr std::string_view kArticle =
    "今年春节，中国初创企业开发的大模型可谓强势来袭，凭借低成本、高性能以及开源策略，迅速在全球范围内引发关注。\n\n"
    "不少企业开始重新评估人工智能带来的影响：有人焦虑失业，有人趁势创业，也有人在观望。\n\n"
    "业内人士认为，技术普及的速度远超预期，未来几年内，各行各业都将受到深刻影响。\n";

const std::string& DbPath() {
  static const std::string path = [] {
    std::string dir = "/dev/shm";
    if (access(dir.c_str(), W_OK) != 0) {
      const char* tmp = std::getenv("TMPDIR");
      dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    return dir + "/zhcanon-index-fuzz-" + std::to_string(getpid()) + ".db";
  }();
  return path;
}

void RemoveFiles() {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) unlink((DbPath() + suffix).c_str());
}

void WriteFile(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ZHCANON_FUZZ_CHECK(f != nullptr);
  ZHCANON_FUZZ_CHECK(size == 0 || std::fwrite(data, 1, size, f) == size);
  ZHCANON_FUZZ_CHECK(std::fclose(f) == 0);
}

bool FileEquals(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::vector<std::uint8_t> bytes(size + 1);
  const std::size_t n = std::fread(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return n == size && std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n), data);
}

// Runs a read; the exceptions the tools catch for a damaged index end it quietly. Any other
// exception escapes and libFuzzer reports it as a crash.
template <typename F>
bool Guard(F&& read) {
  try {
    read();
    return true;
  } catch (const zhcanon::IoError&) {
  } catch (const zhcanon::ConfigError&) {
  }
  return false;
}

// Fingerprinters by options: with fold_variants they load OpenCC's dictionaries, too slow to
// repeat for every input, and the options of a mutated index rarely change.
const dedup::Fingerprinter& CachedFingerprinter(const dedup::FingerprintOptions& o) {
  using Key = std::tuple<int, int, int, bool, int, int>;
  static std::map<Key, std::unique_ptr<dedup::Fingerprinter>> cache;
  const Key key{static_cast<int>(o.tokenizer), o.ngram, static_cast<int>(o.weighting), o.fold_variants,
                o.min_features, o.min_paragraph_chars};
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 16) cache.clear();
  return *cache.emplace(key, std::make_unique<dedup::Fingerprinter>(o)).first->second;
}

void CheckCandidates(const ix::CorpusIndex& idx, const dedup::Fingerprint& fp) {
  const int max_distance = idx.settings().max_distance;
  for (int distance : {0, max_distance}) {
    for (int bucket : {0, idx.settings().cluster.max_paragraph_bucket}) {
      std::vector<std::int64_t> rows;
      if (!Guard([&] { rows = idx.Candidates(fp, distance, bucket); })) continue;
      ZHCANON_FUZZ_CHECK(std::adjacent_find(rows.begin(), rows.end(), std::greater_equal<>()) == rows.end());
    }
  }
  // Documented: a distance beyond the index's max distance is the caller's mistake.
  bool refused = false;
  Guard([&] {
    try {
      idx.Candidates(fp, max_distance + 1, 0);
    } catch (const std::invalid_argument&) {
      refused = true;
    }
  });
  ZHCANON_FUZZ_CHECK(refused);
}

// One article through the Checker, as `zhcanon check --db` queries the index (without the
// pipeline stages before it: the article is already clean text).
void CheckArticle(const ix::CorpusIndex& idx) {
  const ix::IndexSettings& s = idx.settings();
  Guard([&] {
    const dedup::Fingerprinter& fingerprinter = CachedFingerprinter(s.fingerprint);
    ix::CheckOptions options;
    options.cluster = s.cluster;
    options.cluster.max_distance = s.max_distance;
    ix::Checker checker(&idx, fingerprinter, options);
    zhcanon::Document doc;
    doc.id = "new/article.txt";
    doc.metadata.path = doc.id;
    doc.text = kArticle;
    checker.WriteEncoded(doc, checker.Encode(doc));
    checker.Commit();
    ZHCANON_FUZZ_CHECK(checker.documents().size() == 1);
    for (const ix::Finding& f : checker.documents()[0].findings) {
      ZHCANON_FUZZ_CHECK(!f.message.empty());
      // An indexed document with the article's own id is its earlier version, never a duplicate.
      if (f.match) ZHCANON_FUZZ_CHECK(!f.match->indexed || f.match->id != doc.id);
    }
  });
}

void ReadIndex(const ix::CorpusIndex& idx, std::size_t file_size) {
  const ix::IndexSettings& s = idx.settings();
  // Open refuses settings this build cannot use.
  ZHCANON_FUZZ_CHECK(s.max_distance >= 0 && s.max_distance <= dedup::HammingIndex::kMaxDistance);
  ZHCANON_FUZZ_CHECK(s.cluster.max_distance == s.max_distance);

  std::optional<ix::IndexStats> stats;
  Guard([&] { stats = idx.Stats(); });
  if (stats) {
    ZHCANON_FUZZ_CHECK(stats->schema_version == ix::kSchemaVersion);
    ZHCANON_FUZZ_CHECK(stats->file_bytes == static_cast<std::int64_t>(file_size));
  }
  std::optional<std::int64_t> count;
  Guard([&] { count = idx.DocumentCount(); });

  std::optional<std::vector<std::string>> problems;
  Guard([&] { problems = idx.Verify(); });
  if (problems)
    for (const std::string& p : *problems) ZHCANON_FUZZ_CHECK(!p.empty());
  const bool consistent = problems && problems->empty();
  if (consistent && stats && count) ZHCANON_FUZZ_CHECK(stats->documents == *count);

  struct Enough {};
  std::vector<ix::IndexedDocument> docs;
  try {
    Guard([&] {
      idx.ForEach([&](const ix::IndexedDocument& d) {
        docs.push_back(d);
        if (docs.size() >= kMaxDocuments) throw Enough{};
      });
    });
  } catch (const Enough&) {
  }
  if (consistent && stats && stats->documents < static_cast<std::int64_t>(kMaxDocuments))
    ZHCANON_FUZZ_CHECK(static_cast<std::int64_t>(docs.size()) == stats->documents);

  for (std::size_t i = 0; i < docs.size() && i < kMaxLookups; ++i) {
    const ix::IndexedDocument& d = docs[i];
    Guard([&] {
      if (auto found = idx.Find(d.id)) ZHCANON_FUZZ_CHECK(found->id == d.id);
    });
    Guard([&] {
      if (auto got = idx.Get(d.rowid)) ZHCANON_FUZZ_CHECK(got->rowid == d.rowid);
    });
    CheckCandidates(idx, d.entry.fingerprint);
    if (consistent) {
      // The hash columns and blocks agree with the fingerprint (Verify checked): the exact
      // lookup alone finds the document.
      std::vector<std::int64_t> rows;
      if (Guard([&] { rows = idx.Candidates(d.entry.fingerprint, 0, 0); }))
        ZHCANON_FUZZ_CHECK(std::binary_search(rows.begin(), rows.end(), d.rowid));
    }
  }
  Guard([&] { idx.Find("no such document"); });
  Guard([&] { idx.Get(-1); });
  CheckCandidates(idx, dedup::Fingerprint{});
  CheckArticle(idx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = DbPath();
  // Registered after DbPath's string is constructed, so that RemoveFiles runs at exit before
  // the string is destroyed.
  static const bool cleanup_registered = std::atexit(RemoveFiles) == 0;
  (void)cleanup_registered;
  RemoveFiles();
  WriteFile(path, data, size);
  {
    std::optional<ix::CorpusIndex> idx;
    Guard([&] { idx.emplace(ix::CorpusIndex::Open(path, ix::OpenMode::kReadOnly, kBusyTimeoutMs)); });
    if (idx) ReadIndex(*idx, size);
  }
  // kReadOnly: whatever the file holds, the reader never writes it.
  ZHCANON_FUZZ_CHECK(FileEquals(path, data, size));
  RemoveFiles();
  return 0;
}
