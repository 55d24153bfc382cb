// Reading OpenCC configurations and dictionaries through OpenCC's own API, so that OpenCC
// (Debian's libopencc-data) stays the one source of truth: nothing is copied into zhcanon.
//
//   ConfigTables t = LoadOpenccConfig("tw2sp");          // /usr/share/opencc/tw2sp.json
//   t.segmentation;                                       // {TSPhrases}
//   t.conversions;                                        // {{TWPhrasesRev, ...}, {TSPhrases, TSCharacters}}
//   ConfigTables u = LoadOpenccConfig("t2s", "fixes.txt"); // with a user dictionary first
//
// Every function throws zhcanon::ConfigError (naming the config or file and OpenCC's reason)
// when OpenCC cannot load something.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/convert/dictionary_trie.h"

namespace zhcanon::convert {

/// What an OpenCC config is made of, flattened: the dictionary groups of the max-match
/// segmentation and of each conversion of the chain, as their leaf dictionaries in the order
/// OpenCC asks them (depth first: a group inside a group asks its members in place).
struct ConfigTables {
  std::string name;  // the config's "name" field (e.g. "Traditional Chinese to Simplified Chinese")
  std::string path;  // the JSON file OpenCC read
  std::vector<DictionaryEntries> segmentation;
  std::vector<std::vector<DictionaryEntries>> conversions;
};

/// The directory of OpenCC's configs and dictionaries (Debian: /usr/share/opencc).
std::string OpenccDataDirectory();

/// Finds a config as OpenCC 1.1 does: `name` itself when it is a readable file (relative to
/// the working directory), else <data dir>/name, else <data dir>/name.json. Throws ConfigError
/// when none is readable.
std::string FindOpenccConfig(std::string_view name);

/// The JSON of the config at `config_path` with `user_dictionary` (an OpenCC text dictionary,
/// "key<TAB>value[ value...]" lines) put first in the segmentation's dictionary group and in the
/// first conversion's group, and every dictionary file made absolute, so the result loads the
/// same from anywhere. This is exactly what `--dict` means; tests give it to OpenCC itself.
std::string ConfigJsonWithUserDictionary(const std::string& config_path, const std::string& user_dictionary);

/// Loads a config (a name or a path, see FindOpenccConfig) through opencc::Config, optionally
/// with a user dictionary (see ConfigJsonWithUserDictionary), and reads every leaf
/// dictionary's Lexicon.
ConfigTables LoadOpenccConfig(std::string_view name_or_path, std::string_view user_dictionary = {});

/// Loads one dictionary file (e.g. "TSCharacters.ocd2", found in the data directory, or a
/// path; "*.txt" is read as a text dictionary) through OpenCC.
DictionaryEntries LoadOpenccDictionary(std::string_view file);

/// The same with every value of every key (DictEntry::Values(), the default first).
std::vector<std::pair<std::string, std::vector<std::string>>> LoadOpenccDictionaryValues(std::string_view file);

/// Calls `fn` with the default value (the first) of every key that has one, without copying the
/// dictionary: cheaper than LoadOpenccDictionaryValues for a large table read once.
void ForEachOpenccDefaultValue(std::string_view file, const std::function<void(std::string_view)>& fn);

}  // namespace zhcanon::convert
