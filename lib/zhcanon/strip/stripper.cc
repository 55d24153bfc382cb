#include "zhcanon/strip/stripper.h"

#include <algorithm>
#include <cctype>

#include <unicode/utf8.h>

#include "zhcanon/strip/front_matter.h"
#include "zhcanon/strip/markdown.h"
#include "zhcanon/strip/text_builder.h"

namespace zhcanon::strip {

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string_view SkipBomAndSpace(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  size_t i = s.find_first_not_of(" \t\r\n");
  return i == std::string_view::npos ? std::string_view{} : s.substr(i);
}

bool IsFrontMatterStart(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  for (std::string_view d : {"---", "+++"}) {
    if (s.starts_with(d)) {
      std::string_view rest = s.substr(3);
      size_t i = rest.find_first_not_of(" \t");
      if (i == std::string_view::npos || rest[i] == '\n' || rest[i] == '\r') return true;
    }
  }
  return s.starts_with("{");
}

bool IsSetextUnderline(std::string_view line) {
  if (line.empty() || (line[0] != '=' && line[0] != '-')) return false;
  char c = line[0];
  size_t i = line.find_first_not_of(c);
  return i == std::string_view::npos || line.find_first_not_of(" \t\r", i) == std::string_view::npos;
}

bool IsAtxHeading(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && n < 7 && line[n] == '#') ++n;
  return n >= 1 && n <= 6 && (n == line.size() || line[n] == ' ' || line[n] == '\t');
}

}  // namespace

SourceFormat SniffFormat(std::string_view text) {
  if (IsFrontMatterStart(text)) return SourceFormat::kMarkdown;
  std::string_view head = SkipBomAndSpace(text);
  for (std::string_view tag : {"<!doctype html", "<html", "<head", "<body", "<?xml"})
    if (StartsWithNoCase(head, tag)) return SourceFormat::kHtml;

  // Look at a bounded prefix: the decision must not cost a pass over a 100 MB document.
  std::string_view sample = text.substr(0, 64 * 1024);
  bool block_markdown = false, inline_markdown = false;
  // Paragraph style: Markdown separates paragraphs by blank lines; scraped plain text puts one
  // paragraph on each line, one right after the other.
  size_t blank_separated = 0, adjacent = 0;
  bool after_blank = false;
  std::string_view prev;
  size_t pos = 0;
  while (pos < sample.size() && !block_markdown) {
    size_t nl = sample.find('\n', pos);
    std::string_view line = sample.substr(pos, nl == std::string_view::npos ? sample.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? sample.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view trimmed = line.substr(std::min(line.find_first_not_of(" "), line.size()));
    if (IsAtxHeading(trimmed) || trimmed.starts_with("```") || trimmed.starts_with("~~~") ||
        trimmed.starts_with("> ") ||
        (!prev.empty() && IsSetextUnderline(trimmed) && line.size() == trimmed.size())) {
      block_markdown = true;
    }
    if (trimmed.find("](") != std::string_view::npos || trimmed.find("**") != std::string_view::npos)
      inline_markdown = true;
    if (trimmed.empty()) {
      after_blank = !prev.empty() || after_blank;
    } else if (!prev.empty()) {
      ++adjacent;
    } else if (after_blank) {
      ++blank_separated;
      after_blank = false;
    }
    prev = trimmed;
  }
  if (block_markdown) return SourceFormat::kMarkdown;
  if (head.starts_with("<") && (sample.find("</") != std::string_view::npos ||
                                sample.find("/>") != std::string_view::npos))
    return SourceFormat::kHtml;
  if (inline_markdown && blank_separated > 0 && blank_separated >= adjacent) return SourceFormat::kMarkdown;
  return SourceFormat::kText;
}

namespace {

// Removes Markdown image syntax `![alt](target)` that scrapers leave in plain text.
std::string RemoveImageSyntax(std::string_view line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    size_t start = line.find("![", i);
    if (start == std::string_view::npos) break;
    size_t close = line.find("](", start + 2);
    size_t end = close == std::string_view::npos ? close : line.find(')', close + 2);
    if (end == std::string_view::npos) break;
    out.append(line.substr(i, start - i));
    i = end + 1;
  }
  out.append(line.substr(i));
  return out;
}

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void PlainTextToParagraphs(std::string_view text, TextBuilder& out, Metadata& meta) {
  size_t pos = 0;
  size_t paragraphs = 0;
  std::string first_line;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string line = raw.find("![") == std::string_view::npos ? std::string(raw) : RemoveImageSyntax(raw);
    // Trim ASCII white space; ideographic spaces are punct's business.
    size_t b = line.find_first_not_of(" \t\r\f\v");
    if (b == std::string::npos) continue;
    size_t e = line.find_last_not_of(" \t\r\f\v");
    std::string_view para(line.data() + b, e - b + 1);
    if (paragraphs++ == 0) first_line = para;
    out.AppendVerbatim(para);
    out.EndParagraph();
  }
  if (meta.title.empty() && paragraphs >= 2 && CountCodePoints(first_line) <= 64)
    meta.title = first_line;
}

// Inline raw HTML inside a Markdown paragraph: only a line break means something to
// plain text; every other inline tag (span, font, sup, …) is dropped and its content, which
// md4c reports as ordinary text, stays.
void InlineHtml(std::string_view html, TextBuilder& out) {
  if (StartsWithNoCase(html, "<br")) out.LineBreak();
}

}  // namespace

Stripper::Stripper(StripOptions options) : options_(std::move(options)) {}

void Stripper::Process(Document& doc, Diagnostics& diag) const {
  SourceFormat format = options_.format != SourceFormat::kAuto ? options_.format : doc.format;
  if (format == SourceFormat::kAuto) format = SniffFormat(doc.text);

  HtmlOptions html_options;
  html_options.extract = options_.extract;
  html_options.keep_captions = options_.keep_captions;

  TextBuilder builder;
  Metadata& meta = doc.metadata;
  std::string_view text = doc.text;
  switch (format) {
    case SourceFormat::kMarkdown:
    case SourceFormat::kAuto: {
      FrontMatter fm = ParseFrontMatter(text, meta, diag);
      if (diag.failed()) return;
      MarkdownOptions md;
      md.first_line = fm.body_line;
      md.on_html = [&](std::string_view html, bool block, TextBuilder& out, Metadata& m) {
        if (block) HtmlToText(html, html_options, out, m, diag);
        else InlineHtml(html, out);
      };
      MarkdownToText(text.substr(fm.body_offset), md, builder, meta, diag);
      break;
    }
    case SourceFormat::kHtml:
      HtmlToText(text, html_options, builder, meta, diag);
      break;
    case SourceFormat::kText: {
      std::string_view body = text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
      PlainTextToParagraphs(body, builder, meta);
      break;
    }
  }
  if (diag.failed()) return;

  std::string out = builder.Finish();
  if (options_.boilerplate != nullptr) {
    std::vector<std::string> removed;
    out = options_.boilerplate->FilterText(out, &removed);
    if (!removed.empty()) meta.extra["boilerplate_lines_removed"] = removed.size();
  }
  meta.extra["source_format"] = std::string(SourceFormatName(format));
  if (out.empty()) {
    diag.Fail("strip", "no text left after stripping (" + std::string(SourceFormatName(format)) +
                           " input of " + std::to_string(doc.text.size()) + " bytes)");
    return;
  }
  doc.text = std::move(out);
  doc.format = SourceFormat::kText;
}

}  // namespace zhcanon::strip
