#define BOOST_TEST_MODULE io_writer
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "zhcanon/core/document.h"
#include "zhcanon/core/error.h"
#include "zhcanon/io/writer.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using zhcanon::Document;
using zhcanon::IoError;
using zhcanon::Metadata;
using zhcanon::io::AtomicFile;
using zhcanon::io::MakeDocumentWriter;
using zhcanon::io::OutputFormat;

namespace {

using zhcanon::testing::TempDir;

std::string Slurp(const std::string& path) { return zhcanon::testing::ReadFile(path); }

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// Every file under `dir`, relative, sorted.
std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (!e.is_directory()) files.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(files.begin(), files.end());
  return files;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

Document MakeDoc(std::string id, std::string text, std::string title = "") {
  Document d;
  d.id = std::move(id);
  d.text = std::move(text);
  d.metadata.title = std::move(title);
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(parse_output_format) {
  BOOST_CHECK(zhcanon::io::ParseOutputFormat("jsonl") == OutputFormat::kJsonl);
  BOOST_CHECK(zhcanon::io::ParseOutputFormat("text") == OutputFormat::kText);
  BOOST_CHECK(zhcanon::io::ParseOutputFormat("markdown") == OutputFormat::kMarkdown);
  BOOST_CHECK(zhcanon::io::ParseOutputFormat("md") == OutputFormat::kMarkdown);
  BOOST_CHECK_THROW(zhcanon::io::ParseOutputFormat("yaml"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(atomic_file_commit_replaces_the_target) {
  TempDir dir;
  std::string target = dir / "out.jsonl";
  WriteFile(target, "old");
  {
    AtomicFile f(target);
    f.Write("new ");
    f.Write(std::string(3 << 20, 'x'));  // bigger than the buffer
    f.Write("end");
    BOOST_CHECK_EQUAL(Slurp(target), "old");  // nothing visible before Commit
    BOOST_CHECK_EQUAL(Listing(dir.str()).size(), 2u);
    f.Commit();
    f.Commit();  // a second Commit does nothing
  }
  BOOST_CHECK(Slurp(target) == "new " + std::string(3 << 20, 'x') + "end");
  BOOST_CHECK(Listing(dir.str()) == std::vector<std::string>{"out.jsonl"});
}

BOOST_AUTO_TEST_CASE(atomic_file_without_commit_leaves_old_content_and_no_temporary) {
  TempDir dir;
  std::string target = dir / "out.jsonl";
  WriteFile(target, "old");
  {
    AtomicFile f(target);
    f.Write("half a run");
  }
  BOOST_CHECK_EQUAL(Slurp(target), "old");
  BOOST_CHECK(Listing(dir.str()) == std::vector<std::string>{"out.jsonl"});
  {
    AtomicFile f(dir / "fresh.txt");
    f.Write("x");
  }
  BOOST_CHECK(!fs::exists(dir / "fresh.txt"));
  BOOST_CHECK(Listing(dir.str()) == std::vector<std::string>{"out.jsonl"});
}

BOOST_AUTO_TEST_CASE(atomic_file_keeps_the_mode_of_a_replaced_file) {
  TempDir dir;
  std::string target = dir / "secret.jsonl";
  WriteFile(target, "old");
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
  AtomicFile f(target);
  f.Write("new");
  f.Commit();
  BOOST_CHECK(fs::status(target).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  AtomicFile g(dir / "new.jsonl");
  g.Commit();
  mode_t mask = ::umask(0);
  ::umask(mask);
  BOOST_CHECK_EQUAL(static_cast<unsigned>(fs::status(dir / "new.jsonl").permissions()), 0644u & ~mask);
}

BOOST_AUTO_TEST_CASE(atomic_file_refuses_bad_targets) {
  TempDir dir;
  try {
    AtomicFile f(dir / "no/such/dir/out.jsonl");
    BOOST_ERROR("no IoError for a missing directory");
  } catch (const IoError& e) {
    BOOST_CHECK_MESSAGE(Contains(e.what(), "does not exist") && Contains(e.what(), "out.jsonl"), e.what());
  }
  fs::create_directory(dir / "adir");
  try {
    AtomicFile f(dir / "adir");
    BOOST_ERROR("no IoError for a directory target");
  } catch (const IoError& e) {
    BOOST_CHECK_MESSAGE(Contains(e.what(), "is a directory"), e.what());
  }
  BOOST_CHECK_THROW(AtomicFile(dir / "adir/"), IoError);
  if (::geteuid() != 0) {
    fs::permissions(dir.str(), fs::perms::owner_read | fs::perms::owner_exec);
    BOOST_CHECK_THROW(AtomicFile(dir / "out.jsonl"), IoError);
    fs::permissions(dir.str(), fs::perms::owner_all);
  } else {
    BOOST_TEST_MESSAGE("running as root: unwritable directory case skipped");
  }
}

// A full disk, simulated with a file size limit: the write fails with EFBIG instead of ENOSPC,
// through the same code path.
BOOST_AUTO_TEST_CASE(atomic_file_write_error_throws_and_never_commits) {
  TempDir dir;
  std::string target = dir / "big.jsonl";
  WriteFile(target, "old");
  struct rlimit old {};
  BOOST_REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 1 << 20;
  BOOST_REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string what;
  {
    AtomicFile f(target);
    try {
      for (int i = 0; i < 4; ++i) f.Write(std::string(1 << 20, 'x'));
      f.Commit();
    } catch (const IoError& e) {
      what = e.what();
    }
    BOOST_CHECK_THROW(f.Commit(), IoError);
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
  BOOST_CHECK_MESSAGE(Contains(what, target) && Contains(what, "too large"), what);
  BOOST_CHECK_EQUAL(Slurp(target), "old");
  BOOST_CHECK(Listing(dir.str()) == std::vector<std::string>{"big.jsonl"});
}

BOOST_AUTO_TEST_CASE(jsonl_writer_round_trips_including_invalid_utf8) {
  TempDir dir;
  std::string target = dir / "out.jsonl";
  Document a = MakeDoc("news/a.md", "第一段。\n\n第二段，\"引号\"", "标题");
  a.metadata.date = "2025-02-07";
  a.metadata.tags = {"科技", "AI"};
  a.metadata.extra["views"] = 12;
  a.metadata.extra["nested"] = ordered_json::parse(R"({"k":[1,"二"]})");
  Document b = MakeDoc("bad", "ok \xFF\xFE end", "t\xC3");
  {
    auto w = MakeDocumentWriter(OutputFormat::kJsonl, target, std::cout);
    w->Write(a);
    w->Write(b);
    w->Commit();
  }
  std::string out = Slurp(target);
  BOOST_CHECK(out.ends_with("\n"));
  std::istringstream lines(out);
  std::string line;
  std::vector<ordered_json> records;
  while (std::getline(lines, line)) records.push_back(ordered_json::parse(line));
  BOOST_REQUIRE_EQUAL(records.size(), 2u);
  BOOST_CHECK_EQUAL(records[0]["id"], "news/a.md");
  BOOST_CHECK_EQUAL(records[0]["text"], a.text);
  BOOST_CHECK(zhcanon::MetadataFromJson(records[0]["metadata"]) == a.metadata);
  BOOST_CHECK(Contains(out, "标题"));  // UTF-8, not \u escapes
  BOOST_CHECK_EQUAL(records[1]["text"], "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
  BOOST_CHECK_EQUAL(records[1]["metadata"]["title"], "t\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(writers_to_stdout) {
  std::ostringstream out;
  auto w = MakeDocumentWriter(OutputFormat::kJsonl, "-", out);
  w->Write(MakeDoc("x", "y"));
  w->Commit();
  BOOST_CHECK_EQUAL(out.str(), R"({"id":"x","text":"y","metadata":{}})" "\n");

  std::ostringstream text;
  auto t = MakeDocumentWriter(OutputFormat::kText, "", text);
  for (const char* s : {"one", "two\n", "", "four"}) t->Write(MakeDoc("id", s));
  t->Commit();
  BOOST_CHECK_EQUAL(text.str(), "one\n\f\ntwo\n\f\n\f\nfour\n");

  BOOST_CHECK_THROW(MakeDocumentWriter(OutputFormat::kMarkdown, "-", out), std::invalid_argument);
  BOOST_CHECK_THROW(MakeDocumentWriter(OutputFormat::kMarkdown, "", out), std::invalid_argument);

  std::ostringstream broken;
  broken.setstate(std::ios::badbit);
  auto b = MakeDocumentWriter(OutputFormat::kJsonl, "-", broken);
  BOOST_CHECK_THROW(b->Write(MakeDoc("x", "y")), IoError);
}

BOOST_AUTO_TEST_CASE(markdown_tree_paths_collisions_and_sanitizing) {
  TempDir dir;
  std::string root = dir / "out";
  struct Case {
    std::string id;
    std::string path;  // expected, relative to root
  };
  const std::vector<Case> cases = {
      {"news/2025/a.html", "news/2025/a.md"},
      {"news/2025/a.md", "news/2025/a-2.md"},   // same target: suffixed
      {"news/2025/a.txt", "news/2025/a-3.md"},
      {"../x.md", "__/x.md"},                    // cannot escape the root
      {"/etc/passwd", "etc/passwd.md"},          // absolute becomes relative
      {"a/./b//c.htm", "a/b/c.md"},
      {"news:123", "news:123.md"},               // JSONL ids keep their characters
      {"c.jsonl:7", "c.jsonl:7.md"},             // not an extension
      {"2025.02.07", "2025.02.07.md"},
      {"", "_.md"},
      {std::string("nul\0byte", 8), "nul_byte.md"},
      {"..", "__.md"},
      {"x.md/y", "x.md-2/y.md"},                 // "x.md" is a file below: directory renamed
      {"x", "x.md"},
  };
  // "x" is written first so that "x.md/y" meets the file.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < cases.size(); ++i) order.push_back(i);
  std::swap(order[12], order[13]);
  {
    auto w = MakeDocumentWriter(OutputFormat::kMarkdown, root, std::cout);
    for (std::size_t i : order) w->Write(MakeDoc(cases[i].id, "正文 " + std::to_string(i), "T"));
    // Before Commit only hidden temporaries exist.
    for (const auto& f : Listing(root)) BOOST_CHECK_MESSAGE(Contains(f, "/.") || f.starts_with("."), f);
    w->Commit();
  }
  std::vector<std::string> want;
  for (const auto& c : cases) want.push_back(c.path);
  std::sort(want.begin(), want.end());
  std::vector<std::string> got = Listing(root);
  BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), want.begin(), want.end());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string content = Slurp(root + "/" + cases[i].path);
    BOOST_CHECK_EQUAL(content, "---\ntitle: \"T\"\n---\n\n正文 " + std::to_string(i) + "\n");
  }
  BOOST_CHECK(!fs::exists(dir / "x.md"));
  BOOST_CHECK(!fs::exists("/etc/passwd.md"));
}

BOOST_AUTO_TEST_CASE(markdown_long_names_are_cut_with_a_hash) {
  TempDir dir;
  std::string base(300, 'a');
  {
    auto w = MakeDocumentWriter(OutputFormat::kMarkdown, dir / "out", std::cout);
    w->Write(MakeDoc(base + "1", "one"));
    w->Write(MakeDoc(base + "2", "two"));
    w->Write(MakeDoc(std::string(100, 'x') + std::string(100, '\xE4') + "中文", "utf8"));
    w->Commit();
  }
  std::vector<std::string> files = Listing(dir / "out");
  BOOST_REQUIRE_EQUAL(files.size(), 3u);
  BOOST_CHECK_NE(files[0], files[1]);
  for (const auto& f : files) BOOST_CHECK_LE(f.size(), 255u);
}

BOOST_AUTO_TEST_CASE(markdown_without_commit_writes_nothing) {
  TempDir dir;
  {
    auto w = MakeDocumentWriter(OutputFormat::kMarkdown, dir / "out", std::cout);
    w->Write(MakeDoc("a/b.md", "x"));
    w->Write(MakeDoc("c.md", "y"));
  }
  BOOST_CHECK(Listing(dir / "out").empty());
  // A file where the directory should be is an IoError, not a crash.
  WriteFile(dir / "file", "x");
  BOOST_CHECK_THROW(MakeDocumentWriter(OutputFormat::kMarkdown, dir / "file", std::cout), IoError);
}

BOOST_AUTO_TEST_CASE(front_matter_yaml_reparses_to_the_same_values) {
  Metadata m;
  m.title = "标题: 带冒号 # 和井号";
  m.date = "2025-02-07";
  m.author = "yes";
  m.source_url = "https://example.com/a?b=1&c=2";
  m.summary = "多行\n摘要 \"引号\" \\ 反斜杠";
  m.lang = "zh-CN";
  m.tags = {"AI", "true", "123"};
  m.categories = {"科技"};
  m.path = "news/a.md";
  m.extra["draft"] = false;
  m.extra["weight"] = 10;
  m.extra["ratio"] = 0.25;
  m.extra["none"] = nullptr;
  m.extra["nested"] = ordered_json::parse(R"({"a":{"b":["x",{"c":"d"}]},"empty":{},"list":[]})");
  m.extra["key with: colon"] = "v";
  m.extra["on"] = "word key";
  m.extra["bad"] = "x\xFFy";

  std::string yaml = zhcanon::io::FrontMatterYaml(m);
  BOOST_TEST_MESSAGE(yaml);
  BOOST_REQUIRE(yaml.starts_with("---\n"));
  BOOST_REQUIRE(yaml.ends_with("\n---\n"));
  BOOST_CHECK(yaml.starts_with("---\ntitle: "));  // well-known keys first
  BOOST_CHECK(Contains(yaml, "date: \"2025-02-07\""));
  BOOST_CHECK(Contains(yaml, "标题"));  // UTF-8 stays UTF-8
  BOOST_CHECK(Contains(yaml, "x\xEF\xBF\xBDy"));

  YAML::Node n = YAML::Load(yaml.substr(4, yaml.size() - 8));
  BOOST_REQUIRE(n.IsMap());
  std::vector<std::string> keys;
  for (const auto& kv : n) keys.push_back(kv.first.as<std::string>());
  const std::vector<std::string> want_keys = {"title", "date", "author", "source_url", "summary", "lang", "tags",
                                              "categories", "path", "draft", "weight", "ratio", "none", "nested",
                                              "key with: colon", "on", "bad"};
  BOOST_CHECK_EQUAL_COLLECTIONS(keys.begin(), keys.end(), want_keys.begin(), want_keys.end());

  BOOST_CHECK_EQUAL(n["title"].as<std::string>(), m.title);
  BOOST_CHECK_EQUAL(n["date"].as<std::string>(), "2025-02-07");
  BOOST_CHECK_EQUAL(n["date"].Tag(), "!");  // quoted: a string, not a YAML timestamp
  BOOST_CHECK_EQUAL(n["author"].Tag(), "!");
  BOOST_CHECK_EQUAL(n["summary"].as<std::string>(), m.summary);
  BOOST_CHECK_EQUAL(n["source_url"].as<std::string>(), m.source_url);
  BOOST_REQUIRE(n["tags"].IsSequence());
  BOOST_CHECK_EQUAL(n["tags"][1].as<std::string>(), "true");
  BOOST_CHECK_EQUAL(n["tags"][1].Tag(), "!");
  BOOST_CHECK_EQUAL(n["categories"][0].as<std::string>(), "科技");
  BOOST_CHECK_EQUAL(n["draft"].as<bool>(), false);
  BOOST_CHECK_EQUAL(n["weight"].as<int>(), 10);
  BOOST_CHECK_EQUAL(n["ratio"].as<double>(), 0.25);
  BOOST_CHECK(n["none"].IsNull());
  BOOST_CHECK_EQUAL(n["nested"]["a"]["b"][1]["c"].as<std::string>(), "d");
  BOOST_CHECK(n["nested"]["empty"].IsMap() && n["nested"]["empty"].size() == 0);
  BOOST_CHECK(n["nested"]["list"].IsSequence() && n["nested"]["list"].size() == 0);
  BOOST_CHECK_EQUAL(n["key with: colon"].as<std::string>(), "v");
  BOOST_CHECK_EQUAL(n["on"].as<std::string>(), "word key");

  BOOST_CHECK_EQUAL(zhcanon::io::FrontMatterYaml(Metadata{}), "---\n---\n");
}

BOOST_AUTO_TEST_CASE(error_report_lines) {
  TempDir dir;
  std::string target = dir / "errors.jsonl";
  {
    zhcanon::io::ErrorReportWriter w(target);
    w.Write({.doc_id = "a.md", .path = "in/a.md", .stage = "strip", .message = "bad \xFF",
             .location = {.line = 3, .column = 2, .byte_offset = 40}, .severity = zhcanon::Severity::kError});
    w.Write({.doc_id = "b", .path = "", .stage = "read", .message = "m", .location = {},
             .severity = zhcanon::Severity::kWarning});
    BOOST_CHECK(!fs::exists(target));
    w.Commit();
  }
  std::istringstream lines(Slurp(target));
  std::string line;
  std::getline(lines, line);
  ordered_json a = ordered_json::parse(line);
  BOOST_CHECK_EQUAL(a.dump(),
                    R"({"id":"a.md","path":"in/a.md","stage":"strip","severity":"error","message":"bad )" "\xEF\xBF\xBD" R"(",)"
                    R"("line":3,"column":2,"byte_offset":40})");
  std::getline(lines, line);
  ordered_json b = ordered_json::parse(line);
  BOOST_CHECK_EQUAL(b["severity"], "warning");
  BOOST_CHECK(!b.contains("line") && !b.contains("column") && !b.contains("byte_offset"));
}
