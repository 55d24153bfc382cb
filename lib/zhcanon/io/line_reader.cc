#include "zhcanon/io/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>
#include <utility>

#include <zlib.h>
#include <zstd.h>

namespace zhcanon::io {
namespace line_reader_internal {

// The bytes of a file descriptor or an istream, counted, with room to put back the few
// bytes read to sniff the compression.
class RawInput {
 public:
  explicit RawInput(int fd) : fd_(fd) {}
  // The process's standard input is read with read(2) on descriptor 0 rather than through
  // std::cin: the stream waits for a full buffer (records piped in slowly would wait), and
  // libstdc++ retries a read that a signal interrupted, so Ctrl-C could not stop a tool waiting
  // on stdin. read(2) returns EINTR (the tools' handlers are installed without SA_RESTART).
  explicit RawInput(std::istream* in) : in_(in) {
    if (in_ == &std::cin) {
      in_ = nullptr;
      fd_ = STDIN_FILENO;
      owns_fd_ = false;
    }
  }
  ~RawInput() {
    if (fd_ >= 0 && owns_fd_) ::close(fd_);
  }
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

  /// Bytes read (> 0), 0 at the end, -1 on error (then `error` says why).
  std::ptrdiff_t Read(char* out, std::size_t n, std::string& error) {
    if (n == 0) return 0;
    if (pushback_pos_ < pushback_.size()) {
      std::size_t k = std::min(n, pushback_.size() - pushback_pos_);
      std::memcpy(out, pushback_.data() + pushback_pos_, k);
      pushback_pos_ += k;
      return static_cast<std::ptrdiff_t>(k);
    }
    // Linux transfers at most 0x7ffff000 bytes per read().
    n = std::min<std::size_t>(n, std::size_t{1} << 30);
    if (in_ != nullptr) {
      if (!in_->good()) return in_->bad() ? Fail(error, "read error") : 0;
      in_->read(out, static_cast<std::streamsize>(n));
      std::streamsize got = in_->gcount();
      if (got == 0 && in_->bad()) return Fail(error, "read error");
      bytes_ += static_cast<std::uint64_t>(got);
      return got;
    }
    while (true) {
      ssize_t got = ::read(fd_, out, n);
      if (got >= 0) {
        bytes_ += static_cast<std::uint64_t>(got);
        return got;
      }
      if (errno != EINTR) return Fail(error, std::strerror(errno));
      // A signal: on standard input it is the user's Ctrl-C (or SIGTERM), which set the
      // interrupt flag; stop reading so the pipeline can see it. Files are retried.
      if (!owns_fd_) return Fail(error, "interrupted");
    }
  }

  /// Reads up to `n` bytes (fewer only at the end) and puts them back.
  std::string Peek(std::size_t n, std::string& error) {
    std::string head(n, '\0');
    std::size_t have = 0;
    while (have < n) {
      std::ptrdiff_t got = Read(head.data() + have, n - have, error);
      if (got <= 0) break;
      have += static_cast<std::size_t>(got);
    }
    head.resize(have);
    pushback_ = head;
    pushback_pos_ = 0;
    return head;
  }

  std::uint64_t bytes() const { return bytes_; }

 private:
  static std::ptrdiff_t Fail(std::string& error, const char* what) {
    error = what;
    return -1;
  }

  int fd_ = -1;
  bool owns_fd_ = true;
  std::istream* in_ = nullptr;
  std::string pushback_;
  std::size_t pushback_pos_ = 0;
  std::uint64_t bytes_ = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  /// Decompressed bytes (> 0), 0 at the end, -1 on error (then `error` says why).
  virtual std::ptrdiff_t Read(char* out, std::size_t n, std::string& error) = 0;
};

namespace {

constexpr std::size_t kCompressedChunk = 256 * 1024;

class PlainDecoder final : public Decoder {
 public:
  explicit PlainDecoder(RawInput& raw) : raw_(raw) {}
  std::ptrdiff_t Read(char* out, std::size_t n, std::string& error) override {
    return raw_.Read(out, n, error);
  }

 private:
  RawInput& raw_;
};

class GzipDecoder final : public Decoder {
 public:
  explicit GzipDecoder(RawInput& raw) : raw_(raw), in_(new char[kCompressedChunk]) {
    // 15 + 32: the largest window, and accept both gzip and zlib headers.
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
  }
  ~GzipDecoder() override {
    if (ok_) inflateEnd(&zs_);
  }

  std::ptrdiff_t Read(char* out, std::size_t n, std::string& error) override {
    if (!ok_) {
      error = "gzip: cannot initialize zlib";
      return -1;
    }
    n = std::min<std::size_t>(n, UINT_MAX);
    zs_.next_out = reinterpret_cast<Bytef*>(out);
    zs_.avail_out = static_cast<uInt>(n);
    while (true) {
      if (zs_.avail_in == 0 && !in_eof_) {
        std::ptrdiff_t got = raw_.Read(in_.get(), kCompressedChunk, error);
        if (got < 0) return -1;
        if (got == 0) in_eof_ = true;
        zs_.next_in = reinterpret_cast<Bytef*>(in_.get());
        zs_.avail_in = static_cast<uInt>(got);
      }
      if (member_done_) {
        if (zs_.avail_in == 0) {
          if (in_eof_) return 0;
          continue;
        }
        // Concatenated gzip members (pigz, `cat a.gz b.gz`) are one stream, as gzip(1) reads them.
        if (zs_.next_in[0] != 0x1f) {
          error = "gzip: trailing garbage after the compressed data";
          return -1;
        }
        inflateReset(&zs_);
        member_done_ = false;
      }
      int ret = inflate(&zs_, Z_NO_FLUSH);
      std::size_t produced = n - zs_.avail_out;
      if (ret == Z_STREAM_END) {
        member_done_ = true;
      } else if (ret == Z_BUF_ERROR) {
        if (zs_.avail_in == 0 && in_eof_ && produced == 0) {
          error = "gzip: unexpected end of the compressed data (truncated file?)";
          return -1;
        }
      } else if (ret != Z_OK) {
        error = std::string("gzip: ") + (zs_.msg != nullptr ? zs_.msg : "invalid compressed data");
        return -1;
      }
      if (produced > 0) return static_cast<std::ptrdiff_t>(produced);
    }
  }

 private:
  RawInput& raw_;
  std::unique_ptr<char[]> in_;
  z_stream zs_{};
  bool ok_ = false;
  bool in_eof_ = false;
  bool member_done_ = false;
};

class ZstdDecoder final : public Decoder {
 public:
  explicit ZstdDecoder(RawInput& raw) : raw_(raw), in_buf_(new char[kCompressedChunk]) {
    ds_ = ZSTD_createDCtx();
    // Accept frames written with `zstd --long` (windows up to 2 GiB); memory is only
    // taken when a frame asks for it.
    if (ds_ != nullptr) ZSTD_DCtx_setParameter(ds_, ZSTD_d_windowLogMax, 31);
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(ds_); }

  std::ptrdiff_t Read(char* out, std::size_t n, std::string& error) override {
    if (ds_ == nullptr) {
      error = "zstd: cannot create a decompression context";
      return -1;
    }
    ZSTD_outBuffer ob{out, n, 0};
    while (true) {
      if (in_.pos == in_.size && !in_eof_) {
        std::ptrdiff_t got = raw_.Read(in_buf_.get(), kCompressedChunk, error);
        if (got < 0) return -1;
        if (got == 0) in_eof_ = true;
        in_ = ZSTD_inBuffer{in_buf_.get(), static_cast<std::size_t>(got), 0};
      }
      std::size_t in_before = in_.pos, out_before = ob.pos;
      std::size_t ret = ZSTD_decompressStream(ds_, &ob, &in_);
      if (ZSTD_isError(ret)) {
        error = std::string("zstd: ") + ZSTD_getErrorName(ret);
        return -1;
      }
      // Only a call that made progress says whether a frame is still open: with no input
      // at a frame boundary zstd returns the size of the next frame header it expects.
      if (in_.pos != in_before || ob.pos != out_before) last_ret_ = ret;
      if (ob.pos > 0) return static_cast<std::ptrdiff_t>(ob.pos);
      if (in_.pos == in_.size && in_eof_) {
        // 0 means the last frame ended exactly; anything else is a frame cut short.
        if (last_ret_ != 0) {
          error = "zstd: unexpected end of the compressed data (truncated file?)";
          return -1;
        }
        return 0;
      }
    }
  }

 private:
  RawInput& raw_;
  std::unique_ptr<char[]> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  ZSTD_DCtx* ds_ = nullptr;
  std::size_t last_ret_ = 0;
  bool in_eof_ = false;
};

}  // namespace
}  // namespace line_reader_internal

namespace {
constexpr std::size_t kInitialCapacity = 1 << 20;
// Reads smaller than this grow or compact the buffer first, so that syscalls stay large.
constexpr std::size_t kMinRead = 64 * 1024;
}  // namespace

LineReader::LineReader() = default;
LineReader::~LineReader() = default;

std::unique_ptr<LineReader> LineReader::OpenFile(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    error = std::strerror(EISDIR);
    return nullptr;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<LineReader> r(new LineReader());
  r->raw_ = std::make_unique<line_reader_internal::RawInput>(fd);
  if (!r->Init()) {
    error = r->error_;
    return nullptr;
  }
  return r;
}

std::unique_ptr<LineReader> LineReader::FromStream(std::istream& in) {
  std::unique_ptr<LineReader> r(new LineReader());
  r->raw_ = std::make_unique<line_reader_internal::RawInput>(&in);
  // A read error while sniffing shows up again at the first Next().
  r->Init();
  return r;
}

bool LineReader::Init() {
  using namespace line_reader_internal;
  std::string head = raw_->Peek(4, error_);
  if (!error_.empty()) {
    eof_ = true;
    return false;
  }
  auto starts = [&](std::string_view magic) { return std::string_view(head).starts_with(magic); };
  if (starts("\x1f\x8b")) {
    compression_ = Compression::kGzip;
    decoder_ = std::make_unique<GzipDecoder>(*raw_);
  } else if (starts("\x28\xb5\x2f\xfd")) {
    compression_ = Compression::kZstd;
    decoder_ = std::make_unique<ZstdDecoder>(*raw_);
  } else {
    decoder_ = std::make_unique<PlainDecoder>(*raw_);
  }
  capacity_ = kInitialCapacity;
  buf_.reset(new char[capacity_ + kPadding]());
  return true;
}

std::uint64_t LineReader::raw_bytes() const { return raw_ ? raw_->bytes() : 0; }

bool LineReader::Fill() {
  if (eof_ || !error_.empty()) return false;
  if (!retain_ && begin_ > 0) {
    // Only the start of an unfinished line is left: move it to the front.
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    buffer_offset_ += static_cast<std::int64_t>(begin_);
    scan_ -= begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < kMinRead) {
    std::size_t bigger = capacity_ * 2;
    std::unique_ptr<char[]> grown(new char[bigger + kPadding]());
    std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    capacity_ = bigger;
  }
  std::ptrdiff_t got = decoder_->Read(buf_.get() + end_, capacity_ - end_, error_);
  if (got <= 0) {
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(got);
  return true;
}

bool LineReader::Next(std::string_view& line) {
  if (!error_.empty()) return false;
  while (true) {
    char* base = buf_.get();
    std::size_t stop = end_;
    bool found = false;
    if (scan_ < end_) {
      if (const void* nl = std::memchr(base + scan_, '\n', end_ - scan_)) {
        stop = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
        found = true;
      } else {
        scan_ = end_;
      }
    }
    if (found || (eof_ && begin_ < end_)) {
      std::size_t len = stop - begin_;
      if (len > 0 && base[begin_ + len - 1] == '\r') --len;
      line = std::string_view(base + begin_, len);
      ++line_number_;
      line_offset_ = buffer_offset_ + static_cast<std::int64_t>(begin_);
      begin_ = scan_ = found ? stop + 1 : end_;
      return true;
    }
    if (eof_) return false;
    Fill();
    if (!error_.empty()) return false;
  }
}

void LineReader::Rewind() {
  begin_ = scan_ = 0;
  line_number_ = 0;
  line_offset_ = 0;
  retain_ = false;
}

bool LineReader::ReadAll(std::string& out) {
  if (!error_.empty()) return false;
  out.append(buf_.get() + begin_, end_ - begin_);
  begin_ = scan_ = end_;
  while (!eof_) {
    std::size_t old = out.size();
    std::size_t chunk = std::max<std::size_t>(kInitialCapacity, old / 2);
    out.resize(old + chunk);
    std::ptrdiff_t got = decoder_->Read(out.data() + old, chunk, error_);
    out.resize(old + static_cast<std::size_t>(std::max<std::ptrdiff_t>(got, 0)));
    if (got <= 0) eof_ = true;
  }
  return error_.empty();
}

}  // namespace zhcanon::io
