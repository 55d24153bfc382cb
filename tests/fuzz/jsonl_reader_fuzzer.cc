// Fuzzes the document reader on stdin (`-`): the bytes as a JSONL stream (plain, or gzip/zstd
// when they start with those magic numbers) and as an auto-detected stdin. Every line ends as
// a document or a failed document with a location; nothing throws.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "fuzz_check.h"
#include "zhcanon/io/encoding.h"
#include "zhcanon/io/reader.h"

namespace io = zhcanon::io;

namespace {

void ReadAll(std::string_view bytes, io::InputKind kind) {
  std::istringstream in{std::string(bytes)};
  io::ReaderOptions options;
  options.kind = kind;
  options.stdin_stream = &in;
  io::DocumentReader reader({"-"}, options);
  zhcanon::Document doc;
  zhcanon::Diagnostics diag;
  std::size_t docs = 0;
  while (reader.Next(doc, diag)) {
    ++docs;
    ZHCANON_FUZZ_CHECK(!doc.id.empty());
    if (diag.failed()) {
      ZHCANON_FUZZ_CHECK(!diag.problems().empty());
    } else if (kind == io::InputKind::kJsonl) {
      // A JSONL record's text is UTF-8 (invalid sequences replaced with a warning).
      ZHCANON_FUZZ_CHECK(io::IsValidUtf8(doc.text));
    }
    for (const zhcanon::Problem& p : diag.problems()) ZHCANON_FUZZ_CHECK(!p.message.empty());
    diag.Clear();
    // One document per line at most (plus one for a truncated compressed stream).
    ZHCANON_FUZZ_CHECK(docs <= bytes.size() + 2);
  }
  ZHCANON_FUZZ_CHECK(reader.bytes_read() <= bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = zhcanon::fuzzing::AsText(data, size);
  ReadAll(bytes, io::InputKind::kJsonl);
  ReadAll(bytes, io::InputKind::kAuto);
  return 0;
}
