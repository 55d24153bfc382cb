// The unit of work of every zhcanon stage: one article with a stable id, its text and
// its metadata.
//
//   zhcanon::Document doc;
//   doc.id = "news/2025/a.md";
//   doc.text = raw_bytes;            // before strip: the input as read
//   doc.format = zhcanon::SourceFormat::kMarkdown;
//   stripper.Process(doc, diag);     // after: clean paragraphs, metadata filled
//   nlohmann::ordered_json j = zhcanon::DocumentToJson(doc);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace zhcanon {

/// What `Document::text` holds before strip. kAuto means "look at the content".
enum class SourceFormat { kAuto, kText, kMarkdown, kHtml };

std::string_view SourceFormatName(SourceFormat f);
/// Parses "auto", "text", "markdown", "html"; throws std::invalid_argument otherwise.
SourceFormat ParseSourceFormat(std::string_view name);
/// The format an input path's extension implies: .md/.markdown -> kMarkdown,
/// .html/.htm/.xhtml -> kHtml, anything else (.txt, none) -> kAuto (sniffed).
SourceFormat FormatFromPath(std::string_view path);

/// Metadata every stage may read. Well-known keys are fields; everything else a front
/// matter or a JSONL record carried is kept, in order, in `extra`, so nothing is lost.
struct Metadata {
  std::string title;
  std::string date;        // as found (ISO 8601 or "2025-02-07 23:01:26"); never reparsed
  std::string author;
  std::string source_url;
  std::string summary;
  std::string lang;        // BCP 47 tag, e.g. "zh-CN"
  std::vector<std::string> tags;
  std::vector<std::string> categories;
  std::string path;        // the input path the document was read from
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();

  bool operator==(const Metadata&) const = default;
};

struct Document {
  std::string id;     // input path relative to its root, or the JSONL `id`
  std::string text;   // UTF-8 after decoding; clean paragraphs after strip
  Metadata metadata;
  SourceFormat format = SourceFormat::kAuto;  // what `text` holds before strip
};

/// Metadata as a JSON object: well-known keys first (empty ones omitted), then `extra`.
nlohmann::ordered_json MetadataToJson(const Metadata& m);
/// The inverse of MetadataToJson. Well-known keys of the wrong JSON type are kept in
/// `extra` under their own name rather than dropped; a string `tags` becomes a one-item list;
/// a list `lang` takes its first item and keeps the whole list in extra["lang_list"].
Metadata MetadataFromJson(const nlohmann::ordered_json& j);

/// {"id":…, "text":…, "metadata":{…}}, the record datatrove and dolma write.
nlohmann::ordered_json DocumentToJson(const Document& d);

}  // namespace zhcanon
