// Fingerprints for duplicate detection: what zhcanon-dedup, `zhcanon run` and `zhcanon check`
// compute per document, so the three reach the same verdicts.
//
//   zhcanon::dedup::Fingerprinter fp;                     // defaults (docs/dedup.md)
//   zhcanon::dedup::Fingerprint f = fp.Compute(doc.text);
//   int d = zhcanon::dedup::HammingDistance(f.simhash, g.simhash);
//   double j = zhcanon::dedup::EstimateJaccard(f, g);
//
// The dedup view of a text (Fingerprinter::View) is what every hash below is computed on:
// regional vocabulary and Traditional characters folded to mainland Simplified (OpenCC's
// tw2sp/hk2s/t2s chosen per document by convert::VariantDetector, when fold_variants is on),
// NFKC width folding, Latin case-folded, white space, punctuation and symbols removed; paragraph
// breaks are kept as '\n' (character n-grams run across them; they delimit paragraph hashes).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace zhcanon::dedup {

/// How the features of SimHash and of the sketch are cut from the dedup view.
/// The token tokenizers read the text before the view's folding of width, case and punctuation
/// (after the variant folding when fold_variants is on, so that the benchmark compares
/// tokenizers, not script handling); tokens are ASCII-lowercased; a text with fewer tokens than
/// n has one feature, all of its tokens.
enum class Tokenizer {
  kChars,        // character n-grams of the dedup view (zhcanon's default)
  kSpaceTokens,  // n-grams of white-space-separated tokens of the raw text (data-juicer's default)
  kWordTokens,   // n-grams of \W-split tokens of the raw text, lowercased (text-dedup's default)
};

/// How a feature's term frequency becomes its SimHash weight.
enum class Weighting {
  kSublinear,  // 1 + ln(tf): a repeated boilerplate phrase does not dominate (default)
  kCount,      // tf
  kBinary,     // 1
};

/// "chars", "space", "word" (zhcanon-dedup's --tokenizer, the index's meta table) and back; the
/// parsers throw std::invalid_argument for other names.
std::string_view TokenizerName(Tokenizer t);
Tokenizer ParseTokenizer(std::string_view name);
/// "sublinear", "count", "binary" (--weighting) and back.
std::string_view WeightingName(Weighting w);
Weighting ParseWeighting(std::string_view name);

struct FingerprintOptions {
  Tokenizer tokenizer = Tokenizer::kChars;
  /// n of the n-grams (characters or tokens). The default is chosen on bench/dedup (see docs/dedup.md).
  int ngram = 4;
  Weighting weighting = Weighting::kSublinear;
  /// Fold Traditional script and Taiwan/Hong Kong vocabulary into the view (OpenCC tw2sp/hk2s/t2s
  /// per document). Needs OpenCC's data; off only for benchmarks and tests.
  bool fold_variants = true;
  /// Texts with fewer distinct features are "short": exact matching only, never near-matched.
  int min_features = 24;
  /// Paragraphs of the view shorter than this many characters get no paragraph hash.
  int min_paragraph_chars = 20;
};

/// Throws ConfigError ("dedup: ngram must be 1..16, not 20") for options Fingerprinter does not
/// accept; what its constructor checks.
void CheckFingerprintOptions(const FingerprintOptions& options);

/// The number of MinHash values in a sketch (one-permutation hashing with densification).
inline constexpr int kSketchSize = 64;
/// The number of paragraph hashes kept per document (the smallest ones: a bottom-k sample).
inline constexpr int kParagraphSamples = 4;

/// An empty view (or one of nothing but white space and punctuation) has no features: simhash,
/// sketch and paragraphs are all 0 and the text is short. A short text with features still gets a
/// full sketch (empty bins borrow from others), but only its exact hash is ever compared.
struct Fingerprint {
  /// XXH3-128 of the dedup view: equal views are exact duplicates.
  std::uint64_t exact_hi = 0, exact_lo = 0;
  /// 64-bit SimHash of the weighted features (XXH3-64 of each feature).
  std::uint64_t simhash = 0;
  /// Distinct features; below FingerprintOptions::min_features (and always at 0) the text is short.
  std::uint32_t features = 0;
  /// Code points of the dedup view (its '\n' paragraph breaks included).
  std::uint32_t view_chars = 0;
  bool short_text = false;
  /// MinHash of the feature set, 16 bits per value, for estimating Jaccard and containment.
  std::array<std::uint16_t, kSketchSize> sketch{};
  /// The kParagraphSamples smallest XXH3-64 hashes of the view's paragraphs (those of at least
  /// min_paragraph_chars characters), ascending; unused slots are 0.
  std::array<std::uint64_t, kParagraphSamples> paragraphs{};
  /// Paragraphs that had a hash (before sampling).
  std::uint32_t paragraph_count = 0;

  bool operator==(const Fingerprint&) const = default;
};

class Fingerprinter {
 public:
  /// Throws ConfigError when fold_variants is on and OpenCC's data cannot be loaded, or when an
  /// option is out of range (ngram 1..16, min_features >= 0).
  explicit Fingerprinter(FingerprintOptions options = {});
  ~Fingerprinter();
  /// The dedup view (UTF-8; paragraphs separated by '\n'). Thread-safe.
  std::string View(std::string_view text) const;
  /// Thread-safe. Never throws for any input bytes (invalid UTF-8 is skipped).
  Fingerprint Compute(std::string_view text) const;
  /// Also sets *t2s_changed_chars to the code points OpenCC's t2s changed in `text` (the first
  /// step of the view; what zhcanon-t2s records as t2s_changed_chars), 0 when fold_variants is off.
  Fingerprint Compute(std::string_view text, std::uint64_t* t2s_changed_chars) const;
  const FingerprintOptions& options() const { return options_; }

 private:
  FingerprintOptions options_;
  struct Impl;
  std::unique_ptr<const Impl> impl_;
};

inline int HammingDistance(std::uint64_t a, std::uint64_t b) { return __builtin_popcountll(a ^ b); }

/// Estimated Jaccard similarity of the two feature sets from their sketches, 0..1.
double EstimateJaccard(const Fingerprint& a, const Fingerprint& b);
/// Estimated |A∩B| / min(|A|,|B|) from the Jaccard estimate and the feature counts, 0..1: high
/// when one text is (mostly) contained in the other, e.g. a truncated copy.
double EstimateContainment(const Fingerprint& a, const Fingerprint& b);
/// Paragraph samples the two share (0 slots excluded).
int SharedParagraphs(const Fingerprint& a, const Fingerprint& b);

}  // namespace zhcanon::dedup
