// What the fuzz targets share: a check that stops the run with a message (libFuzzer then
// saves the input as a crash; the standalone runner fails its CTest test), and helpers to
// derive options from the input bytes without disturbing seeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

/// Aborts with the failed condition and its place. A check is a documented property of the
/// unit under test (for example "the decoded text is always valid UTF-8"), not a guess.
#define ZHCANON_FUZZ_CHECK(cond)                                                          \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)

namespace zhcanon::fuzzing {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A few option bits taken from the input without consuming it: a hash of the bytes, so that
/// seeds stay whole documents and every input still reaches every mode somewhere.
inline unsigned OptionBits(std::string_view s) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace zhcanon::fuzzing
