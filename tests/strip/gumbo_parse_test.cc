#define BOOST_TEST_MODULE strip_gumbo_parse
#include <boost/test/unit_test.hpp>

#include <gumbo.h>

#include <string>

#include "zhcanon/strip/gumbo_parse.h"

using zhcanon::strip::GumboParse;

namespace {

// The text of the first text node under `node`, depth first.
std::string FirstText(const GumboNode* node) {
  if (node->type == GUMBO_NODE_TEXT) return node->v.text.text;
  if (node->type != GUMBO_NODE_ELEMENT) return "";
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    std::string t = FirstText(static_cast<const GumboNode*>(children.data[i]));
    if (!t.empty()) return t;
  }
  return "";
}

std::string Parse(const std::string& html) {
  const GumboParse parse(html);
  BOOST_REQUIRE(parse.get() != nullptr && parse.get()->root != nullptr);
  return FirstText(parse.get()->root);
}

}  // namespace

// The arena is reused from page to page: later pages must not see earlier pages' pieces.
BOOST_AUTO_TEST_CASE(pages_one_after_another_each_get_their_own_tree) {
  for (int i = 0; i < 200; ++i) {
    const std::string text = "第" + std::to_string(i) + "页的正文";
    BOOST_CHECK_EQUAL(Parse("<html><body><p class=x>" + text + "</p></body></html>"), text);
  }
}

// Blocks of 16 KB and more are real mallocs that gumbo frees as its buffers grow; a text node of
// megabytes (many such blocks) and many small ones in one page must come out whole.
BOOST_AUTO_TEST_CASE(big_text_nodes_beside_many_small_elements) {
  std::string big;
  while (big.size() < (3u << 20)) big += "很长的一段没有标签的正文，";
  std::string html = "<body><div>" + big + "</div>";
  for (int i = 0; i < 20000; ++i) html += "<span title=a" + std::to_string(i) + ">x</span>";
  html += "</body>";
  BOOST_CHECK(Parse(html) == big);
}

// A parse while another is alive on the same thread may not share the arena (the first tree
// would be dropped under the second): it falls back to malloc, and both trees stay valid.
BOOST_AUTO_TEST_CASE(a_parse_inside_a_parse_keeps_both_trees) {
  const GumboParse outer(std::string("<p>外层</p>"));
  {
    const GumboParse inner(std::string("<p>内层</p>"));
    BOOST_CHECK_EQUAL(FirstText(inner.get()->root), "内层");
    BOOST_CHECK_EQUAL(FirstText(outer.get()->root), "外层");
  }
  BOOST_CHECK_EQUAL(FirstText(outer.get()->root), "外层");
  BOOST_CHECK_EQUAL(Parse("<p>之后</p>"), "之后");  // malloc again: the outer parse still holds the arena
  BOOST_CHECK_EQUAL(FirstText(outer.get()->root), "外层");
}

BOOST_AUTO_TEST_CASE(empty_input_parses_to_an_empty_document) {
  const GumboParse parse(std::string_view{});
  BOOST_REQUIRE(parse.get() != nullptr);
  BOOST_CHECK(parse.get()->root != nullptr);
  BOOST_CHECK_EQUAL(FirstText(parse.get()->root), "");
}
