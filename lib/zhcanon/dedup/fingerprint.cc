#include "zhcanon/dedup/fingerprint.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>

#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/variant.h"
#include "zhcanon/core/error.h"

namespace zhcanon::dedup {

namespace {

// ---- the fold tables -----------------------------------------------------------------------
//
// What the view does with a code point is decided once per BMP code point from ICU's
// properties (NFKC_Casefold, general category, White_Space), so the hot loop is one table
// lookup per character; code points above the BMP are rare and ask ICU directly.

enum Action : std::uint8_t { kKeep = 0, kDrop = 1, kMap = 2, kBreak = 3 };
constexpr std::uint8_t kActionMask = 3;
constexpr std::uint8_t kWordBit = 4;   // \w of Python's re: letters, numbers, '_' (kWordTokens)
constexpr std::uint8_t kSpaceBit = 8;  // White_Space, as Python's str.split() (kSpaceTokens)

bool IsBreak(UChar32 c) {
  return c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

// White space, punctuation, symbols, controls and format characters carry no content for
// duplicate detection: two copies that differ only in them are the same text.
bool IsDropped(UChar32 c) {
  if (u_isUWhiteSpace(c)) return true;
  const std::uint32_t mask = U_GET_GC_MASK(c);
  return (mask & (U_GC_P_MASK | U_GC_S_MASK | U_GC_Z_MASK | U_GC_CC_MASK | U_GC_CF_MASK)) != 0;
}

bool IsWord(UChar32 c) {
  const std::uint32_t mask = U_GET_GC_MASK(c);
  return c == '_' || (mask & (U_GC_L_MASK | U_GC_N_MASK)) != 0;
}

// The view's UTF-8 for `c` after NFKC_Casefold with dropped code points removed; sets `same`
// when that is `c` itself.
std::string FoldOne(const icu::Normalizer2& nfkc_cf, UChar32 c, bool& same) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = nfkc_cf.normalize(icu::UnicodeString(c), status);
  if (U_FAILURE(status)) folded = icu::UnicodeString(c);
  std::string out;
  bool only_c = true;
  int32_t count = 0;
  for (int32_t i = 0; i < folded.length();) {
    const UChar32 f = folded.char32At(i);
    i += U16_LENGTH(f);
    ++count;
    if (f != c) only_c = false;
    if (IsDropped(f) || IsBreak(f)) continue;
    char buf[4];
    int32_t n = 0;
    UBool error = false;
    U8_APPEND(reinterpret_cast<std::uint8_t*>(buf), n, 4, f, error);
    if (!error) out.append(buf, static_cast<std::size_t>(n));
  }
  same = only_c && count == 1;
  return out;
}

struct FoldTables {
  std::uint8_t cls[0x10000];
  std::uint32_t map[0x10000];  // kMap: offset << 8 | length in `pool`
  std::uint8_t ascii[128];     // 0: drop, 1: break, otherwise the folded byte
  std::string pool;
  const icu::Normalizer2* nfkc_cf = nullptr;
};

const FoldTables& Tables() {
  static const FoldTables* tables = [] {
    auto* t = new FoldTables();
    UErrorCode status = U_ZERO_ERROR;
    t->nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) throw ConfigError(std::string("dedup: ICU NFKC_Casefold data: ") + u_errorName(status));
    for (UChar32 c = 0; c < 0x10000; ++c) {
      std::uint8_t cls = 0;
      if (IsWord(c)) cls |= kWordBit;
      if (u_isUWhiteSpace(c)) cls |= kSpaceBit;
      t->map[c] = 0;
      if (U_IS_SURROGATE(c)) {
        cls |= kDrop;
      } else if (IsBreak(c)) {
        cls |= kBreak;
      } else {
        // Folded first, then filtered: ㈱ (a symbol) is 株, ℃ is c, ① is 1.
        bool same = false;
        const std::string folded = FoldOne(*t->nfkc_cf, c, same);
        if (same) {
          cls |= IsDropped(c) ? kDrop : kKeep;
        } else if (folded.empty()) {
          cls |= kDrop;
        } else {
          cls |= kMap;
          t->map[c] = static_cast<std::uint32_t>(t->pool.size() << 8 | folded.size());
          t->pool += folded;
        }
      }
      t->cls[c] = cls;
    }
    for (int b = 0; b < 128; ++b) {
      switch (t->cls[b] & kActionMask) {
        case kKeep: t->ascii[b] = static_cast<std::uint8_t>(b); break;
        case kBreak: t->ascii[b] = 1; break;
        case kMap: t->ascii[b] = static_cast<std::uint8_t>(t->pool[t->map[b] >> 8]); break;  // A-Z: 1 byte
        default: t->ascii[b] = 0; break;
      }
    }
    return t;
  }();
  return *tables;
}

// XXH3_64bits, with the short inputs that n-grams of Chinese text are (12 bytes for 4 characters)
// going straight to xxHash's own short-input routine, which the compiler does not inline through
// XXH3_64bits' dispatch. Same value as XXH3_64bits (seed 0, default secret).
[[gnu::always_inline]] inline std::uint64_t Hash64(const void* p, std::size_t len) {
  if (len <= 16) return XXH3_len_0to16_64b(static_cast<const xxh_u8*>(p), len, XXH3_kSecret, 0);
  return XXH3_64bits(p, len);
}

inline std::size_t Utf8Length(unsigned char b) { return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; }

// ---- per-thread scratch ----------------------------------------------------------------------

struct Paragraph {
  std::uint32_t begin, end, chars;  // bytes of the view, code points
};

// Counts, for each of the 64 bit positions, how many of the added words have it set: a
// Harley-Seal carry-save adder tree turns every 8 words into one word of "eights", which is
// added to 64 byte-wide counters at once (byte k of kExpand[x] is bit k of x). About 9
// operations per word instead of 64.
struct BitCounter {
  static const std::uint64_t* Expand() {
    static const auto* table = [] {
      auto* t = new std::uint64_t[256];
      for (int x = 0; x < 256; ++x) {
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k)
          if (x >> k & 1) v |= std::uint64_t{1} << (8 * k);
        t[x] = v;
      }
      return t;
    }();
    return table;
  }
  const std::uint64_t* expand = Expand();
  std::uint64_t buf[8];
  int nbuf = 0;
  std::uint64_t ones = 0, twos = 0, fours = 0;
  std::uint64_t lanes[8] = {};  // lanes[j] byte k: eights of bit 8j+k since the last FlushLanes
  std::uint32_t pending = 0;
  std::uint64_t total[64] = {};  // complete after Flush()

  [[gnu::always_inline]] inline void Add(std::uint64_t h) {
    buf[nbuf++] = h;
    if (nbuf == 8) Block();
  }
  static void Csa(std::uint64_t& high, std::uint64_t& low, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    const std::uint64_t u = a ^ b;
    high = (a & b) | (u & c);
    low = u ^ c;
  }
  void Block() {
    std::uint64_t twos_a, twos_b, fours_a, fours_b, eights;
    Csa(twos_a, ones, ones, buf[0], buf[1]);
    Csa(twos_b, ones, ones, buf[2], buf[3]);
    Csa(fours_a, twos, twos, twos_a, twos_b);
    Csa(twos_a, ones, ones, buf[4], buf[5]);
    Csa(twos_b, ones, ones, buf[6], buf[7]);
    Csa(fours_b, twos, twos, twos_a, twos_b);
    Csa(eights, fours, fours, fours_a, fours_b);
    for (int j = 0; j < 8; ++j) lanes[j] += expand[(eights >> (8 * j)) & 0xFF];
    if (++pending == 255) FlushLanes();
    nbuf = 0;
  }
  void FlushLanes() {
    for (int j = 0; j < 8; ++j) {
      for (int k = 0; k < 8; ++k) total[8 * j + k] += 8 * ((lanes[j] >> (8 * k)) & 0xFF);
      lanes[j] = 0;
    }
    pending = 0;
  }
  void Flush() {
    FlushLanes();
    for (int b = 0; b < 64; ++b) {
      std::uint64_t t = 4 * ((fours >> b) & 1) + 2 * ((twos >> b) & 1) + ((ones >> b) & 1);
      for (int i = 0; i < nbuf; ++i) t += (buf[i] >> b) & 1;
      total[b] += t;
    }
    ones = twos = fours = 0;
    nbuf = 0;
  }
};

// The features of one text, consumed as they are cut: the sketch's minimum per bin, the
// distinct hashes (open addressing on the hash itself, which is already uniform; sorting would
// cost more than the rest of Compute together) with their bits counted as they first appear,
// and the repeats, so that the few features seen more than once can get their weight after.
struct FeatureSet {
  static constexpr std::uint64_t kEmptyBin = ~std::uint64_t{0};
  static constexpr std::uint64_t kLow58 = (std::uint64_t{1} << 58) - 1;
  // Slot from the low bits of the hash, a 32-bit tag from the high bits: 32 + log2(slots) bits
  // tell features apart (two distinct features of one text merge with probability ~n^2 / 2^45,
  // about 1e-6 for a 5000-character text) and the table of a news article stays in L1.
  std::vector<std::uint32_t> tags;
  std::vector<std::uint16_t> counts;  // term frequency per slot (saturating); valid where tags are
  std::uint64_t mask = 0;
  std::uint32_t distinct = 0;
  struct Repeat {
    std::uint64_t hash;
    std::uint32_t slot;
  };
  std::vector<Repeat> repeated;  // features seen twice or more, once each
  BitCounter bits;
  std::uint64_t mins[kSketchSize];

  void Reset(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < expected + expected / 2) cap <<= 1;
    if (tags.size() != cap) {
      tags.assign(cap, 0);
      counts.assign(cap, 0);
    } else {
      std::memset(tags.data(), 0, cap * sizeof(std::uint32_t));
    }
    mask = cap - 1;
    distinct = 0;
    repeated.clear();
    bits = BitCounter();
    std::fill(std::begin(mins), std::end(mins), kEmptyBin);
  }
  void Prefetch(std::uint64_t h) const { __builtin_prefetch(&tags[h & mask]); }
  [[gnu::always_inline]] inline void Add(std::uint64_t h) {
    std::uint32_t tag = static_cast<std::uint32_t>(h >> 32);
    tag |= (tag == 0);  // 0 marks an empty slot
    for (std::uint64_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint32_t k = tags[i];
      if (k == tag) {
        if (counts[i] == 1) repeated.push_back({h, static_cast<std::uint32_t>(i)});
        if (counts[i] != 0xFFFF) ++counts[i];
        return;
      }
      if (k == 0) {
        tags[i] = tag;
        counts[i] = 1;
        ++distinct;
        bits.Add(h);
        // Sketch: the bin is the top 6 bits, the value the other 58 (independent of the bin).
        std::uint64_t& m = mins[h >> 58];
        m = std::min(m, h & kLow58);
        return;
      }
    }
  }
};

struct Scratch {
  std::string converted;
  std::string view;                   // sized generously; view_size bytes are used
  std::size_t view_size = 0;
  std::size_t chars = 0;              // non-break code points of the view
  std::vector<std::uint32_t> cp_off;  // view offset of each non-break code point
  std::vector<std::uint32_t> brk;     // indexes (into cp_off) of code points a '\n' precedes
  std::vector<Paragraph> paragraphs;
  std::vector<std::uint64_t> tokens;  // token hashes (kSpaceTokens, kWordTokens)
  std::string token;
  FeatureSet features;

  // Keeps a huge document from pinning its buffers to the thread forever.
  void Trim() {
    constexpr std::size_t kKeep = 16u << 20;
    if (converted.capacity() > kKeep) std::string().swap(converted);
    if (view.capacity() > kKeep) std::string().swap(view);
    if (cp_off.capacity() * 4 > kKeep) std::vector<std::uint32_t>().swap(cp_off);
    if (features.tags.size() * 4 > kKeep) {
      std::vector<std::uint32_t>().swap(features.tags);
      std::vector<std::uint16_t>().swap(features.counts);
    }
    if (features.repeated.capacity() * 16 > kKeep) std::vector<FeatureSet::Repeat>().swap(features.repeated);
    if (tokens.capacity() * 8 > kKeep) std::vector<std::uint64_t>().swap(tokens);
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

// acc[b] += bit b of h ? w : -w. Features seen four times or more (boilerplate) come here one by
// one; the AVX2 clone does it 4 lanes at a time (variable shifts), chosen at load time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
[[gnu::target_clones("avx2", "default")]]
#endif
void AddWeighted(std::int64_t* acc, std::uint64_t h, std::int64_t w) {
  for (int b = 0; b < 64; ++b) {
    const std::int64_t bit = static_cast<std::int64_t>((h >> b) & 1);
    acc[b] += (2 * bit - 1) * w;
  }
}

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view TokenizerName(Tokenizer t) {
  switch (t) {
    case Tokenizer::kChars: return "chars";
    case Tokenizer::kSpaceTokens: return "space";
    case Tokenizer::kWordTokens: return "word";
  }
  return "chars";
}

Tokenizer ParseTokenizer(std::string_view name) {
  if (name == "chars") return Tokenizer::kChars;
  if (name == "space") return Tokenizer::kSpaceTokens;
  if (name == "word") return Tokenizer::kWordTokens;
  throw std::invalid_argument("unknown tokenizer '" + std::string(name) + "' (expected chars, space or word)");
}

std::string_view WeightingName(Weighting w) {
  switch (w) {
    case Weighting::kSublinear: return "sublinear";
    case Weighting::kCount: return "count";
    case Weighting::kBinary: return "binary";
  }
  return "sublinear";
}

Weighting ParseWeighting(std::string_view name) {
  if (name == "sublinear") return Weighting::kSublinear;
  if (name == "count") return Weighting::kCount;
  if (name == "binary") return Weighting::kBinary;
  throw std::invalid_argument("unknown weighting '" + std::string(name) + "' (expected sublinear, count or binary)");
}

// ---- Fingerprinter -----------------------------------------------------------------------------

struct Fingerprinter::Impl {
  const FoldTables* tables = nullptr;
  // Shared with the process's T2s stages (convert::SharedVariantConverters): `zhcanon check` and
  // `zhcanon run` load OpenCC's dictionaries once, not twice. Null when fold_variants is off.
  std::shared_ptr<const convert::VariantConverters> variants;

  // Variant folding (when on) into s.converted; returns the text the view is built from.
  // Simplified text (convert::ScriptVerdict "hans": at most 10% of the script-specific
  // characters Traditional-only; most of a mainland corpus) gets t2s without asking the
  // VariantDetector, whose verdict on Simplified text rests on a few characters that Hong Kong
  // and the mainland share (温 户): t2s leaves Simplified text unchanged where hk2s and tw2sp
  // change a few characters, and one conversion instead of a detection and a conversion is
  // what keeps the view fast. Traditional and mixed text gets the config the detector chooses,
  // as zhcanon-t2s --config auto would.
  std::string_view Fold(std::string_view text, Scratch& s, std::uint64_t* t2s_changed = nullptr) const {
    if (!variants) return text;
    s.converted.clear();
    convert::ConvertStats stats;
    variants->Get(convert::Variant::kStandard).Convert(text, s.converted, &stats);
    if (t2s_changed != nullptr) *t2s_changed = stats.changed_chars;
    if (convert::ScriptVerdict(stats) == "hans") return s.converted;
    const convert::Variant v = variants->detector().Detect(text);
    if (v != convert::Variant::kStandard) {
      s.converted.clear();
      variants->Get(v).Convert(text, s.converted);
    }
    return s.converted;
  }

  void BuildView(std::string_view src, Scratch& s) const;
  void CharFeatures(const Scratch& s, int n, FeatureSet& counter) const;
  void TokenFeatures(std::string_view src, Tokenizer tokenizer, int n, Scratch& s) const;
  Fingerprint Compute(std::string_view text, const FingerprintOptions& o, std::uint64_t* t2s_changed = nullptr) const;
};

void Fingerprinter::Impl::BuildView(std::string_view src, Scratch& s) const {
  const FoldTables& t = *tables;
  // Only kMap output can be longer than its input; everything else writes at most one byte and
  // one offset per byte it reads, so this is enough until a kMap says otherwise.
  std::size_t cap = src.size() + 8;
  if (s.view.size() < cap) s.view.resize(cap);
  if (s.cp_off.size() < cap) s.cp_off.resize(cap);
  s.brk.clear();
  s.paragraphs.clear();
  char* out = s.view.data();
  std::uint32_t* off = s.cp_off.data();
  std::size_t pos = 0, ncp = 0;
  bool pending_break = false;
  std::size_t para_begin = 0, para_cp = 0;

  auto begin_char = [&] {
    if (pending_break) {
      s.paragraphs.push_back({static_cast<std::uint32_t>(para_begin), static_cast<std::uint32_t>(pos),
                              static_cast<std::uint32_t>(ncp - para_cp)});
      out[pos++] = '\n';
      para_begin = pos;
      para_cp = ncp;
      s.brk.push_back(static_cast<std::uint32_t>(ncp));
      pending_break = false;
    }
    off[ncp++] = static_cast<std::uint32_t>(pos);
  };
  auto emit_mapped = [&](const char* bytes, std::size_t len, std::size_t consumed) {
    // The only output that can outgrow its input: keep room for it, a '\n' and the rest of the
    // input (which writes at most one byte and one offset per byte it reads).
    const std::size_t need = std::max(pos, ncp) + len + 2 + (src.size() - consumed);
    if (need > cap) {
      cap = std::max(cap * 2, need);
      s.view.resize(cap);
      s.cp_off.resize(cap);
      out = s.view.data();
      off = s.cp_off.data();
    }
    for (std::size_t i = 0; i < len;) {
      const std::size_t n = Utf8Length(static_cast<unsigned char>(bytes[i]));
      begin_char();
      std::memcpy(out + pos, bytes + i, n);
      pos += n;
      i += n;
    }
  };

  const auto* base = reinterpret_cast<const std::uint8_t*>(src.data());
  const std::size_t size = src.size();
  std::size_t i = 0;
  while (i < size) {
    const std::uint8_t b = base[i];
    if (b < 0x80) {
      const std::uint8_t a = t.ascii[b];
      ++i;
      if (a >= 2) {
        begin_char();
        out[pos++] = static_cast<char>(a);
      } else if (a == 1) {
        pending_break = ncp > 0;
      }
      continue;
    }
    const std::size_t start = i;
    UChar32 c;
    if ((b & 0xF0) == 0xE0 && i + 2 < size && (base[i + 1] & 0xC0) == 0x80 && (base[i + 2] & 0xC0) == 0x80) {
      // Three bytes, the common case of Chinese text: decoded inline.
      c = (UChar32(b & 0x0F) << 12) | (UChar32(base[i + 1] & 0x3F) << 6) | (base[i + 2] & 0x3F);
      i += 3;
      if (c < 0x800) continue;  // overlong: invalid, skipped (surrogates are kDrop in the table)
      const std::uint8_t action = t.cls[c] & kActionMask;
      if (action == kKeep) {
        begin_char();
        std::memcpy(out + pos, base + start, 3);
        pos += 3;
      } else if (action == kMap) {
        const std::uint32_t m = t.map[c];
        emit_mapped(t.pool.data() + (m >> 8), m & 0xFF, i);
      } else if (action == kBreak) {
        pending_break = ncp > 0;
      }
      continue;
    }
    {
      int32_t k = 0;
      const int32_t avail = static_cast<int32_t>(std::min<std::size_t>(size - i, 4));
      U8_NEXT(base + i, k, avail, c);
      i += static_cast<std::size_t>(k);
    }
    if (c < 0) continue;  // invalid UTF-8: skipped
    std::uint8_t action;
    if (c < 0x10000) {
      action = t.cls[c] & kActionMask;
      if (action == kMap) {
        const std::uint32_t m = t.map[c];
        emit_mapped(t.pool.data() + (m >> 8), m & 0xFF, i);
        continue;
      }
    } else {
      // Above the BMP (rare: historic Han, emoji, math letters): ICU directly, same rules.
      bool same = false;
      const std::string folded = FoldOne(*t.nfkc_cf, c, same);
      if (!same) {
        if (!folded.empty()) emit_mapped(folded.data(), folded.size(), i);
        continue;
      }
      action = IsDropped(c) ? kDrop : kKeep;
    }
    if (action == kKeep) {
      begin_char();
      std::memcpy(out + pos, base + start, i - start);
      pos += i - start;
    } else if (action == kBreak) {
      pending_break = ncp > 0;
    }
  }
  if (ncp > para_cp)
    s.paragraphs.push_back({static_cast<std::uint32_t>(para_begin), static_cast<std::uint32_t>(pos),
                            static_cast<std::uint32_t>(ncp - para_cp)});
  off[ncp] = static_cast<std::uint32_t>(pos);  // the end, so a window's bytes are [off[i], off[i+n])
  s.view_size = pos;
  s.chars = ncp;
  s.brk.push_back(static_cast<std::uint32_t>(ncp + 1));  // a sentinel past the end
}

void Fingerprinter::Impl::CharFeatures(const Scratch& s, int n, FeatureSet& counter) const {
  const std::size_t ncp = s.chars;
  const char* view = s.view.data();
  const std::uint32_t* off = s.cp_off.data();
  if (ncp == 0) return;
  if (ncp < static_cast<std::size_t>(n)) {
    // Fewer characters than n: the whole text is the one feature (the text is short anyway).
    char buf[16 * 4];
    std::size_t len = 0;
    for (std::size_t i = 0; i < ncp; ++i) {
      const std::size_t b = off[i], l = Utf8Length(static_cast<unsigned char>(view[b]));
      std::memcpy(buf + len, view + b, l);
      len += l;
    }
    counter.Add(Hash64(buf, len));
    return;
  }
  // A window [i, i+n) is contiguous in the view unless a '\n' precedes one of its code points
  // i+1 .. i+n-1; then its bytes are gathered without the '\n', so that where a copy breaks its
  // paragraphs does not change its features.
  const std::uint32_t* brk = s.brk.data();
  std::size_t next_brk = 0;  // first break index > i
  const std::size_t windows = ncp - static_cast<std::size_t>(n) + 1;
  auto window_hash = [&](std::size_t i) -> std::uint64_t {  // called with i ascending
    while (brk[next_brk] <= i) ++next_brk;
    const std::size_t last = i + static_cast<std::size_t>(n) - 1;
    const std::size_t begin = off[i];
    if (brk[next_brk] > last) {
      const std::size_t end = off[last] + Utf8Length(static_cast<unsigned char>(view[off[last]]));
      return Hash64(view + begin, end - begin);
    }
    char buf[16 * 4];
    std::size_t len = 0;
    for (std::size_t j = i; j <= last; ++j) {
      const std::size_t b = off[j], l = Utf8Length(static_cast<unsigned char>(view[b]));
      std::memcpy(buf + len, view + b, l);
      len += l;
    }
    return Hash64(buf, len);
  };
  // Hashes run kAhead windows ahead of the set, whose slot for each is prefetched meanwhile.
  constexpr std::size_t kAhead = 8;
  std::uint64_t ring[kAhead];
  for (std::size_t i = 0; i < windows; ++i) {
    const std::uint64_t h = window_hash(i);
    counter.Prefetch(h);
    if (i >= kAhead) counter.Add(ring[i % kAhead]);
    ring[i % kAhead] = h;
  }
  for (std::size_t i = windows - std::min(windows, kAhead); i < windows; ++i) counter.Add(ring[i % kAhead]);
}

void Fingerprinter::Impl::TokenFeatures(std::string_view src, Tokenizer tokenizer, int n, Scratch& s) const {
  const FoldTables& t = *tables;
  const std::uint8_t bit = tokenizer == Tokenizer::kSpaceTokens ? kSpaceBit : kWordBit;
  // kSpaceTokens: a token is a run of non-space characters; kWordTokens: a run of word characters.
  const bool in_token_if_set = tokenizer == Tokenizer::kWordTokens;
  s.tokens.clear();
  s.token.clear();
  auto flush = [&] {
    if (!s.token.empty()) s.tokens.push_back(XXH3_64bits(s.token.data(), s.token.size()));
    s.token.clear();
  };
  const auto* base = reinterpret_cast<const std::uint8_t*>(src.data());
  const std::size_t size = src.size();
  std::size_t i = 0;
  while (i < size) {
    const std::size_t start = i;
    UChar32 c;
    int32_t k = 0;
    const int32_t avail = static_cast<int32_t>(std::min<std::size_t>(size - i, 4));
    U8_NEXT(base + i, k, avail, c);
    i += static_cast<std::size_t>(k);
    if (c < 0) continue;
    bool set;
    if (c < 0x10000) {
      set = (t.cls[c] & bit) != 0;
    } else {
      set = tokenizer == Tokenizer::kSpaceTokens ? u_isUWhiteSpace(c) : IsWord(c);
    }
    if (set != in_token_if_set) {
      flush();
      continue;
    }
    // Lowercased like the peers do (ASCII here: the corpora have no other cased letters that
    // matter, and full Unicode lowercasing would cost a table of its own).
    if (c >= 'A' && c <= 'Z') {
      s.token.push_back(static_cast<char>(c + 32));
    } else {
      s.token.append(src.data() + start, i - start);
    }
  }
  flush();
  FeatureSet& counter = s.features;
  const std::size_t m = s.tokens.size();
  counter.Reset(m);
  if (m == 0) return;
  const std::size_t w = std::min(m, static_cast<std::size_t>(n));
  for (std::size_t j = 0; j + w <= m; ++j) counter.Add(XXH3_64bits(s.tokens.data() + j, w * 8));
}

Fingerprint Fingerprinter::Impl::Compute(std::string_view text, const FingerprintOptions& o,
                                          std::uint64_t* t2s_changed) const {
  Scratch& s = ThreadScratch();
  // Offsets are 32-bit: a text beyond 4 GiB is fingerprinted by its first 4 GiB (less a margin).
  constexpr std::size_t kMaxText = std::numeric_limits<std::uint32_t>::max() / 2;
  if (text.size() > kMaxText) {
    std::size_t cut = kMaxText;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  const std::string_view src = Fold(text, s, t2s_changed);
  BuildView(src, s);

  Fingerprint f;
  const std::size_t ncp = s.chars;
  const std::string_view view(s.view.data(), s.view_size);
  const XXH128_hash_t exact = XXH3_128bits(view.data(), view.size());
  f.exact_hi = exact.high64;
  f.exact_lo = exact.low64;
  f.view_chars = static_cast<std::uint32_t>(ncp + s.paragraphs.size() - (s.paragraphs.empty() ? 0 : 1));

  // Paragraph samples: the smallest hashes, distinct, ascending.
  for (const Paragraph& p : s.paragraphs) {
    if (p.chars < static_cast<std::uint32_t>(o.min_paragraph_chars)) continue;
    std::uint64_t h = XXH3_64bits(view.data() + p.begin, p.end - p.begin);
    h |= (h == 0);
    ++f.paragraph_count;
    auto& slots = f.paragraphs;
    // Slots hold the smallest distinct hashes, ascending, then zeros.
    int used = 0;
    while (used < kParagraphSamples && slots[used] != 0) ++used;
    if (std::find(slots.begin(), slots.begin() + used, h) != slots.begin() + used) continue;
    if (used == kParagraphSamples) {
      if (h >= slots[kParagraphSamples - 1]) continue;
      --used;
    }
    int j = used;
    while (j > 0 && slots[j - 1] > h) {
      slots[j] = slots[j - 1];
      --j;
    }
    slots[j] = h;
  }

  // Features.
  FeatureSet& fs = s.features;
  if (o.tokenizer == Tokenizer::kChars) {
    fs.Reset(ncp);
    CharFeatures(s, o.ngram, fs);
  } else {
    TokenFeatures(src, o.tokenizer, o.ngram, s);
  }
  f.features = fs.distinct;
  f.short_text = f.features < static_cast<std::uint32_t>(std::max(o.min_features, 1));

  if (fs.distinct > 0) {
    // SimHash in fixed point (1.0 = 65536) so that it does not depend on summation order or
    // floating-point details. Every distinct feature was counted once, with weight 1, as it
    // appeared; a feature seen tf > 1 times gets the rest of its weight here.
    constexpr std::int64_t kOne = 65536;
    std::int64_t acc[64] = {};
    if (o.weighting != Weighting::kBinary && !fs.repeated.empty()) {
      // Features seen twice or three times (nearly all repeats) are counted per class with the
      // bit counter; rarer ones one by one.
      auto weight = [&](std::size_t tf) -> std::int64_t {
        return o.weighting == Weighting::kCount
                   ? static_cast<std::int64_t>(tf) * kOne
                   : std::llround((1.0 + std::log(static_cast<double>(tf))) * static_cast<double>(kOne));
      };
      BitCounter by_tf[2];  // tf 2, 3
      std::int64_t n_tf[2] = {0, 0};
      for (const FeatureSet::Repeat& rep : fs.repeated) {
        const std::size_t tf = fs.counts[rep.slot];
        const std::uint64_t h = rep.hash;
        if (tf <= 3) {
          by_tf[tf - 2].Add(h);
          ++n_tf[tf - 2];
        } else {
          AddWeighted(acc, h, weight(tf) - kOne);
        }
      }
      for (int c = 0; c < 2; ++c) {
        if (n_tf[c] == 0) continue;
        by_tf[c].Flush();
        const std::int64_t extra = weight(static_cast<std::size_t>(c) + 2) - kOne;
        for (int b = 0; b < 64; ++b) acc[b] += (2 * static_cast<std::int64_t>(by_tf[c].total[b]) - n_tf[c]) * extra;
      }
    }
    fs.bits.Flush();
    const std::int64_t n = fs.distinct;
    std::uint64_t simhash = 0;
    for (int b = 0; b < 64; ++b) {
      const std::int64_t v = acc[b] + (2 * static_cast<std::int64_t>(fs.bits.total[b]) - n) * kOne;
      if (v > 0) simhash |= std::uint64_t{1} << b;
    }
    f.simhash = simhash;

    // Empty bins borrow the value of a non-empty bin chosen by a fixed pseudo-random sequence
    // per bin (Shrivastava 2017, "optimal densification"): two sets with the same bin empty
    // look at the same bins in the same order, which keeps the share of equal bins an
    // (almost) unbiased estimate of Jaccard similarity.
    const std::uint64_t* mins = fs.mins;
    constexpr std::uint64_t kEmpty = FeatureSet::kEmptyBin;
    for (int b = 0; b < kSketchSize; ++b) {
      std::uint64_t m = mins[b];
      if (m == kEmpty) {
        for (std::uint64_t attempt = 1; attempt <= 1024 && m == kEmpty; ++attempt)
          m = mins[SplitMix(static_cast<std::uint64_t>(b) << 32 | attempt) & (kSketchSize - 1)];
        for (int d = 1; d < kSketchSize && m == kEmpty; ++d) m = mins[(b + d) % kSketchSize];
      }
      f.sketch[b] = static_cast<std::uint16_t>(m);  // the low bits: uniform, whatever the minimum
    }
  }
  s.Trim();
  return f;
}

void CheckFingerprintOptions(const FingerprintOptions& o) {
  if (o.ngram < 1 || o.ngram > 16) throw ConfigError("dedup: ngram must be 1..16, not " + std::to_string(o.ngram));
  if (o.min_features < 0)
    throw ConfigError("dedup: min_features must be >= 0, not " + std::to_string(o.min_features));
  if (o.min_paragraph_chars < 0)
    throw ConfigError("dedup: min_paragraph_chars must be >= 0, not " + std::to_string(o.min_paragraph_chars));
}

Fingerprinter::Fingerprinter(FingerprintOptions options) : options_(options) {
  CheckFingerprintOptions(options_);
  auto impl = std::make_unique<Impl>();
  impl->tables = &Tables();
  if (options_.fold_variants) impl->variants = convert::SharedVariantConverters();
  impl_ = std::move(impl);
}

Fingerprinter::~Fingerprinter() = default;

std::string Fingerprinter::View(std::string_view text) const {
  Scratch& s = ThreadScratch();
  const std::string_view src = impl_->Fold(text, s);
  impl_->BuildView(src, s);
  return std::string(s.view.data(), s.view_size);
}

Fingerprint Fingerprinter::Compute(std::string_view text) const { return impl_->Compute(text, options_); }

Fingerprint Fingerprinter::Compute(std::string_view text, std::uint64_t* t2s_changed_chars) const {
  if (t2s_changed_chars != nullptr) *t2s_changed_chars = 0;
  return impl_->Compute(text, options_, t2s_changed_chars);
}

double EstimateJaccard(const Fingerprint& a, const Fingerprint& b) {
  if (a.features == 0 || b.features == 0) return a.features == 0 && b.features == 0 ? 1.0 : 0.0;
  int equal = 0;
  for (int i = 0; i < kSketchSize; ++i) equal += a.sketch[i] == b.sketch[i];
  return static_cast<double>(equal) / kSketchSize;
}

double EstimateContainment(const Fingerprint& a, const Fingerprint& b) {
  if (a.features == 0 || b.features == 0) return a.features == 0 && b.features == 0 ? 1.0 : 0.0;
  const double j = EstimateJaccard(a, b);
  // |A∩B| = J (|A| + |B|) / (1 + J).
  const double na = a.features, nb = b.features;
  const double inter = j * (na + nb) / (1.0 + j);
  return std::clamp(inter / std::min(na, nb), 0.0, 1.0);
}

int SharedParagraphs(const Fingerprint& a, const Fingerprint& b) {
  int shared = 0;
  for (std::uint64_t x : a.paragraphs) {
    if (x == 0) continue;
    for (std::uint64_t y : b.paragraphs)
      if (x == y) {
        ++shared;
        break;
      }
  }
  return shared;
}

}  // namespace zhcanon::dedup
