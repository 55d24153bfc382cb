// bench_residue: how much markup survived stripping. Reads JSONL written by zhcanon-strip
// ({"id":…, "text":…, "metadata":{…}} per line) and counts, over all "text" fields, traces
// that clean text should not have: '<', "&#", "&nbsp;", "&amp;", "&lt;", "](", "![".
// Each is not necessarily an error ('<' in "a < b", "](" in prose), so offenders are listed by
// id for a human to look at.
//
//   bench_residue [--ids=N] FILE.jsonl...
//   residue docs=5122 chars=8123456 bad_lines=0 lt=3 amp_hash=0 nbsp=0 amp=0 lt_entity=0 md_link=0 md_image=0
//   kind     occurrences  docs  first offenders
//   <                  3     2  text/shared/a.html, text/swriter/b.html
//   ...
#include <simdjson.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr char kUsage[] =
    "usage: bench_residue [--ids=N] FILE.jsonl...   (- reads stdin)\n"
    "Counts markup residue in the \"text\" field of every JSONL record and lists the ids of the\n"
    "first N offending documents per kind (default 5). A line that is not a JSON object with a\n"
    "string \"text\" is counted in bad_lines and its line number reported.\n";

struct Kind {
  Kind(std::string_view n, std::string_view k) : needle(n), key(k) {}
  std::string_view needle;
  std::string_view key;  // name in the summary line
  std::size_t occurrences = 0;
  std::size_t docs = 0;
  std::vector<std::string> first_ids;
};

std::size_t CountOccurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + needle.size()))
    ++n;
  return n;
}

std::size_t CountCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

struct Totals {
  std::size_t docs = 0;
  std::size_t chars = 0;
  std::size_t bad_lines = 0;
  std::vector<std::string> bad_where;
};

void ScanStream(std::istream& in, const std::string& name, std::size_t max_ids, std::vector<Kind>& kinds,
                Totals& totals) {
  simdjson::dom::parser parser;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    simdjson::dom::element record;
    std::string_view text;
    if (parser.parse(line).get(record) != simdjson::SUCCESS || record["text"].get_string().get(text) != simdjson::SUCCESS) {
      ++totals.bad_lines;
      if (totals.bad_where.size() < max_ids) totals.bad_where.push_back(name + ":" + std::to_string(line_no));
      continue;
    }
    std::string id;
    std::string_view sid;
    int64_t nid = 0;
    if (record["id"].get_string().get(sid) == simdjson::SUCCESS) id = sid;
    else if (record["id"].get_int64().get(nid) == simdjson::SUCCESS) id = std::to_string(nid);
    else id = name + ":" + std::to_string(line_no);

    ++totals.docs;
    totals.chars += CountCodePoints(text);
    for (Kind& k : kinds) {
      std::size_t n = CountOccurrences(text, k.needle);
      if (n == 0) continue;
      k.occurrences += n;
      ++k.docs;
      if (k.first_ids.size() < max_ids) k.first_ids.push_back(id);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t max_ids = 5;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a.starts_with("--ids=")) {
      try {
        max_ids = std::stoul(std::string(a.substr(6)));
      } catch (const std::exception&) {
        std::fputs(kUsage, stderr);
        return 2;
      }
    } else if (a.starts_with("-") && a != "-") {
      std::fputs(kUsage, stderr);
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  std::vector<Kind> kinds = {{"<", "lt"},        {"&#", "amp_hash"}, {"&nbsp;", "nbsp"}, {"&amp;", "amp"},
                             {"&lt;", "lt_entity"}, {"](", "md_link"}, {"![", "md_image"}};
  Totals totals;
  for (const std::string& f : files) {
    if (f == "-") {
      ScanStream(std::cin, "-", max_ids, kinds, totals);
      continue;
    }
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "bench_residue: %s: cannot open\n", f.c_str());
      return 1;
    }
    ScanStream(in, f, max_ids, kinds, totals);
  }

  std::printf("residue docs=%zu chars=%zu bad_lines=%zu", totals.docs, totals.chars, totals.bad_lines);
  for (const Kind& k : kinds) std::printf(" %s=%zu", std::string(k.key).c_str(), k.occurrences);
  std::printf("\n%-8s %12s %6s  %s\n", "kind", "occurrences", "docs", "first offenders");
  for (const Kind& k : kinds) {
    std::string ids;
    for (const std::string& id : k.first_ids) ids += (ids.empty() ? "" : ", ") + id;
    std::printf("%-8s %12zu %6zu  %s\n", std::string(k.needle).c_str(), k.occurrences, k.docs, ids.c_str());
  }
  if (totals.bad_lines > 0) {
    std::string where;
    for (const std::string& w : totals.bad_where) where += (where.empty() ? "" : ", ") + w;
    std::printf("%-8s %12zu %6s  %s\n", "badline", totals.bad_lines, "", where.c_str());
  }
  return 0;
}
