// Exceptions for what stops a run. Problems with a single document are not exceptions:
// see diagnostics.h.
#pragma once

#include <stdexcept>
#include <string>

namespace zhcanon {

/// Reading or writing a file failed (missing input, unwritable output, full disk).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A configuration or rule file is wrong (bad regex in a boilerplate file, bad option).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The run was stopped by SIGINT/SIGTERM.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace zhcanon
