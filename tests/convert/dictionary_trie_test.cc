#define BOOST_TEST_MODULE convert_dictionary_trie
#include <boost/test/unit_test.hpp>

#include <random>

#include "zhcanon/convert/dictionary_trie.h"

using zhcanon::convert::DictionaryEntries;
using zhcanon::convert::DictionaryTrie;

namespace {

DictionaryEntries Dict(std::vector<std::pair<std::string, std::string>> entries) {
  DictionaryEntries d;
  d.entries = std::move(entries);
  return d;
}

// OpenCC's rule, written the slow obvious way: ask the dictionaries in order; the first with any
// key that is a prefix of the text answers with its longest such key.
std::pair<std::size_t, std::string> Reference(const std::vector<DictionaryEntries>& group, std::string_view text) {
  for (const auto& d : group) {
    std::size_t best = 0;
    std::string value;
    for (const auto& [k, v] : d.entries) {
      if (!k.empty() && text.starts_with(k) && k.size() > best) {
        best = k.size();
        value = v;
      }
    }
    if (best > 0) return {best, value};
  }
  return {0, ""};
}

std::pair<std::size_t, std::string> Ours(const DictionaryTrie& trie, std::string_view text) {
  DictionaryTrie::Match m = trie.LongestPrefix(text.data(), text.data() + text.size());
  if (m.length == 0) return {0, ""};
  return {m.length, std::string(trie.value(m.entry))};
}

DictionaryTrie Build(const std::vector<DictionaryEntries>& group) {
  std::vector<const DictionaryEntries*> g;
  for (const auto& d : group) g.push_back(&d);
  return DictionaryTrie::Build(g);
}

}  // namespace

BOOST_AUTO_TEST_CASE(first_dictionary_with_a_match_wins_not_the_longest_key) {
  const std::vector<DictionaryEntries> group = {Dict({{"甲乙", "X"}, {"丁", "D"}}),
                                                Dict({{"甲乙丙", "Y"}, {"乙", "Z"}, {"甲", "W"}})};
  const DictionaryTrie trie = Build(group);
  struct Case {
    const char* text;
    std::size_t length;
    const char* value;
  };
  const Case cases[] = {
      {"甲乙丙丁", 6, "X"},  // dictionary 0 matches 甲乙; dictionary 1's longer 甲乙丙 is never asked
      {"甲丙", 3, "W"},      // dictionary 0 has no prefix of it: dictionary 1's 甲
      {"乙", 3, "Z"},
      {"丁丁", 3, "D"},
      {"丙", 0, ""},
      {"", 0, ""},
      {"甲", 3, "W"},        // 甲乙 is not a prefix of 甲
  };
  for (const Case& c : cases) {
    auto got = Ours(trie, c.text);
    BOOST_CHECK_MESSAGE(got.first == c.length && got.second == c.value, c.text << ": " << got.first << " " << got.second);
    BOOST_CHECK(got == Reference(group, c.text));
  }
}

BOOST_AUTO_TEST_CASE(longest_key_of_one_dictionary) {
  const std::vector<DictionaryEntries> group = {Dict({{"a", "1"}, {"an", "2"}, {"b", "3"}, {"ba", "4"}, {"ban", "5"}, {"bana", "6"}})};
  const DictionaryTrie trie = Build(group);
  BOOST_CHECK(Ours(trie, "banana") == std::make_pair(std::size_t{4}, std::string("6")));
  BOOST_CHECK(Ours(trie, "bank") == std::make_pair(std::size_t{3}, std::string("5")));
  BOOST_CHECK(Ours(trie, "anna") == std::make_pair(std::size_t{2}, std::string("2")));
  BOOST_CHECK(Ours(trie, "c") == std::make_pair(std::size_t{0}, std::string()));
  BOOST_CHECK_EQUAL(trie.max_key_length(), 4u);
}

BOOST_AUTO_TEST_CASE(the_text_end_bounds_the_match) {
  const DictionaryTrie trie = Build({Dict({{"中", "1"}, {"中國", "2"}})});
  const std::string text = "中國";
  DictionaryTrie::Match m = trie.LongestPrefix(text.data(), text.data() + 4);  // 中 and half of 國
  BOOST_CHECK_EQUAL(m.length, 3u);
  m = trie.LongestPrefix(text.data(), text.data());
  BOOST_CHECK_EQUAL(m.length, 0u);
}

BOOST_AUTO_TEST_CASE(duplicate_keys_keep_the_first_dictionary_and_empty_keys_are_ignored) {
  const DictionaryTrie trie = Build({Dict({{"", "E"}, {"x", "first"}}), Dict({{"x", "second"}, {"xy", "long"}})});
  BOOST_CHECK_EQUAL(trie.size(), 2u);
  BOOST_CHECK(Ours(trie, "xy") == std::make_pair(std::size_t{1}, std::string("first")));
  BOOST_CHECK(Ours(trie, "") == std::make_pair(std::size_t{0}, std::string()));
  const DictionaryTrie empty = Build({});
  BOOST_CHECK(Ours(empty, "x") == std::make_pair(std::size_t{0}, std::string()));
}

BOOST_AUTO_TEST_CASE(entry_facts) {
  const DictionaryTrie trie = Build({Dict({{"記憶體", "内存"}, {"計畫", "计划"}, {"哪吒", "哪吒"}})});
  for (std::uint32_t i = 0; i < trie.size(); ++i) {
    const auto& e = trie.entry(i);
    if (trie.key(i) == "記憶體") {
      BOOST_CHECK_EQUAL(e.key_chars, 3);
      BOOST_CHECK_EQUAL(e.value_chars, 2);
    }
    BOOST_CHECK_EQUAL(e.identity, trie.key(i) == trie.value(i));
  }
}

// Random dictionaries over a small alphabet (ASCII, two-, three- and four-byte characters, so
// keys share prefixes at every depth) against the reference, on random texts.
BOOST_AUTO_TEST_CASE(random_groups_match_the_reference) {
  const std::vector<std::string> alphabet = {"a", "b", "é", "中", "國", "国", "𠀀", "\x01", "\xFF"};
  std::mt19937 rng(7);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  auto word = [&](std::size_t max_len) {
    std::string w;
    const std::size_t n = 1 + pick(max_len);
    for (std::size_t i = 0; i < n; ++i) w += alphabet[pick(alphabet.size())];
    return w;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<DictionaryEntries> group(1 + pick(4));
    for (auto& d : group) {
      const std::size_t n = pick(40);
      for (std::size_t i = 0; i < n; ++i) d.entries.emplace_back(word(5), word(3));
      // One key per dictionary: the Lexicon of an OpenCC dictionary has unique keys.
      std::sort(d.entries.begin(), d.entries.end());
      d.entries.erase(std::unique(d.entries.begin(), d.entries.end(),
                                  [](const auto& x, const auto& y) { return x.first == y.first; }),
                      d.entries.end());
    }
    const DictionaryTrie trie = Build(group);
    for (int t = 0; t < 200; ++t) {
      const std::string text = word(8);
      BOOST_REQUIRE_MESSAGE(Ours(trie, text) == Reference(group, text), "round " << round << " text " << text);
    }
  }
}
