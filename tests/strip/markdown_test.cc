#define BOOST_TEST_MODULE strip_markdown
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/strip/front_matter.h"
#include "zhcanon/strip/markdown.h"
#include "zhcanon/strip/text_builder.h"

using zhcanon::Diagnostics;
using zhcanon::Metadata;
using zhcanon::strip::MarkdownOptions;
using zhcanon::strip::MarkdownToText;
using zhcanon::strip::TextBuilder;

namespace {

struct Result {
  std::string text;
  std::vector<std::string> paragraphs;
  Metadata meta;
  Diagnostics diag;
};

Result Run(std::string_view md, const MarkdownOptions& options = {}, Metadata meta = {}) {
  Result r;
  r.meta = std::move(meta);
  TextBuilder out;
  MarkdownToText(md, options, out, r.meta, r.diag);
  r.paragraphs = out.TakeParagraphs();
  for (const std::string& p : r.paragraphs) r.text += (r.text.empty() ? "" : "\n\n") + p;
  return r;
}

struct HtmlCall {
  std::string html;
  bool block;
};

// An on_html that records its calls and writes a marker so the position is visible.
MarkdownOptions Recording(std::vector<HtmlCall>& calls) {
  MarkdownOptions o;
  o.on_html = [&calls](std::string_view html, bool block, TextBuilder& out, Metadata&) {
    calls.push_back({std::string(html), block});
    if (!block && html.starts_with("<br")) out.LineBreak();
  };
  return o;
}

std::string ReadSeedBody(const std::string& name, Metadata& meta) {
  std::ifstream in(std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/input/" + name,
                   std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "missing fixture " << name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  Diagnostics diag;
  auto fm = zhcanon::strip::ParseFrontMatter(text, meta, diag);
  BOOST_REQUIRE(!diag.failed());
  return text.substr(fm.body_offset);
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(constructs_become_clean_paragraphs) {
  struct Case { const char* name; std::string md; const char* want; };
  const Case cases[] = {
      {"atx heading", "# 标题 #\n正文", "标题\n\n正文"},
      {"setext heading", "标题\n===\n\n正文\n---", "标题\n\n正文"},
      {"emphasis markers vanish", "**粗体**和*斜体*与~~删除~~、__下划线__", "粗体和斜体与删除、下划线"},
      {"link becomes its text", "见[链接](http://a.b \"t\")。<https://x.y/z>", "见链接。https://x.y/z"},
      {"image is removed", "前![图片](http://x/y.png)后", "前后"},
      {"image alt with spans is removed", "![alt *em* [l](u)](img.png)", ""},
      {"image only paragraph leaves nothing", "a\n\n![图片](x.png)\n\nb", "a\n\nb"},
      {"code span keeps spacing", "用`a  b`函数 and `x` y", "用a  b函数 and x y"},
      {"fenced code is verbatim", "前\n```c\nint  x;\n\n  y();\n```\n后", "前\n\nint  x;\n\n  y();\n\n后"},
      {"indented code is verbatim", "    code  x\n    line2", "code  x\nline2"},
      {"blockquote paragraphs", "> 引用一\n>\n> 引用二\n\n正文", "引用一\n\n引用二\n\n正文"},
      {"tight list", "- 一\n- 二\n  - 二点一\n  - 二点二\n- 三", "一\n二\n二点一\n二点二\n三"},
      {"loose ordered list", "1. 一\n\n2. 二\n\n   二的第二段\n", "一\n二\n二的第二段"},
      {"list between paragraphs", "前\n\n* a\n* b\n\n后", "前\n\na\nb\n\n后"},
      {"code block in list item", "- a\n\n  ```\n  x  y\n  ```\n- b", "a\nx  y\nb"},
      {"table rows and tab-separated cells",
       "| 名称 | 值 |\n|---|---|\n| a | 1 |\n| | 2 |\n| 3 | |", "名称\t值\na\t1\n\t2\n3"},
      {"thematic break ends paragraph", "a\n\n***\n\nb", "a\n\nb"},
      {"soft break joins Chinese lines", "第一行\n第二行", "第一行第二行"},
      {"soft break spaces Latin lines", "line one\nline two", "line one line two"},
      {"hard break with spaces", "记者：吴典  \n文字编辑：孙婉秋", "记者：吴典\n文字编辑：孙婉秋"},
      {"hard break with backslash", "a\\\nb", "a\nb"},
      {"entities", "&amp; &lt;&gt; &#20013;&#x4E2D; &copy; &hellip;&mdash; &bogus; &#150; &#0;",
       "& <> 中中 © …— &bogus; – \xEF\xBF\xBD"},
      {"nbsp is not collapsible", "a&nbsp;&nbsp;b", "a\xC2\xA0\xC2\xA0" "b"},
      {"unmatched CJK strong markers dropped",
       "**开源证券研报。**例如，记者注意到，**当一部分群体**。他说**“你好”**。",
       "开源证券研报。例如，记者注意到，当一部分群体。他说“你好”。"},
      {"stars as an operator kept", "2**10 and a ** b and x*y", "2**10 and a b and x*y"},
      {"escaped stars kept", "\\*\\*不是强调\\*\\*", "**不是强调**"},
      {"long star runs kept", "a **** b", "a **** b"},
      {"backslash escapes", "\\*not emphasis\\* \\# x", "*not emphasis* # x"},
      {"nul becomes replacement", std::string("a\0b", 3), "a\xEF\xBF\xBD" "b"},
      {"inline html dropped without handler", "a<span>b</span>c", "abc"},
      {"html block dropped without handler", "<div>\nx\n</div>\n\n正文", "正文"},
      {"bom skipped", "\xEF\xBB\xBF# T", "T"},
      {"crlf", "a\r\nb\r\n\r\n- x\r\n- y\r\n", "a b\n\nx\ny"},
      {"empty input", "", ""},
      {"blank lines with spaces", "  \n\n\n记者：马云飞\n\n  \n", "记者：马云飞"},
  };
  for (const Case& c : cases) {
    Result r = Run(c.md);
    BOOST_TEST_INFO(c.name);
    BOOST_CHECK_EQUAL(r.text, c.want);
    BOOST_CHECK(!r.diag.failed());
  }
}

BOOST_AUTO_TEST_CASE(trailing_source_attribution_line) {
  struct Case {
    const char* name;
    const char* md;
    const char* source_before;
    const char* want_text;
    const char* want_source;
  };
  const Case cases[] = {
      {"last link line becomes source_url", "正文\n\n[qq](https://new.qq.com/rain/a/1)", "", "正文",
       "https://new.qq.com/rain/a/1"},
      {"entity in href decoded", "正文\n\n[qq](https://x.y/?a=1&amp;b=2)", "", "正文",
       "https://x.y/?a=1&b=2"},
      {"link line that is not last stays", "[qq](https://q.q/a)\n\n正文", "", "qq\n\n正文", ""},
      {"relative link stays", "正文\n\n[a](/rel)", "", "正文\n\na", ""},
      {"link with text around stays", "正文\n\n来源：[qq](https://q.q/a)", "", "正文\n\n来源：qq", ""},
      {"two links stay", "正文\n\n[a](https://a.a)[b](https://b.b)", "", "正文\n\nab", ""},
      {"emphasised link stays", "正文\n\n**[a](https://a.a)**", "", "正文\n\na", ""},
      {"link in a list stays", "正文\n\n- [a](https://a.a)", "", "正文\n\na", ""},
      {"link followed by a block stays", "[a](https://a.a)\n\n---\n", "", "a", ""},
      {"equal to known source is dropped", "正文\n\n[qq](https://q.q/a)", "https://q.q/a", "正文",
       "https://q.q/a"},
      {"different from known source stays", "正文\n\n[qq](https://q.q/a)", "https://other/",
       "正文\n\nqq", "https://other/"},
      {"only the link", "[qq](https://q.q/a)", "", "", "https://q.q/a"},
      {"emphasis inside the link is fine", "正文\n\n[*qq*](https://q.q/a)", "", "正文",
       "https://q.q/a"},
  };
  for (const Case& c : cases) {
    Metadata meta;
    meta.source_url = c.source_before;
    Result r = Run(c.md, {}, meta);
    BOOST_TEST_INFO(c.name);
    BOOST_CHECK_EQUAL(r.text, c.want_text);
    BOOST_CHECK_EQUAL(r.meta.source_url, c.want_source);
  }
}

BOOST_AUTO_TEST_CASE(first_heading_gives_title) {
  struct Case {
    const char* name;
    const char* md;
    const char* title_before;
    const char* want_title;
    const char* want_source;
  };
  const Case cases[] = {
      {"first heading", "正文\n\n## 第一 *标题*\n\n# 第二", "", "第一 标题", ""},  // typed space kept
      {"latin heading", "## Hello *world*\n", "", "Hello world", ""},
      {"stray stars in heading", "# **重要。**例如\n", "", "重要。例如", ""},
      {"multi-line setext", "第一行\n第二行\n===", "", "第一行第二行", ""},
      {"existing title kept", "# 标题", "已有", "已有", ""},
      {"single link heading", "[标题](https://a.b/c)\n------", "", "标题", "https://a.b/c"},
      {"single link heading with known title", "# [标题](https://a.b/c)", "已有", "已有",
       "https://a.b/c"},
      {"link plus text heading", "# 见[标题](https://a.b/c)", "", "见标题", ""},
      {"image in heading ignored", "# ![x](i.png)标题", "", "标题", ""},
      {"image-only heading is not the first", "# ![x](i.png)\n\n## 真标题", "", "真标题", ""},
      {"no heading", "正文", "", "", ""},
  };
  for (const Case& c : cases) {
    Metadata meta;
    meta.title = c.title_before;
    Result r = Run(c.md, {}, meta);
    BOOST_TEST_INFO(c.name);
    BOOST_CHECK_EQUAL(r.meta.title, c.want_title);
    BOOST_CHECK_EQUAL(r.meta.source_url, c.want_source);
  }
  // The heading stays in the text.
  BOOST_CHECK_EQUAL(Run("# 标题\n\n正文").text, "标题\n\n正文");
}

BOOST_AUTO_TEST_CASE(raw_html_goes_to_on_html) {
  std::vector<HtmlCall> calls;
  MarkdownOptions o = Recording(calls);
  Result r = Run("前<br>后 <span>x</span>\n\n<div>\n块\n</div>\n\n尾", o);
  BOOST_CHECK_EQUAL(r.text, "前\n后 x\n\n尾");
  BOOST_REQUIRE_EQUAL(calls.size(), 4u);
  BOOST_CHECK_EQUAL(calls[0].html, "<br>");
  BOOST_CHECK(!calls[0].block);
  BOOST_CHECK_EQUAL(calls[1].html, "<span>");
  BOOST_CHECK_EQUAL(calls[2].html, "</span>");
  BOOST_CHECK_EQUAL(calls[3].html, "<div>\n块\n</div>\n");
  BOOST_CHECK(calls[3].block);

  // A block handler's text is its own paragraph.
  MarkdownOptions writes;
  writes.on_html = [](std::string_view, bool block, TextBuilder& out, Metadata& meta) {
    if (!block) return;
    out.AppendText("HTML");
    meta.author = "from html";
  };
  Result w = Run("a\n<div>x</div>\n\nb", writes);
  BOOST_CHECK_EQUAL(w.text, "a\n\nHTML\n\nb");
  BOOST_CHECK_EQUAL(w.meta.author, "from html");
}

BOOST_AUTO_TEST_CASE(handler_exceptions_propagate_without_crashing) {
  MarkdownOptions o;
  o.on_html = [](std::string_view, bool, TextBuilder&, Metadata&) {
    throw std::runtime_error("stop");
  };
  Metadata meta;
  Diagnostics diag;
  TextBuilder out;
  BOOST_CHECK_THROW(MarkdownToText("a\n\n<div>x</div>\n\nb", o, out, meta, diag),
                    std::runtime_error);
}

BOOST_AUTO_TEST_CASE(seed_000_body) {
  Metadata meta;
  std::string body = ReadSeedBody("000_32d97bf893b11c9f.txt", meta);
  Result r = Run(body, {}, meta);
  BOOST_CHECK(!r.diag.failed());
  BOOST_CHECK(r.text.find("**") == std::string::npos);
  BOOST_CHECK(r.text.find("![") == std::string::npos);
  BOOST_CHECK(r.text.find("gtimg") == std::string::npos);
  BOOST_CHECK(r.text.find("qq") == std::string::npos);
  BOOST_CHECK_EQUAL(r.meta.source_url, "https://new.qq.com/rain/a/20250207A09BDS00");
  BOOST_CHECK(Contains(r.paragraphs, "记者：吴典\n文字编辑：孙婉秋"));
  BOOST_CHECK(Contains(r.paragraphs, "记者：马云飞"));
  BOOST_CHECK_EQUAL(r.paragraphs.back(), "记者：吴典\n文字编辑：孙婉秋");
  BOOST_CHECK(r.paragraphs.front().starts_with("今年春节，中国初创AI企业"));
  BOOST_CHECK(Contains(r.paragraphs,
                       "目前，DeepSeek的风已吹到了汽车、医药、银行、教育等各大领域，英伟达、英特尔、"
                       "亚马逊云科技、微软、AMD、Cerebras等国外的科技巨头也纷纷接入了DeepSeek。"));
  // The front matter title stays; the body has no heading anyway.
  BOOST_CHECK(r.meta.title.starts_with("上美股份被曝因AI大裁员"));
}

BOOST_AUTO_TEST_CASE(seed_002_setext_headings_with_strong) {
  Metadata meta;
  std::string body = ReadSeedBody("002_b17c80ccbe17dc2d.txt", meta);
  Result r = Run(body, {}, meta);
  BOOST_CHECK(r.text.find("**") == std::string::npos);
  BOOST_CHECK(r.text.find("====") == std::string::npos);
  BOOST_CHECK(Contains(r.paragraphs, "01、紧急加入DeepSeek“朋友圈”"));
  BOOST_CHECK(Contains(r.paragraphs, "作者 | 豆蔻"));
  BOOST_CHECK_EQUAL(r.meta.title, "DeepSeek爆火，巨头开始反击");  // front matter wins
  BOOST_CHECK_EQUAL(r.meta.source_url, "https://new.qq.com/rain/a/20250210A05GWY00");
}

BOOST_AUTO_TEST_CASE(seed_004_html_comment_link_heading_and_html_block) {
  Metadata meta;
  std::string body = ReadSeedBody("004_6f03a019609a9af3.txt", meta);
  std::vector<HtmlCall> calls;
  Result r = Run(body, Recording(calls), meta);
  BOOST_CHECK_EQUAL(r.meta.title, "改变国运的突破？DeepSeek引爆中国社交媒体");
  BOOST_CHECK_EQUAL(r.meta.source_url,
                    "https://cn.nytimes.com/technology/20250205/deepseek-china-reaction/");
  BOOST_REQUIRE_EQUAL(calls.size(), 2u);
  BOOST_CHECK(calls[0].block);
  BOOST_CHECK_EQUAL(calls[0].html, "<!--1738742821000-->\n");
  BOOST_CHECK(calls[1].block);
  BOOST_CHECK_EQUAL(calls[1].html, body.substr(body.find("<address>")));
  BOOST_CHECK_EQUAL(r.text, "改变国运的突破？DeepSeek引爆中国社交媒体");
}

BOOST_AUTO_TEST_CASE(hostile_input_never_crashes) {
  std::vector<std::string> inputs = {
      std::string(100000, '>') + " x",
      std::string(50000, '[') + std::string(50000, ']'),
      std::string(100000, '*'),
      std::string(20000, '-') + "\n",
      "<div>\n" + std::string(10000, '<'),
      "[a](https://x)" + std::string(10000, ')'),
      "![" + std::string(10000, '[') + "x](y)",
  };
  std::string nested_lists;
  for (int i = 0; i < 2000; ++i) nested_lists += std::string(i * 2, ' ') + "- x\n";
  inputs.push_back(nested_lists);
  std::mt19937 rng(42);
  const char alphabet[] = "#*_`[]()!<>-|=\\&;\n \t中文x0:/\"'~";
  for (int n = 0; n < 300; ++n) {
    std::string s;
    std::size_t len = rng() % 400;
    for (std::size_t i = 0; i < len; ++i) s += alphabet[rng() % (sizeof alphabet - 1)];
    inputs.push_back(s);
  }
  std::vector<HtmlCall> calls;
  MarkdownOptions o = Recording(calls);
  for (const std::string& in : inputs) {
    Result r = Run(in, o);
    BOOST_CHECK(!r.diag.failed());
  }
  // Random bytes, including invalid UTF-8.
  for (int n = 0; n < 200; ++n) {
    std::string s;
    std::size_t len = rng() % 300;
    for (std::size_t i = 0; i < len; ++i) s += static_cast<char>(rng() & 0xFF);
    Result r = Run(s, o);
    BOOST_CHECK(!r.diag.failed());
  }
}
