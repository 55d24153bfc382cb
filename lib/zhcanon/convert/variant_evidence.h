// The evidence table of VariantDetector (see variant.h): which strings are evidence of which
// Traditional variant, derived from six OpenCC dictionaries. It is a pure function of those
// files, so it is computed when zhcanon is built (lib/gen/variant_table_gen.cc, from the build
// machine's OpenCC data) and embedded in the library together with the size and XXH3 of each
// file. At run time the embedded table is used only when the installed files are byte for byte
// the ones it was made from; otherwise the table is computed again from the installed files,
// by the same function (reading STPhrases.ocd2 through OpenCC is most of that: ~20 ms).
//
//   VariantEvidenceTable t = LoadVariantEvidence(OpenccDataDirectory());
//   t.embedded;                       // true: the installed data is the build machine's
//   t.evidence.entries;               // {"裡", std::string(1, kEvidenceTaiwan)}, ...
//
// Internal to convert/: VariantDetector is the public interface.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/convert/dictionary_trie.h"

namespace zhcanon::convert {

/// What a piece of evidence says; the one-byte value of an evidence entry (see VariantEvidence).
enum VariantEvidenceKind : char {
  kEvidenceShared = 1,
  kEvidenceStandardShared,
  kEvidenceTaiwan,
  kEvidenceTaiwanWords,
  kEvidenceHongKong,
  kEvidenceNotTaiwan,
  kEvidenceMainlandWords,
  kEvidenceNotHongKong,
};

/// The OpenCC dictionaries the evidence is derived from, file names in the data directory.
inline constexpr std::array<std::string_view, 6> kVariantEvidenceFiles = {
    "TWVariants.ocd2", "HKVariants.ocd2", "TWPhrases.ocd2", "STCharacters.ocd2", "STPhrases.ocd2", "TSCharacters.ocd2"};

/// Size and XXH3_64bits of one file.
struct DataFileDigest {
  std::uint64_t size = 0;
  std::uint64_t xxh3 = 0;
  bool operator==(const DataFileDigest&) const = default;
};

/// The digests of kVariantEvidenceFiles in `data_dir`, in that order; nullopt when one of
/// them cannot be read. Never throws for a missing or unreadable file.
std::optional<std::array<DataFileDigest, kVariantEvidenceFiles.size()>> DigestVariantEvidenceFiles(
    const std::string& data_dir);

/// The evidence table computed from the dictionaries in `data_dir` (read through OpenCC, by
/// path, so nothing else is looked at), in a fixed order, each value one VariantEvidenceKind
/// byte. Throws ConfigError when OpenCC cannot load one.
DictionaryEntries ComputeVariantEvidence(const std::string& data_dir);

/// The table embedded at build time and the digests of the files it was computed from.
struct EmbeddedVariantEvidence {
  bool available = false;  // false: the build machine had no readable OpenCC data; never used
  std::array<DataFileDigest, kVariantEvidenceFiles.size()> files{};
  DictionaryEntries evidence;
};
/// A copy of the embedded table (made on each call). Defined in variant.cc.
EmbeddedVariantEvidence BuiltInVariantEvidence();

struct VariantEvidenceTable {
  DictionaryEntries evidence;
  bool embedded = false;  // true: BuiltInVariantEvidence(), as the files in data_dir are its own
};

/// What VariantDetector uses: the embedded table when every file of kVariantEvidenceFiles in
/// `data_dir` has the size and XXH3 recorded at build time, else ComputeVariantEvidence(data_dir)
/// (which throws ConfigError when a file is missing or broken). Defined in variant.cc.
VariantEvidenceTable LoadVariantEvidence(const std::string& data_dir);

/// What the generated source (build dir: lib/generated/variant_evidence_table.cc, written by
/// lib/gen/variant_table_gen.cc) defines: constant data only, so that loading the library costs
/// nothing until a detector is built.
namespace generated {
struct EvidenceEntry {
  std::string_view key;
  char kind;  // a VariantEvidenceKind
};
extern const bool kVariantEvidenceAvailable;
extern const DataFileDigest kVariantEvidenceDigests[kVariantEvidenceFiles.size()];
extern const EvidenceEntry kVariantEvidenceEntries[];
extern const std::size_t kVariantEvidenceEntryCount;
}  // namespace generated

}  // namespace zhcanon::convert
