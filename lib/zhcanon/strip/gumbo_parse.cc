#include "zhcanon/strip/gumbo_parse.h"

#include <gumbo.h>

#include <cstddef>
#include <cstdlib>
#include <vector>

namespace zhcanon::strip {

// Gumbo allocates every node, attribute, vector and string piece on its own with malloc, and
// gumbo_destroy_output frees them one by one: on real pages about a fifth of the parse (bench_gumbo_parse,
// libreoffice-help-zh-cn: 31.5 MB/s with malloc, 38.8 with the arena). The
// arena hands out small blocks from 256 KB chunks and drops them all after the page; blocks of
// 16 KB or more (a long text node's buffer, the children of a huge flat list) are real mallocs,
// freed when gumbo frees them. Small pieces gumbo frees during the parse stay in the arena until
// the page is done: measured on the bench corpora (5,174 pages), gumbo holds 11.3x a page's size
// at its peak and allocates 17.1x in all, at most 1.7x its peak on any page, so the arena costs
// well under twice what gumbo needs anyway. One arena per thread, reused from page to page.
class GumboParse::Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() { Release(0); }

  static void* Allocate(void* self, std::size_t n) { return static_cast<Arena*>(self)->Get(n); }
  static void Free(void* self, void* p) { static_cast<Arena*>(self)->Put(p); }

  /// Frees everything handed out; keeps the first chunk for the next page.
  void Reset() { Release(1); }
  bool in_use() const { return in_use_; }
  void set_in_use(bool v) { in_use_ = v; }

 private:
  static constexpr std::size_t kChunk = 256 * 1024, kBig = 16 * 1024, kAlign = alignof(std::max_align_t);

  void* Get(std::size_t n) {
    n = (n + kAlign - 1) & ~(kAlign - 1);
    // Out of memory: nullptr, as gumbo's default malloc would give (no exception through C).
    if (n >= kBig) {
      void* p = std::malloc(n);
      if (p != nullptr) big_.push_back(p);
      return p;
    }
    if (n > left_) {
      if (used_ == chunks_.size()) {
        void* c = std::malloc(kChunk);
        if (c == nullptr) return nullptr;
        chunks_.push_back(static_cast<char*>(c));
      }
      next_ = chunks_[used_++];
      left_ = kChunk;
    }
    void* p = next_;
    next_ += n;
    left_ -= n;
    return p;
  }

  void Put(void* p) {
    // Gumbo frees a big block when it outgrows it (buffers double): find it among the newest.
    for (std::size_t i = big_.size(); i-- > 0;) {
      if (big_[i] == p) {
        std::free(p);
        big_[i] = big_.back();
        big_.pop_back();
        return;
      }
    }
    // A small block: dropped with its chunk at Reset.
  }

  void Release(std::size_t keep_chunks) {
    for (void* p : big_) std::free(p);
    big_.clear();
    while (chunks_.size() > keep_chunks) {
      std::free(chunks_.back());
      chunks_.pop_back();
    }
    used_ = 0;
    left_ = 0;
    next_ = nullptr;
  }

  std::vector<char*> chunks_;  // malloc'd, kChunk bytes each
  std::size_t used_ = 0;  // chunks handed out from (the last one partly)
  char* next_ = nullptr;
  std::size_t left_ = 0;
  std::vector<void*> big_;
  bool in_use_ = false;
};

namespace {

GumboOptions Options() {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  return options;
}

}  // namespace

GumboParse::GumboParse(std::string_view html) {
  thread_local Arena arena;
  GumboOptions options = Options();
  if (!arena.in_use()) {
    arena_ = &arena;
    arena.set_in_use(true);
    options.allocator = &Arena::Allocate;
    options.deallocator = &Arena::Free;
    options.userdata = &arena;
  }
  output_ = gumbo_parse_with_options(&options, html.empty() ? "" : html.data(), html.size());
}

GumboParse::~GumboParse() {
  if (arena_ != nullptr) {
    arena_->Reset();  // no gumbo_destroy_output: the arena drops the whole tree at once
    arena_->set_in_use(false);
  } else if (output_ != nullptr) {
    const GumboOptions options = Options();
    gumbo_destroy_output(&options, output_);
  }
}

}  // namespace zhcanon::strip
