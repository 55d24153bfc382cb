// Private to zhcanon::io: streams the lines of a file or an istream, decompressing gzip and
// zstd on the fly (detected by their magic bytes, whatever the file is called). Memory holds
// one read chunk plus the longest line seen; lines of any length work (the buffer grows).
//
//   std::string error;
//   auto lines = zhcanon::io::LineReader::OpenFile("corpus.jsonl.zst", error);
//   if (!lines) { report(error); }
//   std::string_view line;
//   while (lines->Next(line)) { parse(line); }   // padded: see kPadding
//   if (!lines->error().empty()) { report(lines->line_number() + 1, lines->error()); }
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace zhcanon::io {

namespace line_reader_internal {
class Decoder;
class RawInput;
}  // namespace line_reader_internal

enum class Compression { kNone, kGzip, kZstd };

class LineReader {
 public:
  /// Bytes that may be read (not written) after the end of any line Next() returns, so
  /// that simdjson can parse the line in place. At least SIMDJSON_PADDING.
  static constexpr std::size_t kPadding = 64;

  /// Opens `path` for reading. Returns null and sets `error` (strerror text) on failure.
  static std::unique_ptr<LineReader> OpenFile(const std::string& path, std::string& error);
  /// Reads from `in` (not owned; must outlive the reader).
  static std::unique_ptr<LineReader> FromStream(std::istream& in);

  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// The next line without its "\n" or "\r\n"; a last line without a newline counts.
  /// The view is valid until the next call. Returns false at the end of the input or on a
  /// read or decompression error (then error() is not empty).
  bool Next(std::string_view& line);

  /// 1-based number of the line Next() returned last (0 before the first).
  std::int64_t line_number() const { return line_number_; }
  /// 0-based offset, in the decompressed stream, of the first byte of that line.
  std::int64_t line_offset() const { return line_offset_; }
  const std::string& error() const { return error_; }
  /// Bytes consumed from the file or stream, before decompression.
  std::uint64_t raw_bytes() const;
  Compression compression() const { return compression_; }

  /// While retaining, lines Next() returned stay in memory so that Rewind() can go back to
  /// the start of the stream (used to peek at stdin without losing bytes). Call before the
  /// first Next().
  void set_retain(bool retain) { retain_ = retain; }
  /// Back to the first line; only valid while retaining. Stops retaining.
  void Rewind();
  /// Appends everything not yet returned by Next() (everything, after Rewind()) to `out`.
  /// Returns false on a read or decompression error (error() says why).
  bool ReadAll(std::string& out);

 private:
  LineReader();
  bool Init();  // detects the compression
  bool Fill();  // reads more decompressed bytes into the buffer; false at end or error

  std::unique_ptr<line_reader_internal::RawInput> raw_;
  std::unique_ptr<line_reader_internal::Decoder> decoder_;
  Compression compression_ = Compression::kNone;

  std::unique_ptr<char[]> buf_;  // capacity_ + kPadding bytes
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;  // first byte not returned yet
  std::size_t scan_ = 0;   // bytes before this (from begin_) hold no '\n'
  std::size_t end_ = 0;    // end of the data
  std::int64_t buffer_offset_ = 0;  // stream offset of buf_[0]
  bool eof_ = false;
  bool retain_ = false;

  std::int64_t line_number_ = 0;
  std::int64_t line_offset_ = 0;
  std::string error_;
};

}  // namespace zhcanon::io
