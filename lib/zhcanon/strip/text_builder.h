// Assembles clean paragraphs from the text events of a markup walker (HTML or Markdown),
// collapsing insignificant white space the way a browser renders it, with the CSS Text
// segment-break rule for Chinese: collapsible white space that holds a line break, between two
// wide (East Asian Wide/Fullwidth) characters, is removed, so a source line break inside
// Chinese text joins the lines; a plain space between them stays (punct decides about it).
//
//   TextBuilder b;
//   b.AppendText("第一段\n  文字");   // -> "第一段文字"
//   b.EndParagraph();
//   b.AppendVerbatim("int x;\n");    // code keeps its lines
//   std::string text = b.Finish();   // paragraphs joined by one blank line
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zhcanon::strip {

class TextBuilder {
 public:
  /// Text whose white space is not significant: runs of ASCII white space collapse to one
  /// space, dropped at line starts and ends, and dropped between two wide characters when the
  /// run held a line break.
  void AppendText(std::string_view utf8);
  /// Text kept as it is (code blocks, <pre>): each '\n' starts a new line of the paragraph.
  void AppendVerbatim(std::string_view utf8);
  /// A forced line break inside the paragraph (<br>, Markdown hard break, list items).
  void LineBreak();
  /// Ends the current paragraph; empty paragraphs are never produced.
  void EndParagraph();

  /// True when nothing has been appended to the current paragraph yet.
  bool ParagraphEmpty() const { return lines_.empty() && line_.empty(); }

  /// Ends the last paragraph and returns all paragraphs (lines joined by '\n'), leaving
  /// the builder empty.
  std::vector<std::string> TakeParagraphs();
  /// TakeParagraphs() joined by "\n\n".
  std::string Finish();

 private:
  void EndLine();
  void FlushPendingSpace(std::string_view next);

  std::vector<std::string> paragraphs_;
  std::vector<std::string> lines_;  // finished lines of the current paragraph
  std::string line_;                // the line being built
  bool pending_space_ = false;
  bool pending_break_ = false;  // the pending white space held a line break
};

/// True for a code point that is East Asian Wide or Fullwidth (Han, kana, Hangul, CJK
/// and full-width punctuation), by ICU's UCHAR_EAST_ASIAN_WIDTH property.
bool IsWide(char32_t c);

/// The first / last code point of a UTF-8 string (U+FFFD for a malformed sequence, 0 for
/// an empty string).
char32_t FirstCodePoint(std::string_view s);
char32_t LastCodePoint(std::string_view s);

}  // namespace zhcanon::strip
