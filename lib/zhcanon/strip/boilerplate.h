// Removes site boilerplate lines (ICP/公安备案 registrations, copyright lines,
// "点击查看本文英文版", translation credits, share/subscribe prompts) by rules written as ICU
// regular expressions, one per line, searched in each line of the text (boilerplate.rules ships
// the defaults and documents the format).
//
//   auto filter = zhcanon::strip::BoilerplateFilter::Default();
//   auto f2 = zhcanon::strip::BoilerplateFilter::FromFile("site.rules");   // throws ConfigError
//   std::string kept = filter.FilterText(text, &removed);  // paragraphs separated by "\n\n"
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace zhcanon::strip {

class BoilerplateFilter {
 public:
  struct Rule {
    std::string pattern;
    std::string comment;  // the comment block above the rule in its file
    int line = 0;         // line of the rule in its file
  };

  /// The rules compiled into the library (lib/zhcanon/strip/boilerplate.rules).
  static const BoilerplateFilter& Default();
  /// Reads rules from a file. Throws IoError when it cannot be read, ConfigError naming
  /// file:line and ICU's error when a rule is not a valid regular expression.
  static BoilerplateFilter FromFile(const std::string& path);
  /// Parses rule text; `source` names it in errors.
  static BoilerplateFilter FromText(std::string_view text, std::string_view source);

  BoilerplateFilter(BoilerplateFilter&&) noexcept;
  BoilerplateFilter& operator=(BoilerplateFilter&&) noexcept;
  ~BoilerplateFilter();

  /// Index of the first rule found in `line` (UTF-8), or -1; lines of more than 160 characters
  /// never match. Thread-safe.
  int Match(std::string_view line) const;
  /// Removes matching lines from text made of paragraphs separated by "\n\n" and lines by
  /// "\n"; a paragraph left empty disappears. Appends each removed line to `removed` if given.
  std::string FilterText(std::string_view text, std::vector<std::string>* removed = nullptr) const;

  const std::vector<Rule>& rules() const { return rules_; }

 private:
  BoilerplateFilter();
  struct Compiled;
  std::vector<Rule> rules_;
  std::unique_ptr<Compiled> compiled_;
  std::uint64_t id_;  // unique per filter, keys the per-thread matcher cache
};

}  // namespace zhcanon::strip
