#include "zhcanon/convert/variant_evidence.h"

#include <xxhash.h>

#include <cstdio>
#include <memory>
#include <set>
#include <unordered_set>
#include <utility>

#include "zhcanon/convert/opencc_config.h"

// Compiled both into the library and into the generator (lib/gen/variant_table_gen.cc), which
// is why this file refers to nothing the generated table defines.

namespace zhcanon::convert {

namespace {

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

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::optional<std::array<DataFileDigest, kVariantEvidenceFiles.size()>> DigestVariantEvidenceFiles(
    const std::string& data_dir) {
  std::array<DataFileDigest, kVariantEvidenceFiles.size()> out{};
  std::vector<char> buffer(1 << 16);
  XXH3_state_t* state = XXH3_createState();
  if (state == nullptr) return std::nullopt;
  const std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state_owner(state, XXH3_freeState);
  for (std::size_t i = 0; i < kVariantEvidenceFiles.size(); ++i) {
    const std::string path = data_dir + "/" + std::string(kVariantEvidenceFiles[i]);
    const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) return std::nullopt;
    XXH3_64bits_reset(state);
    std::uint64_t size = 0;
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f.get())) > 0) {
      XXH3_64bits_update(state, buffer.data(), n);
      size += n;
    }
    if (std::ferror(f.get())) return std::nullopt;  // e.g. a directory of that name
    out[i] = {size, XXH3_64bits_digest(state)};
  }
  return out;
}

DictionaryEntries ComputeVariantEvidence(const std::string& data_dir) {
  using Table = std::vector<std::pair<std::string, std::vector<std::string>>>;
  // By path: OpenCC would otherwise try a bare name in the working directory first, and the
  // digests that decide whether the embedded table applies are of these very files.
  const auto path = [&](std::string_view file) { return data_dir + "/" + std::string(file); };
  const Table tw = LoadOpenccDictionaryValues(path("TWVariants.ocd2"));
  const Table hk = LoadOpenccDictionaryValues(path("HKVariants.ocd2"));
  const Table phrases = LoadOpenccDictionaryValues(path("TWPhrases.ocd2"));
  const Table st = LoadOpenccDictionaryValues(path("STCharacters.ocd2"));
  const Table ts = LoadOpenccDictionaryValues(path("TSCharacters.ocd2"));

  // A form is only evidence of a variant if OpenCC's standard Traditional (what s2t makes of
  // Simplified text) does not have it too: 才 is Taiwan's form of 纔 but also s2t's 才, and 著
  // (Taiwan's 着) passes through s2t from Simplified 显著. s2t can output a character that is in
  // some default value of STCharacters or STPhrases, or that Simplified text has and s2t leaves
  // alone (a character neither STCharacters nor TSCharacters changes).
  // The characters s2t can output are a bitmap over code points, not a set of strings:
  // STPhrases has 49,000 values.
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
  ForEachOpenccDefaultValue(path("STPhrases.ocd2"), add_chars);
  std::unordered_set<std::string> st_keys, ts_changed;
  for (const auto& [k, v] : st) st_keys.insert(k);
  for (const auto& [k, v] : ts)
    if (!v.empty() && v.front() != k) ts_changed.insert(k);
  auto standard_has = [&](const std::string& c) {
    const char32_t cp = SingleCodePoint(c);
    return (cp != kNotOne && standard_output[cp]) || (!st_keys.count(c) && !ts_changed.count(c));
  };

  // Sorted sets: the evidence is added in a fixed order (the trie does not care; the embedded
  // table, its tests and the tests' dumps do).
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
  auto add = [&](const std::string& s, VariantEvidenceKind kind) {
    evidence.entries.emplace_back(s, std::string(1, kind));
  };
  for (const std::string& v : tw_values)
    if (!standard_has(v)) add(v, hk_values.count(v) ? kEvidenceShared : kEvidenceTaiwan);
  for (const std::string& v : hk_values)
    if (!tw_values.count(v) && !standard_has(v)) add(v, kEvidenceHongKong);
  for (const std::string& k : tw_keys) {
    if (all_values.count(k)) continue;  // also some variant's form: no evidence
    add(k, hk_keys.count(k) ? kEvidenceStandardShared : kEvidenceNotTaiwan);
  }
  for (const std::string& k : hk_keys)
    if (!tw_keys.count(k) && !all_values.count(k)) add(k, kEvidenceNotHongKong);
  // Vocabulary: Taiwan's words (滑鼠 程式) for the mainland's (鼠標 程序), which s2t and s2hk
  // keep. Words that are both (壁紙) say nothing.
  std::unordered_set<std::string> phrase_keys;
  for (const auto& [k, v] : phrases) phrase_keys.insert(k);
  for (const auto& [k, v] : phrases) {
    if (v.empty() || v.front() == k || Chars(k) < 2 || Chars(v.front()) < 2) continue;
    if (!phrase_keys.count(v.front())) add(v.front(), kEvidenceTaiwanWords);
    add(k, kEvidenceMainlandWords);
  }
  return evidence;
}

}  // namespace zhcanon::convert
