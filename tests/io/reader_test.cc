#define BOOST_TEST_MODULE io_reader
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/io/reader.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using zhcanon::Diagnostics;
using zhcanon::Document;
using zhcanon::Severity;
using zhcanon::SourceFormat;
using zhcanon::io::DocumentReader;
using zhcanon::io::InputKind;
using zhcanon::io::ReaderOptions;

namespace {

using zhcanon::testing::TempDir;

void WriteFile(const std::string& path, std::string_view bytes) {
  BOOST_REQUIRE(zhcanon::testing::WriteFile(path, bytes));
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  BOOST_REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  BOOST_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  BOOST_REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

struct Item {
  Document doc;
  Diagnostics diag;
};

std::vector<Item> ReadAll(DocumentReader& reader) {
  std::vector<Item> items;
  Item item;
  while (reader.Next(item.doc, item.diag)) {
    items.push_back(item);
    item.diag.Clear();
    BOOST_REQUIRE(items.size() < 100000);  // never loop forever
  }
  return items;
}

std::vector<Item> Read(std::vector<std::string> inputs, ReaderOptions options = {}) {
  DocumentReader reader(std::move(inputs), std::move(options));
  return ReadAll(reader);
}

std::string Messages(const Diagnostics& d) {
  std::string all;
  for (const auto& p : d.problems()) all += zhcanon::FormatProblem(p) + "\n";
  return all;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// A JSONL corpus exercising every record shape the reader must handle, with what it yields.
const char* const kCorpus =
    R"({"id":"a","text":"你好，世界","metadata":{"title":"标题","tags":["x","y"],"thumbnail":"t.jpg"}})" "\n"
    R"({"text":"no id here"})" "\n"
    R"({"id":123,"text":"numeric id"})" "\n"
    "this is not json\n"
    R"({"id":"no-text","metadata":{}})" "\n"
    R"({"id":"num-text","text":5})" "\n"
    R"({"id":"dolma","text":"t","source":"cc","added":"2024-01-01","metadata":{"source":"m"}})" "\n"
    "\n"
    "   \r\n"
    "{\"id\":\"crlf\",\"text\":\"line\"}\r\n"
    "[1,2]\n"
    R"({"id":"last","text":"no final newline"})";

struct Expect {
  std::string id;
  bool failed;
  std::string text;      // when not failed
  std::string message;   // a part of the problem when failed
  std::int64_t line;
};

std::vector<Expect> CorpusExpectations(const std::string& file) {
  return {
      {"a", false, "你好，世界", "", 1},
      {file + ":2", false, "no id here", "", 2},
      {"123", false, "numeric id", "", 3},
      {file + ":4", true, "", "not valid JSON", 4},
      {"no-text", true, "", "has no \"text\"", 5},
      {"num-text", true, "", "\"text\" that is a number", 6},
      {"dolma", false, "t", "", 7},
      {"crlf", false, "line", "", 10},
      {file + ":11", true, "", "not an object", 11},
      {"last", false, "no final newline", "", 12},
  };
}

void CheckCorpus(const std::vector<Item>& items, const std::string& file) {
  std::vector<Expect> want = CorpusExpectations(file);
  BOOST_REQUIRE_EQUAL(items.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Item& it = items[i];
    BOOST_TEST_CONTEXT("record " << i << " (" << want[i].id << ")") {
      BOOST_CHECK_EQUAL(it.doc.id, want[i].id);
      BOOST_CHECK_EQUAL(it.diag.failed(), want[i].failed);
      BOOST_CHECK_EQUAL(it.doc.metadata.path, file);
      BOOST_CHECK(it.doc.format == SourceFormat::kAuto);
      if (want[i].failed) {
        BOOST_REQUIRE(!it.diag.problems().empty());
        const auto& p = it.diag.problems().front();
        BOOST_CHECK_MESSAGE(Contains(p.message, want[i].message), p.message);
        BOOST_CHECK_EQUAL(p.location.line, want[i].line);
        BOOST_CHECK_EQUAL(p.stage, "read");
        // The report names file:line.
        BOOST_CHECK_MESSAGE(Contains(zhcanon::FormatProblem(p), file + ":" + std::to_string(want[i].line)),
                            zhcanon::FormatProblem(p));
      } else {
        BOOST_CHECK_MESSAGE(it.diag.problems().empty(), Messages(it.diag));
        BOOST_CHECK_EQUAL(it.doc.text, want[i].text);
      }
    }
  }
  // Metadata survives as MetadataFromJson would make it, plus the file as path.
  zhcanon::Metadata m = zhcanon::MetadataFromJson(
      ordered_json::parse(R"({"title":"标题","tags":["x","y"],"thumbnail":"t.jpg"})"));
  m.path = file;
  BOOST_CHECK(items[0].doc.metadata == m);
  // Top-level keys go to extra; one whose name the metadata uses gets "record_".
  const auto& extra = items[6].doc.metadata.extra;
  BOOST_CHECK_EQUAL(extra.value("source", ""), "m");
  BOOST_CHECK_EQUAL(extra.value("record_source", ""), "cc");
  BOOST_CHECK_EQUAL(extra.value("added", ""), "2024-01-01");
}

}  // namespace

BOOST_AUTO_TEST_CASE(parse_input_kind) {
  BOOST_CHECK(zhcanon::io::ParseInputKind("auto") == InputKind::kAuto);
  BOOST_CHECK(zhcanon::io::ParseInputKind("document") == InputKind::kDocument);
  BOOST_CHECK(zhcanon::io::ParseInputKind("jsonl") == InputKind::kJsonl);
  BOOST_CHECK_THROW(zhcanon::io::ParseInputKind("json"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(directory_walk_is_sorted_filtered_and_ids_are_relative) {
  TempDir dir;
  const std::vector<std::string> wanted = {"A.md", "a.md", "a/b/c.txt", "a/z.HTML", "b.markdown", "x/y/z.htm"};
  for (const auto& rel : wanted) WriteFile(dir / rel, "content of " + rel);
  WriteFile(dir / "a/skip.png", "png");
  WriteFile(dir / "notes.doc", "doc");
  WriteFile(dir / "a/b/.md", "a dotfile with no stem");  // not a ".md" file

  std::vector<Item> items = Read({dir.str()});
  BOOST_REQUIRE_EQUAL(items.size(), wanted.size());
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    BOOST_TEST_CONTEXT(wanted[i]) {
      BOOST_CHECK_EQUAL(items[i].doc.id, wanted[i]);
      BOOST_CHECK_EQUAL(items[i].doc.text, "content of " + wanted[i]);
      BOOST_CHECK_EQUAL(items[i].doc.metadata.path, dir / wanted[i]);
      BOOST_CHECK(items[i].doc.format == zhcanon::FormatFromPath(wanted[i]));
      BOOST_CHECK(!items[i].diag.failed());
    }
  }
  // A trailing slash on the root changes neither ids nor order.
  std::vector<Item> again = Read({dir.str() + "/"});
  BOOST_REQUIRE_EQUAL(again.size(), wanted.size());
  BOOST_CHECK_EQUAL(again[2].doc.id, "a/b/c.txt");

  // Extensions are configurable, with or without the dot.
  ReaderOptions only_png;
  only_png.extensions = {"png"};
  std::vector<Item> png = Read({dir.str()}, only_png);
  BOOST_REQUIRE_EQUAL(png.size(), 1u);
  BOOST_CHECK_EQUAL(png[0].doc.id, "a/skip.png");
}

BOOST_AUTO_TEST_CASE(file_named_directly_keeps_its_path_as_id) {
  TempDir dir;
  WriteFile(dir / "sub/post.png", "bytes\0with nul");
  // Named directly, a file is read whatever its extension.
  std::vector<Item> items = Read({dir / "sub/post.png"});
  BOOST_REQUIRE_EQUAL(items.size(), 1u);
  BOOST_CHECK_EQUAL(items[0].doc.id, dir / "sub/post.png");
  BOOST_CHECK_EQUAL(items[0].doc.metadata.path, dir / "sub/post.png");
  BOOST_CHECK(items[0].doc.format == SourceFormat::kAuto);
}

BOOST_AUTO_TEST_CASE(binary_bytes_and_empty_files_are_read_exactly) {
  TempDir dir;
  std::string bytes;
  for (int i = 0; i < 3 * 256 * 1024; ++i) bytes.push_back(static_cast<char>(i * 7 % 256));
  WriteFile(dir / "big.txt", bytes);
  WriteFile(dir / "empty.txt", "");
  DocumentReader reader({dir / "big.txt", dir / "empty.txt"}, {});
  std::vector<Item> items = ReadAll(reader);
  BOOST_REQUIRE_EQUAL(items.size(), 2u);
  BOOST_CHECK(items[0].doc.text == bytes);
  BOOST_CHECK(items[1].doc.text.empty());
  BOOST_CHECK(!items[1].diag.failed());
  BOOST_CHECK_EQUAL(reader.bytes_read(), bytes.size());
}

BOOST_AUTO_TEST_CASE(missing_path_fails_and_reading_continues) {
  TempDir dir;
  WriteFile(dir / "ok.md", "ok");
  std::string missing = dir / "missing.md";
  std::vector<Item> items = Read({missing, dir / "ok.md", dir / "nope/", dir / "ok.md"});
  BOOST_REQUIRE_EQUAL(items.size(), 4u);
  BOOST_CHECK_EQUAL(items[0].doc.id, missing);
  BOOST_CHECK_EQUAL(items[0].doc.metadata.path, missing);
  BOOST_CHECK(items[0].diag.failed());
  BOOST_CHECK_EQUAL(items[0].diag.problems().at(0).stage, "read");
  BOOST_CHECK_MESSAGE(Contains(items[0].diag.problems().at(0).message, "No such file or directory"),
                      Messages(items[0].diag));
  BOOST_CHECK(!items[1].diag.failed());
  BOOST_CHECK_EQUAL(items[1].doc.text, "ok");
  BOOST_CHECK(items[2].diag.failed());
  BOOST_CHECK(!items[3].diag.failed());
}

BOOST_AUTO_TEST_CASE(directory_without_inputs_is_reported) {
  TempDir dir;
  WriteFile(dir / "empty/image.png", "png");
  std::vector<Item> items = Read({dir / "empty"});
  BOOST_REQUIRE_EQUAL(items.size(), 1u);
  BOOST_CHECK_EQUAL(items[0].doc.id, dir / "empty");
  BOOST_CHECK(items[0].diag.failed());
  const std::string& msg = items[0].diag.problems().at(0).message;
  BOOST_CHECK_MESSAGE(Contains(msg, "no input files") && Contains(msg, ".md") && Contains(msg, ".jsonl.zst"), msg);
}

BOOST_AUTO_TEST_CASE(symlink_loops_do_not_hang_and_aliases_are_read_once) {
  TempDir dir;
  WriteFile(dir / "root/real/a.md", "a");
  fs::create_directory_symlink("..", dir / "root/real/up");      // a loop
  fs::create_directory_symlink("real", dir / "root/zalias");     // the same tree again
  fs::create_symlink("missing.md", dir / "root/broken.md");      // a dangling link
  std::vector<Item> items = Read({dir / "root"});
  BOOST_REQUIRE_EQUAL(items.size(), 2u);
  BOOST_CHECK_EQUAL(items[0].doc.id, "broken.md");
  BOOST_CHECK(items[0].diag.failed());
  BOOST_CHECK_EQUAL(items[1].doc.id, "real/a.md");
  BOOST_CHECK(!items[1].diag.failed());
}

BOOST_AUTO_TEST_CASE(unreadable_file_and_directory_fail_without_stopping) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("running as root: permissions are not enforced, skipped");
    BOOST_CHECK(true);
    return;
  }
  TempDir dir;
  WriteFile(dir / "t/a.md", "a");
  WriteFile(dir / "t/b.md", "b");
  WriteFile(dir / "t/locked/c.md", "c");
  fs::permissions(dir / "t/a.md", fs::perms::none);
  fs::permissions(dir / "t/locked", fs::perms::none);
  std::vector<Item> items = Read({dir / "t"});
  BOOST_REQUIRE_EQUAL(items.size(), 3u);
  BOOST_CHECK_EQUAL(items[0].doc.id, "a.md");
  BOOST_CHECK(items[0].diag.failed());
  BOOST_CHECK_EQUAL(items[1].doc.id, "b.md");
  BOOST_CHECK(!items[1].diag.failed());
  BOOST_CHECK_EQUAL(items[2].doc.id, "locked");
  BOOST_CHECK(items[2].diag.failed());
}

BOOST_AUTO_TEST_CASE(jsonl_plain_records) {
  TempDir dir;
  std::string file = dir / "corpus.jsonl";
  WriteFile(file, kCorpus);
  DocumentReader reader({file}, {});
  std::vector<Item> items = ReadAll(reader);
  CheckCorpus(items, file);
  BOOST_CHECK_EQUAL(reader.bytes_read(), std::string_view(kCorpus).size());
  // The byte offset of a bad line points into it.
  const auto& bad = items[3].diag.problems().at(0);
  std::int64_t line_start = static_cast<std::int64_t>(std::string_view(kCorpus).find("this is not json"));
  BOOST_CHECK_GE(bad.location.byte_offset, line_start);
  BOOST_CHECK_LT(bad.location.byte_offset, line_start + 16);
  BOOST_CHECK_GT(bad.location.column, 0);
}

BOOST_AUTO_TEST_CASE(jsonl_gzip_and_zstd_stream_the_same_records) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> files = {
      {"c.jsonl.gz", Gzip(kCorpus)},
      {"c.jsonl.zst", Zstd(kCorpus)},
      {"gzip-named-plain.jsonl", Gzip(kCorpus)},  // detected by its magic bytes
      {"multi.jsonl.gz", Gzip(std::string_view(kCorpus).substr(0, 100)) + Gzip(std::string_view(kCorpus).substr(100))},
      {"multi.jsonl.zst", Zstd(std::string_view(kCorpus).substr(0, 100)) + Zstd(std::string_view(kCorpus).substr(100))},
  };
  for (const auto& [name, bytes] : files) {
    BOOST_TEST_CONTEXT(name) {
      std::string file = dir / name;
      WriteFile(file, bytes);
      DocumentReader reader({file}, {});
      CheckCorpus(ReadAll(reader), file);
      BOOST_CHECK_EQUAL(reader.bytes_read(), bytes.size());  // compressed bytes
    }
  }
}

BOOST_AUTO_TEST_CASE(truncated_or_corrupt_compressed_jsonl_reports_after_the_good_lines) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += R"({"id":")" + std::to_string(i) + R"(","text":"正文 )" + std::to_string(i) + "\"}\n";
  const std::vector<std::pair<std::string, std::string>> files = {
      {"cut.jsonl.gz", Gzip(text).substr(0, Gzip(text).size() / 2)},
      {"cut.jsonl.zst", Zstd(text).substr(0, Zstd(text).size() / 2)},
      {"garbage.jsonl.gz", Gzip(text) + "garbage"},
  };
  for (const auto& [name, bytes] : files) {
    BOOST_TEST_CONTEXT(name) {
      std::string file = dir / name;
      WriteFile(file, bytes);
      std::vector<Item> items = Read({file, dir / "after.md"});
      BOOST_REQUIRE_GE(items.size(), 3u);
      std::size_t good = 0;
      while (good < items.size() && !items[good].diag.failed()) ++good;
      BOOST_CHECK_EQUAL(items[good > 0 ? good - 1 : 0].doc.id, std::to_string(good - 1));
      // One failed document for the broken stream, then the next input (missing here).
      BOOST_REQUIRE_EQUAL(items.size(), good + 2);
      BOOST_CHECK(items[good].diag.failed());
      BOOST_CHECK_MESSAGE(Contains(items[good].diag.problems().at(0).message,
                                   name.ends_with(".gz") ? "gzip" : "zstd"),
                          Messages(items[good].diag));
      BOOST_CHECK_EQUAL(items[good + 1].doc.id, dir / "after.md");
    }
  }
}

BOOST_AUTO_TEST_CASE(jsonl_kind_forces_jsonl_and_ndjson_is_recognized) {
  TempDir dir;
  WriteFile(dir / "data.txt", R"({"id":"x","text":"y"})" "\n");
  WriteFile(dir / "data.ndjson", R"({"id":"n","text":"y"})" "\n");
  ReaderOptions jsonl;
  jsonl.kind = InputKind::kJsonl;
  std::vector<Item> forced = Read({dir / "data.txt"}, jsonl);
  BOOST_REQUIRE_EQUAL(forced.size(), 1u);
  BOOST_CHECK_EQUAL(forced[0].doc.id, "x");
  std::vector<Item> by_name = Read({dir / "data.ndjson"});
  BOOST_REQUIRE_EQUAL(by_name.size(), 1u);
  BOOST_CHECK_EQUAL(by_name[0].doc.id, "n");
  ReaderOptions document;
  document.kind = InputKind::kDocument;
  std::vector<Item> whole = Read({dir / "data.ndjson"}, document);
  BOOST_REQUIRE_EQUAL(whole.size(), 1u);
  BOOST_CHECK_EQUAL(whole[0].doc.id, dir / "data.ndjson");
}

BOOST_AUTO_TEST_CASE(jsonl_odd_values) {
  TempDir dir;
  std::string file = dir / "odd.jsonl";
  WriteFile(file,
            "\xEF\xBB\xBF{\"id\":\"bom\",\"text\":\"t\"}\n"                                    // BOM on line 1
            "{\"id\":\"bad-utf8\",\"text\":\"a\xFF" "b\"}\n"                                  // invalid UTF-8
            "{\"id\":123456789012345678901234567890,\"text\":\"bigint\"}\n"                   // beyond 64 bits
            "{\"id\":\"\",\"text\":\"empty id\"}\n"                                           // empty id
            "{\"id\":null,\"text\":\"null id\",\"metadata\":null}\n"                           // nulls
            "{\"id\":\"m\",\"text\":\"t\",\"metadata\":\"oops\"}\n"                            // non-object metadata
            "{\"id\":\"p\",\"text\":\"t\",\"metadata\":{\"path\":\"news/a.md\",\"n\":{\"deep\":[1,2.5,true,null]}}}\n"
            "{\"id\":\"top\",\"text\":\"t\",\"title\":\"top title\",\"url\":\"https://x\"}\n");
  std::vector<Item> items = Read({file});
  BOOST_REQUIRE_EQUAL(items.size(), 8u);
  BOOST_CHECK_EQUAL(items[0].doc.id, "bom");
  BOOST_CHECK(!items[0].diag.failed());

  BOOST_CHECK_EQUAL(items[1].doc.id, "bad-utf8");
  BOOST_CHECK(!items[1].diag.failed());
  BOOST_CHECK_EQUAL(items[1].doc.text, "a\xEF\xBF\xBD" "b");
  BOOST_REQUIRE_EQUAL(items[1].diag.problems().size(), 1u);
  BOOST_CHECK(items[1].diag.problems()[0].severity == Severity::kWarning);
  BOOST_CHECK_EQUAL(items[1].diag.problems()[0].location.line, 2);

  BOOST_CHECK(!items[2].diag.failed());
  BOOST_CHECK_EQUAL(items[2].doc.text, "bigint");
  BOOST_CHECK(!items[2].doc.id.empty());

  BOOST_CHECK_EQUAL(items[3].doc.id, file + ":4");
  BOOST_CHECK_EQUAL(items[4].doc.id, file + ":5");
  BOOST_CHECK(!items[4].diag.failed());

  BOOST_CHECK(!items[5].diag.failed());
  BOOST_CHECK_EQUAL(items[5].doc.metadata.extra.value("record_metadata", ""), "oops");

  const zhcanon::Metadata& p = items[6].doc.metadata;
  BOOST_CHECK_EQUAL(p.path, file);
  BOOST_CHECK_EQUAL(p.extra.value("record_path", ""), "news/a.md");
  BOOST_CHECK_EQUAL(p.extra["n"].dump(), R"({"deep":[1,2.5,true,null]})");

  BOOST_CHECK_EQUAL(items[7].doc.metadata.title, "top title");
  BOOST_CHECK_EQUAL(items[7].doc.metadata.extra.value("url", ""), "https://x");
}

BOOST_AUTO_TEST_CASE(jsonl_twenty_megabyte_line) {
  TempDir dir;
  std::string big;
  big.reserve(20 << 20);
  const std::string chunk = "中文正文";
  while (big.size() < (20u << 20)) big += chunk;
  std::string file = dir / "big.jsonl.zst";
  std::string plain = R"({"id":"small","text":"s"})" "\n" R"({"id":"big","text":")" + big + "\"}\n" +
                      R"({"id":"after","text":"a"})" "\n";
  WriteFile(dir / "big.jsonl", plain);
  WriteFile(file, Zstd(plain));
  for (const std::string& f : {dir / "big.jsonl", file}) {
    BOOST_TEST_CONTEXT(f) {
      std::vector<Item> items = Read({f});
      BOOST_REQUIRE_EQUAL(items.size(), 3u);
      BOOST_CHECK_EQUAL(items[1].doc.id, "big");
      BOOST_CHECK(items[1].doc.text == big);
      BOOST_CHECK_EQUAL(items[2].doc.id, "after");
    }
  }
}

BOOST_AUTO_TEST_CASE(stdin_auto_detects_jsonl) {
  std::istringstream in("\n" R"({"id":"s1","text":"一"})" "\n" R"({"id":"s2","text":"二"})" "\n");
  ReaderOptions options;
  options.stdin_stream = &in;
  std::vector<Item> items = Read({"-"}, options);
  BOOST_REQUIRE_EQUAL(items.size(), 2u);
  BOOST_CHECK_EQUAL(items[0].doc.id, "s1");
  BOOST_CHECK_EQUAL(items[0].doc.metadata.path, "-");
  BOOST_CHECK_EQUAL(items[1].doc.text, "二");
  // Line numbers count from the real first line, blank or not.
  std::istringstream bad("\n" R"({"text":"x"})" "\n" R"({"no":"text"})" "\n");
  options.stdin_stream = &bad;
  items = Read({"-"}, options);
  BOOST_REQUIRE_EQUAL(items.size(), 2u);
  BOOST_CHECK_EQUAL(items[0].doc.id, "-:2");
  BOOST_CHECK_EQUAL(items[1].diag.problems().at(0).location.line, 3);
}

BOOST_AUTO_TEST_CASE(stdin_auto_detects_a_document_without_losing_bytes) {
  struct Case {
    std::string name;
    std::string input;
  };
  const std::vector<Case> cases = {
      {"markdown", "\r\n\n# 标题\r\n\n正文\n"},
      {"json object without text", "{\"title\":\"x\"}\nmore\n"},
      {"json array", "[1,2,3]\n"},
      {"empty", ""},
      {"no newline", "only one line"},
      {"long first line", std::string(3 << 20, 'x') + "\nsecond"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      std::istringstream in(c.input);
      ReaderOptions options;
      options.stdin_stream = &in;
      std::vector<Item> items = Read({"-"}, options);
      BOOST_REQUIRE_EQUAL(items.size(), 1u);
      BOOST_CHECK_EQUAL(items[0].doc.id, "-");
      BOOST_CHECK(items[0].doc.format == SourceFormat::kAuto);
      BOOST_CHECK(!items[0].diag.failed());
      BOOST_CHECK(items[0].doc.text == c.input);
    }
  }
}

BOOST_AUTO_TEST_CASE(stdin_with_explicit_kinds) {
  const std::string jsonl = R"({"id":"j","text":"t"})" "\n";
  std::istringstream as_doc(jsonl);
  ReaderOptions options;
  options.kind = InputKind::kDocument;
  options.stdin_stream = &as_doc;
  std::vector<Item> items = Read({"-"}, options);
  BOOST_REQUIRE_EQUAL(items.size(), 1u);
  BOOST_CHECK_EQUAL(items[0].doc.text, jsonl);

  std::istringstream gz(Gzip(jsonl));
  options.kind = InputKind::kJsonl;
  options.stdin_stream = &gz;
  items = Read({"-"}, options);
  BOOST_REQUIRE_EQUAL(items.size(), 1u);
  BOOST_CHECK_EQUAL(items[0].doc.id, "j");

  // Naming stdin twice does not silently yield an empty second document.
  std::istringstream twice(jsonl);
  options.kind = InputKind::kDocument;
  options.stdin_stream = &twice;
  items = Read({"-", "-"}, options);
  BOOST_REQUIRE_EQUAL(items.size(), 2u);
  BOOST_CHECK(!items[0].diag.failed());
  BOOST_CHECK(items[1].diag.failed());
}

BOOST_AUTO_TEST_CASE(jsonl_in_a_directory_and_documents_interleave_in_path_order) {
  TempDir dir;
  WriteFile(dir / "a.md", "a");
  WriteFile(dir / "b.jsonl.gz", Gzip(R"({"id":"r1","text":"1"})" "\n" R"({"id":"r2","text":"2"})" "\n"));
  WriteFile(dir / "c.md", "c");
  std::vector<Item> items = Read({dir.str()});
  BOOST_REQUIRE_EQUAL(items.size(), 4u);
  BOOST_CHECK_EQUAL(items[0].doc.id, "a.md");
  BOOST_CHECK_EQUAL(items[1].doc.id, "r1");
  BOOST_CHECK_EQUAL(items[1].doc.metadata.path, dir / "b.jsonl.gz");
  BOOST_CHECK_EQUAL(items[2].doc.id, "r2");
  BOOST_CHECK_EQUAL(items[3].doc.id, "c.md");
}

BOOST_AUTO_TEST_CASE(lines_across_buffer_boundaries_keep_their_order) {
  TempDir dir;
  std::string text;
  std::mt19937 rng(7);
  std::vector<std::string> bodies;
  for (int i = 0; i < 60000; ++i) {
    bodies.push_back(std::string(rng() % 300, static_cast<char>('a' + i % 26)));
    text += R"({"id":")" + std::to_string(i) + R"(","text":")" + bodies.back() + "\"}" + (i % 3 ? "\n" : "\r\n");
  }
  BOOST_REQUIRE_GT(text.size(), 4u << 20);  // several read buffers
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"p.jsonl", text}, {"g.jsonl.gz", Gzip(text)}, {"z.jsonl.zst", Zstd(text)}}) {
    BOOST_TEST_CONTEXT(name) {
      WriteFile(dir / name, bytes);
      std::vector<Item> items = Read({dir / name});
      BOOST_REQUIRE_EQUAL(items.size(), bodies.size());
      bool all = true;
      for (std::size_t i = 0; i < items.size(); ++i)
        all = all && items[i].doc.id == std::to_string(i) && items[i].doc.text == bodies[i] && !items[i].diag.failed();
      BOOST_CHECK(all);
    }
  }
}

// Robustness: damaged compressed files and random bytes never crash, hang or throw; every
// record read is either a document or a failure that names the file.
BOOST_AUTO_TEST_CASE(damaged_inputs_never_crash) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 3000; ++i) text += R"({"id":")" + std::to_string(i) + R"(","text":"内容 )" + std::to_string(i) + "\"}\n";
  const std::string gz = Gzip(text), zst = Zstd(text);
  std::mt19937 rng(42);
  for (int round = 0; round < 60; ++round) {
    std::string bytes = round % 3 == 0 ? gz : round % 3 == 1 ? zst : text;
    for (int k = 0; k < 1 + round % 5; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (round % 4 == 0) bytes.resize(rng() % bytes.size());
    std::string file = dir / ("d" + std::to_string(round) + ".jsonl");
    WriteFile(file, bytes);
    std::vector<Item> items;
    BOOST_CHECK_NO_THROW(items = Read({file}));
    for (const Item& it : items) {
      if (it.diag.failed()) BOOST_CHECK_EQUAL(it.diag.problems().at(0).path, file);
      else BOOST_CHECK(!it.doc.id.empty());
    }
  }
  std::string noise;
  for (int i = 0; i < 1 << 20; ++i) noise.push_back(static_cast<char>(rng()));
  WriteFile(dir / "noise.jsonl", noise);
  std::vector<Item> items = Read({dir / "noise.jsonl"});
  for (const Item& it : items) BOOST_CHECK(it.diag.failed());
}
