#include "zhcanon/strip/text_builder.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace zhcanon::strip {

bool IsWide(char32_t c) {
  if (c < 0x1100) return false;  // fast path: nothing below U+1100 is wide
  int w = u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_EAST_ASIAN_WIDTH);
  return w == U_EA_WIDE || w == U_EA_FULLWIDTH;
}

char32_t FirstCodePoint(std::string_view s) {
  if (s.empty()) return 0;
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
  return c < 0 ? 0xFFFD : static_cast<char32_t>(c);
}

char32_t LastCodePoint(std::string_view s) {
  if (s.empty()) return 0;
  int32_t i = static_cast<int32_t>(s.size());
  UChar32 c;
  U8_PREV(reinterpret_cast<const uint8_t*>(s.data()), 0, i, c);
  return c < 0 ? 0xFFFD : static_cast<char32_t>(c);
}

namespace {
bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
}  // namespace

void TextBuilder::FlushPendingSpace(std::string_view next) {
  if (!pending_space_) return;
  pending_space_ = false;
  bool segment_break = pending_break_;
  pending_break_ = false;
  if (line_.empty()) return;
  // CSS Text 3, segment break transformation: a collapsible line break between two wide
  // characters vanishes; a space typed between them is the author's and stays.
  if (segment_break && IsWide(LastCodePoint(line_)) && IsWide(FirstCodePoint(next))) return;
  line_ += ' ';
}

void TextBuilder::AppendText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (IsAsciiSpace(s[i])) {
      pending_space_ = true;
      while (i < s.size() && IsAsciiSpace(s[i])) {
        if (s[i] == '\n' || s[i] == '\r') pending_break_ = true;
        ++i;
      }
      continue;
    }
    size_t j = i;
    while (j < s.size() && !IsAsciiSpace(s[j])) ++j;
    std::string_view word = s.substr(i, j - i);
    FlushPendingSpace(word);
    line_.append(word);
    i = j;
  }
}

void TextBuilder::AppendVerbatim(std::string_view s) {
  FlushPendingSpace(s);
  size_t start = 0;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    std::string_view part = s.substr(start, nl == std::string_view::npos ? std::string_view::npos
                                                                         : nl - start);
    if (!part.empty() && part.back() == '\r') part.remove_suffix(1);
    line_.append(part);
    if (nl == std::string_view::npos) break;
    // A verbatim line break keeps even empty lines inside code.
    lines_.push_back(std::move(line_));
    line_.clear();
    start = nl + 1;
  }
}

void TextBuilder::EndLine() {
  pending_space_ = pending_break_ = false;
  while (!line_.empty() && IsAsciiSpace(line_.back())) line_.pop_back();
  lines_.push_back(std::move(line_));
  line_.clear();
}

void TextBuilder::LineBreak() {
  if (line_.empty() && lines_.empty()) {
    pending_space_ = pending_break_ = false;
    return;  // a break at the start of a paragraph adds nothing
  }
  EndLine();
}

void TextBuilder::EndParagraph() {
  if (!line_.empty()) EndLine();
  pending_space_ = pending_break_ = false;
  // Drop trailing empty lines (from <br> at the end of a block).
  while (!lines_.empty() && lines_.back().empty()) lines_.pop_back();
  // Drop leading empty lines.
  size_t first = 0;
  while (first < lines_.size() && lines_[first].empty()) ++first;
  if (first < lines_.size()) {
    std::string para;
    for (size_t i = first; i < lines_.size(); ++i) {
      if (i > first) para += '\n';
      para += lines_[i];
    }
    paragraphs_.push_back(std::move(para));
  }
  lines_.clear();
}

std::vector<std::string> TextBuilder::TakeParagraphs() {
  EndParagraph();
  std::vector<std::string> out = std::move(paragraphs_);
  paragraphs_.clear();
  return out;
}

std::string TextBuilder::Finish() {
  std::string out;
  for (const std::string& p : TakeParagraphs()) {
    if (!out.empty()) out += "\n\n";
    out += p;
  }
  return out;
}

}  // namespace zhcanon::strip
