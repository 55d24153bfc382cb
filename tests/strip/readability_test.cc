#define BOOST_TEST_MODULE strip_readability
#include <boost/test/unit_test.hpp>

#include <vector>

#include "zhcanon/strip/readability.h"

using zhcanon::strip::ContentKind;
using zhcanon::strip::ContentNode;

BOOST_AUTO_TEST_CASE(class_weights) {
  struct Case {
    const char* cls;
    const char* id;
    int want;
  };
  const Case cases[] = {
      {"article-content", "", 25},
      {"Article", "", 25},
      {"TRS_Editor", "", 25},
      {"zw", "", 25},
      {"news_txt", "", 25},
      {"comment-list", "", -25},
      {"", "sidebar", -25},
      {"content", "main", 50},
      {"main", "comments", 0},
      {"post-comments", "", 0},  // both a positive and a negative hint
      {"ad-box", "", -25},
      {"xgyd", "", -25},
      {"hot-news", "", -25},
      {"相关推荐", "", -25},
      // Short hints only as whole tokens.
      {"header", "", 0},
      {"download", "", 0},
      {"photo", "", 0},
      {"", "", 0},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.cls << " / " << c.id) {
      BOOST_CHECK_EQUAL(zhcanon::strip::ClassWeight(c.cls, c.id), c.want);
    }
  }
}

BOOST_AUTO_TEST_CASE(unlikely_candidates) {
  struct Case {
    const char* cls;
    const char* id;
    const char* role;
    bool want;
  };
  const Case cases[] = {
      {"comment-list", "", "", true},
      {"", "comments", "", true},
      {"sidebar", "", "", true},
      {"main-nav", "", "", false},  // "main" may be content
      {"article-comments", "", "", false},
      {"breadcrumb", "", "", true},
      {"share-bar", "", "", true},
      {"pinglun", "", "", true},
      {"ad", "", "", true},
      {"ads top", "", "", true},
      {"header", "", "", true},
      {"foot", "", "", true},
      {"", "cmt_list", "", true},
      {"bottom", "", "", true},
      {"article-bottom", "", "", false},
      {"bottomline", "", "", false},  // tokens only match whole
      {"", "", "navigation", true},
      {"", "", "Complementary", true},
      {"", "", "main", false},
      {"content", "", "", false},
      {"lead", "", "", false},
      {"", "", "", false},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.cls << " / " << c.id << " / " << c.role) {
      BOOST_CHECK_EQUAL(zhcanon::strip::IsUnlikelyCandidate(c.cls, c.id, c.role), c.want);
    }
  }
}

BOOST_AUTO_TEST_CASE(related_links_labels) {
  struct Case {
    const char* text;
    bool label;
    bool starts;
  };
  const Case cases[] = {
      {"相关阅读", true, true},
      {" 相关阅读： ", true, true},
      {"相关阅读>>", true, true},
      {"热门推荐", true, true},
      {"延伸閱讀", true, true},
      {"猜你喜欢:", true, true},
      {"延伸阅读：捷运万大线第一期年底通车", false, true},
      {"相关新闻 开源大模型下载量突破千万", false, true},
      {"相关新闻报道称，", false, false},  // a sentence, not a label
      {"正文", false, false},
      {"", false, false},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      BOOST_CHECK_EQUAL(zhcanon::strip::IsRelatedLinksLabel(c.text), c.label);
      BOOST_CHECK_EQUAL(zhcanon::strip::StartsWithRelatedLinksLabel(c.text), c.starts);
    }
  }
}

BOOST_AUTO_TEST_CASE(link_list_blocks) {
  ContentNode list;
  list.flags = zhcanon::strip::kContentCleanable;
  list.chars = 100;
  list.link_chars = 60;
  BOOST_CHECK(zhcanon::strip::IsLinkListBlock(list));
  list.commas = 10;  // prose with many links stays
  BOOST_CHECK(!zhcanon::strip::IsLinkListBlock(list));
  list.link_chars = 90;  // ...unless it is nearly all links (a table of contents)
  BOOST_CHECK(zhcanon::strip::IsLinkListBlock(list));
  list.link_chars = 60;
  list.commas = 0;
  list.link_chars = 50;  // exactly half is not "mostly links"
  BOOST_CHECK(!zhcanon::strip::IsLinkListBlock(list));
  list.class_weight = -25;
  BOOST_CHECK(zhcanon::strip::IsLinkListBlock(list));
  ContentNode p = list;
  p.flags = zhcanon::strip::kContentIsP;  // paragraphs are never cleaned this way
  BOOST_CHECK(!zhcanon::strip::IsLinkListBlock(p));
  ContentNode empty;
  empty.flags = zhcanon::strip::kContentCleanable;
  BOOST_CHECK(!zhcanon::strip::IsLinkListBlock(empty));
}

namespace {

// Builds a flattened tree the way the HTML walker does: nodes in pre-order, text
// statistics summed bottom-up, block children not counted in `inline_*`.
class Tree {
 public:
  int Add(int parent, ContentKind kind, int tag_weight = 0, int class_weight = 0, std::uint32_t class_hash = 0) {
    ContentNode n;
    n.parent = parent;
    n.kind = kind;
    n.tag_weight = static_cast<std::int8_t>(tag_weight);
    n.class_weight = static_cast<std::int8_t>(class_weight);
    n.class_hash = class_hash;
    nodes_.push_back(n);
    return static_cast<int>(nodes_.size()) - 1;
  }
  int Text(int parent, std::uint32_t chars, std::uint16_t commas, bool link = false) {
    int i = Add(parent, ContentKind::kText);
    ContentNode& n = nodes_[i];
    n.chars = n.inline_chars = chars;
    n.commas = n.inline_commas = commas;
    if (link) n.link_chars = n.inline_link_chars = chars;
    n.flags |= zhcanon::strip::kContentSentenceEnd;
    return i;
  }
  int P(int parent, std::uint32_t chars, std::uint16_t commas) {
    int p = Add(parent, ContentKind::kParagraph);
    nodes_[p].flags |= zhcanon::strip::kContentIsP;
    Text(p, chars, commas);
    return p;
  }
  const std::vector<ContentNode>& Finish() {
    for (auto& n : nodes_) n.end = static_cast<std::int32_t>(&n - nodes_.data()) + 1;
    for (int i = static_cast<int>(nodes_.size()) - 1; i >= 0; --i) {
      const ContentNode& x = nodes_[i];
      if (x.parent < 0) continue;
      ContentNode& p = nodes_[x.parent];
      p.end = std::max(p.end, x.end);
      bool block = x.kind != ContentKind::kText && x.kind != ContentKind::kInline;
      if (x.kind != ContentKind::kText) ++p.element_children;
      if (block) p.flags |= zhcanon::strip::kContentHasBlockChild;
      p.chars += x.chars;
      p.link_chars += x.link_chars;
      p.commas = static_cast<std::uint16_t>(p.commas + x.commas);
      if (!block) {
        p.inline_chars += x.inline_chars;
        p.inline_link_chars += x.inline_link_chars;
        p.inline_commas = static_cast<std::uint16_t>(p.inline_commas + x.inline_commas);
      }
    }
    return nodes_;
  }

 private:
  std::vector<ContentNode> nodes_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(picks_the_container_of_the_prose) {
  Tree t;
  int html = t.Add(-1, ContentKind::kBlock);
  int body = t.Add(html, ContentKind::kContainer);
  int menu = t.Add(body, ContentKind::kContainer, 5);
  for (int i = 0; i < 8; ++i) t.Text(t.Add(menu, ContentKind::kInline), 4, 0, /*link=*/true);
  int content = t.Add(body, ContentKind::kContainer, 5, 25);
  for (int i = 0; i < 4; ++i) t.P(content, 80, 5);
  int side = t.Add(body, ContentKind::kContainer, 5);
  t.P(side, 12, 0);
  const auto& nodes = t.Finish();
  std::vector<std::int32_t> roots = zhcanon::strip::PickMainContent(nodes, body);
  BOOST_REQUIRE_EQUAL(roots.size(), 1u);
  BOOST_CHECK_EQUAL(roots[0], content);
  (void)side;
}

BOOST_AUTO_TEST_CASE(nothing_convincing_gives_no_roots) {
  BOOST_CHECK(zhcanon::strip::PickMainContent({}, -1).empty());
  Tree t;
  int html = t.Add(-1, ContentKind::kBlock);
  int body = t.Add(html, ContentKind::kContainer);
  t.P(body, 20, 1);  // one short paragraph: below the article minimum
  BOOST_CHECK(zhcanon::strip::PickMainContent(t.Finish(), body).empty());

  Tree links;
  html = links.Add(-1, ContentKind::kBlock);
  body = links.Add(html, ContentKind::kContainer);
  int div = links.Add(body, ContentKind::kContainer);
  for (int i = 0; i < 20; ++i) links.Text(links.Add(div, ContentKind::kInline), 30, 0, /*link=*/true);
  BOOST_CHECK(zhcanon::strip::PickMainContent(links.Finish(), body).empty());
}

BOOST_AUTO_TEST_CASE(prose_siblings_join_the_top_candidate) {
  Tree t;
  int html = t.Add(-1, ContentKind::kBlock);
  int body = t.Add(html, ContentKind::kContainer);
  int article = t.Add(body, ContentKind::kContainer);
  int part1 = t.Add(article, ContentKind::kContainer, 5, 0, 77);
  for (int i = 0; i < 5; ++i) t.P(part1, 120, 8);
  int lone_p = t.P(article, 90, 3);  // a prose paragraph between the parts
  int part2 = t.Add(article, ContentKind::kContainer, 5, 0, 77);
  for (int i = 0; i < 2; ++i) t.P(part2, 60, 4);
  int links = t.Add(article, ContentKind::kContainer, 5);
  for (int i = 0; i < 6; ++i) t.Text(t.Add(links, ContentKind::kInline), 15, 0, /*link=*/true);
  const auto& nodes = t.Finish();
  std::vector<std::int32_t> roots = zhcanon::strip::PickMainContent(nodes, body);
  const std::vector<std::int32_t> want = {part1, lone_p, part2};
  BOOST_CHECK_EQUAL_COLLECTIONS(roots.begin(), roots.end(), want.begin(), want.end());
}

BOOST_AUTO_TEST_CASE(an_only_child_gives_way_to_its_parent) {
  Tree t;
  int html = t.Add(-1, ContentKind::kBlock);
  int body = t.Add(html, ContentKind::kContainer);
  int wrap = t.Add(body, ContentKind::kContainer);
  int inner = t.Add(wrap, ContentKind::kContainer, 5, 25);
  for (int i = 0; i < 3; ++i) t.P(inner, 100, 6);
  std::vector<std::int32_t> roots = zhcanon::strip::PickMainContent(t.Finish(), body);
  BOOST_REQUIRE_EQUAL(roots.size(), 1u);
  BOOST_CHECK_EQUAL(roots[0], wrap);
}
