// Fixture texts shared by the dedup tests. A missing fixture throws: a test must not compare
// two empty texts and pass.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.h"

namespace zhcanon::testing {

/// The expected strip output of the seed whose file name starts with `prefix` ("000", ...).
inline std::string Seed(const std::string& prefix) {
  namespace fs = std::filesystem;
  for (const auto& e : fs::directory_iterator(std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/expected"))
    if (e.path().filename().string().starts_with(prefix) && e.path().extension() == ".txt") return ReadFile(e.path());
  throw std::runtime_error("no seed " + prefix);
}

/// fixtures/dedup/traditional/<id>.<config>.txt: a seed converted by OpenCC's `config` (s2t, s2twp, s2hk).
inline std::string Traditional(const std::string& id, const std::string& config) {
  const std::string text =
      ReadFile(std::string(ZHCANON_SOURCE_DIR) + "/fixtures/dedup/traditional/" + id + "." + config + ".txt");
  if (text.empty()) throw std::runtime_error("no fixture " + id + "." + config);
  return text;
}

/// The paragraphs of a text (separated by blank lines), without the separators.
inline std::vector<std::string> Paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t q = text.find("\n\n", p);
    if (q == std::string::npos) q = text.size();
    if (q > p) out.push_back(text.substr(p, q - p));
    p = q + 2;
  }
  return out;
}

}  // namespace zhcanon::testing
