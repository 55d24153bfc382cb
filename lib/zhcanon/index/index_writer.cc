#include "zhcanon/index/index_writer.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace zhcanon::index {

dedup::DocumentEntry EntryFor(const Document& doc, const dedup::Fingerprint& fp) {
  std::int64_t converted = 0;
  // The same reading of t2s_changed_chars as dedup::DedupWriter: a JSONL record may carry it
  // as any JSON number (or something else entirely).
  if (auto it = doc.metadata.extra.find("t2s_changed_chars"); it != doc.metadata.extra.end()) {
    if (it->is_number_unsigned()) {
      const auto u = it->get<std::uint64_t>();
      converted = u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                      ? std::numeric_limits<std::int64_t>::max()
                      : static_cast<std::int64_t>(u);
    } else if (it->is_number_integer()) {
      converted = std::max<std::int64_t>(0, it->get<std::int64_t>());
    } else if (it->is_number_float()) {
      const double d = it->get<double>();
      converted = std::isfinite(d) && d > 0 && d < 9e18 ? static_cast<std::int64_t>(d) : 0;
    }
  }
  return {.fingerprint = fp, .converted_chars = converted, .date = doc.metadata.date, .length = doc.text.size()};
}

IndexWriter::IndexWriter(CorpusIndex& index, const dedup::Fingerprinter& fingerprinter, IndexWriterOptions options,
                         ExistsCallback on_exists)
    : index_(index), fingerprinter_(fingerprinter), options_(std::move(options)), on_exists_(std::move(on_exists)) {
  if (options_.batch_size < 0) throw std::invalid_argument("IndexWriter: batch_size must not be negative");
}

IndexWriter::~IndexWriter() { index_.RollbackBatch(); }

std::string IndexWriter::Encode(const Document& doc) const {
  return EncodeFingerprint(fingerprinter_.Compute(doc.text));
}

void IndexWriter::WriteEncoded(const Document& doc, std::string_view bytes) {
  dedup::Fingerprint fp;
  if (!DecodeFingerprint(bytes, fp))
    throw std::invalid_argument("IndexWriter::WriteEncoded: the bytes did not come from IndexWriter::Encode");
  if (!index_.in_batch()) {
    index_.BeginBatch(options_.kind, options_.command);
    in_batch_ = 0;
  }
  IndexedDocument d;
  d.id = doc.id;
  d.path = doc.metadata.path;
  d.title = doc.metadata.title;
  d.entry = EntryFor(doc, fp);
  switch (index_.Add(d, options_.replace)) {
    case AddResult::kAdded: ++stats_.added; break;
    case AddResult::kReplaced: ++stats_.replaced; break;
    case AddResult::kExists:
      ++stats_.existing;
      if (on_exists_) on_exists_(doc);
      return;
  }
  if (options_.batch_size > 0 && ++in_batch_ >= options_.batch_size) {
    index_.CommitBatch();
    ++stats_.batches;
  }
}

void IndexWriter::Commit() {
  if (!index_.in_batch()) return;
  index_.CommitBatch();
  ++stats_.batches;
}

}  // namespace zhcanon::index
