#define BOOST_TEST_MODULE core_json_object
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "zhcanon/core/json_object.h"

using Json = nlohmann::ordered_json;
using zhcanon::JsonObjectBuilder;

// Set must do exactly what operator[] does (first place, last value), below and above the size
// where the builder switches from a scan to its index, and on an object that had keys before.
BOOST_AUTO_TEST_CASE(set_is_operator_brackets_at_every_size) {
  std::mt19937 rng(7);
  for (int n : {0, 1, 5, 15, 16, 17, 40, 300}) {
    for (int prefilled : {0, 3, 20}) {
      Json want = Json::object(), got = Json::object();
      for (int i = 0; i < prefilled; ++i) want["p" + std::to_string(i)] = i, got["p" + std::to_string(i)] = i;
      JsonObjectBuilder b(got);
      for (int i = 0; i < n; ++i) {
        // Keys repeat often (one in three), including the prefilled ones.
        std::string key = (rng() % 4 == 0 ? "p" : "k") + std::to_string(rng() % (n / 3 + 2));
        want[key] = i;
        b.Set(key, i);
        BOOST_REQUIRE_EQUAL(b.Contains(key), true);
      }
      BOOST_CHECK_MESSAGE(got.dump() == want.dump(), "n=" << n << " prefilled=" << prefilled);
      BOOST_CHECK(!b.Contains("absent"));
    }
  }
}

BOOST_AUTO_TEST_CASE(set_returns_the_value_in_place_and_null_becomes_an_object) {
  Json j;  // null
  JsonObjectBuilder b(j);
  Json& v = b.Set("a", Json::array());
  v.push_back(1);
  BOOST_CHECK_EQUAL(j.dump(), R"({"a":[1]})");
  Json not_object = Json::array();
  BOOST_CHECK_THROW(JsonObjectBuilder{not_object}, std::invalid_argument);
}

// ParseJson gives what ordered_json::parse gives, value for value and key order for key order.
BOOST_AUTO_TEST_CASE(parse_json_equals_nlohmann_parse) {
  const std::vector<std::string> inputs = {
      R"({"id":"a","text":"正文","metadata":{"title":"标题","tags":["a","b"],"n":1,"f":1.5,"u":18446744073709551615,"neg":-3,"t":true,"z":null}})",
      R"({"b":1,"a":2,"b":3})",  // a repeated key: its first place, its last value
      R"([[[[{"x":[{}, []]}]]]])",
      R"("just a string")",
      R"(  {"e":"\u00e9\ud83d\ude00","esc":"\"\\\/\b\f\n\r\t"}  )",
      R"({"big":1e308,"small":-1e-308})",
  };
  for (const std::string& in : inputs) {
    const Json want = Json::parse(in);
    const Json got = zhcanon::ParseJson(in);
    BOOST_CHECK_MESSAGE(got == want && got.dump() == want.dump(), in);
  }
  std::string many = "{";
  for (int i = 0; i < 5000; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  many += ",\"k7\":\"again\"}";
  BOOST_CHECK(zhcanon::ParseJson(many).dump() == Json::parse(many).dump());
}

BOOST_AUTO_TEST_CASE(parse_json_throws_what_nlohmann_throws) {
  struct Case {
    std::string in;
    std::size_t byte;
  };
  for (const Case& c : std::vector<Case>{{R"({"a":})", 6}, {R"({"a":1} x)", 9}, {"", 1}, {"{\"a\":\"\xff\"}", 7}}) {
    std::size_t want = 0;
    try {
      const Json parsed = Json::parse(c.in);
    } catch (const Json::parse_error& e) {
      want = e.byte;
    }
    BOOST_REQUIRE_EQUAL(want, c.byte);
    try {
      const Json parsed = zhcanon::ParseJson(c.in);
      BOOST_ERROR("no exception for " << c.in);
    } catch (const Json::parse_error& e) {
      BOOST_CHECK_EQUAL(e.byte, c.byte);
    }
  }
  // A number beyond a double is out_of_range, not parse_error (the JSONL reader tells them apart).
  BOOST_CHECK_THROW(zhcanon::ParseJson(R"({"v":1e309})"), Json::out_of_range);
}

BOOST_AUTO_TEST_CASE(parse_cbor_round_trips_what_to_cbor_writes) {
  Json j = Json::parse(R"({"z":1,"a":{"y":[1,2.5,"三",null,true,{"k":-7}]},"u":18446744073709551615,"b":"x"})");
  j["bin"] = Json::binary({1, 2, 3});
  std::string cbor;
  Json::to_cbor(j, cbor);
  const Json got = zhcanon::ParseCbor(cbor);
  BOOST_CHECK(got == j);
  BOOST_CHECK_EQUAL(got.dump(), j.dump());
  BOOST_CHECK_THROW(zhcanon::ParseCbor(std::string_view(cbor).substr(0, cbor.size() - 2)), Json::parse_error);
}

// Deep nesting must not recurse (nlohmann's parsers are iterative; so is the builder).
BOOST_AUTO_TEST_CASE(deep_nesting_is_parsed_without_recursion) {
  const int kDepth = 200000;
  const std::string in = std::string(kDepth, '[') + std::string(kDepth, ']');
  const Json j = zhcanon::ParseJson(in);
  int depth = 0;
  for (const Json* p = &j; p->is_array() && !p->empty(); p = &(*p)[0]) ++depth;
  BOOST_CHECK_EQUAL(depth, kDepth - 1);
}
