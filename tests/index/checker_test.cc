#define BOOST_TEST_MODULE index_checker
#include <boost/test/unit_test.hpp>

#include "test_util.h"
#include "zhcanon/index/checker.h"
#include "zhcanon/index/corpus_index.h"
#include "zhcanon/index/index_writer.h"

using zhcanon::Document;
using zhcanon::Problem;
using zhcanon::index::Checker;
using zhcanon::index::CheckOptions;
using zhcanon::index::CorpusIndex;
using zhcanon::index::FindingKind;
using zhcanon::testing::TempDir;
namespace dedup = zhcanon::dedup;

namespace {

const dedup::Fingerprinter& Fp() {
  static const dedup::Fingerprinter fp{dedup::FingerprintOptions{}};
  return fp;
}

const std::string kArticle =
    "第一段讲的是一家公司的新产品，它在发布会上展示了很多新的功能，吸引了不少观众的注意。\n\n"
    "第二段讲的是市场的反应，分析师认为这款产品的价格偏高，但是功能确实有所提升，值得关注。\n\n"
    "第三段讲的是竞争对手的动向，几家同行都表示会在年内推出类似的产品，市场竞争将更加激烈。";

Document Doc(const std::string& id, const std::string& text, const std::string& path = "") {
  Document d;
  d.id = id;
  d.text = text;
  d.metadata.path = path.empty() ? id : path;
  return d;
}

std::vector<FindingKind> Kinds(const zhcanon::index::CheckedDocument& d) {
  std::vector<FindingKind> k;
  for (const auto& f : d.findings) k.push_back(f.kind);
  return k;
}

}  // namespace

BOOST_AUTO_TEST_CASE(finding_kind_names) {
  BOOST_CHECK_EQUAL(zhcanon::index::FindingKindName(FindingKind::kDuplicate), "duplicate");
  BOOST_CHECK_EQUAL(zhcanon::index::FindingKindName(FindingKind::kBatchDuplicate), "batch-duplicate");
  BOOST_CHECK_EQUAL(zhcanon::index::FindingKindName(FindingKind::kInvalid), "invalid");
  BOOST_CHECK_EQUAL(zhcanon::index::FindingKindName(FindingKind::kMissingMetadata), "missing-metadata");
  BOOST_CHECK_EQUAL(zhcanon::index::FindingKindName(FindingKind::kNotCanonical), "not-canonical");
}

BOOST_AUTO_TEST_CASE(snapshots_keep_the_text_and_the_stripped_title) {
  Document d = Doc("a.md", "正文");
  d.metadata.title = "标题";
  zhcanon::Diagnostics diag;
  zhcanon::index::SnapshotStage(zhcanon::index::kSourceSnapshot).Process(d, diag);
  zhcanon::index::SnapshotStage(zhcanon::index::kStrippedSnapshot).Process(d, diag);
  BOOST_CHECK_EQUAL(d.metadata.extra[std::string(zhcanon::index::kSourceSnapshot)], "正文");
  BOOST_CHECK_EQUAL(d.metadata.extra[std::string(zhcanon::index::kStrippedSnapshot)]["title"], "标题");
  BOOST_CHECK(!diag.failed());
}

// Problems arrive before the document they belong to is written (pipeline::Run's order): they
// join it; a failed document (problems only) is a document of its own.
BOOST_AUTO_TEST_CASE(problems_join_their_document_in_input_order) {
  Checker checker(nullptr, Fp(), {});
  checker.OnProblem({.doc_id = "bad.md", .path = "in/bad.md", .stage = "strip", .message = "front matter: x",
                     .location = {.line = 3, .column = 2}});
  checker.OnProblem({.doc_id = "warn.txt", .path = "in/warn.txt", .stage = "decode", .message = "invalid bytes",
                     .location = {.line = 0}, .severity = zhcanon::Severity::kWarning});
  checker.Write(Doc("warn.txt", kArticle, "in/warn.txt"));
  checker.Write(Doc("ok.txt", kArticle + "\n\n另外一段。", "in/ok.txt"));
  checker.OnProblem({.doc_id = "c.jsonl:7", .path = "c.jsonl", .stage = "strip", .message = "no text", .location = {.line = 2}});
  checker.Commit();
  const auto& docs = checker.documents();
  BOOST_REQUIRE_EQUAL(docs.size(), 4u);
  BOOST_CHECK_EQUAL(docs[0].id, "bad.md");
  BOOST_CHECK(!docs[0].processed);
  BOOST_CHECK(!docs[0].record);
  BOOST_REQUIRE_EQUAL(docs[0].findings.size(), 1u);
  BOOST_CHECK_EQUAL(docs[0].findings[0].message, "strip: front matter: x");
  BOOST_CHECK_EQUAL(docs[0].findings[0].location.line, 3);
  BOOST_CHECK_EQUAL(docs[0].findings[0].location.column, 2);
  BOOST_CHECK_EQUAL(docs[1].id, "warn.txt");
  BOOST_CHECK(docs[1].processed);
  BOOST_REQUIRE(!docs[1].findings.empty());
  BOOST_CHECK(docs[1].findings[0].severity == zhcanon::Severity::kWarning);
  BOOST_CHECK_EQUAL(docs[1].findings[0].location.line, 1);  // unknown: the file
  // warn.txt and ok.txt are near duplicates of each other: the shorter one (warn.txt; --keep
  // default prefers the longer) is reported.
  BOOST_CHECK(Kinds(docs[1]) == (std::vector<FindingKind>{FindingKind::kInvalid, FindingKind::kBatchDuplicate}));
  BOOST_CHECK_EQUAL(docs[1].findings[1].match->path, "in/ok.txt");
  BOOST_CHECK(docs[2].findings.empty());
  BOOST_CHECK(docs[3].record);
  BOOST_CHECK_EQUAL(docs[3].findings[0].location.line, 7);  // the record's line, from its id
  BOOST_CHECK_EQUAL(docs[3].findings[0].message, "strip: no text (line 2 of the record's text)");
  BOOST_CHECK_EQUAL(checker.findings(), 4u);
}

BOOST_AUTO_TEST_CASE(required_metadata_fields) {
  CheckOptions o;
  o.require = {"title", "tags", "source", "views", "empty", "nothing", "date"};
  o.batch = false;
  Checker checker(nullptr, Fp(), o);
  Document d = Doc("a.md", kArticle);
  d.metadata.title = "有标题";
  d.metadata.tags = {"新闻"};
  d.metadata.extra["source"] = "qq";
  d.metadata.extra["views"] = 0;         // a number is a value
  d.metadata.extra["empty"] = "";        // an empty string is not
  d.metadata.extra["nothing"] = nullptr;  // nor null
  checker.Write(d);
  const auto& f = checker.documents().at(0).findings;
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_CHECK(f[0].kind == FindingKind::kMissingMetadata);
  BOOST_CHECK(f[0].missing == (std::vector<std::string>{"empty", "nothing", "date"}));
  BOOST_CHECK_EQUAL(f[0].message, "missing required metadata: empty, nothing, date");
}

BOOST_AUTO_TEST_CASE(duplicates_of_indexed_documents_and_their_own_id) {
  TempDir dir;
  auto index = CorpusIndex::Create(dir / "a.db", {});
  index.BeginBatch("add", "test");
  zhcanon::index::IndexedDocument a;
  a.id = "old.md";
  a.path = "corpus/old.md";
  a.title = "旧文章";
  a.entry = zhcanon::index::EntryFor(Doc("old.md", kArticle), Fp().Compute(kArticle));
  index.Add(a, false);
  index.CommitBatch();

  CheckOptions o;
  o.cluster = index.settings().cluster;
  Checker checker(&index, Fp(), o);
  checker.Write(Doc("copy.md", kArticle));
  checker.Write(Doc("old.md", kArticle + "\n\n编辑后加的一段话，不影响判断。"));  // its own earlier version
  checker.Write(Doc("edited.md", kArticle + "\n\n编辑后加的一段话，不影响判断。"));
  checker.Commit();
  const auto& docs = checker.documents();
  BOOST_REQUIRE_EQUAL(docs.size(), 3u);
  BOOST_REQUIRE(Kinds(docs[0]) == std::vector<FindingKind>{FindingKind::kDuplicate});
  const auto& m = *docs[0].findings[0].match;
  BOOST_CHECK(m.indexed);
  BOOST_CHECK_EQUAL(m.id, "old.md");
  BOOST_CHECK_EQUAL(m.path, "corpus/old.md");
  BOOST_CHECK_EQUAL(m.title, "旧文章");
  BOOST_CHECK(m.kind == dedup::MatchKind::kExact);
  BOOST_CHECK_EQUAL(docs[0].findings[0].message, "exact duplicate of indexed document \"old.md\"");
  // old.md: not a duplicate of itself, so it is compared with the batch: edited.md is its copy.
  BOOST_CHECK(Kinds(docs[2]) == std::vector<FindingKind>{FindingKind::kDuplicate});
  BOOST_CHECK(docs[2].findings[0].match->kind == dedup::MatchKind::kNear);
  BOOST_CHECK(docs[1].findings.empty());

  o.cluster.max_distance = index.settings().max_distance + 1;
  BOOST_CHECK_THROW(Checker(&index, Fp(), o), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(not_canonical_diffs_the_text_after_strip_and_finds_the_source_line) {
  CheckOptions o;
  o.canonical = true;
  Checker checker(nullptr, Fp(), o);
  Document d = Doc("a.md", "第一段。\n\n第二段，已经改过。");
  d.metadata.title = "标题";
  d.metadata.extra[std::string(zhcanon::index::kSourceSnapshot)] = "---\ntitle: 標題\n---\n\n第一段。\n\n第二段,已經改過.\n";
  d.metadata.extra[std::string(zhcanon::index::kStrippedSnapshot)] = {{"text", "第一段。\n\n第二段,已經改過."}, {"title", "標題"}};
  d.metadata.extra["t2s_changed_chars"] = 3;
  d.metadata.extra["punct_changes"] = 2;
  checker.Write(d);
  Document same = Doc("b.md", "没有变化的文章。");
  same.metadata.extra[std::string(zhcanon::index::kStrippedSnapshot)] = {{"text", "没有变化的文章。"}, {"title", ""}};
  checker.Write(same);
  const auto& f = checker.documents().at(0).findings;
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_CHECK(f[0].kind == FindingKind::kNotCanonical);
  BOOST_CHECK(f[0].severity == zhcanon::Severity::kWarning);
  BOOST_CHECK_EQUAL(f[0].location.line, 7);
  BOOST_CHECK_EQUAL(f[0].message,
                    "not canonical: the pipeline would change the title and 1 line (t2s: 3 characters, punct: 2 changes)");
  BOOST_CHECK_EQUAL(f[0].diff, "title: -標題\ntitle: +标题\n@@ -2,2 +2,2 @@\n \n-第二段,已經改過.\n+第二段，已经改过。\n");
  BOOST_CHECK(checker.documents().at(1).findings.empty());
}
