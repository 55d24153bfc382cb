// Punctuation, width and white-space normalization of Chinese text, with ICU deciding what a
// character is (script, general category, East Asian width, NFKC width folding, NFC).
//
//   zhcanon::punct::Normalizer n({.profile = zhcanon::punct::Profile::kHans});
//   std::vector<zhcanon::punct::Change> changes;
//   std::string out = n.Normalize("中文,English. 3.14", &changes);   // "中文，English。3.14"
//
//   zhcanon::punct::Punct stage(options);   // the Stage "punct": doc.text and metadata.title
//   stage.Process(doc, diag);               // metadata.extra["punct_changes"] = count
//
// The text is handled one line at a time (paragraphs are separated by "\n\n", lines by "\n").
// Rules (each one switchable through Options; the names are what Change::rule reports and what
// zhcanon-punct's --no-RULE options take; docs/punct.md has the full description):
//   unicode      NFC; zero-width characters (except a ZWJ inside an emoji sequence and emoji tag
//                characters), BOM, soft hyphen, other invisible format characters and control
//                characters (but tab and newline) removed; NBSP and other space separators → ' '
//   width        full-width ASCII letters, digits and symbols (Ａ１＠) → ASCII
//   punctuation  , . ? ! : ; → ，。？！：；in Chinese context, → ASCII in Latin context
//   parentheses  a matched pair → （…） when its content has Han, else (…)
//   quotes       straight quotes paired into “…” ‘…’ (zh-hant: 「…」『…』) in Chinese context;
//                the other family converted to the profile's
//   ellipsis     ... / 。。。 / … → …… in Chinese context
//   dash         -- / — / －－ / ―― used as a dash → —— in Chinese context
//   spacing      no spaces between Han and Han or Chinese punctuation; runs of spaces
//                collapsed; line ends trimmed
//   blank-lines  at most one blank line between paragraphs
//   indent       leading ideographic-space indents removed
//   cjk-latin-space  (off by default: keep) spaces between Han and Latin letters/digits added or
//                removed
// Never changed: protected spans (URLs, e-mail addresses, file paths, inline code `…`, fenced
// code blocks, enumerations 1. / 1) / (1) at line start) and ASCII punctuation inside numbers
// and words (3.14, 1,000, 10:30, v1.2.3, U.S., e.g., new.qq.com). Unbalanced quotes and
// parentheses are left as they are and reported (rules "unbalanced-quote", "unbalanced-paren").
//
// Thread safety: a Normalizer is immutable after construction; Normalize may be called from
// any number of threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/core/stage.h"

namespace zhcanon::punct {

enum class Profile {
  kHans,   // zh-hans (default): GB/T 15834-2011, “” ‘’
  kHant,   // zh-hant: 「」『』
  kAscii,  // Chinese punctuation to ASCII everywhere
};
std::string_view ProfileName(Profile p);
/// Parses "zh-hans", "zh-hant", "ascii"; throws std::invalid_argument otherwise.
Profile ParseProfile(std::string_view name);

enum class CjkLatinSpace {
  kKeep,    // as found (default)
  kAdd,     // one space between Han and an adjacent Latin letter or digit
  kRemove,  // no space between Han and Latin letters or digits
};
std::string_view CjkLatinSpaceName(CjkLatinSpace s);
/// Parses "keep", "add", "remove"; throws std::invalid_argument otherwise.
CjkLatinSpace ParseCjkLatinSpace(std::string_view name);

/// Which rules run. Every rule is on by default except cjk_latin_space (kKeep).
struct Options {
  Profile profile = Profile::kHans;
  bool unicode = true;
  bool width = true;
  bool punctuation = true;
  bool parentheses = true;
  bool quotes = true;
  bool ellipsis = true;
  bool dash = true;
  bool spacing = true;
  bool blank_lines = true;
  bool indent = true;
  CjkLatinSpace cjk_latin_space = CjkLatinSpace::kKeep;
  /// Copy lines no rule can change without looking at them closely. The output is the same
  /// with false (every line through every rule, slower): tests check that.
  bool fast_path = true;
};

/// The names of the switchable rules, in the order of Options ("unicode", "width", ...).
const std::vector<std::string_view>& RuleNames();
/// Switches the rule `name` (one of RuleNames()) on or off; false when there is no such rule.
bool SetRule(Options& options, std::string_view name, bool on);

/// One change (or, for the unbalanced-* rules, one finding that changed nothing).
struct Change {
  std::size_t byte_offset = 0;  // 0-based, in the text given to Normalize
  std::size_t line = 0;         // 1-based
  std::size_t column = 0;       // 1-based, in code points
  std::string rule;             // a RuleNames() name, "unbalanced-quote" or "unbalanced-paren"
  std::string before;           // the input bytes the rule replaced (empty for an insertion)
  std::string after;            // what they became (== before for unbalanced-*)
};

class Normalizer {
 public:
  /// Builds the character tables from ICU (a few milliseconds, once per process).
  explicit Normalizer(Options options = {});
  ~Normalizer();
  Normalizer(Normalizer&&) noexcept;

  /// Normalizes UTF-8 text. Invalid UTF-8 is copied unchanged. When `explain` is given, each
  /// change is appended to it in text order. Positions are those of the input; after an NFC
  /// change in a line, the later positions in that line are those of its NFC form.
  std::string Normalize(std::string_view utf8, std::vector<Change>* explain = nullptr) const;

  /// Like Normalize; returns the number of changes (not counting unbalanced-* findings, whose
  /// number goes to `findings` when given) and stores the result in `out` (cleared first).
  std::size_t Normalize(std::string_view utf8, std::string& out, std::vector<Change>* explain,
                        std::size_t* findings = nullptr) const;

  const Options& options() const { return options_; }

 private:
  Options options_;
};

/// Receives, from the stage, the changes made in one field ("text" or "title") of a document.
/// Called from the worker threads: it must be thread-safe.
using ExplainSink = std::function<void(const Document& doc, std::string_view field,
                                       const std::vector<Change>& changes)>;

/// The Stage "punct": normalizes doc.text and doc.metadata.title and records
/// metadata.extra["punct_changes"] (the number of changes in both). Never fails a document;
/// unbalanced quotes and parentheses are counted in extra["punct_unbalanced"] when there are any.
class Punct : public Stage {
 public:
  explicit Punct(Options options = {}, ExplainSink explain = nullptr);
  std::string_view name() const override { return "punct"; }
  void Process(Document& doc, Diagnostics& diag) const override;
  const Normalizer& normalizer() const { return normalizer_; }

 private:
  Normalizer normalizer_;
  ExplainSink explain_;
};

}  // namespace zhcanon::punct
