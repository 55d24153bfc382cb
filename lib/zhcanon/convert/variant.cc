#include "zhcanon/convert/variant.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "zhcanon/convert/dictionary_trie.h"
#include "zhcanon/convert/opencc_config.h"
#include "zhcanon/convert/variant_evidence.h"

namespace zhcanon::convert {

EmbeddedVariantEvidence BuiltInVariantEvidence() {
  EmbeddedVariantEvidence out;
  out.available = generated::kVariantEvidenceAvailable;
  std::copy(std::begin(generated::kVariantEvidenceDigests), std::end(generated::kVariantEvidenceDigests),
            out.files.begin());
  out.evidence.entries.reserve(generated::kVariantEvidenceEntryCount);
  for (std::size_t i = 0; i < generated::kVariantEvidenceEntryCount; ++i) {
    const generated::EvidenceEntry& e = generated::kVariantEvidenceEntries[i];
    out.evidence.entries.emplace_back(std::string(e.key), std::string(1, e.kind));
  }
  return out;
}

VariantEvidenceTable LoadVariantEvidence(const std::string& data_dir) {
  // The table is a function of these six files only, so identical bytes give an identical
  // table; hashing them (~1 MB) costs well under a millisecond, reading STPhrases through
  // OpenCC ~20. Anything else (another OpenCC version, a patched dictionary, a missing file)
  // takes the exact computation, which also reports what is wrong with the data.
  if (generated::kVariantEvidenceAvailable) {
    const auto digests = DigestVariantEvidenceFiles(data_dir);
    if (digests && std::equal(digests->begin(), digests->end(), std::begin(generated::kVariantEvidenceDigests)))
      return {BuiltInVariantEvidence().evidence, true};
  }
  return {ComputeVariantEvidence(data_dir), false};
}

struct VariantDetector::Impl {
  DictionaryTrie trie;          // evidence string → VariantEvidenceKind (a one-byte value)
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
  const DictionaryEntries evidence = LoadVariantEvidence(OpenccDataDirectory()).evidence;
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
      case kEvidenceShared: ++e.shared; break;
      case kEvidenceStandardShared: ++e.standard_shared; break;
      case kEvidenceTaiwan: ++e.taiwan; break;
      case kEvidenceTaiwanWords: ++e.taiwan_words; break;
      case kEvidenceHongKong: ++e.hongkong; break;
      case kEvidenceMainlandWords: ++e.mainland_words; break;
      case kEvidenceNotTaiwan: ++e.not_taiwan; break;
      case kEvidenceNotHongKong: ++e.not_hongkong; break;
      default: break;
    }
    p += m.length;
  }
  return e;
}

namespace {

// One default-constructed T for everyone in the process who asks while one is alive (a failed
// construction is not kept: the next caller tries again).
template <class T>
std::shared_ptr<const T> SharedWhileAlive() {
  static std::mutex mu;
  static std::weak_ptr<const T> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto t = cache.lock()) return t;
  auto t = std::make_shared<const T>();
  cache = t;
  return t;
}

}  // namespace

std::shared_ptr<const VariantDetector> SharedVariantDetector() { return SharedWhileAlive<VariantDetector>(); }

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

std::shared_ptr<const VariantConverters> SharedVariantConverters() { return SharedWhileAlive<VariantConverters>(); }

}  // namespace zhcanon::convert
