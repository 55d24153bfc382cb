#define BOOST_TEST_MODULE strip_stripper
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "zhcanon/io/decoder.h"
#include "zhcanon/strip/stripper.h"
#include "test_util.h"

namespace fs = std::filesystem;
using zhcanon::Diagnostics;
using zhcanon::Document;
using zhcanon::SourceFormat;
using zhcanon::strip::SniffFormat;
using zhcanon::strip::Stripper;
using zhcanon::testing::ReadFile;

namespace {

Document Strip(std::string text, SourceFormat format = SourceFormat::kAuto,
               zhcanon::strip::StripOptions options = {}) {
  Document doc;
  doc.id = "t";
  doc.text = std::move(text);
  doc.format = format;
  Diagnostics diag;
  Stripper(options).Process(doc, diag);
  BOOST_CHECK_MESSAGE(!diag.failed(), "unexpected failure for " << doc.id);
  return doc;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sniff_format_table) {
  struct Case { const char* text; SourceFormat want; const char* why; };
  const Case cases[] = {
      {"---\ntitle: x\n---\nbody", SourceFormat::kMarkdown, "YAML front matter"},
      {"\xEF\xBB\xBF+++\ntitle = 'x'\n+++\n", SourceFormat::kMarkdown, "TOML front matter after BOM"},
      {"{\"title\": \"x\"}\nbody", SourceFormat::kMarkdown, "JSON front matter"},
      {"<!DOCTYPE html><html><body>x</body></html>", SourceFormat::kHtml, "doctype"},
      {"  <html lang=zh>", SourceFormat::kHtml, "html tag after spaces"},
      {"<p>段落</p><p>二</p>", SourceFormat::kHtml, "fragment with closing tags"},
      {"<!--123-->\n[标题](https://x.y/z)\n------\n\n<p>x</p>", SourceFormat::kMarkdown,
       "seed 004: comment, then a setext heading"},
      {"# 标题\n\n正文", SourceFormat::kMarkdown, "ATX heading"},
      {"第一行,正文。\n第二行。\n![]()\n第三行", SourceFormat::kText,
       "seed 001: lines, a stray empty image, no blank-line paragraphs"},
      {"段落一有**强调**。\n\n段落二有[链接](https://x.y)。", SourceFormat::kMarkdown,
       "inline Markdown in blank-line paragraphs"},
      {"只是一段文字。\n\n另一段。", SourceFormat::kText, "plain paragraphs"},
      {"", SourceFormat::kText, "empty"},
      {"a --- b\n", SourceFormat::kText, "dashes inside a line are not a setext underline"},
  };
  for (const Case& c : cases)
    BOOST_CHECK_MESSAGE(SniffFormat(c.text) == c.want,
                        c.why << ": got " << zhcanon::SourceFormatName(SniffFormat(c.text)));
}

BOOST_AUTO_TEST_CASE(plain_text_lines_are_paragraphs_and_short_first_line_is_title) {
  Document d = Strip("AI取代人類,正在成為現實?\n  日前,美國科技巨頭亞馬遜宣布裁員。  \n![]()\n\n"
                     "圖![x](http://a/b.png)中\n京公網安備 11011402013531號\n",
                     SourceFormat::kText);
  BOOST_CHECK_EQUAL(d.text, "AI取代人類,正在成為現實?\n\n日前,美國科技巨頭亞馬遜宣布裁員。\n\n圖中");
  BOOST_CHECK_EQUAL(d.metadata.title, "AI取代人類,正在成為現實?");
  BOOST_CHECK_EQUAL(d.metadata.extra["source_format"], "text");
  BOOST_CHECK_EQUAL(d.metadata.extra["boilerplate_lines_removed"], 1);
}

BOOST_AUTO_TEST_CASE(single_line_text_gives_no_title) {
  Document d = Strip("只有一行。", SourceFormat::kText);
  BOOST_CHECK(d.metadata.title.empty());
  BOOST_CHECK_EQUAL(d.text, "只有一行。");
}

BOOST_AUTO_TEST_CASE(empty_result_fails_the_document) {
  for (const char* text : {"", "   \n\n", "---\ntitle: 只有标题\n---\n", "<html><body><script>x()</script></body></html>",
                           "京ICP备12345678号"}) {
    Document doc;
    doc.id = "e";
    doc.text = text;
    Diagnostics diag;
    Stripper().Process(doc, diag);
    BOOST_CHECK_MESSAGE(diag.failed(), "should fail: [" << text << "]");
    BOOST_REQUIRE(!diag.problems().empty());
    BOOST_CHECK_EQUAL(diag.problems().back().stage, "strip");
  }
}

BOOST_AUTO_TEST_CASE(malformed_front_matter_fails_with_line) {
  Document doc;
  doc.id = "bad";
  doc.text = "---\ntitle: 标题\ntags: [a, b\ndate: 2025\n---\n正文\n";
  Diagnostics diag;
  Stripper().Process(doc, diag);
  BOOST_REQUIRE(diag.failed());
  BOOST_CHECK_GT(diag.problems()[0].location.line, 1);
  BOOST_CHECK(diag.problems()[0].message.find("front matter") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(markdown_with_raw_html_block_goes_through_html_path) {
  Document d = Strip("# 标题\n\n<div><p>第一段&amp;</p><script>bad()</script><p>第二段</p></div>\n\n结尾。\n",
                     SourceFormat::kMarkdown);
  BOOST_CHECK_EQUAL(d.text, "标题\n\n第一段&\n\n第二段\n\n结尾。");
  BOOST_CHECK_EQUAL(d.metadata.title, "标题");
}

BOOST_AUTO_TEST_CASE(inline_br_in_markdown_breaks_the_line) {
  Document d = Strip("第一行<br>第二行<span>三</span>\n\n二段", SourceFormat::kMarkdown);
  BOOST_CHECK_EQUAL(d.text, "第一行\n第二行三\n\n二段");
}

BOOST_AUTO_TEST_CASE(boilerplate_can_be_disabled) {
  zhcanon::strip::StripOptions opt;
  opt.boilerplate = nullptr;
  Document d = Strip("正文。\n京ICP备12345678号\n", SourceFormat::kText, opt);
  BOOST_CHECK_EQUAL(d.text, "正文。\n\n京ICP备12345678号");
}

// Golden files: fixtures/<set>/input/STEM.ext → fixtures/<set>/expected/STEM.txt (text) and
// STEM.meta.json (metadata). ZHCANON_REGENERATE_GOLDEN=1 rewrites the expected files; review the
// diff by hand before committing.
BOOST_AUTO_TEST_CASE(golden_fixtures) {
  const fs::path root = fs::path(ZHCANON_SOURCE_DIR) / "fixtures";
  const bool regenerate = std::getenv("ZHCANON_REGENERATE_GOLDEN") != nullptr;
  int compared = 0;
  for (const char* set : {"seeds", "strip"}) {
    const fs::path in_dir = root / set / "input";
    if (!fs::exists(in_dir)) continue;
    std::vector<fs::path> inputs;
    for (const auto& e : fs::directory_iterator(in_dir)) inputs.push_back(e.path());
    std::sort(inputs.begin(), inputs.end());
    for (const fs::path& in : inputs) {
      Document doc;
      doc.id = in.filename().string();
      doc.text = ReadFile(in);
      doc.format = zhcanon::FormatFromPath(doc.id);
      Diagnostics diag;
      zhcanon::io::Decoder().Process(doc, diag);
      Stripper().Process(doc, diag);
      BOOST_CHECK_MESSAGE(!diag.failed(), "golden input failed: " << in);
      const std::string got_meta = zhcanon::MetadataToJson(doc.metadata).dump(2) + "\n";
      const std::string stem = in.stem().string();
      const fs::path exp_text = root / set / "expected" / (stem + ".txt");
      const fs::path exp_meta = root / set / "expected" / (stem + ".meta.json");
      if (regenerate) {
        fs::create_directories(exp_text.parent_path());
        std::ofstream(exp_text, std::ios::binary) << doc.text << "\n";
        std::ofstream(exp_meta, std::ios::binary) << got_meta;
        continue;
      }
      BOOST_REQUIRE_MESSAGE(fs::exists(exp_text), "missing golden " << exp_text);
      BOOST_CHECK_MESSAGE(ReadFile(exp_text) == doc.text + "\n", "text differs from " << exp_text);
      BOOST_CHECK_MESSAGE(ReadFile(exp_meta) == got_meta, "metadata differs from " << exp_meta);
      ++compared;
    }
  }
  if (!regenerate) BOOST_CHECK_GE(compared, 5);
}
