#include "zhcanon/convert/opencc_config.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencc/Config.hpp>
#include <opencc/Conversion.hpp>
#include <opencc/ConversionChain.hpp>
#include <opencc/Converter.hpp>
#include <opencc/DictGroup.hpp>
#include <opencc/Exception.hpp>
#include <opencc/Lexicon.hpp>
#include <opencc/MaxMatchSegmentation.hpp>

#include "zhcanon/core/error.h"

#ifndef ZHCANON_OPENCC_DATADIR
#define ZHCANON_OPENCC_DATADIR "/usr/share/opencc"
#endif

namespace fs = std::filesystem;

namespace zhcanon::convert {

namespace {

bool Readable(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  return in.is_open();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("OpenCC config '" + path + "': cannot read it");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Leaf dictionaries of a dictionary tree in the order DictGroup::MatchPrefix asks them.
void Flatten(const opencc::DictPtr& dict, std::vector<DictionaryEntries>& out) {
  if (auto group = std::dynamic_pointer_cast<opencc::DictGroup>(dict)) {
    for (const opencc::DictPtr& member : group->GetDicts()) Flatten(member, out);
    return;
  }
  DictionaryEntries leaf;
  opencc::LexiconPtr lexicon = dict->GetLexicon();
  leaf.entries.reserve(lexicon->Length());
  for (const auto& entry : *lexicon) leaf.entries.emplace_back(entry->Key(), entry->GetDefault());
  out.push_back(std::move(leaf));
}

// The "file" names of the leaves of a JSON dictionary tree, in the same order as Flatten.
void LeafNames(const nlohmann::json& dict, std::vector<std::string>& out) {
  if (!dict.is_object()) return;
  if (dict.value("type", "") == "group" && dict.contains("dicts") && dict["dicts"].is_array()) {
    for (const auto& member : dict["dicts"]) LeafNames(member, out);
    return;
  }
  out.push_back(dict.contains("file") && dict["file"].is_string() ? dict["file"].get<std::string>() : "");
}

void NameLeaves(const nlohmann::json& dict, std::vector<DictionaryEntries>& leaves) {
  std::vector<std::string> names;
  LeafNames(dict, names);
  if (names.size() != leaves.size()) return;
  for (std::size_t i = 0; i < names.size(); ++i) leaves[i].name = fs::path(names[i]).filename().string();
}

// Makes every "file" of a dictionary tree absolute: relative names are looked up where
// OpenCC looks them up (the config's directory, then the data directory).
void AbsoluteFiles(nlohmann::json& dict, const fs::path& config_dir) {
  if (!dict.is_object()) return;
  if (dict.contains("dicts") && dict["dicts"].is_array()) {
    for (auto& member : dict["dicts"]) AbsoluteFiles(member, config_dir);
    return;
  }
  if (!dict.contains("file") || !dict["file"].is_string()) return;
  fs::path file = dict["file"].get<std::string>();
  if (file.is_absolute()) return;
  for (const fs::path& dir : {config_dir, fs::path(OpenccDataDirectory())}) {
    if (Readable((dir / file).string())) {
      dict["file"] = fs::absolute(dir / file).lexically_normal().string();
      return;
    }
  }
}

// Puts `user` first in the group `dict` (wrapping a single dictionary into a group).
void PrependUserDictionary(nlohmann::json& dict, const nlohmann::json& user) {
  if (dict.is_object() && dict.value("type", "") == "group" && dict.contains("dicts") && dict["dicts"].is_array()) {
    dict["dicts"].insert(dict["dicts"].begin(), user);
    return;
  }
  dict = nlohmann::json{{"type", "group"}, {"dicts", nlohmann::json::array({user, dict})}};
}

}  // namespace

std::string OpenccDataDirectory() { return ZHCANON_OPENCC_DATADIR; }

std::string FindOpenccConfig(std::string_view name) {
  const std::string n(name);
  if (n.empty()) throw ConfigError("OpenCC config: empty name");
  if (Readable(n)) return n;
  const std::string in_data = OpenccDataDirectory() + "/" + n;
  if (Readable(in_data)) return in_data;
  if (Readable(in_data + ".json")) return in_data + ".json";
  throw ConfigError("OpenCC config '" + n + "': not found (neither a readable file nor " + in_data +
                    "[.json]; names are t2s, tw2s, tw2sp, hk2s, s2t, s2tw, s2twp, s2hk, t2tw, t2hk, ...)");
}

std::string ConfigJsonWithUserDictionary(const std::string& config_path, const std::string& user_dictionary) {
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(ReadAll(config_path));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError("OpenCC config '" + config_path + "': not valid JSON: " + e.what());
  }
  if (!config.is_object() || !config.contains("segmentation") || !config["segmentation"].is_object() ||
      !config["segmentation"].contains("dict") || !config.contains("conversion_chain") ||
      !config["conversion_chain"].is_array())
    throw ConfigError("OpenCC config '" + config_path + "': no segmentation dictionary or conversion chain");
  const fs::path dir = fs::path(config_path).parent_path();
  AbsoluteFiles(config["segmentation"]["dict"], dir);
  for (auto& conversion : config["conversion_chain"])
    if (conversion.is_object() && conversion.contains("dict")) AbsoluteFiles(conversion["dict"], dir);
  if (!user_dictionary.empty()) {
    std::error_code ec;
    fs::path user = fs::absolute(user_dictionary, ec).lexically_normal();
    if (!Readable(user.string()))
      throw ConfigError("user dictionary '" + user_dictionary + "': cannot read it");
    const nlohmann::json entry = {{"type", "text"}, {"file", user.string()}};
    PrependUserDictionary(config["segmentation"]["dict"], entry);
    for (auto& conversion : config["conversion_chain"]) {
      if (conversion.is_object() && conversion.contains("dict")) {
        PrependUserDictionary(conversion["dict"], entry);
        break;
      }
    }
  }
  return config.dump(2);
}

ConfigTables LoadOpenccConfig(std::string_view name_or_path, std::string_view user_dictionary) {
  ConfigTables tables;
  tables.path = FindOpenccConfig(name_or_path);
  const std::string what = "OpenCC config '" + std::string(name_or_path) + "'";
  std::string json;
  if (!user_dictionary.empty()) json = ConfigJsonWithUserDictionary(tables.path, std::string(user_dictionary));
  opencc::ConverterPtr converter;
  try {
    opencc::Config config;
    if (user_dictionary.empty()) {
      // OpenCC reads the file itself, exactly as SimpleConverter(name) would.
      converter = config.NewFromFile(tables.path);
    } else {
      converter = config.NewFromString(json, fs::path(tables.path).parent_path().string());
    }
  } catch (const opencc::Exception& e) {
    throw ConfigError(what + (user_dictionary.empty() ? "" : " with user dictionary '" + std::string(user_dictionary) + "'") +
                      ": " + e.what());
  } catch (const std::exception& e) {
    throw ConfigError(what + ": " + e.what());
  }
  auto segmentation = std::dynamic_pointer_cast<opencc::MaxMatchSegmentation>(converter->GetSegmentation());
  if (!segmentation) throw ConfigError(what + ": segmentation is not mmseg, which zhcanon does not know");
  Flatten(segmentation->GetDict(), tables.segmentation);
  for (const opencc::ConversionPtr& conversion : converter->GetConversionChain()->GetConversions()) {
    tables.conversions.emplace_back();
    Flatten(conversion->GetDict(), tables.conversions.back());
  }
  // Names for reports, from the JSON (the dictionary objects do not know their files).
  const nlohmann::json parsed = nlohmann::json::parse(json.empty() ? ReadAll(tables.path) : json, nullptr, false);
  if (parsed.is_object()) {
    tables.name = parsed.value("name", "");
    if (parsed.contains("segmentation") && parsed["segmentation"].is_object() &&
        parsed["segmentation"].contains("dict"))
      NameLeaves(parsed["segmentation"]["dict"], tables.segmentation);
    std::size_t k = 0;
    if (parsed.contains("conversion_chain") && parsed["conversion_chain"].is_array())
      for (const auto& conversion : parsed["conversion_chain"])
        if (conversion.is_object() && conversion.contains("dict") && k < tables.conversions.size())
          NameLeaves(conversion["dict"], tables.conversions[k++]);
  }
  return tables;
}

namespace {

// One dictionary file loaded by OpenCC, as the segmentation dictionary of a config with no
// conversion: OpenCC finds the file (data directory or path) and picks the loader.
opencc::DictPtr LoadDictionaryFile(const std::string& f) {
  const std::string type = f.ends_with(".txt") ? "text" : "ocd2";
  const nlohmann::json config = {
      {"segmentation", {{"type", "mmseg"}, {"dict", {{"type", type}, {"file", f}}}}},
      {"conversion_chain", nlohmann::json::array()}};
  try {
    opencc::Config c;
    opencc::ConverterPtr converter = c.NewFromString(config.dump(), OpenccDataDirectory());
    return std::dynamic_pointer_cast<opencc::MaxMatchSegmentation>(converter->GetSegmentation())->GetDict();
  } catch (const opencc::Exception& e) {
    throw ConfigError("OpenCC dictionary '" + f + "': " + e.what());
  } catch (const std::exception& e) {
    throw ConfigError("OpenCC dictionary '" + f + "': " + e.what());
  }
}

}  // namespace

DictionaryEntries LoadOpenccDictionary(std::string_view file) {
  const std::string f(file);
  std::vector<DictionaryEntries> leaves;
  Flatten(LoadDictionaryFile(f), leaves);
  DictionaryEntries out = leaves.empty() ? DictionaryEntries{} : std::move(leaves.front());
  out.name = fs::path(f).filename().string();
  return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> LoadOpenccDictionaryValues(std::string_view file) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  opencc::LexiconPtr lexicon = LoadDictionaryFile(std::string(file))->GetLexicon();
  out.reserve(lexicon->Length());
  for (const auto& entry : *lexicon) out.emplace_back(entry->Key(), entry->Values());
  return out;
}

void ForEachOpenccDefaultValue(std::string_view file, const std::function<void(std::string_view)>& fn) {
  opencc::LexiconPtr lexicon = LoadDictionaryFile(std::string(file))->GetLexicon();
  for (const auto& entry : *lexicon)
    if (entry->NumValues() > 0) fn(entry->GetDefault());
}

}  // namespace zhcanon::convert
