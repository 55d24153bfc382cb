#include "zhcanon/core/json_object.h"

#include <memory>
#include <stdexcept>
#include <utility>

namespace zhcanon {

namespace {

nlohmann::ordered_json::object_t& ObjectOf(nlohmann::ordered_json& obj) {
  if (obj.is_null()) obj = nlohmann::ordered_json::object();
  if (!obj.is_object()) throw std::invalid_argument("JsonObjectBuilder: not a JSON object");
  return obj.get_ref<nlohmann::ordered_json::object_t&>();
}

}  // namespace

JsonObjectBuilder::JsonObjectBuilder(nlohmann::ordered_json& obj)
    // ordered_map derives from the vector it keeps its pairs in: appending to that vector is
    // what its own emplace does after its linear search.
    : pairs_(static_cast<Pairs&>(ObjectOf(obj))) {
  if (pairs_.size() >= kIndexFrom)
    for (std::size_t i = 0; i < pairs_.size(); ++i) index_.emplace(pairs_[i].first, i);
}

std::size_t JsonObjectBuilder::Find(const std::string& key) const {
  if (pairs_.size() >= kIndexFrom) {
    auto it = index_.find(key);
    return it == index_.end() ? kNone : it->second;
  }
  for (std::size_t i = 0; i < pairs_.size(); ++i)
    if (pairs_[i].first == key) return i;
  return kNone;
}

nlohmann::ordered_json& JsonObjectBuilder::Set(std::string key, nlohmann::ordered_json value) {
  if (const std::size_t at = Find(key); at != kNone) {
    pairs_[at].second = std::move(value);
    return pairs_[at].second;
  }
  pairs_.emplace_back(key, std::move(value));
  if (pairs_.size() == kIndexFrom) {
    for (std::size_t i = 0; i < pairs_.size(); ++i) index_.emplace(pairs_[i].first, i);
  } else if (pairs_.size() > kIndexFrom) {
    index_.emplace(std::move(key), pairs_.size() - 1);
  }
  return pairs_.back().second;
}

namespace {

using Json = nlohmann::ordered_json;

// nlohmann's SAX events to a value, as its own DOM parser builds it, without recursion (nlohmann's
// parsers are iterative too, so a deeply nested input cannot overflow the stack here either).
class LinearSax {
 public:
  explicit LinearSax(Json& root) : root_(root) {}

  bool null() { return Put(nullptr); }
  bool boolean(bool v) { return Put(v); }
  bool number_integer(Json::number_integer_t v) { return Put(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return Put(v); }
  bool number_float(Json::number_float_t v, const Json::string_t&) { return Put(v); }
  bool string(Json::string_t& v) { return Put(std::move(v)); }
  bool binary(Json::binary_t& v) { return Put(Json::binary(std::move(v))); }
  bool start_object(std::size_t) {
    Json& o = Place(Json::object());
    frames_.push_back({&o, std::make_unique<JsonObjectBuilder>(o)});
    return true;
  }
  bool key(Json::string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    Json& a = Place(Json::array());
    frames_.push_back({&a, nullptr});
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  // Templated like nlohmann's own DOM parser's, so the exception keeps its type (parse_error,
  // out_of_range, ...) for the callers that catch them apart.
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& ex) {
    throw ex;
  }

 private:
  struct Frame {
    Json* container;
    std::unique_ptr<JsonObjectBuilder> object;  // null for an array
  };

  bool Put(Json v) {
    Place(std::move(v));
    return true;
  }
  // The value's place: the root, the next item of the array being read, or the object's value
  // for the last key. A container stays where it is placed while it is filled (its parent gets
  // no other item meanwhile), so the frame's pointer stays valid.
  Json& Place(Json v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return root_;
    }
    Frame& f = frames_.back();
    if (f.object) return f.object->Set(std::move(key_), std::move(v));
    f.container->push_back(std::move(v));
    return f.container->back();
  }

  Json& root_;
  std::vector<Frame> frames_;
  std::string key_;
};

}  // namespace

Json ParseJson(std::string_view text) {
  Json root;
  LinearSax sax(root);
  Json::sax_parse(text, &sax);
  return root;
}

Json ParseCbor(std::string_view bytes) {
  Json root;
  LinearSax sax(root);
  Json::sax_parse(bytes, &sax, nlohmann::json::input_format_t::cbor);
  return root;
}

}  // namespace zhcanon
