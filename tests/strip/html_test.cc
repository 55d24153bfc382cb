#define BOOST_TEST_MODULE strip_html
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "zhcanon/strip/html.h"

namespace fs = std::filesystem;
using zhcanon::Diagnostics;
using zhcanon::Metadata;
using zhcanon::strip::Extract;
using zhcanon::strip::HtmlOptions;
using zhcanon::strip::HtmlToText;
using zhcanon::strip::TextBuilder;

namespace {

struct Result {
  std::string text;
  Metadata meta;
  Diagnostics diag;
};

Result Run(std::string_view html, Extract extract = Extract::kAll, bool keep_captions = true) {
  Result r;
  HtmlOptions opt;
  opt.extract = extract;
  opt.keep_captions = keep_captions;
  TextBuilder b;
  HtmlToText(html, opt, b, r.meta, r.diag);
  r.text = b.Finish();
  return r;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  const char* name;
  const char* html;
  const char* want;
};

void CheckTable(const std::vector<Case>& cases, Extract extract = Extract::kAll,
                bool keep_captions = true) {
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_CHECK_EQUAL(Run(c.html, extract, keep_captions).text, c.want);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(extract_names_round_trip) {
  for (Extract e : {Extract::kAuto, Extract::kMain, Extract::kAll}) {
    BOOST_CHECK(zhcanon::strip::ParseExtract(zhcanon::strip::ExtractName(e)) == e);
  }
  BOOST_CHECK_THROW(zhcanon::strip::ParseExtract("article"), std::invalid_argument);
  BOOST_CHECK_THROW(zhcanon::strip::ParseExtract(""), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(blocks_lines_and_white_space) {
  CheckTable({
      {"paragraphs", "<p>第一段</p><p>第二段</p>", "第一段\n\n第二段"},
      {"source line breaks inside Chinese join", "<p>第一行\n    第二行</p>", "第一行第二行"},
      {"space kept next to Latin", "<p>使用\nDeepSeek\n模型</p>", "使用 DeepSeek 模型"},
      {"inline elements do not break", "<p>中国<b>初创</b>公司<a href='x'>DeepSeek</a>。</p>",
       "中国初创公司DeepSeek。"},
      {"space between inline elements", "<p><a>one</a> <a>two</a></p>", "one two"},
      {"headings and divs are paragraphs", "<h2>标题</h2><div>正文<div>内层</div>尾</div>",
       "标题\n\n正文\n\n内层\n\n尾"},
      {"br is a line break", "<p>第一行<br>第二行</p>", "第一行\n第二行"},
      {"br br ends the paragraph", "<div>第一段<br><br>第二段<br>\n<br>第三段</div>",
       "第一段\n\n第二段\n\n第三段"},
      {"br at block edges adds nothing", "<p><br>文字<br></p>", "文字"},
      {"list items are lines of one paragraph", "<p>前</p><ul><li>一</li><li>二</li></ul><p>后</p>",
       "前\n\n一\n二\n\n后"},
      {"nested list stays in the paragraph", "<ol><li>一<ul><li>甲</li><li>乙</li></ul></li><li>二</li></ol>",
       "一\n甲\n乙\n二"},
      {"blocks inside an item break lines", "<ul><li><p>一</p><p>二</p></li></ul>", "一\n二"},
      {"definition list", "<dl><dt>术语</dt><dd>解释</dd></dl>", "术语\n解释"},
      {"table rows are lines, cells tab separated",
       "<table><tr><th>作物</th><th>面积</th></tr><tr><td> 早稻 </td><td>\n12.5\n</td></tr></table>",
       "作物\t面积\n早稻\t12.5"},
      {"empty cells add no separator", "<table><tr><td></td><td>甲</td><td> </td><td>乙</td></tr></table>",
       "甲\t乙"},
      {"pre is verbatim", "<p>代码：</p><pre>\nint  x;\n  y();\n</pre>", "代码：\n\nint  x;\n  y();"},
      {"pre br is a newline", "<pre>a<br>b</pre>", "a\nb"},
      {"entities decoded", "<p>A &amp; B &lt;tag&gt; &quot;q&quot; &#x4E2D;&#25991; &copy;</p>",
       "A & B <tag> \"q\" 中文 ©"},
      {"nbsp is white space", "<p>&nbsp;&nbsp;发布时间：2025-02-12&nbsp;&nbsp;&nbsp;来源：本网</p>",
       "发布时间：2025-02-12 来源：本网"},
      {"ideographic indent trimmed", "<p>　　当前正值春耕备耕关键时期。</p>", "当前正值春耕备耕关键时期。"},
      {"hr separates", "上<hr>下", "上\n\n下"},
      {"plain text fragment", "只有文字，没有标签。", "只有文字，没有标签。"},
      {"stray less-than is text", "a < b, 1<2", "a < b, 1<2"},
  });
}

BOOST_AUTO_TEST_CASE(dropped_elements) {
  CheckTable({
      {"script and style", "<p>甲</p><script>var s = '<p>不应出现</p>';</script><style>p{}</style><p>乙</p>",
       "甲\n\n乙"},
      {"comments", "<p>甲<!-- 注释 --><!--1738742821000-->乙</p>", "甲乙"},
      {"noscript template iframe", "<p>甲</p><noscript>请启用JS</noscript><template><p>模板</p></template>"
                                   "<iframe src='x'>框架</iframe><p>乙</p>",
       "甲\n\n乙"},
      {"navigation aside footer", "<nav><a>首页</a></nav><p>正文</p><aside>侧栏</aside><footer>版权</footer>",
       "正文"},
      {"dropped blocks still separate text", "前<nav>菜单</nav>后", "前\n\n后"},
      {"page header dropped, article header kept",
       "<header>网站标志</header><article><header><h1>文章标题</h1></header><p>正文</p></article>",
       "文章标题\n\n正文"},
      {"form controls", "<p>甲<button>按钮</button><select><option>选项</option></select>"
                        "<input value='输入'><textarea>文本框</textarea>乙</p>",
       "甲乙"},
      {"small form dropped", "<p>正文</p><form><label>搜索</label><input></form>", "正文"},
      {"media and svg", "<p>甲<img src='a.png' alt='图片说明'><svg><text>矢量</text></svg>"
                        "<math><mi>x</mi></math><video>不支持视频</video><canvas>画布</canvas>乙</p>",
       "甲乙"},
      {"hidden attribute", "<p>甲</p><div hidden>隐藏</div><p>乙</p>", "甲\n\n乙"},
      {"display none", "<p>甲<span style='color:red; DISPLAY : None'>隐藏</span>乙</p>", "甲乙"},
      {"visibility hidden", "<p>甲<span style='visibility:hidden'>隐藏</span>乙</p>", "甲乙"},
      {"aria hidden", "<p>甲<i aria-hidden='true'>图标</i>乙</p>", "甲乙"},
      {"ruby annotations", "<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>字</p>", "漢字"},
      {"address is a byline", "<address>袁莉</address><p>正文</p>", "正文"},
      {"lone time is a dateline", "<p><time datetime='2025-02-05'>2025年2月5日</time></p><p>正文</p>", "正文"},
      {"time inside a sentence is text", "<p>会议于<time datetime='2025-02-05'>2月5日</time>召开。</p>",
       "会议于2月5日召开。"},
      {"title and meta in body are not text", "<p>正文</p><title>标题</title><meta name='x' content='y'>",
       "正文"},
  });
}

BOOST_AUTO_TEST_CASE(page_wrapping_form_is_kept) {
  // ASP.NET WebForms pages (common on Chinese government sites) put everything in a form.
  const std::string body = "这是一段很长的正文。" + std::string(300, 'x');
  BOOST_CHECK_EQUAL(Run("<form id='form1'><p>" + body + "</p><input type='hidden'></form>").text, body);
}

BOOST_AUTO_TEST_CASE(captions) {
  const char* figure =
      "<figure><img src='a.jpg'><figcaption>乘客在站台候车。 <cite>摄影：李华</cite></figcaption></figure>"
      "<p>正文。</p>";
  BOOST_CHECK_EQUAL(Run(figure).text, "乘客在站台候车。\n\n正文。");
  BOOST_CHECK_EQUAL(Run(figure, Extract::kAll, false).text, "正文。");

  const char* small = "<p><img src='a.jpg'><small style='color:#999'>图为总部大楼。</small></p><p>正文。</p>";
  BOOST_CHECK_EQUAL(Run(small).text, "图为总部大楼。\n\n正文。");
  BOOST_CHECK_EQUAL(Run(small, Extract::kAll, false).text, "正文。");
  // <small> that does not follow an image is ordinary text.
  BOOST_CHECK_EQUAL(Run("<p>正文<small>（注）</small></p>", Extract::kAll, false).text, "正文（注）");

  const char* by_class = "<div class='img'><img src='a.jpg'><br><span class='pic-Caption'>图注</span></div><p>正文。</p>";
  BOOST_CHECK_EQUAL(Run(by_class).text, "图注\n\n正文。");
  BOOST_CHECK_EQUAL(Run(by_class, Extract::kAll, false).text, "正文。");
}

BOOST_AUTO_TEST_CASE(inline_fragment_continues_the_callers_paragraph) {
  TextBuilder b;
  Metadata meta;
  Diagnostics diag;
  HtmlOptions opt;
  b.AppendText("前文");
  HtmlToText("<b>粗体</b>", opt, b, meta, diag);
  HtmlToText(" and <i>more</i> ", opt, b, meta, diag);
  b.AppendText("text");
  HtmlToText("<br>", opt, b, meta, diag);
  b.AppendText("下一行");
  BOOST_CHECK_EQUAL(b.Finish(), "前文粗体 and more text\n下一行");
  BOOST_CHECK(meta == Metadata{});
}

BOOST_AUTO_TEST_CASE(metadata_from_head) {
  const char* page = R"(<html lang=" zh-CN "><head>
<title>
  杭州地铁19号线北延段开通运营 - 钱江晚报网
</title>
<meta name="Description" content="  今日起开通运营。 ">
<meta property="og:description" content="OG 摘要">
<meta property="og:title" content="杭州地铁19号线北延段开通运营">
<meta name="keywords" content="杭州地铁， 19号线;城市交通、杭州地铁">
<meta name="author" content="王晓明">
<meta property="article:published_time" content="2025-02-08T09:30:00+08:00">
<meta name="pubdate" content="2025-01-01">
<link rel="Alternate Canonical" href="https://example.cn/a.html">
<meta property="og:url" content="https://example.cn/og.html">
</head><body><p>正文</p><time datetime="2024-12-31">旧</time></body></html>)";
  Result r = Run(page);
  BOOST_CHECK_EQUAL(r.meta.title, "杭州地铁19号线北延段开通运营");
  BOOST_CHECK_EQUAL(r.meta.summary, "今日起开通运营。");
  BOOST_CHECK_EQUAL(r.meta.author, "王晓明");
  BOOST_CHECK_EQUAL(r.meta.date, "2025-02-08T09:30:00+08:00");
  BOOST_CHECK_EQUAL(r.meta.source_url, "https://example.cn/a.html");
  BOOST_CHECK_EQUAL(r.meta.lang, "zh-CN");
  const std::vector<std::string> tags = {"杭州地铁", "19号线", "城市交通"};
  BOOST_CHECK_EQUAL_COLLECTIONS(r.meta.tags.begin(), r.meta.tags.end(), tags.begin(), tags.end());
  BOOST_CHECK_EQUAL(r.text, "正文");
}

BOOST_AUTO_TEST_CASE(title_site_suffix_is_cut_only_with_an_exact_clean_form) {
  struct T {
    const char* html;
    const char* want;
  };
  const T cases[] = {
      {"<title>标题_科技频道_新华网</title><h1>标题_科技频道</h1>", "标题_科技频道"},
      {"<title>标题_新华网</title><h1>标题</h1>", "标题"},
      {"<title>新华网 | 标题</title><h1>标题</h1>", "标题"},
      {"<title>标题 — 财新网</title><meta property='og:title' content='标题'>", "标题"},
      // No clean form to compare with: separators alone are not trusted.
      {"<title>DeepSeek-R1 发布 - 某网</title>", "DeepSeek-R1 发布 - 某网"},
      // The h1 is a prefix but not followed by a separator.
      {"<title>DeepSeek发布新模型</title><h1>DeepSeek</h1>", "DeepSeek发布新模型"},
      {"<title>  </title><meta property='og:title' content='OG 标题'><h1>H1</h1>", "OG 标题"},
      {"<p>无标题</p><h1>\n  第一个\n  标题 </h1><h1>第二个</h1>", "第一个标题"},
      {"<header><h1>网站标志</h1></header><h1>文章标题</h1>", "文章标题"},
  };
  for (const T& c : cases) {
    BOOST_TEST_CONTEXT(c.html) { BOOST_CHECK_EQUAL(Run(c.html).meta.title, c.want); }
  }
  // Regression guard: a page wrapped in an <h1> does not make its whole text the title.
  BOOST_CHECK_EQUAL(Run("<h1><p>" + std::string(700, 'x') + "</p></h1>").meta.title, "");
}

BOOST_AUTO_TEST_CASE(metadata_fallbacks_and_precedence) {
  // og:description when there is no description; article:author URLs are not names;
  // <address> is the author; keywords without commas split on white space.
  Result r = Run("<meta property='og:description' content='OG 摘要'>"
                 "<meta property='article:author' content='https://facebook.com/x'>"
                 "<meta name='keywords' content='人工智能  DeepSeek 大模型'>"
                 "<address>作者：袁莉</address><p>正文</p>");
  BOOST_CHECK_EQUAL(r.meta.summary, "OG 摘要");
  BOOST_CHECK_EQUAL(r.meta.author, "袁莉");
  const std::vector<std::string> tags = {"人工智能", "DeepSeek", "大模型"};
  BOOST_CHECK_EQUAL_COLLECTIONS(r.meta.tags.begin(), r.meta.tags.end(), tags.begin(), tags.end());

  struct D {
    const char* html;
    const char* want;
  };
  const D dates[] = {
      {"<time datetime='2025-01-01'>x</time><time pubdate datetime='2025-02-02'>y</time>", "2025-02-02"},
      {"<time pudate='2025-02-05 03:56:31'>2025年2月5日</time>", "2025-02-05 03:56:31"},
      {"<time>2025年2月5日</time><time datetime=' 2025-02-06 '>z</time>", "2025-02-06"},
      {"<meta name='PubDate' content='2025-03-01'><time datetime='2025-02-06'>z</time>", "2025-02-06"},
      {"<meta name='PubDate' content='2025-03-01'><p>正文</p>", "2025-03-01"},
      {"<meta itemprop='datePublished' content='2025-04-01'><time datetime='2025-02-06'>z</time>",
       "2025-04-01"},
      {"<aside><time datetime='2020-01-01'>侧栏</time></aside><p>正文</p>", ""},
  };
  for (const D& d : dates) {
    BOOST_TEST_CONTEXT(d.html) { BOOST_CHECK_EQUAL(Run(d.html).meta.date, d.want); }
  }
  BOOST_CHECK_EQUAL(Run("<meta property='og:url' content='https://a.cn/x'>").meta.source_url, "https://a.cn/x");
  BOOST_CHECK_EQUAL(Run("<meta http-equiv='Content-Language' content='zh-TW'>").meta.lang, "zh-TW");
}

// Author from an element the page marks as the author's name, after <meta name=author> and
// before <address>; biography boxes ("author-box") and words containing "author" are not names.
BOOST_AUTO_TEST_CASE(author_from_elements_marked_as_author) {
  struct A {
    const char* html;
    const char* want;
  };
  const A cases[] = {
      {"<p>正文</p><span class='author'>李四</span>", "李四"},
      {"<p>正文</p><p class='info article-author'>作者：钱七</p>", "钱七"},
      {"<p>正文</p><span class='news_author'>孙八</span>", "孙八"},
      {"<p>正文</p><a rel='author' href='/u/1'>王五</a>", "王五"},
      {"<div itemprop='author' itemscope><span itemprop='name'>赵六</span></div><p>正文</p>", "赵六"},
      {"<meta name='author' content='元数据作者'><span class='author'>李四</span>", "元数据作者"},
      {"<span class='author'>李四</span><address>作者：袁莉</address>", "李四"},
      {"<div class='author-box'>一位长期关注科技的记者。</div><address>作者：袁莉</address>", "袁莉"},
      {"<div class='authority'>权威</div><p>正文</p>", ""},
      {"<span class='Author'>周九</span>", "周九"},
      {"<span class='author'>记者 王晓明</span>", "王晓明"},
      {"<span class='author'>本报记者王晓明 李四</span>", "王晓明 李四"},
      {"<span class='author'>文／张三</span>", "张三"},
      {"<span class='author'>文化部</span>", "文化部"},
      {"<span class='author'>By Li Yuan</span>", "Li Yuan"},
      // DocBook: the name in an inner element marked too, beside the affiliation.
      {"<div class='author'><h3 class='author'>Josip Rodin</h3><div class='affiliation'>原始内容 "
       "<code>&lt;joy-mg@debian.org&gt;</code></div></div><p>正文</p>",
       "Josip Rodin"},
  };
  for (const A& a : cases) {
    BOOST_TEST_CONTEXT(a.html) { BOOST_CHECK_EQUAL(Run(a.html).meta.author, a.want); }
  }
  // A commenter's name in a comment block does not beat the article's (the main-content pass is
  // what knows comment blocks).
  const char* page = "<html><body><div class='comments'><span class='author'>网友甲</span></div><article>"
                     "<p>正文，正文，正文。</p><span class='author'>李四</span></article></body></html>";
  BOOST_CHECK_EQUAL(Run(page, Extract::kMain).meta.author, "李四");
  BOOST_CHECK_EQUAL(Run(page, Extract::kAll).meta.author, "网友甲");  // all: no block is unlikely
}

BOOST_AUTO_TEST_CASE(metadata_fills_only_empty_fields) {
  Metadata meta;
  meta.title = "前置标题";
  meta.date = "2025-01-01";
  meta.tags = {"已有"};
  TextBuilder b;
  Diagnostics diag;
  HtmlToText("<title>页面标题</title><meta name='keywords' content='a,b'><time datetime='2025-09-09'>t</time>"
             "<meta name='description' content='摘要'><address>作者</address><p>正文</p>",
             HtmlOptions{}, b, meta, diag);
  BOOST_CHECK_EQUAL(meta.title, "前置标题");
  BOOST_CHECK_EQUAL(meta.date, "2025-01-01");
  BOOST_CHECK_EQUAL(meta.tags.size(), 1u);
  BOOST_CHECK_EQUAL(meta.summary, "摘要");
  BOOST_CHECK_EQUAL(meta.author, "作者");
}

// Seed 004 is Markdown whose fifth line is an HTML fragment (the NYT Chinese article);
// the Markdown path hands it over as a block.
BOOST_AUTO_TEST_CASE(seed_004_html_fragment) {
  std::istringstream seed(ReadFile(fs::path(ZHCANON_SOURCE_DIR) / "fixtures/seeds/input/004_6f03a019609a9af3.txt"));
  std::string line;
  for (int i = 0; i < 5; ++i) std::getline(seed, line);
  BOOST_REQUIRE(line.starts_with("<address>"));

  Result r = Run(line, Extract::kAuto);  // no <body>: everything visible
  BOOST_CHECK(r.diag.problems().empty());
  BOOST_CHECK_EQUAL(r.meta.author, "袁莉");
  BOOST_CHECK_EQUAL(r.meta.date, "2025-02-05 03:56:31");
  BOOST_CHECK(r.meta.title.empty());

  std::vector<std::string> paras;
  for (size_t start = 0;;) {
    size_t end = r.text.find("\n\n", start);
    paras.push_back(r.text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  // The caption first (kept by default, without the photo credit), no byline or dateline.
  BOOST_CHECK_EQUAL(paras.front(),
                    "中国初创公司DeepSeek能以极低的成本建立与OpenAI不相上下的人工智能模型，这一消息让硅谷陷入恐慌。");
  BOOST_CHECK_EQUAL(paras[1],
                    "在中国国内，它被称为与美国进行全球技术竞争的临界点，也是硅谷的“至暗时刻”，这话让人想起温斯顿·丘吉尔。这可能是改变国运的突破。");
  // Links become their text, inside the paragraph.
  BOOST_CHECK_EQUAL(paras[2],
                    "中国初创公司DeepSeek可以建立与OpenAI不相上下的人工智能模型，而且成本仅为OpenAI的几分之一。周一，这个消息令股市暴跌，硅谷陷入恐慌。");
  BOOST_CHECK_EQUAL(paras.back(),
                    "“如果DeepSeek真的像人们所说的那样卓越，影响大到了撼动美国股市，但它仍然局限于仅仅是一个有中国社会主义特色的人工智能模型，”一个以“Xiaoming”为用户名的记者在她的Threads账户上写道，“那将是真正的悲剧。”");
  // Every <p> with text is its own paragraph: 44 <p> with text plus the caption.
  size_t p_with_text = 0;
  for (size_t at = 0; (at = line.find("<p>", at)) != std::string::npos; ++at) {
    size_t close = line.find("</p>", at);
    std::string_view inner(line.data() + at + 3, close - at - 3);
    bool only_image = inner.starts_with("<img") && inner.find("<small") == std::string_view::npos;
    bool in_footer = at > line.find("<footer>");
    if (!only_image && !in_footer) ++p_with_text;
  }
  BOOST_CHECK_EQUAL(paras.size(), p_with_text + 1);
  for (const char* gone : {"袁莉", "2025年2月5日", "Violeta", "点击查看本文英文版", "翻译", "<", "&", "纽约时报"}) {
    BOOST_CHECK_MESSAGE(r.text.find(gone) == std::string::npos, "should be gone: " << gone);
  }
  for (const std::string& p : paras) BOOST_CHECK(!p.empty() && p.find("\n\n") == std::string::npos);

  // Without captions the figure and the <small> photo captions go.
  Result nocap = Run(line, Extract::kAuto, false);
  BOOST_CHECK_EQUAL(nocap.text.find("这一消息让硅谷陷入恐慌"), std::string::npos);
  BOOST_CHECK_EQUAL(nocap.text.find("总部大楼"), std::string::npos);
  BOOST_CHECK(nocap.text.starts_with("在中国国内"));
}

BOOST_AUTO_TEST_CASE(auto_extract_looks_for_a_body_tag_in_the_source) {
  const std::string article =
      "<div class='content'><p>" + std::string(10, 'x') +
      "正文第一段，内容足够长，用来评分。这是一篇新闻报道，包含多个句子，说明了事件的经过。</p>"
      "<p>正文第二段，同样包含逗号，句号。记者在现场看到，很多市民前来参观。</p></div>";
  const std::string nav = "<div class='menu'><a href='/'>首页</a><a href='/n'>新闻频道</a></div>";
  // A fragment: everything visible, menu included.
  BOOST_CHECK(Run(nav + article, Extract::kAuto).text.starts_with("首页新闻频道"));
  // With a <BODY ...> tag in any case: main content only.
  for (const char* open : {"<body>", "<BODY class='x'>", "<Body\n>"}) {
    std::string page = "<html>" + std::string(open) + nav + article + "</body></html>";
    BOOST_TEST_CONTEXT(open) {
      BOOST_CHECK(Run(page, Extract::kAuto).text.starts_with("xxxxxxxxxx正文第一段"));
    }
  }
  // "<bodyguard>" is not a body tag.
  BOOST_CHECK(Run("<bodyguard></bodyguard>" + nav + article, Extract::kAuto).text.starts_with("首页"));
  // Forced modes override the sniffing.
  BOOST_CHECK(Run(nav + article, Extract::kMain).text.starts_with("xxxxxxxxxx正文第一段"));
  BOOST_CHECK(Run("<body>" + nav + article, Extract::kAll).text.starts_with("首页"));
}

BOOST_AUTO_TEST_CASE(main_extraction_falls_back_to_everything_when_unconvincing) {
  // Too little text for any candidate: nothing is lost.
  Result r = Run("<body><div class='nav'><a>首页</a></div><p>短讯。</p></body>", Extract::kMain);
  BOOST_CHECK_EQUAL(r.text, "首页\n\n短讯。");
  BOOST_CHECK_EQUAL(Run("<body></body>", Extract::kMain).text, "");
}

BOOST_AUTO_TEST_CASE(main_extraction_drops_related_links_inside_the_content) {
  const std::string page =
      "<body><div class='article-body'>"
      "<p>第一段正文，内容充实，包含多个分句，说明事件的起因、经过和结果。</p>"
      "<p>第二段正文，记者采访了多位专家，他们认为，这一政策将产生深远影响。</p>"
      "<p>第三段正文，数据显示，今年以来，相关指标持续向好，市场信心增强。</p>"
      "<h3>相关阅读：</h3>"
      "<ul><li><a href='/1'>另一篇新闻的标题</a></li><li><a href='/2'>又一篇新闻的标题</a></li></ul>"
      "<p>延伸阅读：<a href='/3'>第三篇新闻的标题很长很长</a></p>"
      "<div><a href='/4'>点击查看原文</a></div>"
      "<p>中国初创公司<a href='/5'>DeepSeek</a>可以建立与OpenAI不相上下的人工智能模型。</p>"
      // Regression: <a id=x/> is not self-closing and wraps what follows; anchors and
      // in-page links are not links.
      "<div class='titlepage'><h2><a id='sec2'/>第二节 背景</h2></div>"
      "<ul><li><a href='#note1'>注释一的内容</a></li></ul>"
      "</div></body>";
  Result r = Run(page, Extract::kMain);
  BOOST_CHECK_EQUAL(r.text,
                    "第一段正文，内容充实，包含多个分句，说明事件的起因、经过和结果。\n\n"
                    "第二段正文，记者采访了多位专家，他们认为，这一政策将产生深远影响。\n\n"
                    "第三段正文，数据显示，今年以来，相关指标持续向好，市场信心增强。\n\n"
                    "中国初创公司DeepSeek可以建立与OpenAI不相上下的人工智能模型。\n\n"
                    "第二节 背景\n\n"
                    "注释一的内容");
  // The same blocks are visible text in kAll.
  Result all = Run(page, Extract::kAll);
  for (const char* kept : {"相关阅读：", "另一篇新闻的标题", "延伸阅读：", "点击查看原文"}) {
    BOOST_CHECK_MESSAGE(all.text.find(kept) != std::string::npos, "kAll keeps " << kept);
  }
}

// Whole pages under fixtures/html/: X.html → X.main.expected.txt (Extract::kMain),
// X.all.expected.txt (Extract::kAll), X.meta.expected.json. ZHCANON_REGENERATE_GOLDEN=1
// rewrites them; review the diff by hand.
BOOST_AUTO_TEST_CASE(golden_pages) {
  const fs::path dir = fs::path(ZHCANON_SOURCE_DIR) / "fixtures/html";
  const bool regenerate = std::getenv("ZHCANON_REGENERATE_GOLDEN") != nullptr;
  std::vector<fs::path> pages;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".html") pages.push_back(e.path());
  }
  std::sort(pages.begin(), pages.end());
  BOOST_REQUIRE_GE(pages.size(), 4u);
  for (const fs::path& page : pages) {
    const std::string html = ReadFile(page);
    const std::string stem = page.stem().string();
    for (Extract mode : {Extract::kMain, Extract::kAll}) {
      Result r = Run(html, mode);
      BOOST_CHECK_MESSAGE(r.diag.problems().empty(), page << ": unexpected problems");
      const fs::path expected =
          dir / (stem + "." + std::string(zhcanon::strip::ExtractName(mode)) + ".expected.txt");
      const fs::path meta = dir / (stem + ".meta.expected.json");
      const std::string got_meta = zhcanon::MetadataToJson(r.meta).dump(2) + "\n";
      if (regenerate) {
        std::ofstream(expected, std::ios::binary) << r.text << "\n";
        std::ofstream(meta, std::ios::binary) << got_meta;
        continue;
      }
      BOOST_TEST_CONTEXT(expected.filename()) {
        BOOST_CHECK_EQUAL(r.text + "\n", ReadFile(expected));
        BOOST_CHECK_EQUAL(got_meta, ReadFile(meta));
      }
    }
    // kAuto on a whole page is kMain.
    BOOST_CHECK_EQUAL(Run(html, Extract::kAuto).text, Run(html, Extract::kMain).text);
  }
}

// What every page fixture must (not) contain, independent of the golden files.
BOOST_AUTO_TEST_CASE(golden_pages_keep_the_article_and_drop_the_chrome) {
  const fs::path dir = fs::path(ZHCANON_SOURCE_DIR) / "fixtures/html";
  const std::string page = ReadFile(dir / "news_article.html");
  Result main = Run(page, Extract::kMain);
  Result all = Run(page, Extract::kAll);
  for (const char* chrome : {"首页", "当前位置", "相关阅读", "杭州地铁三期规划", "网友评论", "点赞",
                             "热门新闻", "浙ICP备", "Copyright", "分享到", "说两句吧", "来源：钱江晚报"}) {
    BOOST_CHECK_MESSAGE(main.text.find(chrome) == std::string::npos, "main should drop " << chrome);
  }
  for (const char* dropped : {"财经", "体育", "浙ICP备", "Copyright", "热门新闻", "广告", "隐藏的文字", "说两句吧",
                              "搜索", "_hmt", "display"}) {
    BOOST_CHECK_MESSAGE(all.text.find(dropped) == std::string::npos, "all should drop " << dropped);
  }
  for (const char* visible : {"当前位置", "相关阅读", "网友评论", "来源：钱江晚报"}) {
    BOOST_CHECK_MESSAGE(all.text.find(visible) != std::string::npos, "all keeps " << visible);
  }
  BOOST_CHECK(main.text.starts_with("杭州地铁19号线北延段开通运营\n\n2月8日上午9时"));
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_flattened_fast_without_losing_text) {
  const int n = 100000;
  auto repeat = [](std::string_view s, int k) {
    std::string out;
    out.reserve(s.size() * k);
    for (int i = 0; i < k; ++i) out += s;
    return out;
  };
  struct Deep {
    const char* name;
    std::string html;
  };
  const Deep cases[] = {
      {"nested divs", repeat("<div>", n) + "深处的文字" + repeat("</div>", n) + "<p>之后</p>"},
      {"unclosed divs", repeat("<div>", n) + "深处的文字"},
      {"nested b", repeat("<b>", n) + "深处的文字" + repeat("</b>", n) + "<p>之后</p>"},
      {"unclosed b", repeat("<b>", n) + "深处的文字"},
      {"nested tables", repeat("<table><tr><td>", n) + "深处的文字"},
      {"mixed", repeat("<div class='a'><font color=red><section>", n / 3) + "深处的文字"},
  };
  for (const Deep& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      auto start = std::chrono::steady_clock::now();
      Result r = Run(c.html);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      BOOST_CHECK_LT(seconds, 10.0);  // gumbo alone needs ~30 s for 100 000 nested divs
      BOOST_CHECK(r.text.find("深处的文字") != std::string::npos);
      BOOST_CHECK(r.text.find('<') == std::string::npos);
      BOOST_REQUIRE_EQUAL(r.diag.problems().size(), 1u);
      const zhcanon::Problem& p = r.diag.problems()[0];
      BOOST_CHECK(p.severity == zhcanon::Severity::kWarning);
      BOOST_CHECK_EQUAL(p.stage, "strip");
      BOOST_CHECK_EQUAL(p.location.line, 1);
      BOOST_CHECK_GT(p.location.byte_offset, 0);
      BOOST_CHECK(!r.diag.failed());
    }
  }
  // Text after the deep part keeps its paragraph structure.
  BOOST_CHECK(Run(cases[0].html).text.ends_with("深处的文字\n\n之后"));
  // Flat documents with many siblings are not deep: no warning, structure kept.
  Result spans = Run(repeat("<p>段<span>", n / 10));  // each <p> closes the last one
  BOOST_CHECK(spans.diag.problems().empty());
  BOOST_CHECK_EQUAL(std::count(spans.text.begin(), spans.text.end(), '\n'), 2 * (n / 10 - 1));
  Result flat = Run(repeat("<p>段落", n / 10));
  BOOST_CHECK(flat.diag.problems().empty());
  BOOST_CHECK_EQUAL(std::count(flat.text.begin(), flat.text.end(), '\n'), 2 * (n / 10 - 1));
  Result items = Run("<ul>" + repeat("<li>项", n / 10) + "</ul>" + repeat("<tr><td>格<td>格", 1000));
  BOOST_CHECK(items.diag.problems().empty());
}

BOOST_AUTO_TEST_CASE(nesting_just_under_the_limit_is_untouched) {
  std::string html;
  for (int i = 0; i < 500; ++i) html += "<div>";
  html += "甲";
  for (int i = 0; i < 500; ++i) html += "</div>";
  html += "<p>乙</p>";
  Result r = Run(html);
  BOOST_CHECK(r.diag.problems().empty());
  BOOST_CHECK_EQUAL(r.text, "甲\n\n乙");
}

BOOST_AUTO_TEST_CASE(never_fails_on_broken_input) {
  const std::string cases[] = {
      "",
      "   \n\t ",
      std::string("<p>NUL\0inside</p>", 17),
      "\xff\xfe<p>\xc3\x28 bad utf-8 \xe4\xb8</p>",
      "<",
      "</",
      "<!--",
      "<!-- unterminated comment <p>x</p>",
      "<p title='unterminated attribute>text",
      "<script>never closed",
      "<plaintext><p>not a tag",
      "<table><td>cell<tr>row</table></td>",
      "</p></p></div></body></html>",
      "<svg><p>html in svg</p><foreignObject><p>foreign</p></foreignObject></svg>after",
      "<body><body><html><head><title>late</title></head>x",
      "<a href=x><a href=y>nested links</a></a>",
      "<pre>",
      "<br><br><br>",
      "<ul><li><ul><li><ul><li>",
      "<time datetime>",
      "<address></address><h1></h1><title></title>",
      "<meta name=keywords content=', ，;'>",
  };
  for (const std::string& html : cases) {
    for (Extract mode : {Extract::kAll, Extract::kMain}) {
      BOOST_TEST_CONTEXT(html) {
        Result r = Run(html, mode);
        BOOST_CHECK(!r.diag.failed());
        BOOST_CHECK(r.text.find("\n\n\n") == std::string::npos);
      }
    }
  }
  BOOST_CHECK(Run("<meta name=keywords content=', ，;'>").meta.tags.empty());
  BOOST_CHECK_EQUAL(Run("<script>never closed").text, "");
  // Regression: gumbo's text is a C string, a NUL cut the rest of the text node.
  Result nul = Run(std::string("<p>NUL\0inside</p>", 17));
  BOOST_CHECK_EQUAL(nul.text, "NULinside");
  BOOST_REQUIRE_EQUAL(nul.diag.problems().size(), 1u);
  BOOST_CHECK_EQUAL(nul.diag.problems()[0].location.byte_offset, 6);
  BOOST_CHECK_EQUAL(nul.diag.problems()[0].location.column, 7);
}

// Property: random tag soup never crashes, never leaves markup, and the output is
// normalised (no blank-only lines, no edge spaces, no empty paragraphs).
BOOST_AUTO_TEST_CASE(random_tag_soup_is_handled) {
  const char* pieces[] = {"<p>", "</p>", "<div class='content'>", "</div>", "<br>", "<li>", "<ul>", "</ul>",
                          "<table>", "<tr>", "<td>", "</td>", "<a href=x>", "</a>",
                          "<script>", "</script>", "<!--", "-->", "<b>", "</b>", "文字，", "句子。",
                          " ", "\n", "&nbsp;", "&amp;", "　", "English words. ", "<nav>", "</nav>",
                          "<h1>", "</h1>", "<time datetime='2025'>", "</time>", "<address>", "<img>",
                          "<figure><figcaption>", "</figcaption>", "<cite>", "<body>", "<form>", "<li>"};
  std::mt19937 rng(20250205);
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
  for (int iter = 0; iter < 300; ++iter) {
    std::string html;
    int len = 1 + static_cast<int>(rng() % 200);
    for (int k = 0; k < len; ++k) html += pieces[pick(rng)];
    for (Extract mode : {Extract::kAll, Extract::kMain}) {
      Result r = Run(html, mode);
      BOOST_TEST_CONTEXT(html) {
        BOOST_CHECK(!r.diag.failed());
        BOOST_CHECK(r.text.find("<p") == std::string::npos && r.text.find("<div") == std::string::npos);
        BOOST_CHECK(r.text.find("&amp;") == std::string::npos && r.text.find("&nbsp;") == std::string::npos);
        BOOST_CHECK(!r.text.starts_with("\n") && !r.text.ends_with("\n"));
        BOOST_CHECK(r.text.find("\n\n\n") == std::string::npos);
        BOOST_CHECK(r.text.find(" \n") == std::string::npos && r.text.find("\n ") == std::string::npos);
      }
    }
  }
}
