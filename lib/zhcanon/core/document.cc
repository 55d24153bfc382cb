#include "zhcanon/core/document.h"
#include "zhcanon/core/json_object.h"

#include <algorithm>
#include <stdexcept>

namespace zhcanon {

std::string_view SourceFormatName(SourceFormat f) {
  switch (f) {
    case SourceFormat::kAuto: return "auto";
    case SourceFormat::kText: return "text";
    case SourceFormat::kMarkdown: return "markdown";
    case SourceFormat::kHtml: return "html";
  }
  return "auto";
}

SourceFormat ParseSourceFormat(std::string_view name) {
  if (name == "auto") return SourceFormat::kAuto;
  if (name == "text") return SourceFormat::kText;
  if (name == "markdown" || name == "md") return SourceFormat::kMarkdown;
  if (name == "html") return SourceFormat::kHtml;
  throw std::invalid_argument("unknown input format '" + std::string(name) +
                              "' (expected auto, text, markdown or html)");
}

namespace {
bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(), [](char a, char b) {
    return a == (b >= 'A' && b <= 'Z' ? b + 32 : b);
  });
}
}  // namespace

SourceFormat FormatFromPath(std::string_view path) {
  for (std::string_view ext : {".md", ".markdown"})
    if (EndsWithNoCase(path, ext)) return SourceFormat::kMarkdown;
  for (std::string_view ext : {".html", ".htm", ".xhtml"})
    if (EndsWithNoCase(path, ext)) return SourceFormat::kHtml;
  return SourceFormat::kAuto;
}

nlohmann::ordered_json MetadataToJson(const Metadata& m) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("title", m.title);
  put("date", m.date);
  put("author", m.author);
  put("source_url", m.source_url);
  put("summary", m.summary);
  put("lang", m.lang);
  if (!m.tags.empty()) j["tags"] = m.tags;
  if (!m.categories.empty()) j["categories"] = m.categories;
  put("path", m.path);
  JsonObjectBuilder out(j);
  for (const auto& [k, v] : m.extra.items()) {
    if (!out.Contains(k)) out.Set(k, v);
  }
  return j;
}

namespace {

// Takes a JSON value that should be a string (or a number, or a one-item list of one).
bool AsString(const nlohmann::ordered_json& v, std::string& out) {
  if (v.is_string()) { out = v.get<std::string>(); return true; }
  if (v.is_number()) { out = v.dump(); return true; }
  return false;
}

bool AsStringList(const nlohmann::ordered_json& v, std::vector<std::string>& out) {
  std::string s;
  if (AsString(v, s)) { out = {s}; return true; }
  if (!v.is_array()) return false;
  std::vector<std::string> items;
  for (const auto& item : v) {
    if (!AsString(item, s)) return false;
    items.push_back(s);
  }
  out = std::move(items);
  return true;
}

}  // namespace

Metadata MetadataFromJson(const nlohmann::ordered_json& j) {
  Metadata m;
  if (!j.is_object()) return m;
  JsonObjectBuilder extra(m.extra);
  for (const auto& [k, v] : j.items()) {
    bool taken = false;
    if (k == "title") taken = AsString(v, m.title);
    else if (k == "date") taken = AsString(v, m.date);
    else if (k == "author") taken = AsString(v, m.author);
    else if (k == "source_url") taken = AsString(v, m.source_url);
    else if (k == "summary") taken = AsString(v, m.summary);
    else if (k == "path") taken = AsString(v, m.path);
    else if (k == "tags") taken = AsStringList(v, m.tags);
    else if (k == "categories") taken = AsStringList(v, m.categories);
    else if (k == "lang") {
      taken = AsString(v, m.lang);
      if (!taken && v.is_array() && !v.empty() && v.front().is_string()) {
        m.lang = v.front().get<std::string>();
        if (v.size() > 1) extra.Set("lang_list", v);
        taken = true;
      }
    }
    if (!taken) extra.Set(k, v);
  }
  return m;
}

nlohmann::ordered_json DocumentToJson(const Document& d) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["id"] = d.id;
  j["text"] = d.text;
  j["metadata"] = MetadataToJson(d.metadata);
  return j;
}

}  // namespace zhcanon
