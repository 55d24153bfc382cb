#define BOOST_TEST_MODULE dedup_fingerprint
#include <boost/test/unit_test.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dedup_test_util.h"
#include "test_util.h"
#include "zhcanon/convert/converter.h"
#include "zhcanon/core/error.h"
#include "zhcanon/dedup/fingerprint.h"

using zhcanon::dedup::EstimateContainment;
using zhcanon::dedup::EstimateJaccard;
using zhcanon::dedup::Fingerprint;
using zhcanon::dedup::Fingerprinter;
using zhcanon::dedup::FingerprintOptions;
using zhcanon::dedup::HammingDistance;
using zhcanon::dedup::kParagraphSamples;
using zhcanon::dedup::kSketchSize;
using zhcanon::dedup::SharedParagraphs;
using zhcanon::dedup::Tokenizer;
using zhcanon::dedup::Weighting;

namespace {

using zhcanon::testing::Paragraphs;
using zhcanon::testing::Seed;
using zhcanon::testing::Traditional;

// Loading OpenCC's dictionaries takes a moment: one folding fingerprinter for the whole suite.
const Fingerprinter& Folding() {
  static const Fingerprinter fp;
  return fp;
}

FingerprintOptions NoFold() {
  FingerprintOptions o;
  o.fold_variants = false;
  return o;
}

// The code points of a UTF-8 string, as strings.
std::vector<std::string> CodePoints(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// The reference SimHash and sketch of kChars features, straight from the definitions: the
// n-grams of the view's characters (paragraph breaks skipped), XXH3-64 of their bytes, weight
// per term frequency, sign per bit; the sketch's minimum per bin (non-empty bins only).
struct Reference {
  std::uint64_t simhash = 0;
  std::uint32_t features = 0;
  std::array<std::uint64_t, kSketchSize> mins{};
};

Reference ReferenceOf(const std::string& view, int n, Weighting weighting) {
  std::vector<std::string> cps;
  for (const std::string& c : CodePoints(view))
    if (c != "\n") cps.push_back(c);
  std::map<std::uint64_t, int> tf;
  if (!cps.empty()) {
    const std::size_t windows = cps.size() >= static_cast<std::size_t>(n) ? cps.size() - n + 1 : 1;
    for (std::size_t i = 0; i < windows; ++i) {
      std::string gram;
      for (std::size_t j = i; j < std::min(cps.size(), i + static_cast<std::size_t>(n)); ++j) gram += cps[j];
      std::uint64_t h = XXH3_64bits(gram.data(), gram.size());
      ++tf[h];
    }
  }
  Reference r;
  r.features = static_cast<std::uint32_t>(tf.size());
  double acc[64] = {};
  r.mins.fill(~std::uint64_t{0});
  for (const auto& [h, count] : tf) {
    const double w = weighting == Weighting::kBinary  ? 1.0
                     : weighting == Weighting::kCount ? count
                                                      : 1.0 + std::log(static_cast<double>(count));
    for (int b = 0; b < 64; ++b) acc[b] += ((h >> b) & 1) ? w : -w;
    const std::uint64_t v = h & ((std::uint64_t{1} << 58) - 1);
    r.mins[h >> 58] = std::min(r.mins[h >> 58], v);
  }
  for (int b = 0; b < 64; ++b)
    if (acc[b] > 0) r.simhash |= std::uint64_t{1} << b;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(view_folds_what_copies_change) {
  const Fingerprinter fp(NoFold());
  struct Case {
    const char* name;
    std::string input, expected;
  };
  const std::vector<Case> cases = {
      {"latin case and ascii punctuation", "Hello, World!", "helloworld"},
      {"full-width letters and digits", "ＡＢＣ１２３", "abc123"},
      {"chinese punctuation", "你好，世界！“引号”《书名》", "你好世界引号书名"},
      {"white space of every kind", "甲 乙\t丙\u3000丁\u00A0戊", "甲乙丙丁戊"},
      {"format characters (zero width space, BOM)", "\uFEFF甲\u200B乙", "甲乙"},
      {"symbols and emoji", "价格$100 ©2025 好😀", "价格1002025好"},
      {"paragraph breaks collapse to one", "第一段。\n\n\n第二段。", "第一段\n第二段"},
      {"single line breaks are paragraph breaks too", "甲\n乙", "甲\n乙"},
      {"CRLF and U+2029", "甲\r\n乙\u2029丙", "甲\n乙\n丙"},
      {"breaks around dropped-only lines collapse", "甲\n。。\n \n乙", "甲\n乙"},
      {"no leading or trailing break", "\n\n  文字  \n\n", "文字"},
      {"invalid UTF-8 is skipped", "a\xFF\xC0\x80" "b\xE4\xB8", "ab"},
      {"NUL is dropped", std::string("a\0b", 3), "ab"},
      {"compatibility ideograph folds to unified", "\uF900", "\u8C48"},
      {"circled digit folds to digit", "①②", "12"},
      {"astral Han is kept", "\U00020000字", "\U00020000字"},
      {"astral math letter folds", "\U0001D400", "a"},
      {"expanding compatibility character", "\u3392", "mhz"},
      {"a symbol that folds to a letter is folded, then kept", "\u3231 20\u2103", "株20c"},
      {"only punctuation is empty", "，。！？——", ""},
      {"empty", "", ""},
  };
  for (const Case& c : cases) {
    BOOST_TEST_INFO(c.name);
    BOOST_CHECK_EQUAL(fp.View(c.input), c.expected);
  }
}

BOOST_AUTO_TEST_CASE(view_folds_traditional_script_and_taiwan_vocabulary) {
  const Fingerprinter& fp = Folding();
  BOOST_CHECK_EQUAL(fp.View("漢字轉換。"), "汉字转换");
  // Taiwan vocabulary (s2twp's 軟體, 滑鼠) goes back to the mainland's words.
  BOOST_CHECK_EQUAL(fp.View("這個軟體很好用，滑鼠也是。"), "这个软件很好用鼠标也是");
  // Simplified text is left alone (no detour through hk2s for 温 户).
  BOOST_CHECK_EQUAL(fp.View("温度和用户"), "温度和用户");
}

BOOST_AUTO_TEST_CASE(expanding_characters_grow_the_buffers) {
  // U+FDFA folds to 18 characters; a long run of it must outgrow every initial buffer.
  const Fingerprinter fp(NoFold());
  const std::string one = fp.View("\uFDFA");
  BOOST_CHECK_GT(one.size(), 20u);
  std::string text, expected;
  for (int i = 0; i < 3000; ++i) text += "\uFDFA", expected += one;
  BOOST_CHECK_EQUAL(fp.View(text), expected);
  BOOST_CHECK_NO_THROW(fp.Compute(text));
}

BOOST_AUTO_TEST_CASE(rejects_bad_options) {
  FingerprintOptions o = NoFold();
  o.ngram = 0;
  BOOST_CHECK_THROW(Fingerprinter{o}, zhcanon::ConfigError);
  o.ngram = 17;
  BOOST_CHECK_THROW(Fingerprinter{o}, zhcanon::ConfigError);
  o.ngram = 16;
  BOOST_CHECK_NO_THROW(Fingerprinter{o});
  o.min_features = -1;
  BOOST_CHECK_THROW(Fingerprinter{o}, zhcanon::ConfigError);
}

BOOST_AUTO_TEST_CASE(empty_text) {
  const Fingerprint f = Fingerprinter(NoFold()).Compute("");
  BOOST_CHECK_EQUAL(f.features, 0u);
  BOOST_CHECK_EQUAL(f.view_chars, 0u);
  BOOST_CHECK(f.short_text);
  BOOST_CHECK_EQUAL(f.simhash, 0u);
  BOOST_CHECK_EQUAL(f.paragraph_count, 0u);
  for (auto v : f.sketch) BOOST_CHECK_EQUAL(v, 0);
  for (auto v : f.paragraphs) BOOST_CHECK_EQUAL(v, 0u);
  // The empty text is still an exact duplicate of another empty (or punctuation-only) text.
  const Fingerprint g = Fingerprinter(NoFold()).Compute("。。。");
  BOOST_CHECK(f == g);
  BOOST_CHECK_EQUAL(EstimateJaccard(f, g), 1.0);
}

BOOST_AUTO_TEST_CASE(features_are_distinct_ngrams) {
  FingerprintOptions o = NoFold();
  o.ngram = 2;
  const Fingerprinter fp(o);
  struct Case {
    std::string text;
    std::uint32_t features;
  };
  const std::vector<Case> cases = {
      {"甲乙甲乙甲乙", 2},      // 甲乙, 乙甲
      {"甲乙丙丁", 3},
      {"甲", 1},                // shorter than n: the whole text is the one feature
      {"甲，乙。丙", 2},        // punctuation is not there
      {"甲乙\n\n丙丁", 3},      // n-grams run across paragraph breaks
      {"", 0},
  };
  for (const Case& c : cases) {
    BOOST_TEST_INFO(c.text);
    BOOST_CHECK_EQUAL(fp.Compute(c.text).features, c.features);
  }
}

BOOST_AUTO_TEST_CASE(short_texts_are_flagged_by_min_features) {
  FingerprintOptions o = NoFold();
  o.ngram = 1;
  o.min_features = 5;
  const Fingerprinter fp(o);
  BOOST_CHECK(fp.Compute("甲乙丙丁").short_text);       // 4 distinct
  BOOST_CHECK(fp.Compute("甲乙丙丁甲乙丙丁").short_text);  // still 4
  BOOST_CHECK(!fp.Compute("甲乙丙丁戊").short_text);     // 5
  o.min_features = 0;  // a text without features is short all the same
  BOOST_CHECK(Fingerprinter(o).Compute("").short_text);
}

BOOST_AUTO_TEST_CASE(paragraph_breaks_change_exact_hash_and_paragraphs_only) {
  const Fingerprinter fp(NoFold());
  const std::string a = "第一段的文字相当长，足以拥有一个段落哈希值，对不对呢朋友们。第二段的文字也相当长，也足以拥有一个段落哈希值，对吧。";
  const std::string b = "第一段的文字相当长，足以拥有一个段落哈希值，对不对呢朋友们。\n\n第二段的文字也相当长，也足以拥有一个段落哈希值，对吧。";
  const Fingerprint fa = fp.Compute(a), fb = fp.Compute(b);
  BOOST_CHECK_EQUAL(fa.simhash, fb.simhash);
  BOOST_CHECK(fa.sketch == fb.sketch);
  BOOST_CHECK_EQUAL(fa.features, fb.features);
  BOOST_CHECK(fa.exact_lo != fb.exact_lo || fa.exact_hi != fb.exact_hi);
  BOOST_CHECK_EQUAL(fa.paragraph_count, 1u);
  BOOST_CHECK_EQUAL(fb.paragraph_count, 2u);
}

BOOST_AUTO_TEST_CASE(equal_views_give_equal_fingerprints) {
  const Fingerprinter fp(NoFold());
  const Fingerprint a = fp.Compute("今天，天气很好！我们去公园散步吧。\n\n明天 也许 会下雨。");
  const Fingerprint b = fp.Compute("今天天气很好 我们去公园散步吧……\r\n明天也许会下雨");
  BOOST_CHECK(a == b);
}

BOOST_AUTO_TEST_CASE(paragraph_samples_are_the_smallest_distinct_hashes) {
  FingerprintOptions o = NoFold();
  o.min_paragraph_chars = 5;
  const Fingerprinter fp(o);
  std::vector<std::string> paras = {"短段",  // too short: no hash
                                    "第一个足够长的段落", "第二个足够长的段落", "第三个足够长的段落",
                                    "第四个足够长的段落", "第五个足够长的段落", "第六个足够长的段落"};
  std::string text;
  for (const auto& p : paras) text += p + "\n\n";
  text += paras[1];  // a repeated paragraph counts, but is sampled once
  const Fingerprint f = fp.Compute(text);
  BOOST_CHECK_EQUAL(f.paragraph_count, 7u);
  std::vector<std::uint64_t> hashes;
  for (std::size_t i = 1; i < paras.size(); ++i) {
    std::uint64_t h = XXH3_64bits(paras[i].data(), paras[i].size());
    hashes.push_back(h == 0 ? 1 : h);
  }
  std::sort(hashes.begin(), hashes.end());
  for (int i = 0; i < kParagraphSamples; ++i) BOOST_CHECK_EQUAL(f.paragraphs[i], hashes[i]);

  // Fewer paragraphs than slots: the rest are 0.
  const Fingerprint g = fp.Compute(paras[1] + "\n" + paras[0]);
  BOOST_CHECK_EQUAL(g.paragraph_count, 1u);
  BOOST_CHECK_EQUAL(g.paragraphs[0], XXH3_64bits(paras[1].data(), paras[1].size()));
  for (int i = 1; i < kParagraphSamples; ++i) BOOST_CHECK_EQUAL(g.paragraphs[i], 0u);
  BOOST_CHECK_EQUAL(SharedParagraphs(f, g), 1);
  BOOST_CHECK_EQUAL(SharedParagraphs(g, Fingerprint{}), 0);
}

// The fast path (open-addressing set, carry-save bit counts, fixed-point weights) equals the
// definition computed the slow way.
BOOST_AUTO_TEST_CASE(simhash_and_sketch_equal_the_reference) {
  const std::vector<std::string> texts = {Seed("000"), Seed("002"), Seed("004"),
                                          "甲乙甲乙甲乙甲乙甲乙丙丁丙丁丙丁戊己庚辛壬癸" + Seed("003"),
                                          "The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。"};
  for (Weighting w : {Weighting::kSublinear, Weighting::kCount, Weighting::kBinary})
    for (int n : {1, 2, 4, 7}) {
      FingerprintOptions o = NoFold();
      o.ngram = n;
      o.weighting = w;
      const Fingerprinter fp(o);
      for (const std::string& t : texts) {
        const Fingerprint f = fp.Compute(t);
        const Reference r = ReferenceOf(fp.View(t), n, w);
        BOOST_TEST_INFO("n=" << n << " weighting=" << static_cast<int>(w) << " text=" << t.substr(0, 30));
        BOOST_CHECK_EQUAL(f.features, r.features);
        BOOST_CHECK_EQUAL(f.simhash, r.simhash);
        for (int b = 0; b < kSketchSize; ++b)
          if (r.mins[b] != ~std::uint64_t{0}) BOOST_CHECK_EQUAL(f.sketch[b], static_cast<std::uint16_t>(r.mins[b]));
      }
    }
}

BOOST_AUTO_TEST_CASE(weighting_matters_only_for_repeated_features) {
  FingerprintOptions o = NoFold();
  o.ngram = 3;
  // Distinct characters only: no 3-gram can repeat.
  std::string unique;
  {
    std::set<std::string> seen;
    for (const std::string& c : CodePoints(Fingerprinter(NoFold()).View(Seed("000"))))
      if (c != "\n" && seen.insert(c).second && seen.size() <= 300) unique += c;
  }
  std::string repeated = unique;
  for (int i = 0; i < 40; ++i) repeated += "点击这里订阅我们的频道";
  std::map<Weighting, Fingerprint> u, r;
  for (Weighting w : {Weighting::kSublinear, Weighting::kCount, Weighting::kBinary}) {
    o.weighting = w;
    const Fingerprinter fp(o);
    u[w] = fp.Compute(unique);
    r[w] = fp.Compute(repeated);
  }
  // Without repeats the weights are all 1.
  BOOST_CHECK_EQUAL(u[Weighting::kBinary].simhash, u[Weighting::kSublinear].simhash);
  // A boilerplate phrase repeated 40 times pulls count weighting towards itself more than
  // sublinear weighting.
  const int d_count = HammingDistance(r[Weighting::kCount].simhash, u[Weighting::kCount].simhash);
  const int d_sub = HammingDistance(r[Weighting::kSublinear].simhash, u[Weighting::kSublinear].simhash);
  BOOST_CHECK_GT(d_count, d_sub);
}

BOOST_AUTO_TEST_CASE(token_features) {
  FingerprintOptions o = NoFold();
  o.ngram = 2;
  o.min_features = 1;
  o.tokenizer = Tokenizer::kSpaceTokens;
  const Fingerprinter space(o);
  BOOST_CHECK_EQUAL(space.Compute("a b c d").features, 3u);
  BOOST_CHECK(space.Compute("A  B\tC\nD").simhash == space.Compute("a b c d").simhash);
  BOOST_CHECK_EQUAL(space.Compute("甲乙丙，丁戊。").features, 1u);  // one token: fewer than n
  BOOST_CHECK_EQUAL(space.Compute(" \n ").features, 0u);
  o.tokenizer = Tokenizer::kWordTokens;
  const Fingerprinter word(o);
  // hello | world | foo_bar | 你好世界: \W splits on punctuation and spaces, '_' is a word character.
  BOOST_CHECK_EQUAL(word.Compute("Hello, world! foo_bar 你好世界").features, 3u);
  BOOST_CHECK(word.Compute("HELLO...WORLD").simhash == word.Compute("hello world").simhash);
  // The view and its hashes do not depend on the tokenizer.
  const Fingerprint c = Fingerprinter(NoFold()).Compute("Hello, world! foo_bar 你好世界");
  const Fingerprint w = word.Compute("Hello, world! foo_bar 你好世界");
  BOOST_CHECK_EQUAL(c.exact_hi, w.exact_hi);
  BOOST_CHECK_EQUAL(c.exact_lo, w.exact_lo);
}

BOOST_AUTO_TEST_CASE(similarity_estimates) {
  const Fingerprinter fp(NoFold());
  const std::string a = Seed("002");
  const std::vector<std::string> paras = Paragraphs(a);
  std::string half;
  for (std::size_t i = 0; i < paras.size() / 2; ++i) half += paras[i] + "\n\n";
  const Fingerprint fa = fp.Compute(a), fh = fp.Compute(half), fo = fp.Compute(Seed("003"));
  BOOST_CHECK_EQUAL(EstimateJaccard(fa, fa), 1.0);
  BOOST_CHECK_EQUAL(EstimateContainment(fa, fa), 1.0);
  BOOST_CHECK_LT(EstimateJaccard(fa, fo), 0.1);  // different stories
  BOOST_CHECK_LT(EstimateContainment(fa, fo), 0.2);
  const double j = EstimateJaccard(fa, fh);
  BOOST_CHECK_GT(j, 0.3);
  BOOST_CHECK_LT(j, 0.7);
  BOOST_CHECK_GT(EstimateContainment(fa, fh), 0.85);  // half is (mostly) inside the whole
  BOOST_CHECK_EQUAL(EstimateContainment(fa, fh), EstimateContainment(fh, fa));
  BOOST_CHECK_EQUAL(EstimateJaccard(fa, Fingerprint{}), 0.0);
}

BOOST_AUTO_TEST_CASE(short_texts_get_a_densified_sketch) {
  FingerprintOptions o = NoFold();
  o.ngram = 1;
  const Fingerprinter fp(o);
  // Three features in 64 bins: every bin holds one of their values.
  const Fingerprint f = fp.Compute("甲乙丙");
  BOOST_CHECK_EQUAL(f.features, 3u);
  std::set<std::uint16_t> values(f.sketch.begin(), f.sketch.end());
  BOOST_CHECK_LE(values.size(), 3u);
  BOOST_CHECK_EQUAL(EstimateJaccard(f, fp.Compute("丙乙甲")), 1.0);
}

BOOST_AUTO_TEST_CASE(seed_copies_in_traditional_script) {
  const Fingerprinter& fp = Folding();
  for (const char* id : {"000", "001", "002", "003", "004"}) {
    const Fingerprint original = fp.Compute(Seed(id));
    // s2t and s2hk round-trip through t2s/hk2s exactly on these articles.
    for (const char* config : {"s2t", "s2hk"}) {
      BOOST_TEST_INFO(id << " " << config);
      BOOST_CHECK(fp.Compute(Traditional(id, config)) == original);
    }
    // s2twp also changes vocabulary, which tw2sp does not always restore (截图 → 截圖 → 截屏).
    const Fingerprint twp = fp.Compute(Traditional(id, "s2twp"));
    BOOST_TEST_INFO(id << " s2twp");
    BOOST_CHECK_LE(HammingDistance(original.simhash, twp.simhash), 8);
    BOOST_CHECK_GE(EstimateJaccard(original, twp), 0.85);
    BOOST_CHECK_GE(SharedParagraphs(original, twp), 1);
  }
}

BOOST_AUTO_TEST_CASE(different_stories_on_one_topic_are_far_apart) {
  const Fingerprinter& fp = Folding();
  const std::vector<Fingerprint> f = {fp.Compute(Seed("000")), fp.Compute(Seed("002")), fp.Compute(Seed("003"))};
  for (std::size_t i = 0; i < f.size(); ++i)
    for (std::size_t j = i + 1; j < f.size(); ++j) {
      BOOST_CHECK_GT(HammingDistance(f[i].simhash, f[j].simhash), 12);
      BOOST_CHECK_LT(EstimateJaccard(f[i], f[j]), 0.1);
      BOOST_CHECK_EQUAL(SharedParagraphs(f[i], f[j]), 0);
    }
}

BOOST_AUTO_TEST_CASE(deterministic_and_thread_safe) {
  const Fingerprinter& fp = Folding();
  const std::vector<std::string> texts = {Seed("000"), Seed("001"), Seed("002"), Traditional("003", "s2twp")};
  std::vector<Fingerprint> expected;
  for (const auto& t : texts) expected.push_back(fp.Compute(t));
  std::vector<int> failures(2, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep)
        for (std::size_t i = 0; i < texts.size(); ++i)
          if (!(fp.Compute(texts[(i + t) % texts.size()]) == expected[(i + t) % texts.size()])) ++failures[t];
    });
  for (auto& th : threads) th.join();
  BOOST_CHECK_EQUAL(failures[0] + failures[1], 0);
}

BOOST_AUTO_TEST_CASE(any_bytes_are_fingerprinted_without_throwing) {
  const Fingerprinter& fp = Folding();
  std::mt19937_64 rng(99);
  const std::string alphabet[] = {"a", "Z", " ", "\n", "，", "漢", "汉", "\xFF", "\xE4\xB8", "\xF0\x9F\x98\x80",
                                  std::string(1, '\0'), "\uFDFA", "\r", "\u3000"};
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 200);
    for (int k = 0; k < len; ++k) {
      if (rng() % 4 == 0)
        s += static_cast<char>(rng());
      else
        s += alphabet[rng() % std::size(alphabet)];
    }
    BOOST_CHECK_NO_THROW(fp.Compute(s));
    BOOST_CHECK_NO_THROW(fp.View(s));
  }
}

// zhcanon-dedup takes the keep policy's converted-character count from the view's own t2s step
// instead of converting the text a second time: it must be exactly what OpenCC's t2s changes.
BOOST_AUTO_TEST_CASE(t2s_changed_count_is_the_converters) {
  Fingerprinter fp;
  zhcanon::convert::ConverterOptions o;
  const zhcanon::convert::Converter t2s(o);
  for (const std::string& text : {Seed("001"), Seed("000"), std::string("軟體和硬體"), std::string()}) {
    zhcanon::convert::ConvertStats stats;
    std::string ignored;
    t2s.Convert(text, ignored, &stats);
    std::uint64_t changed = 12345;
    const Fingerprint f = fp.Compute(text, &changed);
    BOOST_CHECK_EQUAL(changed, stats.changed_chars);
    BOOST_CHECK(f == fp.Compute(text));
  }
  std::uint64_t traditional = 0;
  fp.Compute(Seed("001"), &traditional);
  BOOST_CHECK_GT(traditional, 100u);  // seed 001 is a Traditional article
}
