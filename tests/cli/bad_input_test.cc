// Bad input through the real tool (zhcanon::cli::StripMain, in-process; SIGINT through the real
// binary): each case asserts the exact outcome a user sees. A bad document never stops the run
// and is never lost: it is either written (repaired, with a warning) or in the --errors report,
// with a line on stderr that names the file and, where there is one, the place.
//
// Large and binary inputs are generated into a temporary directory; the GBK and Big5 texts are
// fixtures/bad_input/ (with their UTF-8 originals beside them).
#define BOOST_TEST_MODULE cli_bad_input
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "cli_test_util.h"
#include "zhcanon/core/json_object.h"
#include "zhcanon/cli/common.h"
#include "zhcanon/cli/strip_command.h"
#include "zhcanon/strip/stripper.h"

namespace fs = std::filesystem;
using zhcanon::testing::ReadFile;
using zhcanon::testing::TempDir;
using zhcanon::testing::WriteFile;

extern char** environ;

namespace {

const std::string kFixtures = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/bad_input/";

struct Run {
  int status = 0;
  std::string out, err;
};

Run Strip(std::vector<std::string> args, std::ostream* out_stream = nullptr) {
  args.insert(args.begin(), "zhcanon-strip");
  std::istringstream in;
  std::ostringstream out, err;
  int status = zhcanon::cli::StripMain(args, {in, out_stream ? *out_stream : out, err});
  return {status, out.str(), err.str()};
}

// Strip() in a forked child, for inputs that may crash the process: status is the exit status,
// or minus the signal that killed the child; stderr is captured, stdout is not.
Run StripInChild(const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe(fds) != 0) return {-1000, "", "pipe failed"};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    // The child dies of its own crash (Boost.Test's handlers would report it as the test's).
    for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) ::signal(sig, SIG_DFL);
    Run r;
    try {
      r = Strip(args);
    } catch (...) {
      std::abort();  // as std::terminate does to the real binary
    }
    (void)!::write(fds[1], r.err.data(), r.err.size());
    ::_exit(r.status);
  }
  ::close(fds[1]);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return {WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus), "", err};
}

std::vector<nlohmann::json> JsonLines(const std::string& s) { return zhcanon::testing::JsonLines<nlohmann::json>(s); }

// The records of `records` whose "path" (error report) or metadata.path (output) is `path`.
std::vector<nlohmann::json> ForPath(const std::vector<nlohmann::json>& records, const std::string& path) {
  std::vector<nlohmann::json> found;
  for (const auto& r : records) {
    if (r.value("path", "") == path) found.push_back(r);
    else if (r.contains("metadata") && r["metadata"].value("path", "") == path) found.push_back(r);
  }
  return found;
}

// Names of the files left in `dir` (temporaries must never be).
std::vector<std::string> Listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

// UTF-8 (BMP only) to UTF-16LE with a BOM.
std::string Utf16LeWithBom(const std::string& utf8) {
  std::string out = "\xFF\xFE";
  for (std::size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    char32_t cp;
    if (c < 0x80) { cp = c; i += 1; }
    else if (c < 0xE0) { cp = (c & 0x1F) << 6 | (utf8[i + 1] & 0x3F); i += 2; }
    else { cp = (c & 0x0F) << 12 | (utf8[i + 1] & 0x3F) << 6 | (utf8[i + 2] & 0x3F); i += 3; }
    out += static_cast<char>(cp & 0xFF);
    out += static_cast<char>(cp >> 8);
  }
  return out;
}

const std::string kGood = "# 好文章\n\n这是一篇正常的文章，它必须照常写出。\n";

std::string RepeatTo(std::string_view unit, std::size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}

// One bad input and what the user must see. `place` is what FormatProblem prints between the
// path and the severity (":3:7", ": byte 8" or nothing for the whole document).
struct Case {
  std::string what;                 // the name for it
  std::string file;                 // created in the temp dir (not created when bytes is nullopt)
  std::optional<std::string> bytes;
  std::vector<std::string> args;    // extra options
  int status;                       // exit status of a run with this file and a good one
  bool written;                     // the document is in the output
  std::string severity;             // of its problem; empty: no problem at all
  std::string stage;
  std::string place;
  std::string message;              // the problem's message starts with this
  std::string text = {};            // when written and not empty: the whole expected text
  std::string charset = {};         // when written: metadata.source_charset ("" = UTF-8, none)
};

std::vector<Case> Cases() {
  const std::string prose = RepeatTo("这是一段比较长的中文正文内容，用于测试。", 300);
  std::string png = std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\x01\0", 20) + std::string(200, '\x7F');
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div>";
  deep += "最深处的正文";
  for (int i = 0; i < 100000; ++i) deep += "</div>";
  std::string utf16_text = "繁體與简体都能读出来。\n第二段。\n";
  return {
      {"empty file", "empty.md", "", {}, 1, false, "error", "strip", "",
       "no text left after stripping (markdown input of 0 bytes)"},
      {"only front matter", "only_front_matter.md", "---\ntitle: 只有元数据\n---\n", {}, 1, false, "error",
       "strip", "", "no text left after stripping (markdown input of "},
      {"unterminated front matter", "unterminated.md", "---\ntitle: 标题\n\n正文第一段。\n", {}, 1, false,
       "error", "strip", ":1:1", "front matter: unterminated YAML front matter starting at line 1"},
      {"invalid YAML", "invalid_yaml.md", "---\ntitle: 标题\ntags: [未闭合\n---\n正文。\n", {}, 1, false, "error",
       "strip", ":4:1", "front matter: "},
      {"invalid TOML", "invalid_toml.md", "+++\ntitle = \"标题\"\ndate = = 2025\n+++\n正文。\n", {}, 1, false,
       "error", "strip", ":3:8", "front matter: "},
      {"binary file", "photo.html", png, {}, 1, false, "error", "decode", ":3",
       "binary content: NUL byte at byte 8 (not decoded)"},
      {"invalid UTF-8 (replace)", "invalid_utf8.md", prose + "\xC3\x28" + prose + "\n", {}, 0, true, "warning",
       "decode", ":1", "1 invalid byte sequence(s) replaced with U+FFFD; first at byte 300"},
      {"invalid UTF-8 (--on-invalid=skip)", "invalid_utf8.md", prose + "\xC3\x28" + prose + "\n",
       {"--on-invalid", "skip"}, 1, false, "error", "decode", ":1", "1 invalid byte sequence(s); first at byte 300 (--on-invalid=skip)"},
      {"UTF-16 with BOM", "utf16.txt", Utf16LeWithBom(utf16_text), {}, 0, true, "", "", "", "",
       "繁體與简体都能读出来。\n\n第二段。", "UTF-16LE"},
      {"GBK without charset", "gbk.txt", ReadFile(kFixtures + "gbk_no_charset.txt"), {}, 0, true, "", "", "", "",
       "", "GB18030"},
      {"Big5 without charset", "big5.txt", ReadFile(kFixtures + "big5_no_charset.txt"), {}, 0, true, "", "", "",
       "", "", "Big5"},
      {"HTML nested 100,000 levels", "deep.html", deep, {}, 0, true, "warning", "strip", ":1:2561",
       "HTML nests elements deeper than 512 levels", "最深处的正文"},
      {"missing input path", "missing.md", std::nullopt, {}, 1, false, "error", "read", "",
       "cannot open: No such file or directory"},
  };
}

// The paragraphs of a UTF-8 text file as the plain-text path writes them.
std::string Paragraphs(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out += (out.empty() ? "" : "\n\n") + line;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_bad_input_has_its_exact_outcome_and_the_run_goes_on) {
  for (const Case& c : Cases()) {
    BOOST_TEST_CONTEXT(c.what) {
      TempDir tmp;
      const std::string bad = tmp / c.file, good = tmp / "good.md", out = tmp / "out.jsonl",
                        errors = tmp / "errors.jsonl";
      if (c.bytes) BOOST_REQUIRE(WriteFile(bad, *c.bytes));
      BOOST_REQUIRE(WriteFile(good, kGood));
      std::vector<std::string> args = {bad, good, "-o", out, "--errors", errors};
      args.insert(args.end(), c.args.begin(), c.args.end());
      Run r = Strip(args);
      BOOST_CHECK_EQUAL(r.status, c.status);

      // The run goes on: the good document after the bad one is written.
      auto docs = JsonLines(ReadFile(out));
      BOOST_CHECK_EQUAL(ForPath(docs, good).size(), 1u);
      auto mine = ForPath(docs, bad);
      BOOST_REQUIRE_EQUAL(mine.size(), c.written ? 1u : 0u);
      if (c.written) {
        const auto& d = mine[0];
        if (!c.text.empty()) {
          std::string text = d["text"];
          if (c.file == "deep.html") BOOST_CHECK_MESSAGE(text.find(c.text) != std::string::npos, text.substr(0, 200));
          else BOOST_CHECK_EQUAL(text, c.text);
        }
        BOOST_CHECK_EQUAL(d["metadata"].value("source_charset", ""), c.charset);
      }

      // The error report holds exactly this document's problem, with its place.
      auto problems = JsonLines(ReadFile(errors));
      auto reported = ForPath(problems, bad);
      if (c.severity.empty()) {
        BOOST_CHECK_MESSAGE(problems.empty(), ReadFile(errors));
        BOOST_CHECK_MESSAGE(r.err.find(bad) == std::string::npos, r.err);
      } else {
        BOOST_REQUIRE_EQUAL(reported.size(), 1u);
        const auto& p = reported[0];
        BOOST_CHECK_EQUAL(p["severity"], c.severity);
        BOOST_CHECK_EQUAL(p["stage"], c.stage);
        std::string message = p["message"];
        BOOST_CHECK_MESSAGE(message.starts_with(c.message), message);
        BOOST_CHECK_EQUAL(problems.size(), 1u);  // the good document has none
        // stderr: "zhcanon-strip: PATH[:LINE[:COL]]: SEVERITY: STAGE: MESSAGE".
        const std::string line = "zhcanon-strip: " + bad + c.place + ": " + c.severity + ": " + c.stage + ": " +
                                 message + "\n";
        BOOST_CHECK_MESSAGE(r.err.find(line) != std::string::npos, "expected on stderr: " << line << "got: " << r.err);
      }
      // The summary counts both documents.
      std::string summary = "zhcanon-strip: 2 documents: " + std::string(c.written ? "2" : "1") + " written, " +
                            (c.written ? "0" : "1") + " failed";
      BOOST_CHECK_MESSAGE(r.err.find(summary) != std::string::npos, r.err);
      // No temporaries left behind.
      for (const std::string& name : Listing(tmp.path()))
        BOOST_CHECK_MESSAGE(name.find(".tmp.") == std::string::npos, name);
    }
  }
}

BOOST_AUTO_TEST_CASE(gbk_and_big5_without_a_declaration_decode_to_the_original_text) {
  for (std::string name : {"gbk_no_charset", "big5_no_charset"}) {
    BOOST_TEST_CONTEXT(name) {
      TempDir tmp;
      const std::string out = tmp / "out.jsonl";
      Run r = Strip({kFixtures + name + ".txt", "-o", out, "-q"});
      BOOST_CHECK_EQUAL(r.status, 0);
      auto docs = JsonLines(ReadFile(out));
      BOOST_REQUIRE_EQUAL(docs.size(), 1u);
      BOOST_CHECK_EQUAL(docs[0]["text"], Paragraphs(ReadFile(kFixtures + name + ".expected.txt")));
    }
  }
}

BOOST_AUTO_TEST_CASE(all_bad_inputs_in_one_directory_run) {
  // Every case at once, as a user's scrape directory would hold them: one run, every document
  // accounted for (written or in the report), stderr naming each failed one.
  TempDir tmp;
  fs::create_directories(tmp.path() / "in");
  std::size_t files = 0, failed = 0;
  for (const Case& c : Cases()) {
    if (!c.bytes || !c.args.empty()) continue;
    BOOST_REQUIRE(WriteFile(tmp.path() / "in" / c.file, *c.bytes));
    ++files;
    failed += c.written ? 0 : 1;
  }
  BOOST_REQUIRE(WriteFile(tmp.path() / "in" / "good.md", kGood));
  ++files;
  const std::string out = tmp / "out.jsonl", errors = tmp / "errors.jsonl";
  Run r = Strip({tmp / "in", "-o", out, "--errors", errors, "--threads", "2"});
  BOOST_CHECK_EQUAL(r.status, 1);
  auto docs = JsonLines(ReadFile(out));
  auto problems = JsonLines(ReadFile(errors));
  BOOST_CHECK_EQUAL(docs.size(), files - failed);
  std::set<std::string> failed_ids;
  for (const auto& p : problems)
    if (p["severity"] == "error") failed_ids.insert(p["id"].get<std::string>());
  BOOST_CHECK_EQUAL(failed_ids.size(), failed);
  for (const std::string& id : failed_ids) BOOST_CHECK_MESSAGE(r.err.find("/in/" + id + ":") != std::string::npos, id);
  BOOST_CHECK_MESSAGE(r.err.find(std::to_string(files) + " documents: " + std::to_string(files - failed) +
                                 " written, " + std::to_string(failed) + " failed") != std::string::npos,
                      r.err);
}

BOOST_AUTO_TEST_CASE(jsonl_line_that_is_not_json_and_record_without_text) {
  TempDir tmp;
  const std::string corpus = tmp / "corpus.jsonl", out = tmp / "out.jsonl", errors = tmp / "errors.jsonl";
  BOOST_REQUIRE(WriteFile(corpus,
                          "{\"id\":\"a\",\"text\":\"第一篇文章的正文。\"}\n"
                          "{\"id\":\"b\",\"text\":\"没有闭合的引号}\n"
                          "{\"id\":\"c\",\"metadata\":{\"title\":\"没有正文\"}}\n"
                          "{\"id\":\"d\",\"text\":\"第四篇文章的正文。\"}\n"));
  Run r = Strip({corpus, "-o", out, "--errors", errors});
  BOOST_CHECK_EQUAL(r.status, 1);
  auto docs = JsonLines(ReadFile(out));
  BOOST_REQUIRE_EQUAL(docs.size(), 2u);
  BOOST_CHECK_EQUAL(docs[0]["id"], "a");
  BOOST_CHECK_EQUAL(docs[1]["id"], "d");
  auto problems = JsonLines(ReadFile(errors));
  BOOST_REQUIRE_EQUAL(problems.size(), 2u);
  // A line that is not JSON: its id is "<file>:<line>", the column is where the parser stopped.
  BOOST_CHECK_EQUAL(problems[0]["id"], corpus + ":2");
  BOOST_CHECK_EQUAL(problems[0]["stage"], "read");
  BOOST_CHECK_EQUAL(problems[0]["line"], 2);
  BOOST_CHECK(problems[0].contains("column"));
  BOOST_CHECK(problems[0]["message"].get<std::string>().starts_with("not valid JSON: "));
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: " + corpus + ":2:") != std::string::npos, r.err);
  // A record without "text": its id is its own, the place its line.
  BOOST_CHECK_EQUAL(problems[1]["stage"], "read");
  BOOST_CHECK_EQUAL(problems[1]["line"], 3);
  BOOST_CHECK(problems[1]["message"].get<std::string>().find("has no \"text\" key") != std::string::npos);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: " + corpus + ":3: error: read: ") != std::string::npos, r.err);
  BOOST_CHECK(r.err.find("4 documents: 2 written, 2 failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(jsonl_record_nested_100000_levels_fails_alone) {
  // Found while fuzzing: simdjson refuses records nested deeper than 1024 levels, the fallback
  // parser accepts any depth, and copying or writing such a value recursed until the stack ran
  // out (SIGSEGV; reproducer tests/fuzz/regressions/jsonl_reader/record_nested_50000_levels.jsonl).
  // The record must fail on its own, at its line, and the next one be written.
  TempDir tmp;
  const std::string corpus = tmp / "deep.jsonl", out = tmp / "out.jsonl", errors = tmp / "errors.jsonl";
  const int kDepth = 100000;
  BOOST_REQUIRE(WriteFile(corpus, "{\"id\":\"deep\",\"text\":\"正文\",\"metadata\":{\"x\":" + std::string(kDepth, '[') +
                                      std::string(kDepth, ']') + "}}\n{\"id\":\"next\",\"text\":\"下一篇的正文。\"}\n"));
  Run r = StripInChild({corpus, "-o", out, "--errors", errors});  // a crash must not end the suite
  BOOST_REQUIRE_MESSAGE(r.status >= 0, "zhcanon-strip crashed with signal " << -r.status);
  BOOST_CHECK_EQUAL(r.status, 1);
  auto docs = JsonLines(ReadFile(out));
  BOOST_REQUIRE_EQUAL(docs.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0]["id"], "next");
  auto problems = JsonLines(ReadFile(errors));
  BOOST_REQUIRE_EQUAL(problems.size(), 1u);
  BOOST_CHECK_EQUAL(problems[0]["stage"], "read");
  BOOST_CHECK_EQUAL(problems[0]["severity"], "error");
  BOOST_CHECK_EQUAL(problems[0]["line"], 1);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: " + corpus + ":1") == 0, r.err);
}

BOOST_AUTO_TEST_CASE(jsonl_record_with_a_number_beyond_double_fails_alone) {
  // Found while fuzzing: simdjson refuses 1e309, the fallback parser throws out_of_range (not a
  // parse_error), which nothing caught: std::terminate (reproducer
  // tests/fuzz/regressions/jsonl_reader/number_beyond_double_1e309.jsonl).
  TempDir tmp;
  const std::string corpus = tmp / "numbers.jsonl", out = tmp / "out.jsonl", errors = tmp / "errors.jsonl";
  BOOST_REQUIRE(WriteFile(corpus, "{\"id\":\"big\",\"text\":\"正文\",\"views\":1e309}\n"
                                  "{\"id\":\"next\",\"text\":\"下一篇的正文。\"}\n"));
  Run r = StripInChild({corpus, "-o", out, "--errors", errors});
  BOOST_REQUIRE_MESSAGE(r.status >= 0, "zhcanon-strip crashed with signal " << -r.status << ": " << r.err);
  BOOST_CHECK_EQUAL(r.status, 1);
  auto docs = JsonLines(ReadFile(out));
  BOOST_REQUIRE_EQUAL(docs.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0]["id"], "next");
  auto problems = JsonLines(ReadFile(errors));
  BOOST_REQUIRE_EQUAL(problems.size(), 1u);
  BOOST_CHECK_EQUAL(problems[0]["stage"], "read");
  BOOST_CHECK_EQUAL(problems[0]["line"], 1);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: " + corpus + ":1") == 0, r.err);
}

// nlohmann's ordered_json finds a key by a linear scan, so building an object key by key was
// quadratic: a record with 100,000 metadata keys took 31 s, a front matter of 50,000 keys 6.8 s
// (bench/RESULTS.md, reliability). All keys must come out, in order, with the last value of a
// repeated one; the time is measured by hand, not asserted here.
BOOST_AUTO_TEST_CASE(a_hundred_thousand_metadata_keys_are_all_kept_in_order) {
  TempDir tmp;
  const int kKeys = 100000;
  std::string record = "{\"id\":\"many\",\"text\":\"正文。\",\"metadata\":{";
  for (int i = 0; i < kKeys; ++i) record += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  record += ",\"k5\":\"last\"}}\n";
  std::string front = "---\n";
  for (int i = 0; i < kKeys / 2; ++i) front += "f" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  front += "---\n正文。\n";
  const std::string jsonl = tmp / "many.jsonl", md = tmp / "many.md", out = tmp / "out.jsonl";
  BOOST_REQUIRE(WriteFile(jsonl, record));
  BOOST_REQUIRE(WriteFile(md, front));
  Run r = Strip({jsonl, md, "-o", out});
  BOOST_CHECK_EQUAL(r.status, 0);
  auto docs = JsonLines(ReadFile(out));
  BOOST_REQUIRE_EQUAL(docs.size(), 2u);
  // Key order needs an ordered_json; zhcanon::ParseJson reads it as ordered_json::parse does
  // (tests/core/json_object_test.cc), without its quadratic time.
  const std::string written = ReadFile(out);
  const nlohmann::ordered_json a = zhcanon::ParseJson(written.substr(0, written.find('\n')));
  int i = 0;
  for (const auto& [k, v] : a["metadata"].items()) {
    if (k.size() < 2 || k[0] != 'k') continue;
    BOOST_REQUIRE_EQUAL(k, "k" + std::to_string(i));
    if (i == 5) BOOST_CHECK_EQUAL(v, "last");
    ++i;
  }
  BOOST_CHECK_EQUAL(i, kKeys);
  int f = 0;
  for (const auto& [k, v] : docs[1]["metadata"].items()) f += k.size() > 1 && k[0] == 'f' && k != "format";
  BOOST_CHECK_EQUAL(f, kKeys / 2);
}

BOOST_AUTO_TEST_CASE(a_100_mb_single_line) {
  // A scraped text dump with no line break at all: one paragraph of 100 MB, written whole.
  // Debug builds take 100 MB too (measured: see bench/RESULTS.md, reliability).
  TempDir tmp;
  const std::size_t kSize = 100u << 20;
  const std::string in = tmp / "one_line.txt", out = tmp / "out.jsonl";
  std::string line = RepeatTo("一行没有换行的很长的正文，", kSize);
  BOOST_REQUIRE(WriteFile(in, line));
  auto start = std::chrono::steady_clock::now();
  Run r = Strip({in, "-o", out, "--format", "text"});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("100 MB single line: " << seconds << " s");
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_MESSAGE(r.err.find("1 document: 1 written, 0 failed, 0 warnings") != std::string::npos, r.err);
  BOOST_CHECK(fs::file_size(out) == line.size() + 1);
  BOOST_CHECK(ReadFile(out) == line + "\n");
}

BOOST_AUTO_TEST_CASE(unwritable_output_path_is_a_usage_error_and_touches_nothing) {
  TempDir tmp;
  const std::string in = tmp / "a.md", not_a_dir = tmp / "file";
  BOOST_REQUIRE(WriteFile(in, kGood));
  BOOST_REQUIRE(WriteFile(not_a_dir, "precious\n"));
  struct Bad {
    std::string output, message;
  };
  for (const Bad& b : std::vector<Bad>{
           {tmp / "no/such/dir/out.jsonl", "directory '" + tmp / "no/such/dir" + "' does not exist"},
           {not_a_dir + "/out.jsonl", "directory '" + not_a_dir + "' does not exist"},
           {tmp.str(), "it is a directory"}}) {
    BOOST_TEST_CONTEXT(b.output) {
      Run r = Strip({in, "-o", b.output, "--format", "jsonl"});
      BOOST_CHECK_EQUAL(r.status, 2);
      BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: cannot write '" + b.output + "': " + b.message) == 0, r.err);
      BOOST_CHECK_EQUAL(ReadFile(not_a_dir), "precious\n");
    }
  }
  // The error report is an output too.
  Run r = Strip({in, "-o", tmp / "out.jsonl", "--errors", tmp / "no/such/errors.jsonl"});
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_MESSAGE(r.err.find("cannot write '" + tmp / "no/such/errors.jsonl" + "'") != std::string::npos, r.err);
  BOOST_CHECK(!fs::exists(tmp.path() / "out.jsonl"));
  BOOST_CHECK_EQUAL(Join(Listing(tmp.path())), "a.md file");
}

BOOST_AUTO_TEST_CASE(full_disk_on_standard_output) {
  // `zhcanon-strip x > /dev/full`: the write fails with ENOSPC when the stream is flushed.
  TempDir tmp;
  const std::string in = tmp / "a.md";
  BOOST_REQUIRE(WriteFile(in, kGood));
  std::ofstream full("/dev/full", std::ios::binary);
  BOOST_REQUIRE(full.is_open());
  Run r = Strip({in}, &full);
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: cannot write to standard output") == 0, r.err);
}

BOOST_AUTO_TEST_CASE(full_disk_on_an_output_file_keeps_the_old_output) {
  // A disk that fills up during the run, simulated with RLIMIT_FSIZE (writes past the limit fail
  // with EFBIG, as they fail with ENOSPC on a full disk): the run fails naming the output, the
  // previous output stays whole, and no temporary is left.
  TempDir tmp;
  const std::string in = tmp / "big.md", out = tmp / "out.jsonl";
  BOOST_REQUIRE(WriteFile(in, "# 标题\n\n" + RepeatTo("很长的正文内容。", 3u << 20) + "\n"));
  BOOST_REQUIRE(WriteFile(out, "precious\n"));
  struct rlimit old {};
  BOOST_REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 64 * 1024;
  BOOST_REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  Run r = Strip({in, "-o", out});
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, SIG_DFL);
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: cannot write '" + out + "': File too large") == 0, r.err);
  BOOST_CHECK_EQUAL(ReadFile(out), "precious\n");
  BOOST_CHECK_EQUAL(Join(Listing(tmp.path())), "big.md out.jsonl");
}

BOOST_AUTO_TEST_CASE(full_device_named_as_output_is_written_not_replaced) {
  // `-o /dev/full` (or /dev/null, /dev/stdout, a FIFO): the target is not a regular file, so it
  // cannot be replaced by a renamed temporary; the tool must write to it and report ENOSPC, and
  // above all must not replace the device node with a regular file (as root it could).
  // A private copy of /dev/full (char 1:7) stands in for it; skipped where mknod is not allowed.
  TempDir tmp;
  const std::string in = tmp / "a.md", dev = tmp / "full";
  BOOST_REQUIRE(WriteFile(in, kGood));
  if (::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) {
    BOOST_TEST_MESSAGE("mknod not permitted here; case skipped");
    return;
  }
  Run r = Strip({in, "-o", dev, "--format", "jsonl"});
  struct stat st {};
  BOOST_REQUIRE(::stat(dev.c_str(), &st) == 0);
  BOOST_CHECK_MESSAGE(S_ISCHR(st.st_mode), "the device node was replaced by a regular file");
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK_MESSAGE(r.err.find("zhcanon-strip: cannot write '" + dev + "': No space left on device") == 0, r.err);
  BOOST_CHECK_EQUAL(Join(Listing(tmp.path())), "a.md full");
}

namespace {

// A stage that raises the interrupt flag while the 3rd document goes through, as SIGINT would.
class InterruptAt : public zhcanon::Stage {
 public:
  explicit InterruptAt(int n) : n_(n) {}
  std::string_view name() const override { return "interrupt"; }
  void Process(zhcanon::Document&, zhcanon::Diagnostics&) const override {
    if (++seen_ == n_) zhcanon::cli::InterruptFlag().store(true);
  }

 private:
  int n_;
  mutable std::atomic<int> seen_{0};
};

}  // namespace

BOOST_AUTO_TEST_CASE(interrupt_leaves_no_half_written_output) {
  // Documents of 600 KB each, so that the first ones pass the writer's 1 MiB buffer and reach
  // the temporary file before the interrupt: a half-written file exists, and must go.
  TempDir tmp;
  fs::create_directories(tmp.path() / "in");
  for (int i = 0; i < 8; ++i)
    BOOST_REQUIRE(WriteFile(tmp.path() / "in" / ("doc" + std::to_string(i) + ".md"),
                            "# 第" + std::to_string(i) + "篇\n\n" + RepeatTo("正文内容。", 600 * 1024) + "\n"));
  const std::string out = tmp / "out.jsonl", errors = tmp / "errors.jsonl";
  BOOST_REQUIRE(WriteFile(out, "precious\n"));
  zhcanon::cli::CommonOptions common;
  common.inputs = {tmp / "in"};
  common.output = out;
  common.errors_path = errors;
  zhcanon::strip::Stripper stripper;
  InterruptAt interrupt(4);
  std::istringstream in;
  std::ostringstream so, se;
  int status = zhcanon::cli::RunStages("zhcanon-strip", common, {&stripper, &interrupt}, {in, so, se});
  zhcanon::cli::InterruptFlag().store(false);
  BOOST_CHECK_EQUAL(status, 130);
  BOOST_CHECK_EQUAL(se.str(), "zhcanon-strip: interrupted; nothing written\n");
  BOOST_CHECK_EQUAL(ReadFile(out), "precious\n");
  BOOST_CHECK(!fs::exists(errors));
  BOOST_CHECK_EQUAL(Join(Listing(tmp.path())), "in out.jsonl");
}

BOOST_AUTO_TEST_CASE(sigint_to_the_real_binary_leaves_no_half_written_output) {
  // The real zhcanon-strip reading JSONL from a pipe that stays open: SIGINT while it waits must
  // end it with status 130, the old output untouched and no temporary left.
  const fs::path tool = fs::path(ZHCANON_BINARY_DIR) / "tools" / "zhcanon-strip";
  BOOST_REQUIRE_MESSAGE(fs::exists(tool), tool << " not built");
  TempDir tmp;
  const std::string out = tmp / "out.jsonl";
  BOOST_REQUIRE(WriteFile(out, "precious\n"));
  ::signal(SIGPIPE, SIG_IGN);  // a tool that died must fail the test, not kill it
  int pipe_fds[2];
  BOOST_REQUIRE(::pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  posix_spawn_file_actions_addopen(&actions, 2, (tmp / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args = {tool.string(), "-", "--input", "jsonl", "-o", out};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  BOOST_REQUIRE(::posix_spawn(&pid, tool.c_str(), &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[0]);
  std::string records;
  for (int i = 0; i < 2000; ++i)
    records += "{\"id\":\"" + std::to_string(i) + "\",\"text\":\"" + RepeatTo("正文。", 600) + "\"}\n";
  // Write from another thread: the pipe holds 64 KB and the tool reads it as it goes.
  std::thread writer([&] {
    std::string_view rest = records;
    while (!rest.empty()) {
      ssize_t n = ::write(pipe_fds[1], rest.data(), rest.size());
      if (n <= 0) break;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  });
  writer.join();  // all written; the pipe stays open, so the tool now waits for more input
  // Wait until the run has started (its temporary exists), then interrupt it.
  auto has_temp = [&] {
    for (const std::string& name : Listing(tmp.path()))
      if (name.find(".tmp.") != std::string::npos) return true;
    return false;
  };
  for (int i = 0; i < 200 && !has_temp(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BOOST_CHECK(has_temp());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGINT);
  int wstatus = 0;
  pid_t done = 0;
  for (int i = 0; i < 100 && done == 0; ++i) {  // 10 s
    done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool ended_by_sigint = done == pid;
  ::close(pipe_fds[1]);  // if it did not end, end of input lets it go on
  if (done == 0) done = ::waitpid(pid, &wstatus, 0);
  BOOST_CHECK_MESSAGE(ended_by_sigint, "SIGINT did not stop zhcanon-strip waiting on stdin within 10 s");
  BOOST_CHECK(WIFEXITED(wstatus));
  BOOST_CHECK_EQUAL(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus), 130);
  BOOST_CHECK_EQUAL(ReadFile(tmp / "stderr.txt"), "zhcanon-strip: interrupted; nothing written\n");
  BOOST_CHECK_EQUAL(ReadFile(out), "precious\n");
  BOOST_CHECK_EQUAL(Join(Listing(tmp.path())), "out.jsonl stderr.txt");
}
