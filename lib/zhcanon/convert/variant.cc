#include "zhcanon/convert/variant.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "zhcanon/convert/dictionary_trie.h"
#include "zhcanon/convert/opencc_config.h"

namespace zhcanon::convert {

namespace {

enum Kind : char { kShared = 1, kStandardShared, kTaiwan, kTaiwanWords, kHongKong, kNotTaiwan, kMainlandWords, kNotHongKong };

constexpr char32_t kNotOne = 0x110000;

// Decodes the code point at p (UTF-8 from OpenCC's dictionaries) and advances p; a byte that
// starts no sequence is taken as itself.
char32_t NextCodePoint(const unsigned char*& p, const unsigned char* e) {
  const unsigned char b = *p;
  const std::size_t len = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  if (len == 1 || static_cast<std::size_t>(e - p) < len) return *p++;
  char32_t c = b & (0x7F >> len);
  for (std::size_t i = 1; i < len; ++i) c = (c << 6) | (p[i] & 0x3F);
  p += len;
  return c;
}

// The code point of a string of exactly one, else kNotOne.
char32_t SingleCodePoint(std::string_view s) {
  if (s.empty()) return kNotOne;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  const char32_t c = NextCodePoint(p, e);
  return p == e && c < kNotOne ? c : kNotOne;
}

std::size_t Chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

struct VariantDetector::Impl {
  DictionaryTrie trie;          // evidence string → Kind (a one-byte value)
  std::vector<bool> may_start;  // BMP lead code points of evidence strings (others: always tried)
};

std::string_view VariantConfig(Variant v) {
  switch (v) {
    case Variant::kTaiwan: return "tw2sp";
    case Variant::kHongKong: return "hk2s";
    default: return "t2s";
  }
}

VariantEvidence& VariantEvidence::operator+=(const VariantEvidence& o) {
  shared += o.shared;
  standard_shared += o.standard_shared;
  taiwan += o.taiwan;
  taiwan_words += o.taiwan_words;
  hongkong += o.hongkong;
  not_taiwan += o.not_taiwan;
  mainland_words += o.mainland_words;
  not_hongkong += o.not_hongkong;
  return *this;
}

Variant Decide(const VariantEvidence& e) {
  // Measured on Simplified text made Traditional by s2t, s2twp and s2hk (bench/RESULTS.md):
  // weighting Taiwan's words more than mainland words, or requiring a Hong Kong-only form for
  // hk2s, gave fewer documents the output of the right config, not more.
  const auto s = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  const std::int64_t tw = s(e.taiwan) + s(e.taiwan_words);
  const std::int64_t mainland = s(e.not_taiwan) + s(e.mainland_words);
  const std::int64_t standard = s(e.standard_shared) + mainland + s(e.not_hongkong) - s(e.shared) - tw - s(e.hongkong);
  const std::int64_t taiwan = s(e.shared) + tw + s(e.not_hongkong) - s(e.standard_shared) - mainland - s(e.hongkong);
  const std::int64_t hongkong = s(e.shared) + s(e.hongkong) + mainland - s(e.standard_shared) - s(e.not_hongkong) - tw;
  if (standard >= taiwan && standard >= hongkong) return Variant::kStandard;
  return taiwan >= hongkong ? Variant::kTaiwan : Variant::kHongKong;
}

VariantDetector::VariantDetector() {
  using Table = std::vector<std::pair<std::string, std::vector<std::string>>>;
  const Table tw = LoadOpenccDictionaryValues("TWVariants.ocd2");
  const Table hk = LoadOpenccDictionaryValues("HKVariants.ocd2");
  const Table phrases = LoadOpenccDictionaryValues("TWPhrases.ocd2");
  const Table st = LoadOpenccDictionaryValues("STCharacters.ocd2");
  const Table ts = LoadOpenccDictionaryValues("TSCharacters.ocd2");

  // A form is only evidence of a variant if OpenCC's standard Traditional (what s2t makes of
  // Simplified text) does not have it too: 才 is Taiwan's form of 纔 but also s2t's 才, and 著
  // (Taiwan's 着) passes through s2t from Simplified 显著. s2t can output a character that is in
  // some default value of STCharacters or STPhrases, or that Simplified text has and s2t leaves
  // alone (a character neither STCharacters nor TSCharacters changes).
  // The characters s2t can output are a bitmap over code points, not a set of strings: STPhrases'
  // 49,000 values are most of what `zhcanon check` spends before it reads an article.
  std::vector<bool> standard_output(0x110000, false);
  auto add_chars = [&](std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* e = p + s.size();
    while (p < e) {
      const char32_t c = NextCodePoint(p, e);
      if (c < standard_output.size()) standard_output[c] = true;
    }
  };
  for (const auto& [k, v] : st)
    if (!v.empty()) add_chars(v.front());
  ForEachOpenccDefaultValue("STPhrases.ocd2", add_chars);
  std::unordered_set<std::string> st_keys, ts_changed;
  for (const auto& [k, v] : st) st_keys.insert(k);
  for (const auto& [k, v] : ts)
    if (!v.empty() && v.front() != k) ts_changed.insert(k);
  auto standard_has = [&](const std::string& c) {
    const char32_t cp = SingleCodePoint(c);
    return (cp != kNotOne && standard_output[cp]) || (!st_keys.count(c) && !ts_changed.count(c));
  };

  // Sorted sets: the evidence is added in a fixed order (the trie does not care, the tests'
  // dumps do).
  std::set<std::string> tw_keys, hk_keys, tw_values, hk_values;
  // A form counts as a variant's when it is the default value and differs from the key;
  // alternatives (啓 → 啓 啟) are not evidence either way.
  for (const auto& [k, v] : tw)
    if (!v.empty() && v.front() != k) tw_keys.insert(k), tw_values.insert(v.front());
  for (const auto& [k, v] : hk)
    if (!v.empty() && v.front() != k) hk_keys.insert(k), hk_values.insert(v.front());
  std::unordered_set<std::string> all_values;
  for (const Table* t : {&tw, &hk})
    for (const auto& [k, v] : *t) all_values.insert(v.begin(), v.end());

  DictionaryEntries evidence;
  auto add = [&](const std::string& s, Kind kind) { evidence.entries.emplace_back(s, std::string(1, kind)); };
  for (const std::string& v : tw_values)
    if (!standard_has(v)) add(v, hk_values.count(v) ? kShared : kTaiwan);
  for (const std::string& v : hk_values)
    if (!tw_values.count(v) && !standard_has(v)) add(v, kHongKong);
  for (const std::string& k : tw_keys) {
    if (all_values.count(k)) continue;  // also some variant's form: no evidence
    add(k, hk_keys.count(k) ? kStandardShared : kNotTaiwan);
  }
  for (const std::string& k : hk_keys)
    if (!tw_keys.count(k) && !all_values.count(k)) add(k, kNotHongKong);
  // Vocabulary: Taiwan's words (滑鼠 程式) for the mainland's (鼠標 程序), which s2t and s2hk
  // keep. Words that are both (壁紙) say nothing.
  std::unordered_set<std::string> phrase_keys;
  for (const auto& [k, v] : phrases) phrase_keys.insert(k);
  for (const auto& [k, v] : phrases) {
    if (v.empty() || v.front() == k || Chars(k) < 2 || Chars(v.front()) < 2) continue;
    if (!phrase_keys.count(v.front())) add(v.front(), kTaiwanWords);
    add(k, kMainlandWords);
  }

  auto impl = std::make_shared<Impl>();
  impl->trie = DictionaryTrie::Build({&evidence});
  impl->may_start.assign(0x10000, false);
  for (const auto& [k, v] : evidence.entries) {
    const auto* p = reinterpret_cast<const unsigned char*>(k.data());
    if (k.size() >= 3 && (p[0] & 0xF0) == 0xE0)
      impl->may_start[((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)] = true;
  }
  impl_ = std::move(impl);
}

VariantEvidence VariantDetector::Count(std::string_view text, std::size_t max_bytes) const {
  VariantEvidence e;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + std::min(text.size(), max_bytes);
  while (end > p && end < reinterpret_cast<const unsigned char*>(text.data()) + text.size() &&
         (*end & 0xC0) == 0x80)
    --end;  // never cut a character
  const DictionaryTrie& trie = impl_->trie;
  while (p < end) {
    const unsigned char b = *p;
    std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (b < 0x80 || (b & 0xC0) == 0x80) {
      ++p;  // evidence is all Han
      continue;
    }
    if (len == 3 && end - p >= 3 &&
        !impl_->may_start[((b & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)]) {
      p += 3;
      continue;
    }
    const DictionaryTrie::Match m = trie.LongestPrefix(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(end));
    if (m.length == 0) {
      p += std::min<std::size_t>(len, static_cast<std::size_t>(end - p));
      continue;
    }
    switch (trie.value(m.entry)[0]) {
      case kShared: ++e.shared; break;
      case kStandardShared: ++e.standard_shared; break;
      case kTaiwan: ++e.taiwan; break;
      case kTaiwanWords: ++e.taiwan_words; break;
      case kHongKong: ++e.hongkong; break;
      case kMainlandWords: ++e.mainland_words; break;
      case kNotTaiwan: ++e.not_taiwan; break;
      case kNotHongKong: ++e.not_hongkong; break;
      default: break;
    }
    p += m.length;
  }
  return e;
}

std::shared_ptr<const VariantDetector> SharedVariantDetector() {
  static std::mutex mu;
  static std::weak_ptr<const VariantDetector> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto d = cache.lock()) return d;
  auto d = std::make_shared<const VariantDetector>();
  cache = d;
  return d;
}

struct VariantConverters::Slots {
  std::string user_dictionary;
  std::once_flag loaded[4];  // kStandard, kTaiwan, kHongKong, the detector
  std::shared_ptr<const Converter> converters[3];
  std::shared_ptr<const VariantDetector> detector;
};

VariantConverters::VariantConverters(std::string user_dictionary) : slots_(std::make_shared<Slots>()) {
  slots_->user_dictionary = std::move(user_dictionary);
  for (Variant v : {Variant::kTaiwan, Variant::kHongKong}) FindOpenccConfig(VariantConfig(v));
  Get(Variant::kStandard);
}

const Converter& VariantConverters::Get(Variant v) const {
  const int i = static_cast<int>(v);
  // call_once leaves the flag unset when the load throws: the next caller tries again.
  std::call_once(slots_->loaded[i], [&] {
    slots_->converters[i] = SharedConverter(ConverterOptions{std::string(VariantConfig(v)), slots_->user_dictionary});
  });
  return *slots_->converters[i];
}

const VariantDetector& VariantConverters::detector() const {
  std::call_once(slots_->loaded[3], [&] { slots_->detector = SharedVariantDetector(); });
  return *slots_->detector;
}

Variant VariantConverters::Convert(std::string_view title, std::string_view text, std::string& title_out,
                                   std::string& text_out, ConvertStats* stats) const {
  ConvertStats text_stats, title_stats;
  const Converter& t2s = Get(Variant::kStandard);
  text_out.clear();
  title_out.clear();
  t2s.Convert(text, text_out, &text_stats);
  t2s.Convert(title, title_out, &title_stats);
  ConvertStats both = text_stats;
  both += title_stats;
  Variant v = Variant::kStandard;
  if (ScriptVerdict(both) != "hans") {
    // The title is short and often the most telling (its words are chosen): count it too.
    VariantEvidence e = detector().Count(title);
    e += detector().Count(text);
    v = Decide(e);
    if (v != Variant::kStandard) {
      const Converter& c = Get(v);
      text_out.clear();
      title_out.clear();
      text_stats = {};
      c.Convert(text, text_out, &text_stats);
      c.Convert(title, title_out);
    }
  }
  if (stats != nullptr) *stats = text_stats;
  return v;
}

std::shared_ptr<const VariantConverters> SharedVariantConverters() {
  static std::mutex mu;
  static std::weak_ptr<const VariantConverters> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto c = cache.lock()) return c;
  auto c = std::make_shared<const VariantConverters>();
  cache = c;
  return c;
}

}  // namespace zhcanon::convert
