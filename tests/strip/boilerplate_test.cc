#define BOOST_TEST_MODULE strip_boilerplate
#include <boost/test/unit_test.hpp>

#include "zhcanon/core/error.h"
#include "zhcanon/strip/boilerplate.h"

using zhcanon::strip::BoilerplateFilter;

BOOST_AUTO_TEST_CASE(default_rules_remove_boilerplate_lines) {
  const char* removed[] = {
      "京ICP备12345678号-1",
      "京公网安备 11011402013531号",
      "京公網安備 11011402013531號",
      "Copyright © 2025 Tencent. All Rights Reserved.",
      "© 2025 某某网 版权所有",
      "版权所有，未经授权不得转载",
      "点击查看本文英文版。",
      "點擊查看本文英文版",
      "翻译：纽约时报中文网",
      "點擊查看更多關於她的信息。",
      "京ICP证030173号",
      "ICP备案号：沪ICP备2021000001号",
      "【責任編輯：王某】",
      "未經許可，禁止複製",
      "分享到：微信 微博",
      "扫码关注我们",
      "点击上方蓝字关注我们",
      "责任编辑：王某（NE0011）",
      "本文来源：某报，转载请注明出处",
  };
  const auto& f = BoilerplateFilter::Default();
  for (const char* line : removed) {
    BOOST_CHECK_MESSAGE(f.Match(line) >= 0, "should be boilerplate: " << line);
  }
}

BOOST_AUTO_TEST_CASE(default_rules_keep_content_and_bylines) {
  const char* kept[] = {
      "记者：马云飞",
      "记者：吴典",
      "文字编辑：孙婉秋",
      "编辑：李不清",
      "**作者 | 豆蔻**",
      "作者 | 豆蔻",
      "北京商报记者 魏蔚",
      "图片来源 | 视觉中国",
      "DeepSeek在短短7天内便新增了1亿用户，累计用户达1.25亿（含Web、App，未去重）。",
      // Mentions of registrations or copyright inside a long content paragraph stay.
      "根据规定，网站必须办理ICP备案，工信部表示，截至去年年底全国共有超过三百万个网站完成了备案手续，"
      "其中大部分为企业网站，个人网站的比例逐年下降，这一趋势反映了互联网内容生态的结构性变化，也与监管政策的持续收紧有关，"
      "专家认为未来还会进一步规范。",
      "翻译是一门艺术",
  };
  const auto& f = BoilerplateFilter::Default();
  for (const char* line : kept) BOOST_CHECK_MESSAGE(f.Match(line) < 0, "should be kept: " << line);
}

BOOST_AUTO_TEST_CASE(filters_are_independent_and_thread_local_matchers_do_not_leak_between_them) {
  // Two filters alive at once, and a third made after one is gone, each use their own rules.
  auto a = std::make_unique<BoilerplateFilter>(BoilerplateFilter::FromText("甲\n", "a"));
  auto b = BoilerplateFilter::FromText("乙\n", "b");
  BOOST_CHECK_EQUAL(a->Match("甲"), 0);
  BOOST_CHECK_EQUAL(b.Match("甲"), -1);
  a.reset();
  auto c = BoilerplateFilter::FromText("丙\n", "c");
  BOOST_CHECK_EQUAL(c.Match("甲"), -1);
  BOOST_CHECK_EQUAL(c.Match("丙"), 0);
}

BOOST_AUTO_TEST_CASE(filter_text_drops_lines_and_empty_paragraphs) {
  const auto& f = BoilerplateFilter::Default();
  std::vector<std::string> removed;
  std::string out = f.FilterText("正文第一段。\n\n翻译：纽约时报中文网\n\n记者：吴典\n点击查看本文英文版。\n\n京ICP备12345678号", &removed);
  BOOST_CHECK_EQUAL(out, "正文第一段。\n\n记者：吴典");
  BOOST_CHECK_EQUAL(removed.size(), 3u);
}

BOOST_AUTO_TEST_CASE(custom_rules_and_errors_name_the_line) {
  auto f = BoilerplateFilter::FromText("# site footer\n^本站声明\n\n# ad\n广告\n", "site.rules");
  BOOST_REQUIRE_EQUAL(f.rules().size(), 2u);
  BOOST_CHECK_EQUAL(f.rules()[0].comment, "site footer");
  BOOST_CHECK_EQUAL(f.rules()[1].line, 5);
  BOOST_CHECK_EQUAL(f.Match("本站声明：仅供参考"), 0);
  BOOST_CHECK_EQUAL(f.Match("广告"), 1);
  BOOST_CHECK_EQUAL(f.Match("这是广告吗"), 1);  // found anywhere in the line
  BOOST_CHECK_EQUAL(f.Match(std::string(200, 'x') + "广告"), -1);  // long lines are content
  try {
    BoilerplateFilter::FromText("ok\n(unclosed\n", "bad.rules");
    BOOST_FAIL("expected ConfigError");
  } catch (const zhcanon::ConfigError& e) {
    BOOST_CHECK(std::string(e.what()).find("bad.rules:2") == 0);
  }
  BOOST_CHECK_THROW(BoilerplateFilter::FromFile("/nonexistent/x.rules"), zhcanon::IoError);
}

BOOST_AUTO_TEST_CASE(empty_rule_set_matches_nothing) {
  auto f = BoilerplateFilter::FromText("# nothing\n", "empty.rules");
  BOOST_CHECK_EQUAL(f.Match("京ICP备12345678号"), -1);
  BOOST_CHECK_EQUAL(f.FilterText("a\n\nb"), "a\n\nb");
}
