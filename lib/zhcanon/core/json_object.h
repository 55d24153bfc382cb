// Building a JSON object key by key in linear time.
//
// nlohmann::ordered_json keeps an object as a vector of pairs and finds a key by scanning it, so
// n `obj[key] = value` calls on one object take O(n²): a JSONL record with 100,000 metadata keys
// took 31 s to read, a front matter of 50,000 keys 6.8 s. JsonObjectBuilder does what operator[]
// does, with a hash index once the object has more than a few keys.
//
//   nlohmann::ordered_json obj = nlohmann::ordered_json::object();
//   zhcanon::JsonObjectBuilder b(obj);
//   b.Set("title", "x");                 // appended
//   b.Set("title", "y");                 // replaced in place, as obj["title"] = "y" would
//   if (!b.Contains("date")) ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace zhcanon {

class JsonObjectBuilder {
 public:
  /// Builds into `obj`: null becomes an empty object; an object keeps its keys (they are found
  /// like the ones set here). Throws std::invalid_argument for any other type. `obj` must outlive
  /// the builder and not be changed except through it meanwhile.
  explicit JsonObjectBuilder(nlohmann::ordered_json& obj);

  /// obj[key] = value: a key already there keeps its place and takes the new value. Returns the
  /// value in the object (valid until the object changes otherwise than through this builder).
  nlohmann::ordered_json& Set(std::string key, nlohmann::ordered_json value);
  bool Contains(const std::string& key) const { return Find(key) != kNone; }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  // Below this many keys a scan is cheaper than hashing.
  static constexpr std::size_t kIndexFrom = 16;
  using Pairs = nlohmann::ordered_json::object_t::Container;

  std::size_t Find(const std::string& key) const;

  Pairs& pairs_;
  std::unordered_map<std::string, std::size_t> index_;  // built once there are kIndexFrom keys
};

/// ordered_json::parse(text) and ordered_json::from_cbor(bytes), the same values and the same
/// exceptions, but with objects built by JsonObjectBuilder: linear in the number of keys where
/// nlohmann's own parsers are quadratic (they insert each key with a linear search).
nlohmann::ordered_json ParseJson(std::string_view text);
nlohmann::ordered_json ParseCbor(std::string_view bytes);

}  // namespace zhcanon
