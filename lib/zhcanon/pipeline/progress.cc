#include "zhcanon/pipeline/progress.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace fs = std::filesystem;

namespace zhcanon::pipeline {

namespace {

std::string Megabytes(std::uint64_t bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / 1e6;
  return s.str();
}

bool HasExtension(const std::string& name, const std::vector<std::string>& extensions) {
  for (std::string ext : extensions) {
    if (!ext.empty() && ext.front() != '.') ext.insert(ext.begin(), '.');
    if (name.size() < ext.size()) continue;
    bool same = std::equal(ext.begin(), ext.end(), name.end() - static_cast<std::ptrdiff_t>(ext.size()),
                           [](char a, char b) {
                             return std::tolower(static_cast<unsigned char>(a)) ==
                                    std::tolower(static_cast<unsigned char>(b));
                           });
    if (same) return true;
  }
  return false;
}

}  // namespace

std::string GroupThousands(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatDuration(double seconds) {
  auto total = static_cast<std::uint64_t>(std::llround(std::max(0.0, seconds)));
  std::uint64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
  std::ostringstream out;
  if (h > 0) out << h << ':' << std::setw(2) << std::setfill('0') << m;
  else out << m;
  out << ':' << std::setw(2) << std::setfill('0') << s;
  return out.str();
}

ProgressMeter::ProgressMeter(ProgressOptions options, Clock::time_point start)
    : options_(std::move(options)), start_(start) {
  if (options_.interval_seconds <= 0)
    options_.interval_seconds = options_.style == ProgressStyle::kBar ? 0.25 : 5.0;
}

std::string ProgressMeter::Format(std::uint64_t documents, std::uint64_t bytes, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double mbps = elapsed > 0 ? static_cast<double>(bytes) / 1e6 / elapsed : 0;
  const double dps = elapsed > 0 ? static_cast<double>(documents) / elapsed : 0;
  const std::uint64_t total = total_bytes();
  // Documents in flight are read ahead of the output, and the total is an estimate made beside
  // the reader: never claim 100% before the end.
  const double fraction = total > 0 ? std::min(0.99, static_cast<double>(bytes) / static_cast<double>(total)) : 0;
  const bool eta_known = total > 0 && bytes > 0 && mbps > 0;
  const double eta = eta_known ? static_cast<double>(total > bytes ? total - bytes : 0) / 1e6 / mbps : 0;

  std::ostringstream s;
  s << std::fixed;
  if (options_.style == ProgressStyle::kBar) {
    if (total > 0) {
      constexpr int kWidth = 16;
      const int filled = static_cast<int>(fraction * kWidth);
      s << '[' << std::string(static_cast<std::size_t>(filled), '=') << (filled < kWidth ? ">" : "")
        << std::string(static_cast<std::size_t>(std::max(0, kWidth - filled - 1)), ' ') << "] "
        << std::setw(2) << static_cast<int>(fraction * 100) << "% ";
    }
    s << GroupThousands(documents) << " docs " << Megabytes(bytes);
    if (total > 0) s << '/' << Megabytes(total);
    s << " MB " << std::setprecision(1) << mbps << " MB/s";
    if (eta_known) s << " ETA " << FormatDuration(eta);
    // Last, so that a narrow terminal loses it first.
    s << ' ' << GroupThousands(static_cast<std::uint64_t>(dps)) << " docs/s";
    std::string line = s.str();
    // Cut at a character boundary (the line is ASCII) so that it never wraps, which would
    // break redrawing with "\r".
    if (options_.columns > 1 && line.size() >= static_cast<std::size_t>(options_.columns))
      line.resize(static_cast<std::size_t>(options_.columns - 1));
    return line;
  }
  if (!options_.label.empty()) s << options_.label << ": ";
  s << GroupThousands(documents) << (documents == 1 ? " document, " : " documents, ") << Megabytes(bytes) << " MB";
  if (total > 0) s << " of " << Megabytes(total) << " MB (" << static_cast<int>(fraction * 100) << "%)";
  s << ", " << std::setprecision(1) << mbps << " MB/s, " << GroupThousands(static_cast<std::uint64_t>(dps))
    << " documents/s";
  if (eta_known) s << ", ETA " << FormatDuration(eta);
  return s.str();
}

std::string ProgressMeter::Update(std::uint64_t documents, std::uint64_t bytes, Clock::time_point now) {
  const double since_last = std::chrono::duration<double>(now - (any_ ? last_ : start_)).count();
  if (since_last < options_.interval_seconds) return {};
  last_ = now;
  any_ = true;
  if (options_.style == ProgressStyle::kBar) {
    drawn_ = true;
    return "\r" + Format(documents, bytes, now) + "\033[K";
  }
  return Format(documents, bytes, now) + "\n";
}

std::string ProgressMeter::Clear() {
  if (!drawn_) return {};
  drawn_ = false;
  return "\r\033[K";
}

std::optional<std::uint64_t> InputBytes(const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& extensions,
                                        const std::atomic<bool>* stop) {
  auto stopped = [&] { return stop != nullptr && stop->load(std::memory_order_relaxed); };
  std::uint64_t total = 0;
  for (const std::string& input : inputs) {
    if (input == "-") return std::nullopt;
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (ec) continue;
    if (fs::is_regular_file(st)) {
      total += fs::file_size(input, ec);
      continue;
    }
    if (!fs::is_directory(st)) continue;
    for (auto it = fs::recursive_directory_iterator(input, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (stopped()) return std::nullopt;
      std::error_code file_ec;
      if (!it->is_regular_file(file_ec) || !HasExtension(it->path().filename().string(), extensions)) continue;
      const std::uintmax_t size = it->file_size(file_ec);
      if (!file_ec) total += size;
    }
  }
  return total;
}

}  // namespace zhcanon::pipeline
