// Strips one Markdown document with the installed library and prints the text.
#include <iostream>

#include "zhcanon/core/version.h"
#include "zhcanon/strip/stripper.h"

int main() {
  zhcanon::Document doc;
  doc.id = "x.md";
  doc.text = "---\ntitle: 标题\n---\n# 标题\n\n正文**强调**。\n";
  doc.format = zhcanon::SourceFormat::kMarkdown;
  zhcanon::Diagnostics diag;
  zhcanon::strip::Stripper().Process(doc, diag);
  std::cout << zhcanon::kVersion << "|" << doc.metadata.title << "|" << doc.text << "\n";
  return diag.failed() ? 1 : 0;
}
