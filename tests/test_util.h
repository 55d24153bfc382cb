// Helpers shared by the tests: temporary directories and whole-file reads and writes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace zhcanon::testing {

/// A fresh directory under the system temp dir, removed with everything in it (permissions a
/// test took away are given back first, so that everything can be removed).
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("zhcanon-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory() && !it->is_symlink())
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }
  std::string str() const { return path_.string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The whole file's bytes ("" when it cannot be read).
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Writes `bytes` to `path`, creating parent directories. Returns false on failure.
inline bool WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out.good();
}

/// The ```text blocks of a Markdown page, in order, starting after the first occurrence of
/// `after` (e.g. "## Usage"; empty: the whole page). The docs pages quote each tool's --help in
/// such a block, and each tool's tests compare it with the current --help.
inline std::vector<std::string> TextBlocks(const std::string& page, std::string_view after = {}) {
  const std::string open = "```text\n", close = "```\n";
  std::vector<std::string> blocks;
  std::size_t at = after.empty() ? 0 : page.find(after);
  if (at == std::string::npos) return blocks;
  for (std::size_t begin; (begin = page.find(open, at)) != std::string::npos;) {
    begin += open.size();
    const std::size_t end = page.find(close, begin);
    if (end == std::string::npos) break;
    blocks.push_back(page.substr(begin, end - begin));
    at = end + close.size();
  }
  return blocks;
}

}  // namespace zhcanon::testing
