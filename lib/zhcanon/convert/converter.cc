#include "zhcanon/convert/converter.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "zhcanon/convert/dictionary_trie.h"
#include "zhcanon/convert/opencc_config.h"

namespace zhcanon::convert {

namespace {

// ---- characters as OpenCC cuts them -------------------------------------------------------

// UTF8Util::NextCharLength: the lead byte alone gives the length. 0 marks what OpenCC throws on
// (a continuation byte, 0xFE, 0xFF); zhcanon copies such a byte as a one-byte character.
constexpr std::uint8_t LeadLength(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xC0 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : b < 0xFC ? 5 : b < 0xFE ? 6 : 0;
}

struct Char {
  char32_t cp;      // meaningful when ok
  std::uint32_t len;
  bool ok;          // a well-formed UTF-8 sequence (a dictionary key can start with it)
};

inline bool Cont(unsigned char b) { return (b & 0xC0) == 0x80; }

// One character at p (p < end): OpenCC's length, cut at `end`, and whether it is well formed.
[[gnu::always_inline]] inline Char DecodeChar(const unsigned char* p, const unsigned char* end) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return {b0, 1, true};
  const std::size_t n = LeadLength(b0);
  const std::size_t avail = static_cast<std::size_t>(end - p);
  if (n == 0) return {0, 1, false};
  if (n > avail) return {0, static_cast<std::uint32_t>(avail), false};
  switch (n) {
    case 2: {
      const char32_t cp = (char32_t(b0 & 0x1F) << 6) | (p[1] & 0x3F);
      return {cp, 2, Cont(p[1]) && cp >= 0x80};
    }
    case 3: {
      const char32_t cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
      return {cp, 3, Cont(p[1]) && Cont(p[2]) && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)};
    }
    case 4: {
      const char32_t cp = (char32_t(b0 & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) |
                          (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
      return {cp, 4, Cont(p[1]) && Cont(p[2]) && Cont(p[3]) && cp >= 0x10000 && cp <= 0x10FFFF};
    }
    default:
      return {0, static_cast<std::uint32_t>(n), false};
  }
}

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x2FA1F) || (c >= 0x30000 && c <= 0x323AF);
}

// ---- per-code-point flags -------------------------------------------------------------------

// Bits 0-1: the segmentation; bits 2-9: conversions 0-3 (later ones share conversion 3's
// bits, which only makes them more often candidates). "Start" means the code point begins a key
// of two or more characters (then the first two characters go through a pair filter); "single"
// means it is a key by itself (always a candidate).
constexpr std::uint16_t kSegStart = 1 << 0;
constexpr std::uint16_t kSegSingle = 1 << 1;
constexpr int kMaxConvBits = 4;
constexpr std::uint16_t ConvStart(std::size_t k) { return std::uint16_t(1u << (2 + 2 * std::min<std::size_t>(k, kMaxConvBits - 1))); }
constexpr std::uint16_t ConvSingle(std::size_t k) { return std::uint16_t(1u << (3 + 2 * std::min<std::size_t>(k, kMaxConvBits - 1))); }
constexpr std::uint16_t kKeyMask = 0x3FF;
constexpr std::uint16_t kHan = 1 << 10;
constexpr std::uint16_t kTradOnly = 1 << 11;
constexpr std::uint16_t kSimpOnly = 1 << 12;

// The first two code points of every key of two or more characters, as a one-hash bit filter:
// a zero bit proves no such key starts with the pair.
class PairFilter {
 public:
  void Build(const std::vector<std::pair<char32_t, char32_t>>& pairs) {
    int bits = 12;
    while (bits < 22 && (std::size_t{1} << bits) < pairs.size() * 32) ++bits;
    shift_ = 64 - bits;
    bits_.assign((std::size_t{1} << bits) / 64, 0);
    for (const auto& [a, b] : pairs) {
      const std::uint64_t h = Hash(a, b);
      bits_[h >> 6] |= std::uint64_t{1} << (h & 63);
    }
  }
  bool MayContain(char32_t a, char32_t b) const {
    const std::uint64_t h = Hash(a, b);
    return (bits_[h >> 6] >> (h & 63)) & 1;
  }
  std::size_t memory() const { return bits_.capacity() * 8; }

 private:
  std::uint64_t Hash(char32_t a, char32_t b) const {
    return ((std::uint64_t{a} << 21 | b) * 0x9E3779B97F4A7C15ull) >> shift_;
  }
  std::vector<std::uint64_t> bits_ = std::vector<std::uint64_t>(1, 0);
  int shift_ = 58;
};

struct Scan {
  DictionaryTrie trie;
  PairFilter pairs;
  std::uint16_t start_bit = 0, single_bit = 0;
  // A key that does not start with two well-formed characters (a user dictionary can hold
  // anything): the filters cannot speak for it, so every position is a candidate.
  bool every_position = false;
};

// A position of the current unmatched run where some conversion may match, with the
// conversions (bit k) that may.
struct Candidate {
  std::uint32_t offset;
  std::uint32_t mask;
};

// Everything a Converter compiled from its config.
struct Compiled {
  std::string config, config_path;
  Scan segmentation;
  std::vector<Scan> conversions;
  std::vector<std::uint16_t> bmp = std::vector<std::uint16_t>(0x10000, 0);
  std::unordered_map<char32_t, std::uint16_t> astral;  // key and script bits above the BMP
  bool any_every_position = false;
  bool ascii_inert = true;  // no key starts with an ASCII character

  std::uint16_t Flags(char32_t cp) const {
    if (cp < 0x10000) return bmp[cp];
    auto it = astral.find(cp);
    return (it == astral.end() ? 0 : it->second) | (IsHan(cp) ? kHan : 0);
  }

  void Convert(std::string_view text, std::string& out, ConvertStats* stats) const;
};

// Scratch buffers of one Convert call.
struct Work {
  std::vector<Candidate> candidates;
  std::string buf[2];
  std::vector<std::uint8_t> flags[2];  // per byte of buf[i]: 1 on the lead byte of a changed code point
  ConvertStats stats;
};

std::uint16_t& FlagsSlot(Compiled& impl, char32_t cp) {
  if (cp < 0x10000) return impl.bmp[cp];
  return impl.astral[cp];
}

void Compile(Compiled& impl, Scan& scan) {
  std::vector<std::pair<char32_t, char32_t>> pairs;
  for (std::uint32_t i = 0; i < scan.trie.size(); ++i) {
    const std::string_view key = scan.trie.key(i);
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    const auto* end = p + key.size();
    const Char first = DecodeChar(p, end);
    if (!first.ok) {
      scan.every_position = true;
      continue;
    }
    if (first.len == key.size()) {
      FlagsSlot(impl, first.cp) |= scan.single_bit;
      continue;
    }
    const Char second = DecodeChar(p + first.len, end);
    if (!second.ok) {
      scan.every_position = true;
      continue;
    }
    FlagsSlot(impl, first.cp) |= scan.start_bit;
    pairs.emplace_back(first.cp, second.cp);
  }
  scan.pairs.Build(pairs);
  impl.any_every_position |= scan.every_position;
}

// Is `p` (a character `c`, followed by `next`) a position where a key of `scan` may start?
[[gnu::always_inline]] inline bool MayMatch(const Scan& scan, std::uint16_t flags, const Char& c, const Char& next) {
  if (scan.every_position) return true;
  if (flags & scan.single_bit) return true;
  return (flags & scan.start_bit) && next.ok && scan.pairs.MayContain(c.cp, next.cp);
}

// Counts Han, Traditional-only and Simplified-only code points of [p, end).
void CountScript(const Compiled& impl, const unsigned char* p, const unsigned char* end, ConvertStats& s) {
  while (p < end) {
    const Char c = DecodeChar(p, end);
    if (c.ok) {
      const std::uint16_t f = impl.Flags(c.cp);
      s.han_chars += (f & kHan) != 0;
      s.traditional_only += (f & kTradOnly) != 0;
      s.simplified_only += (f & kSimpOnly) != 0;
    }
    p += c.len;
  }
}

// Code points of `value` that differ from `key` at their place (both UTF-8), OR-ed with the
// input's changed flags (`key_flags`, one per key byte, may be null); written to `out_flags`
// (one per value byte) when given. Returns the count.
std::uint64_t DiffFlags(std::string_view key, const std::uint8_t* key_flags, std::string_view value,
                        std::uint16_t key_chars, std::uint16_t value_chars, std::vector<std::uint8_t>* out_flags) {
  std::uint64_t count = 0;
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  const auto* ke = k + key.size();
  const auto* v = reinterpret_cast<const unsigned char*>(value.data());
  const auto* ve = v + value.size();
  const bool positional = key_chars == value_chars;
  while (v < ve) {
    const Char vc = DecodeChar(v, ve);
    bool changed = true;
    if (positional && k < ke) {
      const Char kc = DecodeChar(k, ke);
      changed = kc.len != vc.len || std::memcmp(k, v, vc.len) != 0 ||
                (key_flags && key_flags[k - reinterpret_cast<const unsigned char*>(key.data())]);
      k += kc.len;
    }
    count += changed;
    if (out_flags) {
      out_flags->push_back(changed ? 1 : 0);
      out_flags->insert(out_flags->end(), vc.len - 1, 0);
    }
    v += vc.len;
  }
  return count;
}

// One conversion of the chain on one segment [in, in + n). Nothing is written until the first
// replacement that changes the text; returns whether there was one (then `out` holds the
// converted segment). `candidates` (may be null) lists, relative to `base`, every position of
// the segment where a key of this conversion may start; without it the segment is scanned.
//
// Changed-character accounting: `in_flags` (may be null: nothing changed yet) marks the changed
// code points of the input; when `out_flags` is given it receives the output's, otherwise the
// changed code points of the output are added to `*counted` directly.
bool ApplyConversion(const Compiled& impl, std::size_t k, const char* in, std::size_t n,
                     const Candidate* cand, const Candidate* cand_end, const char* base,
                     const std::uint8_t* in_flags, std::string& out, std::vector<std::uint8_t>* out_flags,
                     std::uint64_t* counted) {
  const Scan& scan = impl.conversions[k];
  const std::uint32_t bit = std::uint32_t{1} << std::min<std::size_t>(k, 31);
  const char* end = in + n;
  const char* copied = in;  // input before this is in `out` (once something changed)
  bool changed = false;
  std::uint64_t count = 0;

  auto copy_to = [&](const char* p) {
    out.append(copied, static_cast<std::size_t>(p - copied));
    if (out_flags) {
      if (in_flags) out_flags->insert(out_flags->end(), in_flags + (copied - in), in_flags + (p - in));
      else out_flags->insert(out_flags->end(), static_cast<std::size_t>(p - copied), 0);
    } else if (in_flags) {
      count += static_cast<std::uint64_t>(std::count(in_flags + (copied - in), in_flags + (p - in), 1));
    }
  };
  // Tries a match at p; returns the position after it (p when nothing matched).
  auto match_at = [&](const char* p) -> const char* {
    const DictionaryTrie::Match m = scan.trie.LongestPrefix(p, end);
    if (m.length == 0) return p;
    const DictionaryTrie::Entry& e = scan.trie.entry(m.entry);
    if (!e.identity) {
      if (!changed) {
        changed = true;
        out.clear();
        if (out_flags) out_flags->clear();
      }
      copy_to(p);
      const std::string_view value = scan.trie.value(m.entry);
      out.append(value);
      const std::uint8_t* key_flags = in_flags ? in_flags + (p - in) : nullptr;
      if (out_flags || key_flags || e.key_chars != e.value_chars || e.key_chars != 1) {
        count += DiffFlags(scan.trie.key(m.entry), key_flags, value, e.key_chars, e.value_chars, out_flags);
      } else {
        ++count;  // one character replaced by another
      }
      copied = p + m.length;
    }
    return p + m.length;
  };

  if (cand) {
    const char* pos = in;
    for (; cand != cand_end; ++cand) {
      if (!(cand->mask & bit)) continue;
      const char* p = base + cand->offset;
      if (p < pos) continue;  // inside the previous match
      const char* next = match_at(p);
      if (next != p) pos = next;
    }
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(in);
    const auto* e = reinterpret_cast<const unsigned char*>(end);
    while (p < e) {
      const Char c = DecodeChar(p, e);
      if (scan.every_position || (c.ok && !(impl.ascii_inert && c.cp < 0x80))) {
        const std::uint16_t f = c.ok ? impl.Flags(c.cp) : 0;
        if (scan.every_position || (f & (scan.start_bit | scan.single_bit))) {
          const Char next = p + c.len < e ? DecodeChar(p + c.len, e) : Char{0, 0, false};
          if (MayMatch(scan, f, c, next)) {
            const char* q = match_at(reinterpret_cast<const char*>(p));
            if (q != reinterpret_cast<const char*>(p)) {
              p = reinterpret_cast<const unsigned char*>(q);
              continue;
            }
          }
        }
      }
      p += c.len;
    }
  }
  if (changed) {
    copy_to(end);
  } else if (in_flags && !out_flags) {
    // Unchanged here, but earlier conversions changed the segment: their changes stand.
    count += static_cast<std::uint64_t>(std::count(in_flags, in_flags + n, 1));
  }
  if (counted) *counted += count;
  return changed;
}

}  // namespace

void Compiled::Convert(std::string_view text, std::string& out, ConvertStats* stats) const {
  Work w;
  out.reserve(out.size() + text.size() + text.size() / 8);
  const std::size_t nconv = conversions.size();
  const bool use_candidates = text.size() <= UINT32_MAX;
  const char* const base = text.data();

  // Runs a segment through the chain and appends the result. `cand` lists the candidates of
  // an unmatched run (positions relative to `base`); null for a matched word.
  auto convert_segment = [&](const char* s, std::size_t n, const Candidate* cand, const Candidate* cand_end) {
    const char* cur = s;
    std::size_t cur_n = n;
    const std::uint8_t* cur_flags = nullptr;
    int which = 0;
    for (std::size_t k = 0; k < nconv; ++k) {
      const bool last = k + 1 == nconv;
      const bool want_flags = !last;
      std::string& next = w.buf[which];
      std::vector<std::uint8_t>* next_flags = want_flags ? &w.flags[which] : nullptr;
      std::uint64_t* counted = want_flags ? nullptr : &w.stats.changed_chars;
      const bool changed = ApplyConversion(*this, k, cur, cur_n, cand, cand_end, base, cur_flags, next,
                                           next_flags, counted);
      if (changed) {
        cur = next.data();
        cur_n = next.size();
        cur_flags = want_flags ? w.flags[which].data() : nullptr;
        cand = nullptr;  // positions no longer refer to the text
        which ^= 1;
      }
    }
    out.append(cur, cur_n);
  };

  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const e = p + text.size();
  const unsigned char* run = p;  // start of the current unmatched run
  w.candidates.clear();
  // A run's candidates save its conversions a second decoding pass; past kMaxCandidates (a
  // long run of Traditional text) they are dropped and the conversions scan the run
  // themselves, which bounds the memory a huge document takes.
  constexpr std::size_t kMaxCandidates = 1 << 16;
  bool overflow = !use_candidates;
  auto flush_run = [&](const unsigned char* run_end) {
    if (run_end == run) return;
    const Candidate* c = overflow ? nullptr : w.candidates.data();
    overflow = !use_candidates;
    convert_segment(reinterpret_cast<const char*>(run), static_cast<std::size_t>(run_end - run), c,
                    c ? c + w.candidates.size() : nullptr);
    w.candidates.clear();
  };

  const bool check_all = any_every_position;
  const std::uint16_t* const table = bmp.data();
  std::uint64_t han = 0, trad = 0, simp = 0;
  while (p < e) {
    // The common case in a tight loop: ASCII and three-byte characters (all of CJK) that begin
    // no key are only counted and skipped.
    if (!check_all) {
      while (p < e) {
        const unsigned b0 = *p;
        if (b0 < 0x80) {
          if (!ascii_inert && (table[b0] & kKeyMask)) break;
          ++p;
          if (ascii_inert) {
            while (e - p >= 8) {
              std::uint64_t v;
              std::memcpy(&v, p, 8);
              if (v & 0x8080808080808080ull) break;
              p += 8;
            }
          }
          continue;
        }
        if ((b0 & 0xF0) != 0xE0 || e - p < 3 || !Cont(p[1]) || !Cont(p[2])) break;
        const std::uint16_t f = table[((b0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)];
        if (f & kKeyMask) break;  // (an overlong form may look like a key's character: DecodeChar decides)
        han += (f >> 10) & 1;
        trad += (f >> 11) & 1;
        simp += (f >> 12) & 1;
        p += 3;
      }
      if (p >= e) break;
    }
    const Char c = DecodeChar(p, e);
    const std::uint16_t f = c.ok ? Flags(c.cp) : 0;
    han += (f & kHan) != 0;
    trad += (f & kTradOnly) != 0;
    simp += (f & kSimpOnly) != 0;
    if ((f & kKeyMask) || check_all) {
      const Char next = p + c.len < e ? DecodeChar(p + c.len, e) : Char{0, 0, false};
      if (MayMatch(segmentation, f, c, next)) {
        const DictionaryTrie::Match m =
            segmentation.trie.LongestPrefix(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(e));
        if (m.length > 0) {
          flush_run(p);
          CountScript(*this, p + c.len, p + m.length, w.stats);
          convert_segment(reinterpret_cast<const char*>(p), m.length, nullptr, nullptr);
          p += m.length;
          run = p;
          continue;
        }
      }
      if (!overflow) {
        if (w.candidates.size() == kMaxCandidates) {
          overflow = true;
          w.candidates.clear();
        }
      }
      if (!overflow) {
        std::uint32_t mask = 0;
        for (std::size_t k = 0; k < nconv; ++k)
          if (MayMatch(conversions[k], f, c, next)) mask |= std::uint32_t{1} << std::min<std::size_t>(k, 31);
        if (mask) w.candidates.push_back({static_cast<std::uint32_t>(p - reinterpret_cast<const unsigned char*>(base)), mask});
      }
    }
    p += c.len;
  }
  w.stats.han_chars += han;
  w.stats.traditional_only += trad;
  w.stats.simplified_only += simp;
  flush_run(e);
  if (stats) *stats += w.stats;
}

struct Converter::Impl : Compiled {};

Converter::Converter(const ConverterOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->config = options.config;
  const ConfigTables tables = LoadOpenccConfig(options.config, options.user_dictionary);
  impl->config_path = tables.path;

  auto group = [](const std::vector<DictionaryEntries>& leaves) {
    std::vector<const DictionaryEntries*> g;
    for (const auto& l : leaves) g.push_back(&l);
    return DictionaryTrie::Build(g);
  };
  impl->segmentation.trie = group(tables.segmentation);
  impl->segmentation.start_bit = kSegStart;
  impl->segmentation.single_bit = kSegSingle;
  Compile(*impl, impl->segmentation);
  impl->conversions.resize(tables.conversions.size());
  for (std::size_t k = 0; k < tables.conversions.size(); ++k) {
    Scan& s = impl->conversions[k];
    s.trie = group(tables.conversions[k]);
    s.start_bit = ConvStart(k);
    s.single_bit = ConvSingle(k);
    Compile(*impl, s);
  }
  for (char32_t c = 0; c < 0x80; ++c)
    if (impl->bmp[c] & kKeyMask) impl->ascii_inert = false;
  for (char32_t c = 0; c < 0x10000; ++c)
    if (IsHan(c)) impl->bmp[c] |= kHan;
  const ScriptTables& script = GetScriptTables();
  for (char32_t c : script.traditional_only) FlagsSlot(*impl, c) |= kTradOnly;
  for (char32_t c : script.simplified_only) FlagsSlot(*impl, c) |= kSimpOnly;
  impl_ = std::move(impl);
}

std::string Converter::Convert(std::string_view text) const {
  std::string out;
  impl_->Convert(text, out, nullptr);
  return out;
}

void Converter::Convert(std::string_view text, std::string& out, ConvertStats* stats) const {
  impl_->Convert(text, out, stats);
}

const std::string& Converter::config() const { return impl_->config; }
const std::string& Converter::config_path() const { return impl_->config_path; }
std::size_t Converter::conversions() const { return impl_->conversions.size(); }

bool Converter::MayStartKey(char32_t cp) const { return impl_->any_every_position || (impl_->Flags(cp) & kKeyMask); }

const ScriptTables& GetScriptTables() {
  static const ScriptTables tables = [] {
    using Table = std::vector<std::pair<std::string, std::vector<std::string>>>;
    const Table ts = LoadOpenccDictionaryValues("TSCharacters.ocd2");
    const Table st = LoadOpenccDictionaryValues("STCharacters.ocd2");
    auto single = [](const std::string& s) -> char32_t {
      const auto* p = reinterpret_cast<const unsigned char*>(s.data());
      if (s.empty()) return 0;
      const Char c = DecodeChar(p, p + s.size());
      return c.ok && c.len == s.size() ? c.cp : 0;
    };
    // Characters `table` converts to something else, that are no value of `table` and no key
    // of `other`.
    auto only = [&](const Table& table, const Table& other) {
      std::set<std::string> values, other_keys;
      for (const auto& [k, v] : table) values.insert(v.begin(), v.end());
      for (const auto& [k, v] : other) other_keys.insert(k);
      std::vector<char32_t> out;
      for (const auto& [k, v] : table) {
        const char32_t c = single(k);
        if (c == 0 || std::find(v.begin(), v.end(), k) != v.end() || values.count(k) || other_keys.count(k)) continue;
        out.push_back(c);
      }
      std::sort(out.begin(), out.end());
      return out;
    };
    return ScriptTables{only(ts, st), only(st, ts)};
  }();
  return tables;
}

std::string_view ScriptVerdict(const ConvertStats& s) {
  const std::uint64_t specific = s.traditional_only + s.simplified_only;
  if (specific == 0) return "hans";
  if (s.traditional_only * 10 >= specific * 9) return "hant";
  if (s.traditional_only * 10 <= specific) return "hans";
  return "mixed";
}

std::shared_ptr<const Converter> SharedConverter(const ConverterOptions& options) {
  if (!options.user_dictionary.empty()) return std::make_shared<const Converter>(options);
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<const Converter>> cache;
  std::lock_guard<std::mutex> lock(mu);
  std::weak_ptr<const Converter>& slot = cache[options.config];
  if (auto c = slot.lock()) return c;
  auto c = std::make_shared<const Converter>(options);
  slot = c;
  return c;
}

}  // namespace zhcanon::convert
