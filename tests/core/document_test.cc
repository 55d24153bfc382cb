#define BOOST_TEST_MODULE core_document
#include <boost/test/unit_test.hpp>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/core/stage.h"

using zhcanon::Metadata;
using nlohmann::ordered_json;

BOOST_AUTO_TEST_CASE(format_from_path) {
  struct Case { const char* path; zhcanon::SourceFormat want; };
  const Case cases[] = {
      {"a/b.md", zhcanon::SourceFormat::kMarkdown},
      {"A.MARKDOWN", zhcanon::SourceFormat::kMarkdown},
      {"x.html", zhcanon::SourceFormat::kHtml},
      {"x.HTM", zhcanon::SourceFormat::kHtml},
      {"x.xhtml", zhcanon::SourceFormat::kHtml},
      {"seed.txt", zhcanon::SourceFormat::kAuto},
      {"noext", zhcanon::SourceFormat::kAuto},
  };
  for (const Case& c : cases) BOOST_CHECK_MESSAGE(zhcanon::FormatFromPath(c.path) == c.want, c.path);
}

BOOST_AUTO_TEST_CASE(metadata_round_trip_keeps_free_form_keys_in_order) {
  ordered_json in = ordered_json::parse(R"({
    "title": "标题", "date": "2025-02-07 23:01:26", "lang": ["zh-CN"],
    "tags": "qq", "categories": ["qq", "tech"], "thumbnail": "https://x/y.jpg",
    "comments": false, "widgets": ["search", "recent"]})");
  Metadata m = zhcanon::MetadataFromJson(in);
  BOOST_CHECK_EQUAL(m.title, "标题");
  BOOST_CHECK_EQUAL(m.lang, "zh-CN");
  BOOST_REQUIRE_EQUAL(m.tags.size(), 1u);
  BOOST_CHECK_EQUAL(m.tags[0], "qq");
  BOOST_CHECK_EQUAL(m.categories.size(), 2u);
  BOOST_CHECK(!m.extra.contains("lang_list"));
  ordered_json out = zhcanon::MetadataToJson(m);
  BOOST_CHECK_EQUAL(out["thumbnail"], "https://x/y.jpg");
  BOOST_CHECK_EQUAL(out["comments"], false);
  BOOST_CHECK_EQUAL(out.begin().key(), "title");
  BOOST_CHECK(zhcanon::MetadataFromJson(out) == m);
}

BOOST_AUTO_TEST_CASE(metadata_keeps_wrongly_typed_known_keys) {
  Metadata m = zhcanon::MetadataFromJson(ordered_json::parse(R"({"title": {"zh": "x"}, "lang": ["zh-CN", "en"]})"));
  BOOST_CHECK(m.title.empty());
  BOOST_CHECK_EQUAL(m.extra["title"]["zh"], "x");
  BOOST_CHECK_EQUAL(m.lang, "zh-CN");
  BOOST_CHECK_EQUAL(m.extra["lang_list"].size(), 2u);
}

BOOST_AUTO_TEST_CASE(diagnostics_severity) {
  zhcanon::Diagnostics d;
  d.Warn("decode", "replaced", {.byte_offset = 12});
  BOOST_CHECK(!d.failed());
  d.Fail("strip", "bad", {.line = 3, .column = 2});
  BOOST_CHECK(d.failed());
  BOOST_CHECK(!d.aborted());
  d.Abort("decode", "stop");
  BOOST_CHECK(d.aborted());
  zhcanon::Problem p = d.problems()[1];
  p.path = "a.md";
  BOOST_CHECK_EQUAL(zhcanon::FormatProblem(p), "a.md:3:2: error: strip: bad");
  p = d.problems()[0];
  p.doc_id = "x";
  BOOST_CHECK_EQUAL(zhcanon::FormatProblem(p), "x: byte 12: warning: decode: replaced");
  d.Clear();
  BOOST_CHECK(!d.failed() && d.problems().empty());
}

BOOST_AUTO_TEST_CASE(policy_names) {
  BOOST_CHECK(zhcanon::ParseOnInvalid("skip") == zhcanon::OnInvalid::kSkip);
  BOOST_CHECK_THROW(zhcanon::ParseOnInvalid("ignore"), std::invalid_argument);
  BOOST_CHECK_THROW(zhcanon::ParseSourceFormat("pdf"), std::invalid_argument);
}
