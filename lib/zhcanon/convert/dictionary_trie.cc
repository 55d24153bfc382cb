#include "zhcanon/convert/dictionary_trie.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace zhcanon::convert {

namespace {

std::uint16_t CountChars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return static_cast<std::uint16_t>(std::min<std::size_t>(n, UINT16_MAX));
}

}  // namespace

// Darts-style construction from sorted keys: every node's children are placed at base + byte
// in one array, with `check` holding the parent, so a step of a walk is two loads and a
// compare. Free slots are found with a "next free slot at or after i" forest (union-find
// with path compression), so placing ~300k nodes stays in the milliseconds.
class DictionaryTrieBuilder {
 public:
  explicit DictionaryTrieBuilder(DictionaryTrie& trie) : trie_(trie) {}

  void Build(const std::vector<std::string_view>& keys, const std::vector<std::int32_t>& entry_of) {
    auto& units = trie_.units_;
    units.assign(1 << 10, {});
    next_free_.resize(units.size());
    std::iota(next_free_.begin(), next_free_.end(), 0);
    Use(0);  // the root
    struct Item {
      std::int32_t node;
      std::size_t lo, hi, depth;
    };
    std::vector<Item> stack;
    if (!keys.empty()) stack.push_back({0, 0, keys.size(), 0});
    std::vector<std::pair<unsigned char, std::pair<std::size_t, std::size_t>>> children;
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      std::size_t lo = it.lo;
      // Keys are sorted and share their first `depth` bytes: a key that ends here comes first.
      if (keys[lo].size() == it.depth) {
        units[it.node].entry = entry_of[lo];
        ++lo;
      }
      children.clear();
      for (std::size_t i = lo; i < it.hi;) {
        const unsigned char c = static_cast<unsigned char>(keys[i][it.depth]);
        std::size_t j = i + 1;
        while (j < it.hi && static_cast<unsigned char>(keys[j][it.depth]) == c) ++j;
        children.push_back({c, {i, j}});
        i = j;
      }
      if (children.empty()) continue;
      const std::int32_t base = FindBase(children);
      units[it.node].base = base;
      for (const auto& [c, range] : children) {
        const std::int32_t t = base + c;
        Use(t);
        units[t].check = it.node;
        stack.push_back({t, range.first, range.second, it.depth + 1});
      }
    }
    // Leaves keep base 0; every base + 255 must stay inside the array.
    std::int32_t max_base = 0;
    for (const auto& u : units) max_base = std::max(max_base, u.base);
    std::size_t size = static_cast<std::size_t>(max_base) + 256;
    for (std::size_t i = units.size(); i-- > 0;) {
      if (units[i].check >= 0 || i == 0) {
        size = std::max(size, i + 1);
        break;
      }
    }
    units.resize(size);
    units.shrink_to_fit();
  }

 private:
  std::int32_t FindFree(std::int32_t i) {
    Grow(static_cast<std::size_t>(i) + 1);
    std::int32_t root = i;
    while (next_free_[root] != root) {
      root = next_free_[root];
      Grow(static_cast<std::size_t>(root) + 1);
    }
    while (next_free_[i] != root) {
      std::int32_t next = next_free_[i];
      next_free_[i] = root;
      i = next;
    }
    return root;
  }

  bool IsFree(std::int32_t i) {
    Grow(static_cast<std::size_t>(i) + 1);
    return next_free_[i] == i;
  }

  void Use(std::int32_t i) {
    Grow(static_cast<std::size_t>(i) + 2);
    next_free_[i] = i + 1;
  }

  void Grow(std::size_t n) {
    auto& units = trie_.units_;
    if (n <= units.size()) return;
    std::size_t old = units.size();
    std::size_t size = std::max(n, old * 2);
    units.resize(size);
    next_free_.resize(size);
    std::iota(next_free_.begin() + static_cast<std::ptrdiff_t>(old), next_free_.end(),
              static_cast<std::int32_t>(old));
  }

  std::int32_t FindBase(
      const std::vector<std::pair<unsigned char, std::pair<std::size_t, std::size_t>>>& children) {
    const std::int32_t first = children.front().first;
    // base >= 1 so that no child lands on the root's slot 0.
    std::int32_t pos = FindFree(first + 1);
    for (;;) {
      const std::int32_t base = pos - first;
      bool ok = true;
      for (std::size_t k = 1; k < children.size() && ok; ++k) ok = IsFree(base + children[k].first);
      if (ok) return base;
      pos = FindFree(pos + 1);
    }
  }

  DictionaryTrie& trie_;
  std::vector<std::int32_t> next_free_;
};

DictionaryTrie DictionaryTrie::Build(const std::vector<const DictionaryEntries*>& group) {
  DictionaryTrie trie;
  // The first dictionary holding a key decides its value: a later one can never be asked
  // about a text that key matches, since the earlier one matches it already.
  std::unordered_map<std::string_view, std::int32_t> index;
  for (std::size_t rank = 0; rank < group.size(); ++rank) {
    for (const auto& [key, value] : group[rank]->entries) {
      if (key.empty()) continue;
      auto [it, inserted] = index.try_emplace(key, static_cast<std::int32_t>(trie.entries_.size()));
      if (!inserted) continue;
      Entry e;
      e.key_offset = static_cast<std::uint32_t>(trie.keys_.size());
      e.key_length = static_cast<std::uint32_t>(key.size());
      e.value_offset = static_cast<std::uint32_t>(trie.values_.size());
      e.value_length = static_cast<std::uint32_t>(value.size());
      e.rank = static_cast<std::uint32_t>(rank);
      e.key_chars = CountChars(key);
      e.value_chars = CountChars(value);
      e.identity = key == value;
      trie.keys_ += key;
      trie.values_ += value;
      trie.entries_.push_back(e);
      trie.max_key_length_ = std::max(trie.max_key_length_, key.size());
    }
  }
  std::vector<std::int32_t> order(trie.entries_.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::string_view> keys;
  keys.reserve(order.size());
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return trie.key(static_cast<std::uint32_t>(a)) < trie.key(static_cast<std::uint32_t>(b));
  });
  for (std::int32_t i : order) keys.push_back(trie.key(static_cast<std::uint32_t>(i)));
  DictionaryTrieBuilder(trie).Build(keys, order);
  return trie;
}

std::size_t DictionaryTrie::memory() const {
  return units_.capacity() * sizeof(Unit) + entries_.capacity() * sizeof(Entry) + keys_.capacity() +
         values_.capacity();
}

}  // namespace zhcanon::convert
