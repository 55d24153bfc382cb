// Runs a libFuzzer target without libFuzzer: LLVMFuzzerTestOneInput over every file of the
// directories (or files) named on the command line, so that each seed and each reproducer
// found by scripts/fuzz stays a regression test in the normal (g++) build and in CTest.
// A missing directory is skipped (a target may have no regressions yet); an input that
// crashes ends the process, and an input that fails a ZHCANON_FUZZ_CHECK aborts it, so CTest
// reports the test as failed. The file being run is printed first, so the failing one is known.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

int RunFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), bytes.size());
  // A copy in a buffer of exactly the input's size, as libFuzzer hands it over, so that a
  // sanitizer build sees reads past the end.
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t ran = 0;
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_regular_file(arg, ec)) {
      failures += RunFile(arg);
      ++ran;
      continue;
    }
    if (!fs::is_directory(arg, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(arg, ec))
      if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      failures += RunFile(f);
      ++ran;
    }
  }
  // Also the empty input, which no corpus directory can hold as a file name of its own.
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("%zu inputs ran, %d unreadable\n", ran + 1, failures);
  // No file at all means the paths are wrong, not that everything passed.
  return failures == 0 && ran > 0 ? 0 : 1;
}
