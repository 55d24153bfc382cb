// Which Traditional Chinese a text is written in — OpenCC's standard forms, Taiwan's or Hong
// Kong's — judged from OpenCC's own TW and HK tables, so that `zhcanon-t2s --config auto` can
// convert each document with t2s, tw2sp or hk2s.
//
//   VariantDetector detector;                         // evidence: see variant_evidence.h
//   VariantEvidence e = detector.Count(text);
//   Variant v = Decide(e);                            // kTaiwan → "tw2sp"
//
// Evidence, counted over the text (longest match at each position):
//   - shared:    forms both Taiwan and Hong Kong use where OpenCC's standard differs (為 爲, 偽 僞)
//                 — the values common to TWVariants and HKVariants; their keys are `standard_shared`;
//   - taiwan:    Taiwan-only forms (裡 床 峰: values of TWVariants that are no value of
//                 HKVariants);
//   - taiwan_words: Taiwan vocabulary (滑鼠 軟體 程式: values of TWPhrases of two characters or
//                 more that differ from their key and are no key themselves); mainland_words:
//                 the mainland words they replace (鼠標 軟件 程序: the keys), which s2t and
//                 s2hk keep;
//   - hongkong:  Hong Kong-only forms (説 户 温: values of HKVariants, not of TWVariants);
//   - not_taiwan: standard forms Taiwan changes and Hong Kong keeps (裏 着 峯: keys of TWVariants
//                 only); not_hongkong: standard forms Hong Kong changes and Taiwan keeps (說 戶 溫).
// A form is only evidence when OpenCC's s2t never writes it (才 is Taiwan's 纔 but also s2t's
// 才; 著 passes through s2t from Simplified 显著). Each variant scores one point for each piece
// of evidence it predicts and loses one for each it rules out (Taiwan: shared, taiwan,
// taiwan_words, not_hongkong; Hong Kong: shared, hongkong, not_taiwan, mainland_words; standard:
// standard_shared, not_taiwan, mainland_words, not_hongkong). The best score wins; ties go to
// the standard forms (t2s: also the answer without evidence, as for Simplified text), then Taiwan.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "zhcanon/convert/converter.h"

namespace zhcanon::convert {

enum class Variant { kStandard, kTaiwan, kHongKong };

/// The OpenCC config that converts text of this variant to Simplified: t2s, tw2sp, hk2s.
std::string_view VariantConfig(Variant v);

struct VariantEvidence {
  std::uint64_t shared = 0;           // 為 偽 眾 …
  std::uint64_t standard_shared = 0;  // 爲 僞 衆 …
  std::uint64_t taiwan = 0;           // 裡 床 峰 …
  std::uint64_t taiwan_words = 0;     // 滑鼠 軟體 程式 …
  std::uint64_t hongkong = 0;         // 説 户 温 …
  std::uint64_t not_taiwan = 0;       // 裏 着 峯 …
  std::uint64_t mainland_words = 0;   // 鼠標 軟件 程序 …
  std::uint64_t not_hongkong = 0;     // 說 戶 溫 …

  VariantEvidence& operator+=(const VariantEvidence& o);
};

/// The variant with the best score (see above); ties go to kStandard, then kTaiwan.
Variant Decide(const VariantEvidence& e);

class VariantDetector {
 public:
  /// Builds the detector from the evidence table of the installed OpenCC data: the one embedded
  /// at build time when the six dictionaries it derives from are byte for byte the build
  /// machine's, else one computed from them (see variant_evidence.h). Throws ConfigError.
  VariantDetector();
  /// Counts the evidence in the first `max_bytes` of `text` (cut at a character boundary).
  VariantEvidence Count(std::string_view text, std::size_t max_bytes = 256 * 1024) const;
  Variant Detect(std::string_view text) const { return Decide(Count(text)); }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

/// One VariantDetector shared by everyone in the process who asks while one is alive (see
/// SharedConverter). Thread-safe; throws what the constructor throws.
std::shared_ptr<const VariantDetector> SharedVariantDetector();

/// What `--config auto` converts with: t2s, tw2sp and hk2s and the VariantDetector that chooses
/// between them. t2s is loaded by the constructor; the detector, tw2sp and hk2s the first time
/// they are asked for, because most articles are Simplified and never need them (loading the
/// four takes most of a short `zhcanon check`). Thread-safe; a load that fails throws
/// ConfigError and is tried again by the next caller.
class VariantConverters {
 public:
  /// Loads t2s (with `user_dictionary`, see ConverterOptions, first in every config) and checks
  /// that tw2sp and hk2s exist, so that a broken OpenCC installation or `--dict` is reported before
  /// any input is read. Throws ConfigError.
  explicit VariantConverters(std::string user_dictionary = {});

  const Converter& Get(Variant v) const;
  const VariantDetector& detector() const;

  /// Converts `text` (and `title`, which is evidence too) with the config of its variant:
  /// Simplified text (ScriptVerdict "hans" over both) gets t2s without asking the detector, as
  /// there is nothing to detect and t2s leaves it as it is; other text gets what the detector
  /// decides. `stats` are those of the text's conversion.
  Variant Convert(std::string_view title, std::string_view text, std::string& title_out, std::string& text_out,
                  ConvertStats* stats = nullptr) const;

 private:
  struct Slots;
  std::shared_ptr<Slots> slots_;
};

/// One VariantConverters without a user dictionary, shared by everyone in the process who asks
/// while one is alive (the t2s stage and the dedup fingerprinter of `zhcanon run` and `check`).
std::shared_ptr<const VariantConverters> SharedVariantConverters();

}  // namespace zhcanon::convert
