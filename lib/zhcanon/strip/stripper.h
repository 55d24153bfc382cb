// The strip stage: one input document (Markdown with front matter, HTML fragment or page,
// or plain text, already decoded to UTF-8) becomes clean paragraphs of plain text, one blank
// line between paragraphs, with its metadata filled. zhcanon-strip and the pipeline driver
// both call Stripper::Process, so they cannot disagree.
//
//   zhcanon::strip::StripOptions opt;            // format auto, extract auto, default rules
//   zhcanon::strip::Stripper stripper(opt);
//   stripper.Process(doc, diag);                 // doc.text: markup in, paragraphs out
#pragma once

#include <string_view>

#include "zhcanon/core/stage.h"
#include "zhcanon/strip/boilerplate.h"
#include "zhcanon/strip/html.h"

namespace zhcanon::strip {

struct StripOptions {
  /// Overrides the per-document format (from the file extension, else sniffed) when not kAuto.
  SourceFormat format = SourceFormat::kAuto;
  /// Main-content extraction for HTML pages (see html.h).
  Extract extract = Extract::kAuto;
  /// Keep <figcaption> text as a paragraph.
  bool keep_captions = true;
  /// Lines removed as boilerplate; null keeps every line. Not owned; must outlive the Stripper.
  const BoilerplateFilter* boilerplate = &BoilerplateFilter::Default();
};

/// Decides what markup a text holds when neither the caller nor the extension says:
/// front matter at the top → Markdown; a document that opens with <!DOCTYPE html>, <html>,
/// <head> or <body> → HTML; Markdown block syntax (ATX or setext headings, fenced code,
/// block quotes) → Markdown; otherwise a text that opens with a tag and has closing tags
/// → HTML; otherwise Markdown when it has inline Markdown links or emphasis and separates
/// its paragraphs by blank lines at least as often as it puts lines right after each other;
/// otherwise plain text.
SourceFormat SniffFormat(std::string_view text);

class Stripper : public Stage {
 public:
  explicit Stripper(StripOptions options = {});
  std::string_view name() const override { return "strip"; }

  /// Replaces doc.text (UTF-8 markup) by clean paragraphs and fills doc.metadata (fields
  /// already set, e.g. from a JSONL record, are kept unless front matter sets them).
  /// Records metadata.extra["source_format"]. A malformed front matter or a document with no
  /// text left after stripping fails the document (diag.Fail, stage "strip").
  ///
  /// Plain text: every non-blank line is a paragraph (scraped Chinese text puts one paragraph
  /// on a line); Markdown image syntax left in it (`![…](…)`) is removed; a short first line
  /// (at most 64 characters, followed by more text) becomes the title when none is known.
  void Process(Document& doc, Diagnostics& diag) const override;

  const StripOptions& options() const { return options_; }

 private:
  StripOptions options_;
};

}  // namespace zhcanon::strip
