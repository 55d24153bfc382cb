#define BOOST_TEST_MODULE strip_text_builder
#include <boost/test/unit_test.hpp>

#include "zhcanon/strip/text_builder.h"

using zhcanon::strip::TextBuilder;

BOOST_AUTO_TEST_CASE(collapses_space_but_not_between_wide_characters) {
  struct Case { const char* in; const char* want; };
  const Case cases[] = {
      {"第一段\n  文字", "第一段文字"},
      {"  hello   world \n", "hello world"},
      {"中文 English 中文", "中文 English 中文"},
      {"中文，\n继续", "中文，继续"},
      {"北京商报记者 魏蔚", "北京商报记者 魏蔚"},  // a typed space is the author's: kept
      {"北京商报记者  \t 魏蔚", "北京商报记者 魏蔚"},
      {"记者 \n 魏蔚", "记者魏蔚"},
      {"AI\n时代", "AI 时代"},
  };
  for (const Case& c : cases) {
    TextBuilder b;
    b.AppendText(c.in);
    BOOST_CHECK_EQUAL(b.Finish(), c.want);
  }
}

BOOST_AUTO_TEST_CASE(paragraphs_lines_and_verbatim) {
  TextBuilder b;
  b.AppendText("one");
  b.EndParagraph();
  b.EndParagraph();  // empty paragraphs never appear
  b.LineBreak();
  b.AppendText("two");
  b.LineBreak();
  b.AppendText(" three ");
  b.LineBreak();
  b.EndParagraph();
  b.AppendVerbatim("int  x;\n\n  y();");
  BOOST_CHECK_EQUAL(b.Finish(), "one\n\ntwo\nthree\n\nint  x;\n\n  y();");
  BOOST_CHECK(b.ParagraphEmpty());
  BOOST_CHECK_EQUAL(b.Finish(), "");
}

BOOST_AUTO_TEST_CASE(text_split_across_calls_joins_correctly) {
  TextBuilder b;
  b.AppendText("链接");
  b.AppendText("\n");
  b.AppendText("文字");
  b.AppendText("and ");
  b.AppendText("more");
  BOOST_CHECK_EQUAL(b.Finish(), "链接文字and more");
}
