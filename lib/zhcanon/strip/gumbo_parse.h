// Parsing HTML with gumbo into a per-thread arena instead of gumbo's one malloc per piece (see
// gumbo_parse.cc for why and what it costs in memory).
//
//   GumboParse parse(html);                  // gumbo's defaults, no error list
//   if (parse.get() && parse.get()->root) Walk(parse.get()->root);
//   // the tree lives as long as `parse`
#pragma once

#include <string_view>

struct GumboInternalOutput;  // gumbo.h's GumboOutput

namespace zhcanon::strip {

class GumboParse {
 public:
  /// Parses `html` with gumbo's default options except max_errors = 0 (every real page has parse
  /// errors; collecting them costs time), into the calling thread's arena; with malloc when that
  /// arena holds the tree of another GumboParse still alive on this thread.
  explicit GumboParse(std::string_view html);
  ~GumboParse();
  GumboParse(const GumboParse&) = delete;
  GumboParse& operator=(const GumboParse&) = delete;

  /// The parse (null only if gumbo ran out of memory).
  const GumboInternalOutput* get() const { return output_; }

 private:
  class Arena;
  Arena* arena_ = nullptr;  // null: parsed with malloc, freed with gumbo_destroy_output
  GumboInternalOutput* output_ = nullptr;
};

}  // namespace zhcanon::strip
