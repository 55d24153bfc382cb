// OpenCC dictionaries compiled into one byte-level double-array trie that answers exactly
// what OpenCC's Dict::MatchPrefix and DictGroup::MatchPrefix answer, several times faster.
//
// OpenCC's DictGroup asks its dictionaries in order and returns the longest key of the FIRST
// dictionary that has any key which is a prefix of the text (not the longest key over all
// dictionaries; checked against the library). The trie keeps, for every key, the dictionary
// rank of the first dictionary holding it and that dictionary's value; a walk then keeps the
// match of the lowest rank, and the deepest one among equal ranks.
//
//   std::vector<DictionaryEntries> group = ...;          // e.g. {TSPhrases, TSCharacters}
//   DictionaryTrie trie = DictionaryTrie::Build(group);
//   DictionaryTrie::Match m = trie.LongestPrefix(p, segment_end);
//   if (m.length > 0) out += trie.value(m.entry);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zhcanon::convert {

/// One OpenCC dictionary as its Lexicon holds it: every key with its default value (the first
/// of its values, or the key itself when it has none, as DictEntry::GetDefault()).
struct DictionaryEntries {
  std::string name;  // for messages and reports ("TSPhrases.ocd2"), may be empty
  std::vector<std::pair<std::string, std::string>> entries;
};

class DictionaryTrie {
 public:
  struct Entry {
    std::uint32_t key_offset = 0, key_length = 0;      // in keys_
    std::uint32_t value_offset = 0, value_length = 0;  // in values_
    std::uint32_t rank = 0;                            // index of the first dictionary holding the key
    std::uint16_t key_chars = 0, value_chars = 0;      // code points (UTF-8 lead bytes)
    bool identity = false;                             // value == key: matching changes nothing
  };
  struct Match {
    std::uint32_t length = 0;  // bytes of text matched; 0: no key is a prefix of the text
    std::uint32_t entry = 0;
  };

  DictionaryTrie() = default;

  /// Compiles `group` (dictionaries in OpenCC's order). Empty keys are ignored (OpenCC cannot
  /// match them either).
  static DictionaryTrie Build(const std::vector<const DictionaryEntries*>& group);

  /// OpenCC's MatchPrefix on the bytes [begin, end): the longest key of the first dictionary
  /// that has a key which is a prefix of them.
  Match LongestPrefix(const char* begin, const char* end) const {
    Match best;
    std::uint32_t best_rank = UINT32_MAX;
    std::int32_t s = 0;
    for (const char* p = begin; p < end; ++p) {
      const std::int32_t t = units_[s].base + static_cast<unsigned char>(*p);
      if (units_[t].check != s) break;
      s = t;
      const std::int32_t e = units_[s].entry;
      if (e >= 0 && entries_[e].rank <= best_rank) {
        best_rank = entries_[e].rank;
        best.length = static_cast<std::uint32_t>(p + 1 - begin);
        best.entry = static_cast<std::uint32_t>(e);
      }
    }
    return best;
  }

  const Entry& entry(std::uint32_t i) const { return entries_[i]; }
  std::string_view key(std::uint32_t i) const {
    return std::string_view(keys_).substr(entries_[i].key_offset, entries_[i].key_length);
  }
  std::string_view value(std::uint32_t i) const {
    return std::string_view(values_).substr(entries_[i].value_offset, entries_[i].value_length);
  }
  /// Distinct keys (after merging the dictionaries of the group).
  std::size_t size() const { return entries_.size(); }
  /// Longest key in bytes.
  std::size_t max_key_length() const { return max_key_length_; }
  /// Memory held by the trie, in bytes.
  std::size_t memory() const;

 private:
  struct Unit {
    std::int32_t base = 0;
    std::int32_t check = -1;
    std::int32_t entry = -1;
  };
  std::vector<Unit> units_ = std::vector<Unit>(257);  // an empty trie: the root and no child
  std::vector<Entry> entries_;
  std::string keys_, values_;
  std::size_t max_key_length_ = 0;

  friend class DictionaryTrieBuilder;
};

}  // namespace zhcanon::convert
