#include "zhcanon/index/checker.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "zhcanon/index/index_writer.h"

namespace zhcanon::index {

namespace {

constexpr std::size_t kFingerprintSize = 200;  // EncodeFingerprint's layout

std::string Fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A file document's path ends with its id (the id is the path relative to a directory given
// on the command line, or the path itself); a JSONL record's id is its "id" or "<file>:<line>".
bool IsRecord(const std::string& id, const std::string& path) {
  return !(path.size() >= id.size() && path.compare(path.size() - id.size(), id.size(), id) == 0);
}

// The reader names records without an "id" "<file>:<line>": that is their line.
std::int64_t RecordLine(const std::string& id, const std::string& path) {
  if (id.size() <= path.size() + 1 || id.compare(0, path.size(), path) != 0 || id[path.size()] != ':') return 0;
  std::int64_t line = 0;
  const char* begin = id.data() + path.size() + 1;
  auto r = std::from_chars(begin, id.data() + id.size(), line);
  return r.ec == std::errc() && r.ptr == id.data() + id.size() ? line : 0;
}

bool MetadataPresent(const Metadata& m, const std::string& field) {
  if (field == "title") return !m.title.empty();
  if (field == "date") return !m.date.empty();
  if (field == "author") return !m.author.empty();
  if (field == "source_url" || field == "url") return !m.source_url.empty();
  if (field == "summary") return !m.summary.empty();
  if (field == "lang") return !m.lang.empty();
  if (field == "tags") return !m.tags.empty();
  if (field == "categories") return !m.categories.empty();
  auto it = m.extra.find(field);
  if (it == m.extra.end() || it->is_null()) return false;
  // json::empty() is false for every string: look at the string itself.
  if (it->is_string()) return !it->get_ref<const std::string&>().empty();
  if (it->is_array() || it->is_object()) return !it->empty();
  return true;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string MatchText(const MatchInfo& m) {
  std::string s = std::string(m.kind == dedup::MatchKind::kExact ? "exact" : "near") + " duplicate of " +
                  (m.indexed ? "indexed document " + Quote(m.id) : "new article " + Quote(m.path.empty() ? m.id : m.path));
  if (m.kind != dedup::MatchKind::kExact)
    s += " (distance " + std::to_string(m.distance) + ", similarity " + Fixed2(m.similarity) + ", containment " +
         Fixed2(m.containment) + ")";
  return s;
}

// Where a line of the stripped text starts in the source (decoded input), when it appears
// there verbatim: plain text and most Markdown paragraphs do; HTML and wrapped lines may not.
std::int64_t SourceLine(std::string_view source, std::string_view line) {
  if (line.empty()) return 0;
  std::size_t len = std::min<std::size_t>(line.size(), 48);
  while (len > 0 && len < line.size() && (static_cast<unsigned char>(line[len]) & 0xC0) == 0x80) --len;
  const std::size_t at = source.find(line.substr(0, len));
  if (at == std::string_view::npos) return 0;
  return 1 + static_cast<std::int64_t>(std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string_view NthLine(std::string_view text, std::int64_t n) {
  std::size_t start = 0;
  for (std::int64_t i = 1; i < n; ++i) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  std::size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::int64_t ExtraInt(const Metadata& m, const char* key) {
  auto it = m.extra.find(key);
  return it != m.extra.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::string_view FindingKindName(FindingKind k) {
  switch (k) {
    case FindingKind::kDuplicate: return "duplicate";
    case FindingKind::kBatchDuplicate: return "batch-duplicate";
    case FindingKind::kInvalid: return "invalid";
    case FindingKind::kMissingMetadata: return "missing-metadata";
    case FindingKind::kNotCanonical: return "not-canonical";
  }
  return "invalid";
}

void SnapshotStage::Process(Document& doc, Diagnostics&) const {
  if (key_ == kStrippedSnapshot)
    doc.metadata.extra[key_] = {{"text", doc.text}, {"title", doc.metadata.title}};
  else
    doc.metadata.extra[key_] = doc.text;
}

namespace {

// Matches(a, b) is false when the keep policy would prefer b; an indexed document is
// canonical whatever the policy says, and with kFirst the first argument always comes first.
dedup::ClusterOptions VerifierOptions(dedup::ClusterOptions o) {
  o.keep = dedup::KeepPolicy::kFirst;
  return o;
}

}  // namespace

Checker::Checker(const CorpusIndex* index, const dedup::Fingerprinter& fingerprinter, CheckOptions options)
    : index_(index),
      fingerprinter_(fingerprinter),
      options_(std::move(options)),
      verifier_(VerifierOptions(options_.cluster)) {
  if (index_ && options_.cluster.max_distance > index_->settings().max_distance)
    throw std::invalid_argument("distance " + std::to_string(options_.cluster.max_distance) +
                                " is beyond the index's max distance " +
                                std::to_string(index_->settings().max_distance));
}

Checker::~Checker() = default;

std::size_t Checker::findings() const {
  std::size_t n = 0;
  for (const auto& d : documents_) n += d.findings.size();
  return n;
}

CheckedDocument& Checker::Current(const std::string& id, const std::string& path, bool for_write) {
  if (current_open_ && documents_.back().id == id) {
    if (for_write) current_open_ = false;
    return documents_.back();
  }
  CheckedDocument d;
  d.id = id;
  d.path = path;
  d.record = IsRecord(id, path);
  documents_.push_back(std::move(d));
  current_open_ = !for_write;
  return documents_.back();
}

void Checker::OnProblem(const Problem& p) {
  CheckedDocument& d = Current(p.doc_id, p.path, false);
  Finding f;
  f.kind = FindingKind::kInvalid;
  f.severity = p.severity == Severity::kWarning ? Severity::kWarning : Severity::kError;
  f.stage = p.stage;
  f.message = p.stage + ": " + p.message;
  f.location = p.location;
  // Inside a record, a stage's line is a line of the record's text, not of the JSONL file.
  if (d.record && p.stage != "read") {
    if (p.location.line > 0) f.message += " (line " + std::to_string(p.location.line) + " of the record's text)";
    f.location = {.line = RecordLine(d.id, d.path)};
  } else if (!d.record && f.location.line <= 0) {
    f.location = {.line = 1};  // about the whole file
  }
  d.findings.push_back(std::move(f));
}

std::string Checker::Encode(const Document& doc) const {
  std::string out = EncodeFingerprint(fingerprinter_.Compute(doc.text));
  if (!options_.canonical) return out;
  nlohmann::json c = nlohmann::json::object();
  auto it = doc.metadata.extra.find(kStrippedSnapshot);
  if (it != doc.metadata.extra.end() && it->is_object()) {
    const std::string before = it->value("text", std::string());
    const std::string title_before = it->value("title", std::string());
    Diff diff = UnifiedDiff(before, doc.text, options_.diff);
    if (diff.changed() || title_before != doc.metadata.title) {
      c["deleted"] = diff.lines_deleted;
      c["inserted"] = diff.lines_inserted;
      c["diff"] = diff.text;
      if (title_before != doc.metadata.title) c["title"] = {title_before, doc.metadata.title};
      std::int64_t line = 0;
      if (diff.first_line > 0) {
        auto src = doc.metadata.extra.find(kSourceSnapshot);
        if (src != doc.metadata.extra.end() && src->is_string())
          line = SourceLine(src->get_ref<const std::string&>(), NthLine(before, diff.first_line));
      }
      c["line"] = line;
    }
  }
  // Invalid UTF-8 was replaced by the decoder; `replace` keeps dump() from throwing regardless.
  out += c.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out;
}

void Checker::WriteEncoded(const Document& doc, std::string_view bytes) {
  dedup::Fingerprint fp;
  if (bytes.size() < kFingerprintSize || !DecodeFingerprint(bytes.substr(0, kFingerprintSize), fp))
    throw std::invalid_argument("Checker::WriteEncoded: the bytes did not come from Checker::Encode");
  CheckedDocument& d = Current(doc.id, doc.metadata.path, true);
  const std::size_t doc_index = documents_.size() - 1;
  d.processed = true;
  d.title = doc.metadata.title;
  const Location doc_location{.line = d.record ? RecordLine(d.id, d.path) : 1};

  if (!options_.require.empty()) {
    Finding f;
    for (const std::string& field : options_.require)
      if (!MetadataPresent(doc.metadata, field)) f.missing.push_back(field);
    if (!f.missing.empty()) {
      f.kind = FindingKind::kMissingMetadata;
      f.message = "missing required metadata: ";
      for (std::size_t i = 0; i < f.missing.size(); ++i) f.message += (i ? ", " : "") + f.missing[i];
      f.location = doc_location;
      d.findings.push_back(std::move(f));
    }
  }

  const dedup::DocumentEntry entry = EntryFor(doc, fp);
  bool matched = false;
  if (index_) {
    const int bucket = options_.cluster.paragraph_candidates ? options_.cluster.max_paragraph_bucket : 0;
    std::optional<IndexedDocument> best;
    dedup::Member best_how;
    for (std::int64_t rowid : index_->Candidates(fp, options_.cluster.max_distance, bucket)) {
      std::optional<IndexedDocument> cand = index_->Get(rowid);
      // The indexed document with the article's own id is its earlier version: an edited
      // article is not a duplicate of itself.
      if (!cand || cand->id == doc.id) continue;
      dedup::Member how;
      if (!verifier_.Matches(cand->entry, entry, &how)) continue;
      // Clusterer::Run's order of preference: an exact duplicate first, then the smallest
      // distance, then the highest similarity, then the earliest (rowids ascend, so the first
      // seen wins ties).
      const bool exact = how.kind == dedup::MatchKind::kExact;
      const bool best_exact = best && best_how.kind == dedup::MatchKind::kExact;
      if (!best || (exact && !best_exact) ||
          (exact == best_exact && !exact &&
           (how.distance < best_how.distance ||
            (how.distance == best_how.distance && how.similarity > best_how.similarity)))) {
        best = std::move(cand);
        best_how = how;
      }
    }
    if (best) {
      matched = true;
      Finding f;
      f.kind = FindingKind::kDuplicate;
      f.location = doc_location;
      f.match = MatchInfo{.indexed = true,
                          .id = best->id,
                          .path = best->path,
                          .title = best->title,
                          .kind = best_how.kind == dedup::MatchKind::kCanonical ? dedup::MatchKind::kExact : best_how.kind,
                          .distance = best_how.distance,
                          .similarity = best_how.similarity,
                          .containment = best_how.containment};
      f.message = MatchText(*f.match);
      d.findings.push_back(std::move(f));
    }
  }
  if (!matched && options_.batch) unmatched_.emplace_back(doc_index, entry);

  if (options_.canonical && bytes.size() > kFingerprintSize) {
    const auto c = nlohmann::json::parse(bytes.substr(kFingerprintSize), nullptr, false);
    if (c.is_object() && c.contains("diff")) {
      Finding f;
      f.kind = FindingKind::kNotCanonical;
      f.severity = Severity::kWarning;
      const auto changed = c.value("deleted", std::int64_t{0}) + c.value("inserted", std::int64_t{0});
      f.message = "not canonical: the pipeline would change ";
      if (c.contains("title")) f.message += std::string("the title") + (changed > 0 ? " and " : "");
      if (changed > 0) {
        const std::int64_t lines = std::max(c.value("deleted", std::int64_t{0}), c.value("inserted", std::int64_t{0}));
        f.message += std::to_string(lines) + (lines == 1 ? " line" : " lines");
      }
      const std::int64_t t2s = ExtraInt(doc.metadata, "t2s_changed_chars");
      const std::int64_t punct = ExtraInt(doc.metadata, "punct_changes");
      if (t2s > 0 || punct > 0) {
        f.message += " (";
        if (t2s > 0) f.message += "t2s: " + std::to_string(t2s) + (t2s == 1 ? " character" : " characters");
        if (t2s > 0 && punct > 0) f.message += ", ";
        if (punct > 0) f.message += "punct: " + std::to_string(punct) + (punct == 1 ? " change" : " changes");
        f.message += ")";
      }
      f.diff = c.value("diff", std::string());
      if (c.contains("title")) {
        const auto& t = c["title"];
        f.diff = "title: -" + t[0].get<std::string>() + "\ntitle: +" + t[1].get<std::string>() + "\n" + f.diff;
      }
      const std::int64_t line = c.value("line", std::int64_t{0});
      f.location = d.record ? doc_location : Location{.line = line > 0 ? line : 1};
      d.findings.push_back(std::move(f));
    }
  }
}

void Checker::Commit() {
  if (committed_) return;
  committed_ = true;
  if (unmatched_.size() < 2) return;
  dedup::Clusterer clusterer(options_.cluster);
  for (const auto& [doc, entry] : unmatched_) clusterer.Add(entry);
  const dedup::Clustering result = clusterer.Run();
  for (const dedup::Cluster& cluster : result.clusters) {
    const CheckedDocument& canonical = documents_[unmatched_[cluster.canonical].first];
    for (const dedup::Member& m : cluster.members) {
      if (m.doc == cluster.canonical) continue;
      CheckedDocument& d = documents_[unmatched_[m.doc].first];
      Finding f;
      f.kind = FindingKind::kBatchDuplicate;
      f.location = {.line = d.record ? RecordLine(d.id, d.path) : 1};
      f.match = MatchInfo{.indexed = false,
                          .id = canonical.id,
                          .path = canonical.record ? std::string() : canonical.path,
                          .title = canonical.title,
                          .kind = m.kind == dedup::MatchKind::kCanonical ? dedup::MatchKind::kExact : m.kind,
                          .distance = m.distance,
                          .similarity = m.similarity,
                          .containment = m.containment};
      f.message = MatchText(*f.match);
      d.findings.push_back(std::move(f));
    }
  }
}

}  // namespace zhcanon::index
