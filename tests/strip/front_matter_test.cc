#define BOOST_TEST_MODULE strip_front_matter
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/strip/front_matter.h"

using zhcanon::Diagnostics;
using zhcanon::Metadata;
using zhcanon::strip::FrontMatter;
using zhcanon::strip::FrontMatterKind;
using zhcanon::strip::ParseFrontMatter;
using Json = nlohmann::ordered_json;

namespace {

// The front matter of fixtures/seeds/input/000_32d97bf893b11c9f.txt, as scraped.
constexpr std::string_view kSeed000 =
    "---\n"
    "title: \"上美股份被曝因AI大裁员！DeepSeek爆火下，有人焦虑失业，有人掘金致富......\"\n"
    "date: \"2025-02-07 23:01:26\"\n"
    "summary: \"今年春节，中国初创AI企业深度求索开发的DeepSeek可谓强势来袭，凭借低成本、高性能以及开源策略...\"\n"
    "categories:\n"
    "  - \"qq\"\n"
    "lang:\n"
    "  - \"zh-CN\"\n"
    "translations:\n"
    "  - \"zh-CN\"\n"
    "tags:\n"
    "  - \"qq\"\n"
    "menu: \"\"\n"
    "thumbnail: \"https://inews.gtimg.com/om_ls/OetbT-G0-tYKNJeve1yljv24B1gZk4dCi5YArvnHCfO5MAA_640360/0\"\n"
    "lead: \"\"\n"
    "comments: false\n"
    "authorbox: false\n"
    "pager: true\n"
    "toc: false\n"
    "mathjax: false\n"
    "sidebar: \"right\"\n"
    "widgets:\n"
    "  - \"search\"\n"
    "  - \"recent\"\n"
    "  - \"taglist\"\n"
    "---\n"
    "\n"
    "今年春节，中国初创AI企业深度求索开发的DeepSeek可谓强势来袭。\n";

struct Parsed {
  FrontMatter fm;
  Metadata meta;
  Diagnostics diag;
  std::string body;
};

Parsed Parse(std::string_view text, Metadata meta = {}) {
  Parsed p;
  p.meta = std::move(meta);
  p.fm = ParseFrontMatter(text, p.meta, p.diag);
  p.body = std::string(text.substr(p.fm.body_offset));
  return p;
}

std::string Messages(const Diagnostics& d) {
  std::string s;
  for (const auto& p : d.problems()) s += p.message + "\n";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(seed_000_yaml_front_matter) {
  Parsed p = Parse(kSeed000);
  BOOST_TEST_INFO(Messages(p.diag));
  BOOST_REQUIRE(!p.diag.failed());
  BOOST_CHECK(p.fm.kind == FrontMatterKind::kYaml);
  BOOST_CHECK_EQUAL(p.fm.body_line, 27);
  BOOST_CHECK_EQUAL(p.body, "\n今年春节，中国初创AI企业深度求索开发的DeepSeek可谓强势来袭。\n");
  BOOST_CHECK_EQUAL(p.meta.title, "上美股份被曝因AI大裁员！DeepSeek爆火下，有人焦虑失业，有人掘金致富......");
  BOOST_CHECK_EQUAL(p.meta.date, "2025-02-07 23:01:26");
  BOOST_CHECK(p.meta.summary.starts_with("今年春节"));
  BOOST_CHECK_EQUAL(p.meta.lang, "zh-CN");
  BOOST_CHECK(p.meta.tags == std::vector<std::string>{"qq"});
  BOOST_CHECK(p.meta.categories == std::vector<std::string>{"qq"});
  // Everything else is kept, in document order, with YAML booleans as JSON booleans.
  Json want = Json::parse(R"({"translations":["zh-CN"],"menu":"",
      "thumbnail":"https://inews.gtimg.com/om_ls/OetbT-G0-tYKNJeve1yljv24B1gZk4dCi5YArvnHCfO5MAA_640360/0",
      "lead":"","comments":false,"authorbox":false,"pager":true,"toc":false,"mathjax":false,
      "sidebar":"right","widgets":["search","recent","taglist"]})");
  BOOST_CHECK_EQUAL(p.meta.extra.dump(), want.dump());
}

BOOST_AUTO_TEST_CASE(yaml_scalars_follow_tags_and_the_core_schema) {
  struct Case { const char* yaml; const char* want_json; };
  const Case cases[] = {
      {"x: \"2025\"", R"("2025")"},          // quoted stays a string
      {"x: '2025'", R"("2025")"},
      {"x: 2025", "2025"},
      {"x: -17", "-17"},
      {"x: 0x1F", "31"},
      {"x: 007", R"("007")"},                 // leading zeros are not lost
      {"x: 1.5", "1.5"},
      {"x: 1e3", "1000.0"},
      {"x: .inf", R"(".inf")"},               // JSON has no infinity
      {"x: 99999999999999999999", R"("99999999999999999999")"},  // overflow keeps the text
      {"x: true", "true"},
      {"x: False", "false"},
      {"x: yes", R"("yes")"},                 // YAML 1.2: not a boolean
      {"x: no", R"("no")"},
      {"x: ~", "null"},
      {"x:", "null"},
      {"x: !!str 12", R"("12")"},
      {"x: !!int 12", "12"},
      {"x: !custom 12", R"("12")"},
      {"x: 2025-02-07 23:01:26", R"("2025-02-07 23:01:26")"},  // timestamps as written
      {"x: [1, a, {b: c}]", R"([1,"a",{"b":"c"}])"},
      {"x:\n  z: 1\n  a:\n    - [2]", R"({"z":1,"a":[[2]]})"},  // nested, in order
      {"x: &a [1]\ny: *a", R"([1])"},        // aliases resolved
      {"x: |\n  line one\n  line two\n", R"("line one\nline two\n")"},
  };
  for (const Case& c : cases) {
    std::string text = "---\n" + std::string(c.yaml) + "\n---\nbody";
    Parsed p = Parse(text);
    BOOST_TEST_INFO(c.yaml << " " << Messages(p.diag));
    BOOST_REQUIRE(!p.diag.failed());
    BOOST_CHECK_EQUAL(p.body, "body");
    BOOST_CHECK_EQUAL(p.meta.extra["x"].dump(), c.want_json);
  }
}

BOOST_AUTO_TEST_CASE(well_known_keys_and_aliases) {
  struct Case { const char* yaml; std::string Metadata::*field; const char* want; };
  const Case cases[] = {
      {"description: d", &Metadata::summary, "d"},
      {"summary: s\ndescription: d", &Metadata::summary, "s"},
      {"author: 张三", &Metadata::author, "张三"},
      {"authors: [张三, 李四]", &Metadata::author, "张三"},
      {"author: [张三, 李四]", &Metadata::author, "张三"},
      {"authors: [李四]\nauthor: 张三", &Metadata::author, "张三"},
      {"url: https://example.com/a", &Metadata::source_url, "https://example.com/a"},
      {"url: /posts/a/", &Metadata::source_url, ""},  // a Hugo site path is not a source
      {"canonical: https://c.example/", &Metadata::source_url, "https://c.example/"},
      {"original_url: https://o.example/\nurl: https://u.example/", &Metadata::source_url,
       "https://o.example/"},
      {"source_url: https://s.example/\ncanonical: https://c.example/", &Metadata::source_url,
       "https://s.example/"},
      {"lang: [zh-TW, en]", &Metadata::lang, "zh-TW"},
      {"date: 2025-02-07", &Metadata::date, "2025-02-07"},
      {"date: 2025", &Metadata::date, "2025"},
      {"title: 123", &Metadata::title, "123"},
  };
  for (const Case& c : cases) {
    Parsed p = Parse("---\n" + std::string(c.yaml) + "\n---\n");
    BOOST_TEST_INFO(c.yaml << " " << Messages(p.diag));
    BOOST_REQUIRE(!p.diag.failed());
    BOOST_CHECK_EQUAL(p.meta.*c.field, c.want);
  }
  // Lists and unused aliases are kept in extra.
  Parsed p = Parse("---\nauthors: [张三, 李四]\nsummary: s\ndescription: d\nurl: /a/\n---\n");
  BOOST_CHECK_EQUAL(p.meta.extra.dump(),
                    Json::parse(R"({"authors":["张三","李四"],"description":"d","url":"/a/"})").dump());
  Parsed q = Parse("---\nauthor: [张三, 李四]\nlang: [zh-TW, en]\n---\n");
  BOOST_CHECK_EQUAL(q.meta.extra["authors"].size(), 2u);
  BOOST_CHECK_EQUAL(q.meta.extra["lang_list"].size(), 2u);
}

BOOST_AUTO_TEST_CASE(front_matter_overwrites_and_keeps_existing_metadata) {
  Metadata before;
  before.title = "old title";
  before.author = "kept author";
  before.path = "a/b.md";
  before.tags = {"old"};
  before.extra["from_jsonl"] = 1;
  Parsed p = Parse("---\ntitle: new title\ntags: []\npath: x/y\n---\n", before);
  BOOST_REQUIRE(!p.diag.failed());
  BOOST_CHECK_EQUAL(p.meta.title, "new title");
  BOOST_CHECK_EQUAL(p.meta.author, "kept author");
  BOOST_CHECK(p.meta.tags == std::vector<std::string>{"old"});  // an empty list sets nothing
  BOOST_CHECK_EQUAL(p.meta.path, "a/b.md");                      // the input path stays
  BOOST_CHECK_EQUAL(p.meta.extra["path"], "x/y");
  BOOST_CHECK_EQUAL(p.meta.extra["from_jsonl"], 1);
}

BOOST_AUTO_TEST_CASE(delimiters_bom_crlf_and_empty_blocks) {
  struct Case {
    const char* name;
    std::string text;
    FrontMatterKind kind;
    const char* title;
    const char* body;
    int body_line;
  };
  const Case cases[] = {
      {"crlf", "---\r\ntitle: 标题\r\n---\r\n正文\r\n", FrontMatterKind::kYaml, "标题", "正文\r\n", 4},
      {"bom", "\xEF\xBB\xBF---\ntitle: t\n---\nb", FrontMatterKind::kYaml, "t", "b", 4},
      {"dots close yaml", "---\ntitle: t\n...\nb", FrontMatterKind::kYaml, "t", "b", 4},
      {"trailing blanks on delimiters", "--- \ntitle: t\n---\t\nb", FrontMatterKind::kYaml, "t", "b", 4},
      {"empty yaml", "---\n---\nbody", FrontMatterKind::kYaml, "", "body", 3},
      {"only comments", "---\n# nothing\n---\nbody", FrontMatterKind::kYaml, "", "body", 4},
      {"closing at end of file", "---\ntitle: t\n---", FrontMatterKind::kYaml, "t", "", 3},
      {"empty toml", "+++\n+++\nbody", FrontMatterKind::kToml, "", "body", 3},
      {"no front matter", "正文\n---\n", FrontMatterKind::kNone, "", "正文\n---\n", 1},
      {"bom without front matter", "\xEF\xBB\xBF正文", FrontMatterKind::kNone, "", "正文", 1},
      {"four dashes are not a delimiter", "----\ntitle: t\n----\n", FrontMatterKind::kNone, "",
       "----\ntitle: t\n----\n", 1},
      {"indented delimiter is not one", " ---\ntitle: t\n---\n", FrontMatterKind::kNone, "",
       " ---\ntitle: t\n---\n", 1},
      {"shortcode is not json", "{{< figure src=\"a\" >}}\n", FrontMatterKind::kNone, "",
       "{{< figure src=\"a\" >}}\n", 1},
      {"later thematic break is irrelevant", "---\ntitle: t\n---\n\n---\n\ntext",
       FrontMatterKind::kYaml, "t", "\n---\n\ntext", 4},
  };
  for (const Case& c : cases) {
    Parsed p = Parse(c.text);
    BOOST_TEST_INFO(c.name << " " << Messages(p.diag));
    BOOST_REQUIRE(!p.diag.failed());
    BOOST_CHECK(p.fm.kind == c.kind);
    BOOST_CHECK_EQUAL(p.meta.title, c.title);
    BOOST_CHECK_EQUAL(p.body, c.body);
    BOOST_CHECK_EQUAL(p.fm.body_line, c.body_line);
    if (std::string_view(c.title).empty()) BOOST_CHECK(p.meta.extra.empty());
  }
}

BOOST_AUTO_TEST_CASE(toml_front_matter) {
  Parsed p = Parse(
      "+++\n"
      "title = \"标题\"\n"
      "date = 2025-02-07T23:01:26+08:00\n"
      "updated = 1979-05-27T07:32:00.999Z\n"
      "day = 2025-02-07\n"
      "at = 07:32:00\n"
      "local = 2025-02-07T23:01:26\n"
      "tags = [\"a\", \"b\"]\n"
      "weight = 3\n"
      "ratio = 0.5\n"
      "draft = false\n"
      "zeta = 1\n"
      "alpha = 2\n"
      "[params]\n"
      "z = \"last\"\n"
      "a.b = 1\n"
      "[[links]]\n"
      "name = \"x\"\n"
      "+++\n"
      "正文");
  BOOST_TEST_INFO(Messages(p.diag));
  BOOST_REQUIRE(!p.diag.failed());
  BOOST_CHECK(p.fm.kind == FrontMatterKind::kToml);
  BOOST_CHECK_EQUAL(p.body, "正文");
  BOOST_CHECK_EQUAL(p.fm.body_line, 20);
  BOOST_CHECK_EQUAL(p.meta.title, "标题");
  BOOST_CHECK_EQUAL(p.meta.date, "2025-02-07T23:01:26+08:00");
  BOOST_CHECK(p.meta.tags == (std::vector<std::string>{"a", "b"}));
  // Document order is recovered from source positions although toml++ sorts its tables.
  Json want = Json::parse(R"({"updated":"1979-05-27T07:32:00.999Z","day":"2025-02-07",
      "at":"07:32:00","local":"2025-02-07T23:01:26","weight":3,"ratio":0.5,"draft":false,
      "zeta":1,"alpha":2,"params":{"z":"last","a":{"b":1}},"links":[{"name":"x"}]})");
  BOOST_CHECK_EQUAL(p.meta.extra.dump(), want.dump());
}

BOOST_AUTO_TEST_CASE(json_front_matter) {
  std::string text =
      "{\n"
      "  \"title\": \"含 } 和 { 的标题\",\n"
      "  \"summary\": \"escaped \\\" quote and \\\\\",\n"
      "  \"tags\": [\"a\"],\n"
      "  \"params\": {\"z\": 1, \"a\": {\"b\": [1, 2]}}\n"
      "}\n"
      "正文 {not json}\n";
  Parsed p = Parse(text);
  BOOST_TEST_INFO(Messages(p.diag));
  BOOST_REQUIRE(!p.diag.failed());
  BOOST_CHECK(p.fm.kind == FrontMatterKind::kJson);
  BOOST_CHECK_EQUAL(p.meta.title, "含 } 和 { 的标题");
  BOOST_CHECK_EQUAL(p.meta.summary, "escaped \" quote and \\");
  BOOST_CHECK_EQUAL(p.meta.extra.dump(), R"({"params":{"z":1,"a":{"b":[1,2]}}})");
  BOOST_CHECK_EQUAL(p.body, "正文 {not json}\n");
  BOOST_CHECK_EQUAL(p.fm.body_line, 7);

  Parsed same_line = Parse("\xEF\xBB\xBF{\"title\":\"t\"} body");
  BOOST_REQUIRE(!same_line.diag.failed());
  BOOST_CHECK_EQUAL(same_line.body, " body");
  BOOST_CHECK_EQUAL(same_line.meta.title, "t");
  Parsed empty = Parse("{}\nbody");
  BOOST_REQUIRE(!empty.diag.failed());
  BOOST_CHECK(empty.fm.kind == FrontMatterKind::kJson);
  BOOST_CHECK_EQUAL(empty.body, "body");
}

BOOST_AUTO_TEST_CASE(errors_name_the_place_in_the_whole_document) {
  struct Case {
    const char* name;
    std::string text;
    FrontMatterKind kind;
    const char* message_part;
    std::int64_t line;
    std::int64_t column;  // 0: not checked
  };
  const Case cases[] = {
      {"unterminated yaml", "---\ntitle: t\n\n正文\n", FrontMatterKind::kYaml,
       "unterminated YAML front matter starting at line 1: no closing '---'", 1, 1},
      {"document that is only ---", "---", FrontMatterKind::kYaml, "unterminated YAML", 1, 1},
      {"thematic break as first line", "---\n\n正文\n\n***\n", FrontMatterKind::kYaml,
       "unterminated YAML", 1, 1},
      {"unterminated toml", "+++\ntitle = \"t\"\n", FrontMatterKind::kToml,
       "unterminated TOML front matter starting at line 1: no closing '+++'", 1, 1},
      {"unterminated json", "{\"title\": \"}\"\n正文", FrontMatterKind::kJson,
       "unterminated JSON front matter starting at line 1: no closing '}'", 1, 1},
      {"malformed yaml", "---\ntitle: t\ntags: [a, b\nx: 1\n---\n", FrontMatterKind::kYaml,
       "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 3, "
       "column 7)", 4, 2},
      {"malformed yaml mapping", "---\ntitle: t\n  bad: 标题: x\n---\n", FrontMatterKind::kYaml,
       "YAML syntax error: mapping values are not allowed in this context", 3, 6},
      {"malformed yaml after bom and crlf", "\xEF\xBB\xBF---\r\na: b\r\n- c\r\n---\r\n",
       FrontMatterKind::kYaml, "YAML syntax error: did not find expected key", 3, 1},
      {"yaml list", "---\n- a\n- b\n---\n", FrontMatterKind::kYaml,
       "YAML front matter is a list, expected a mapping", 2, 1},
      {"yaml scalar", "---\njust a sentence\n---\n", FrontMatterKind::kYaml,
       "YAML front matter is a single value", 2, 1},
      {"recursive alias", "---\na: &x [*x]\n---\n", FrontMatterKind::kYaml,
       "nested deeper than 100 levels", 0, 0},
      {"billion laughs",
       "---\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n---\n",
       FrontMatterKind::kYaml, "more than 100000 values", 0, 0},
      {"malformed toml", "+++\ntitle = \"t\"\nbad = \"中文\" x\n+++\n", FrontMatterKind::kToml,
       "TOML syntax error", 3, 12},
      {"malformed json", "{\n  \"title\": \"标题\",\n  \"x\": oops\n}\n", FrontMatterKind::kJson,
       "JSON syntax error", 3, 8},
      {"json nested too deep", "{\"a\":" + std::string(200, '[') + std::string(200, ']') + "}",
       FrontMatterKind::kJson, "JSON nested deeper than 100 levels", 1, 0},
      // Found by the fuzzer: a number beyond a double threw out_of_range past the parse_error
      // handler and aborted the run (tests/fuzz/regressions/front_matter/json_number_beyond_double.md).
      {"json number beyond a double", "{\"title\": \"t\", \"views\": 1e400}\n", FrontMatterKind::kJson,
       "JSON value out of range: number overflow parsing '1e400'", 1, 1},
  };
  for (const Case& c : cases) {
    Metadata before;
    before.title = "unchanged";
    Parsed p = Parse(c.text, before);
    BOOST_TEST_INFO(c.name << ": " << Messages(p.diag));
    BOOST_REQUIRE(p.diag.failed());
    BOOST_REQUIRE_EQUAL(p.diag.problems().size(), 1u);
    const zhcanon::Problem& problem = p.diag.problems()[0];
    BOOST_CHECK_EQUAL(problem.stage, "strip");
    BOOST_CHECK(problem.message.starts_with("front matter: "));
    BOOST_CHECK(problem.message.find(c.message_part) != std::string::npos);
    if (c.line != 0) BOOST_CHECK_EQUAL(problem.location.line, c.line);
    else BOOST_CHECK_GE(problem.location.line, 1);
    if (c.column != 0) BOOST_CHECK_EQUAL(problem.location.column, c.column);
    BOOST_CHECK(p.fm.kind == c.kind);
    BOOST_CHECK_EQUAL(p.fm.body_offset, 0u);
    BOOST_CHECK(p.meta == before);
  }
}

BOOST_AUTO_TEST_CASE(arbitrary_prefixes_never_crash) {
  // Every prefix of a document with all three kinds of blocks: parsing must return with
  // either a failure or a body offset inside the text.
  const std::string docs[] = {std::string(kSeed000),
                              "+++\ntitle = \"t\"\n[a]\nb = [1, {c = 2}]\n+++\nbody",
                              "{\"a\": {\"b\": \"}\\\"{\"}, \"c\": [1]}\nbody"};
  for (const std::string& doc : docs) {
    for (std::size_t n = 0; n <= doc.size(); ++n) {
      Parsed p = Parse(std::string_view(doc).substr(0, n));
      BOOST_CHECK_LE(p.fm.body_offset, n);
      if (p.diag.failed()) BOOST_CHECK_EQUAL(p.fm.body_offset, 0u);
    }
  }
}

// --- YAML read with libyaml's events: what yaml-cpp's YAML::Load did must stay ----------

namespace {

// The front matter's keys as JSON (well-known keys included), or the failure.
std::string YamlResult(const std::string& block) {
  Parsed p = Parse("---\n" + block + "\n---\nbody");
  if (p.diag.failed()) return "FAIL " + Messages(p.diag);
  Json j = zhcanon::MetadataToJson(p.meta);
  return j.dump();
}

struct YamlCase {
  const char* name;
  std::string yaml;
  const char* want_json;
};

void CheckYamlCases(const std::vector<YamlCase>& cases) {
  for (const YamlCase& c : cases) {
    BOOST_TEST_INFO(c.name);
    BOOST_CHECK_EQUAL(YamlResult(c.yaml), c.want_json);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(yaml_aliases_copy_their_anchors) {
  CheckYamlCases({
      {"scalar", "a: &x 12\nb: *x", R"({"a":12,"b":12})"},
      {"quoted scalar stays a string", "a: &x '12'\nb: *x", R"({"a":"12","b":"12"})"},
      {"list and mapping", "a: &l [1, {c: d}]\nb: &m {e: *l}\nc: *m",
       R"({"a":[1,{"c":"d"}],"b":{"e":[1,{"c":"d"}]},"c":{"e":[1,{"c":"d"}]}})"},
      {"alias inside a flow list", "tags: [&t 新闻, *t, x]", R"({"tags":["新闻","新闻","x"]})"},
      {"alias as a key takes the scalar's text", "a: &k 007\n*k : v", R"({"a":"007","007":"v"})"},
      {"anchored key", "&k key: v\nother: *k", R"({"key":"v","other":"key"})"},
      {"null anchor", "a: &n\nb: *n", R"({"a":null,"b":null})"},
      {"a redefinition names the later node", "a: &x 1\nb: &x 2\nc: *x", R"({"a":1,"b":2,"c":2})"},
      {"a redefinition inside the node wins", "a: &x [&x 1]\nb: *x", R"({"a":[1],"b":1})"},
      {"alias to the redefined inner anchor is no cycle", "a: &x [&x 1, *x]", R"({"a":[1,1]})"},
      {"merge keys are ordinary keys", "base: &b {x: 1}\nm:\n  <<: *b\n  z: 2",
       R"({"base":{"x":1},"m":{"<<":{"x":1},"z":2}})"},
  });
}

BOOST_AUTO_TEST_CASE(yaml_mapping_keys) {
  CheckYamlCases({
      {"duplicate: last value at the first place", "a: 1\nb: 2\na: 3", R"({"a":3,"b":2})"},
      {"keys keep their text", "1: a\n1.50: b\ntrue: c\n0x1F: d",
       R"({"1":"a","1.50":"b","true":"c","0x1F":"d"})"},
      {"plain null keys", "~: a\nNull: b\n'~': c", R"({"null":"b","~":"c"})"},
      {"complex keys keep their source text", "? [a, b]\n: v\n? {c: d}\n: w",
       R"({"[a, b]":"v","{c: d}":"w"})"},
      {"only the first document", "a: 1\n--- b\nc: 2", R"({"a":1})"},
  });
  // More keys than a linear search is used for, with duplicates far apart.
  std::string yaml;
  Json want = Json::object();
  for (int i = 0; i < 100; ++i) {
    yaml += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
    want["k" + std::to_string(i)] = i;
  }
  yaml += "k3: last\nk99: end\nk100: new";
  want["k3"] = "last";
  want["k99"] = "end";
  want["k100"] = "new";
  BOOST_CHECK_EQUAL(YamlResult(yaml), want.dump());
}

BOOST_AUTO_TEST_CASE(yaml_delimiter_lookalikes_inside_the_block) {
  CheckYamlCases({
      {"quoted dashes", "title: \"--- 标题 ---\"\nsummary: '--- x'", R"({"title":"--- 标题 ---","summary":"--- x"})"},
      {"plain value of dashes and dots", "a: ---\nb: ...\nc: --- x", R"({"a":"---","b":"...","c":"--- x"})"},
      {"indented lines in a block scalar", "summary: |\n  ---\n  %YAML 1.2\n  ...\n  text",
       R"({"summary":"---\n%YAML 1.2\n...\ntext\n"})"},
      {"directive-like strings", "a: \"%YAML 1.2\"\nb: '%TAG ! x'", R"({"a":"%YAML 1.2","b":"%TAG ! x"})"},
      {"a line that is not a delimiter", "a: b\n---x: y", R"({"a":"b","---x":"y"})"},
  });
}

BOOST_AUTO_TEST_CASE(yaml_tabs) {
  CheckYamlCases({
      {"after a colon", "title:\t标题", R"({"title":"标题"})"},
      {"before a comment", "title: t\t# c", R"({"title":"t"})"},
      {"trailing", "title: t\t", R"({"title":"t"})"},
      // libyaml refuses these two, YAML 1.2 and yaml-cpp took them.
      {"after a list dash", "tags:\n  -\ta\n  - \t\"b\"", R"({"tags":["a","b"]})"},
      {"after an explicit key", "? \tk\n: v", R"({"k":"v"})"},
      {"inside quoted values", "title: \"a\tb\"\nsummary: 'c\td'", R"({"title":"a\tb","summary":"c\td"})"},
      {"inside a block scalar", "summary: |\n  a\tb\n  \tc", R"({"summary":"a\tb\n\tc\n"})"},
      {"in flow collections", "tags: [a,\tb]", R"({"tags":["a","b"]})"},
  });
  // A tab as indentation is an error, where it is.
  Parsed p = Parse("---\ntitle: t\n\tsummary: s\n---\n");
  BOOST_REQUIRE(p.diag.failed());
  BOOST_CHECK_EQUAL(p.diag.problems()[0].location.line, 3);
  BOOST_CHECK_EQUAL(p.diag.problems()[0].location.column, 1);
  BOOST_CHECK(p.diag.problems()[0].message.find("tab character that violates indentation") !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(yaml_odd_characters_are_kept) {
  // libyaml refuses control characters and reads a lone CR, NEL, U+2028 and U+2029 as line
  // breaks; front matter from scraped pages has them, and they were kept as they are.
  CheckYamlCases({
      {"C0 controls", "title: a\x01" "b\x1b[0m\x7f", "{\"title\":\"a\\u0001b\\u001b[0m\x7f\"}"},
      {"in a key and a quoted value", "k\x08: \"v\x0b\"", "{\"k\\b\":\"v\\u000b\"}"},
      {"C1 controls and NEL", "title: a\xC2\x80" "b\xC2\x85" "c", "{\"title\":\"a\xC2\x80" "b\xC2\x85" "c\"}"},
      {"line and paragraph separators", "title: a\xE2\x80\xA8" "b\xE2\x80\xA9" "c",
       "{\"title\":\"a\xE2\x80\xA8" "b\xE2\x80\xA9" "c\"}"},
      {"lone CR", "title: a\rb\nsummary: \"c\rd\"", R"({"title":"a\rb","summary":"c\rd"})"},
      {"U+FFFF", "title: a\xEF\xBF\xBF", "{\"title\":\"a\xEF\xBF\xBF\"}"},
      {"invalid UTF-8 becomes U+FFFD", "title: a\xFF" "b\xE4\xB8" "c",
       "{\"title\":\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\"}"},
      // The placeholders must not be confused with private-use characters already there.
      {"private-use characters beside controls", "title: \xF3\xB0\x80\x80\x01\xF3\xB0\x80\x81",
       "{\"title\":\"\xF3\xB0\x80\x80\\u0001\xF3\xB0\x80\x81\"}"},
  });
  // Columns still count characters of the text as written.
  Parsed p = Parse("---\ntitle: \x01中文\x01: x\n---\n");
  BOOST_REQUIRE(p.diag.failed());
  BOOST_CHECK_EQUAL(p.diag.problems()[0].location.line, 2);
  BOOST_CHECK_EQUAL(p.diag.problems()[0].location.column, 12);
}

BOOST_AUTO_TEST_CASE(yaml_errors_name_the_place_in_characters) {
  struct Case {
    const char* name;
    std::string text;
    const char* message_part;
    std::int64_t line;
    std::int64_t column;
  };
  const Case cases[] = {
      {"after Chinese text on the line", "---\ntitle: 中文标题: x\n---\n",
       "mapping values are not allowed", 2, 12},
      {"unterminated quote", "---\ntitle: \"标题\nsummary: s\n---\n",
       "found unexpected end of stream (while scanning a quoted scalar at line 2, column 8)", 4, 1},
      {"bad escape", "---\ntitle: \"中\\q\"\n---\n",
       "found unknown escape character (while parsing a quoted scalar at line 2, column 8)", 2, 10},
      // yaml-cpp silently dropped what followed an indented mapping.
      {"text after a mapping that ended early", "---\n  title: t\nsummary: s\n---\n",
       "did not find expected <document start>", 3, 1},
      {"a line without a colon", "---\ntitle: t\n作者\nsummary: s\n---\n",
       "could not find expected ':' (while scanning a simple key at line 3, column 1)", 4, 1},
      {"undefined alias", "---\ntitle: *nope\n---\n",
       "YAML syntax error: alias *nope names no anchor &nope defined before it", 2, 8},
      {"root alias", "---\n*a\n---\n", "alias *a names no anchor", 2, 1},
      {"syntax error after a list root", "---\n- a\nb: c\n---\n", "YAML syntax error", 3, 1},
      {"a list root, after a crlf and bom", "\xEF\xBB\xBF---\r\n- a\r\n---\r\n", "is a list", 2, 1},
  };
  for (const Case& c : cases) {
    Parsed p = Parse(c.text);
    BOOST_TEST_INFO(c.name << ": " << Messages(p.diag));
    BOOST_REQUIRE(p.diag.failed());
    BOOST_REQUIRE_EQUAL(p.diag.problems().size(), 1u);
    const zhcanon::Problem& problem = p.diag.problems()[0];
    BOOST_CHECK(problem.message.starts_with("front matter: "));
    BOOST_CHECK(problem.message.find(c.message_part) != std::string::npos);
    BOOST_CHECK_EQUAL(problem.location.line, c.line);
    BOOST_CHECK_EQUAL(problem.location.column, c.column);
    BOOST_CHECK_EQUAL(p.fm.body_offset, 0u);
  }
}

BOOST_AUTO_TEST_CASE(yaml_bombs_and_cycles_fail_cleanly) {
  struct Case {
    const char* name;
    std::string yaml;
    const char* message_part;
  };
  // An anchored 64 KiB string copied 300 times is 19 MiB.
  std::string copies;
  for (int i = 0; i < 300; ++i) copies += "*s,";
  std::string deep_list = std::string(60, '[') + std::string(60, ']');
  const Case cases[] = {
      {"cycle through a mapping", "a: &x {b: *x}", "recursive YAML alias *x"},
      {"cycle through a key", "a: &x\n  ? *x\n  : 1", "recursive YAML alias *x"},
      {"cycle two levels down", "a: &x [1, [2, *x]]", "recursive YAML alias *x"},
      {"many values", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]",
       "more than 100000 values once alias *d is expanded"},
      {"much text", "s: &s " + std::string(64 * 1024, 'x') + "\nt: [" + copies + "]",
       "YAML aliases copy more than 16 MiB of text"},
      {"deep through aliases", "a: &a " + deep_list + "\nb: &b [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
       "nested deeper than 100 levels at alias *a"},
      {"deep without aliases", "a: " + std::string(101, '[') + std::string(101, ']'),
       "YAML nested deeper than 100 levels"},
  };
  for (const Case& c : cases) {
    Parsed p = Parse("---\n" + c.yaml + "\n---\nbody");
    BOOST_TEST_INFO(c.name << ": " << Messages(p.diag));
    BOOST_REQUIRE(p.diag.failed());
    BOOST_CHECK(p.diag.problems()[0].message.find(c.message_part) != std::string::npos);
    BOOST_CHECK_GE(p.diag.problems()[0].location.line, 2);
    BOOST_CHECK(p.meta.extra.empty());
  }
  // Just under the limits is fine.
  BOOST_CHECK_EQUAL(YamlResult("a: " + std::string(100, '[') + std::string(100, ']')).substr(0, 6), "{\"a\":[");
  std::string many = "a: [";
  for (int i = 0; i < 99997; ++i) many += "1,";
  many += "1]";  // the root mapping, the list and 99998 numbers
  BOOST_CHECK_EQUAL(YamlResult(many).substr(0, 8), "{\"a\":[1,");
  // A syntax error later in the block is what is reported, as when the block was parsed
  // whole before it was converted.
  Parsed p = Parse("---\na: &x [*x]\nb: [\n---\n");
  BOOST_REQUIRE(p.diag.failed());
  BOOST_CHECK(p.diag.problems()[0].message.find("YAML syntax error") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(yaml_root_values) {
  CheckYamlCases({
      {"null root is no keys", "~", "{}"},
      {"anchored null root", "&a null", "{}"},
      {"directive then a document", "%YAML 1.1\n--- \ntitle: t", "FAIL front matter: YAML syntax error: did not find expected <document start>\n"},
  });
  Parsed p = Parse("---\n!!str ~\n---\n");
  BOOST_REQUIRE(p.diag.failed());
  BOOST_CHECK(p.diag.problems()[0].message.find("is a single value") != std::string::npos);
}
