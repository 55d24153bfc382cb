// OpenCC conversion, byte for byte what opencc::SimpleConverter returns, about ten times
// faster. The configs and dictionaries are OpenCC's own (loaded through OpenCC's API, see
// opencc_config.h) and compiled into double-array tries (dictionary_trie.h); OpenCC's
// semantics are reproduced exactly:
//
//   1. max-match segmentation: at each character, the longest key of the segmentation
//      dictionary that starts there is a segment of its own; characters where none starts
//      accumulate into one segment until the next match;
//   2. each conversion of the chain, in turn, on each segment separately (a key never spans
//      two segments): greedy longest-prefix matching with the conversion's dictionary group
//      (the FIRST dictionary of the group that has a match gives its longest match), the key
//      replaced by its first value; characters with no match are copied;
//   3. characters are what OpenCC's UTF8Util::NextCharLength says: the lead byte gives the
//      length (1-6 bytes), continuation bytes are not checked.
//
// Where OpenCC 1.1.6 has no answer, zhcanon chooses one that loses nothing: OpenCC stops at
// the first NUL byte (the rest of the text is dropped) — zhcanon converts the text after it
// too (NUL is in no key, so the result is OpenCC's output for each NUL-free piece joined by
// NUL); OpenCC throws on a stray continuation byte and on 0xFE/0xFF, and reads past the end of
// its buffer on a character cut off by the end of the text (it usually throws) — zhcanon copies
// such bytes unchanged. Text that is valid UTF-8 without NUL (what the decode stage delivers)
// always gets OpenCC's exact bytes.
//
// Speed: a position can only change if a key of some dictionary of the config starts there.
// A per-code-point table (which characters begin a key, which are keys by themselves) and,
// for characters that begin longer keys, a filter of the first two characters of every key
// tell in a few nanoseconds that no key can start at a position; the tries are only walked
// where one can. A segment in which nothing matched is copied with one memcpy.
//
//   zhcanon::convert::Converter t2s({.config = "t2s"});      // throws ConfigError
//   std::string simplified = t2s.Convert("漢字轉換");          // "汉字转换"
//   ConvertStats stats;
//   std::string out;
//   t2s.Convert(text, out, &stats);                          // appends to out
//
// A Converter is immutable after construction and safe to use from many threads at once;
// copies share the compiled tables.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace zhcanon::convert {

struct ConverterOptions {
  /// An OpenCC config name ("t2s" default, "tw2s", "tw2sp", "hk2s", "s2t", "s2tw", "s2twp",
  /// "s2hk", "t2tw", "t2hk", ...) found where OpenCC finds it, or a path to a JSON config.
  std::string config = "t2s";
  /// An OpenCC text dictionary ("key<TAB>value[ value...]" per line) that takes precedence over
  /// the config's dictionaries: it is put first in the segmentation dictionary group and in
  /// the first conversion's group. Empty: none.
  std::string user_dictionary;
};

/// What one conversion saw.
struct ConvertStats {
  /// Code points of the output that differ from the input at their place: per dictionary
  /// replacement, the positions where value and key differ when they have as many code points,
  /// otherwise every code point of the value (a replacement of a replacement counts once).
  std::uint64_t changed_chars = 0;
  /// Han code points of the input (CJK Unified Ideographs and their extensions, compatibility
  /// ideographs).
  std::uint64_t han_chars = 0;
  /// Of those, Traditional-only and Simplified-only characters (see ScriptTables()).
  std::uint64_t traditional_only = 0;
  std::uint64_t simplified_only = 0;

  ConvertStats& operator+=(const ConvertStats& o) {
    changed_chars += o.changed_chars;
    han_chars += o.han_chars;
    traditional_only += o.traditional_only;
    simplified_only += o.simplified_only;
    return *this;
  }
};

class Converter {
 public:
  /// Loads and compiles the config. Throws ConfigError when OpenCC cannot load it.
  explicit Converter(const ConverterOptions& options = {});

  /// The converted text.
  std::string Convert(std::string_view text) const;
  /// Appends the converted text to `out`; adds to `*stats` when given.
  void Convert(std::string_view text, std::string& out, ConvertStats* stats = nullptr) const;

  /// The config as given ("t2s") and the JSON file OpenCC read.
  const std::string& config() const;
  const std::string& config_path() const;
  /// Conversions in the chain.
  std::size_t conversions() const;

  /// True when some key of some dictionary of the config (segmentation or conversion) begins
  /// with `cp`, i.e. a match can start at it. A position holding any other code point is
  /// copied unless a match that started earlier covers it, so runs of such code points are
  /// skipped without walking a trie.
  bool MayStartKey(char32_t cp) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

/// Traditional-only and Simplified-only characters, from OpenCC's character tables:
/// a Traditional-only character is a key of TSCharacters (t2s's character table) whose values do
/// not include itself, that is not a value of any TSCharacters entry (not the Simplified form of
/// anything) and not a key of STCharacters (not a character Simplified text uses and s2t
/// converts); Simplified-only is the same with the tables swapped. Characters in both scripts
/// (中, 干, 着, ...) are neither. Loaded once, through OpenCC.
struct ScriptTables {
  std::vector<char32_t> traditional_only;  // sorted
  std::vector<char32_t> simplified_only;   // sorted
};
const ScriptTables& GetScriptTables();

/// "hans", "hant" or "mixed" from the counts of one text: "hant" when Traditional-only
/// characters are at least 90% of the script-specific ones, "hans" when at most 10% (or when
/// there are none, as in text without Han characters, which needs no conversion), "mixed"
/// otherwise.
std::string_view ScriptVerdict(const ConvertStats& stats);

/// The Converter for `options`, shared by everyone in the process who asks while one is alive
/// (T2s stages, dedup's Fingerprinter): loading OpenCC's dictionaries costs tens of milliseconds,
/// which `zhcanon check` pays on every run. Options with a user dictionary are never shared (its
/// file may change between calls). Thread-safe; throws what the Converter constructor throws.
std::shared_ptr<const Converter> SharedConverter(const ConverterOptions& options);

}  // namespace zhcanon::convert
