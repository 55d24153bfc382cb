#define BOOST_TEST_MODULE convert_converter
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include <opencc/SimpleConverter.hpp>

#include "zhcanon/convert/converter.h"
#include "zhcanon/convert/opencc_config.h"
#include "zhcanon/core/error.h"

namespace fs = std::filesystem;
using zhcanon::convert::ConvertStats;
using zhcanon::convert::Converter;

namespace {

// Every config OpenCC ships for Chinese. The property tests run each of them: the four
// Traditional-to-Simplified ones are what zhcanon-t2s is for, the others exercise longer
// dictionaries (STPhrases has 49k keys) and chains of three conversions.
const std::vector<std::string> kConfigs = {"t2s", "tw2s", "tw2sp", "hk2s", "s2t",
                                           "s2tw", "s2twp", "s2hk", "t2tw", "t2hk"};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// OpenCC and zhcanon for one config, loaded once per test program.
struct Pair {
  std::unique_ptr<opencc::SimpleConverter> theirs;
  std::unique_ptr<Converter> ours;
  zhcanon::convert::ConfigTables tables;
};

Pair& Get(const std::string& config) {
  static std::map<std::string, Pair> cache;
  auto it = cache.find(config);
  if (it != cache.end()) return it->second;
  Pair p;
  p.theirs = std::make_unique<opencc::SimpleConverter>(config);
  p.ours = std::make_unique<Converter>(zhcanon::convert::ConverterOptions{.config = config});
  p.tables = zhcanon::convert::LoadOpenccConfig(config);
  return cache.emplace(config, std::move(p)).first->second;
}

std::string Escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Where two outputs first differ, with some context, for a readable failure.
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  const std::size_t from = i > 24 ? i - 24 : 0;
  return "first difference at byte " + std::to_string(i) + "\n  OpenCC:  " + Escaped(want.substr(from, 72)) +
         "\n  zhcanon: " + Escaped(got.substr(from, 72));
}

// A text for the property test: chunks OpenCC accepts, separated by "barriers", bytes that
// OpenCC 1.1.6 does not accept (it stops at NUL and throws on a stray continuation byte,
// 0xFE, 0xFF, or a character cut off by the end) but that no key can contain, so OpenCC's
// answer for the whole is its answer for each chunk with the barrier bytes kept between.
struct Sample {
  std::vector<std::string> chunks{1};
  std::vector<std::string> barriers;  // barriers[i] follows chunks[i]
  std::string Text() const {
    std::string t;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      t += chunks[i];
      if (i < barriers.size()) t += barriers[i];
    }
    return t;
  }
  std::string Expected(const opencc::SimpleConverter& oc) const {
    std::string t;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      t += oc.Convert(chunks[i]);
      if (i < barriers.size()) t += barriers[i];
    }
    return t;
  }
};

// Cuts a random run of whole characters out of valid UTF-8 text.
std::string Excerpt(const std::string& text, std::mt19937& rng, std::size_t max_bytes) {
  if (text.empty()) return {};
  std::size_t begin = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
  while (begin > 0 && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) --begin;
  std::size_t end = std::min(text.size(), begin + std::uniform_int_distribution<std::size_t>(1, max_bytes)(rng));
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return text.substr(begin, end - begin);
}

class Generator {
 public:
  Generator(const zhcanon::convert::ConfigTables& tables, std::uint32_t seed) : rng_(seed) {
    for (const auto& e : fs::directory_iterator(std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/input"))
      seeds_.push_back(ReadFile(e.path()));
    std::sort(seeds_.begin(), seeds_.end());
    auto add = [&](const std::vector<zhcanon::convert::DictionaryEntries>& leaves) {
      for (const auto& leaf : leaves)
        for (const auto& [k, v] : leaf.entries) {
          words_.push_back(k);
          words_.push_back(v);
        }
    };
    add(tables.segmentation);
    for (const auto& c : tables.conversions) add(c);
  }

  Sample Next(std::size_t parts) {
    Sample s;
    for (std::size_t i = 0; i < parts; ++i) {
      const int kind = Pick(100);
      std::string& chunk = s.chunks.back();
      if (kind < 25) {
        chunk += Excerpt(seeds_[Pick(seeds_.size())], rng_, 80);
      } else if (kind < 55) {
        chunk += words_[Pick(words_.size())];
      } else if (kind < 62) {
        static const char* kLatin[] = {"DeepSeek", "AI", "USB", "SQL", "PN", "U", " ", "2025", "3.14", "http://x.cn/a?b=1", "e-mail", "Ω", "café"};
        chunk += kLatin[Pick(std::size(kLatin))];
      } else if (kind < 68) {
        static const char* kEmoji[] = {"😀", "👨‍👩‍👧‍👦", "🇹🇼", "👍🏽", "❤️", "🀄", "\xEF\xB8\x8F"};
        chunk += kEmoji[Pick(std::size(kEmoji))];
      } else if (kind < 72) {
        static const char* kExtB[] = {"𠀀", "𡃁", "𪚥", "𠮷", "𧒽", "𫍯"};  // CJK Extension B and later
        chunk += kExtB[Pick(std::size(kExtB))];
      } else if (kind < 78) {
        static const char* kBreaks[] = {"\r\n", "\n", "\r", "\t", "\n\n", "　", "，", "。"};
        chunk += kBreaks[Pick(std::size(kBreaks))];
      } else if (kind < 81) {
        // Malformed sequences OpenCC accepts: its character length comes from the lead byte
        // alone, so "\xE4ab" is one three-byte character and an overlong form is a character.
        static const char* kOdd[] = {"\xE4" "ab", "\xC0\xAF", "\xC3" "A", "\xF0" "abc", "\xF8" "abcd", "\xFC" "abcde",
                                     "\xED\xA0\x80" /* a surrogate */, "\xF4\x90\x80\x80" /* past U+10FFFF */};
        chunk += kOdd[Pick(std::size(kOdd))];
      } else if (kind < 84) {
        static const char* kBarrier[] = {"\x80", "\xBF", "\xFE", "\xFF"};
        s.barriers.emplace_back(std::string(1, '\0'));
        if (Pick(2)) s.barriers.back() = kBarrier[Pick(std::size(kBarrier))];
        s.chunks.emplace_back();
      } else {
        // Traditional and Simplified running text, longer.
        chunk += Excerpt(seeds_[Pick(seeds_.size())], rng_, 400);
      }
    }
    if (Pick(10) == 0) {
      // A character cut off by the end of the text.
      static const char* kCut[] = {"\xE4", "\xE4\xB8", "\xF0\x9F", "\xF0\x9F\x98", "\xC3"};
      s.barriers.emplace_back(kCut[Pick(std::size(kCut))]);
      s.chunks.emplace_back();
    }
    return s;
  }

 private:
  std::size_t Pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  std::mt19937 rng_;
  std::vector<std::string> seeds_;
  std::vector<std::string> words_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(basic_conversions) {
  struct Case {
    const char* config;
    const char* in;
    const char* want;
  };
  const Case cases[] = {
      {"t2s", "漢字轉換", "汉字转换"},
      {"t2s", "", ""},
      {"t2s", "ASCII only, 123.", "ASCII only, 123."},
      {"t2s", "已經是简体中文", "已经是简体中文"},
      {"tw2sp", "滑鼠和記憶體", "鼠标和内存"},
      {"hk2s", "香港的資訊科技", "香港的资讯科技"},
      {"s2t", "汉字", "漢字"},
  };
  for (const Case& c : cases) {
    Pair& p = Get(c.config);
    BOOST_CHECK_EQUAL(p.ours->Convert(c.in), c.want);
    BOOST_CHECK_EQUAL(p.theirs->Convert(c.in), c.want);
  }
}

// The segmentation decides the segments each conversion sees: a key of the conversion that
// would span two segments does not match. These inputs come from keys where that happens.
BOOST_AUTO_TEST_CASE(segment_boundaries_limit_conversion_matches) {
  for (const std::string& config : {std::string("t2s"), std::string("tw2sp"), std::string("s2twp")}) {
    Pair& p = Get(config);
    std::size_t checked = 0;
    for (const auto& leaf : p.tables.conversions.front()) {
      for (std::size_t i = 0; i + 1 < leaf.entries.size() && checked < 4000; i += 7, ++checked) {
        // A key followed by the next key: overlapping phrase and character keys.
        const std::string text = leaf.entries[i].first + leaf.entries[i + 1].first + leaf.entries[i].first;
        const std::string want = p.theirs->Convert(text);
        const std::string got = p.ours->Convert(text);
        BOOST_REQUIRE_MESSAGE(want == got, config << ": " << FirstDifference(want, got));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(seeds_equal_opencc_for_every_config) {
  const fs::path dir = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/input";
  for (const std::string& config : kConfigs) {
    Pair& p = Get(config);
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string text = ReadFile(e.path());
      const std::string want = p.theirs->Convert(text);
      const std::string got = p.ours->Convert(text);
      BOOST_CHECK_MESSAGE(want == got, config << " " << e.path().filename() << ": " << FirstDifference(want, got));
    }
  }
}

// The property: for random mixtures of Traditional and Simplified text, the dictionaries' own
// keys and values, Latin, digits, emoji (ZWJ sequences, flags, variation selectors), CJK
// Extension B, CR/LF and malformed bytes, zhcanon returns exactly what OpenCC returns.
BOOST_AUTO_TEST_CASE(random_mixtures_equal_opencc) {
  for (const std::string& config : kConfigs) {
    Pair& p = Get(config);
    Generator gen(p.tables, 20250207u + static_cast<std::uint32_t>(config.size()) * 31u + static_cast<std::uint32_t>(config[0]));
    std::size_t differ = 0, with_barriers = 0;
    const int kSamples = 400;
    for (int i = 0; i < kSamples; ++i) {
      const Sample s = gen.Next(1 + static_cast<std::size_t>(i % 60));
      const std::string text = s.Text();
      const std::string want = s.Expected(*p.theirs);
      std::string got;
      ConvertStats stats;
      p.ours->Convert(text, got, &stats);
      with_barriers += !s.barriers.empty();
      if (want != got && ++differ <= 3)
        BOOST_ERROR(config << " sample " << i << ": " << FirstDifference(want, got) << "\n  input:   " << Escaped(text.substr(0, 300)));
      // Where OpenCC accepts the whole text, compare with it directly too.
      if (s.barriers.empty()) BOOST_CHECK(p.theirs->Convert(text) == got);
    }
    BOOST_CHECK_EQUAL(differ, 0u);
    BOOST_TEST_MESSAGE(config << ": " << kSamples << " samples, " << with_barriers << " with NUL/invalid bytes");
  }
}

// OpenCC 1.1.6's own behaviour on what it cannot convert, which zhcanon deliberately does not
// copy: it stops at NUL (dropping the rest) and throws on invalid lead bytes.
BOOST_AUTO_TEST_CASE(nul_and_invalid_bytes_are_kept_where_opencc_gives_up) {
  Pair& p = Get("t2s");
  const std::string with_nul("漢\0字", 7);
  BOOST_CHECK_EQUAL(p.theirs->Convert(with_nul), "汉");  // OpenCC: everything after NUL is gone
  BOOST_CHECK_EQUAL(p.ours->Convert(with_nul), std::string("汉\0字", 7));
  BOOST_CHECK_THROW(p.theirs->Convert("漢\x80字"), std::runtime_error);
  BOOST_CHECK_EQUAL(p.ours->Convert("漢\x80字"), "汉\x80字");
  // A character cut off by the end: OpenCC reads past its buffer (it usually throws; what it
  // does depends on the bytes that follow in memory), zhcanon keeps the bytes.
  BOOST_CHECK_EQUAL(p.ours->Convert("漢字\xE4\xB8"), "汉字\xE4\xB8");
  BOOST_CHECK_EQUAL(p.ours->Convert("\xFF\xFE"), "\xFF\xFE");
  // What OpenCC accepts: a lead byte takes the next bytes whatever they are.
  BOOST_CHECK_EQUAL(p.theirs->Convert("漢\xE4" "ab字"), "汉\xE4" "ab字");
  BOOST_CHECK_EQUAL(p.ours->Convert("漢\xE4" "ab字"), "汉\xE4" "ab字");
}

// Every key and every value of every dictionary of each config, converted one by one and all
// concatenated, with and without separators.
BOOST_AUTO_TEST_CASE(every_dictionary_word_equals_opencc) {
  for (const std::string& config : kConfigs) {
    Pair& p = Get(config);
    std::vector<std::string> words;
    auto add = [&](const std::vector<zhcanon::convert::DictionaryEntries>& leaves) {
      for (const auto& leaf : leaves)
        for (const auto& [k, v] : leaf.entries) {
          words.push_back(k);
          words.push_back(v);
        }
    };
    add(p.tables.segmentation);
    for (const auto& c : p.tables.conversions) add(c);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    std::size_t differ = 0;
    std::string all, spaced;
    for (const std::string& w : words) {
      const std::string want = p.theirs->Convert(w);
      const std::string got = p.ours->Convert(w);
      if (want != got && ++differ <= 3) BOOST_ERROR(config << " word " << w << ": " << FirstDifference(want, got));
      all += w;
      spaced += w;
      spaced += '\n';
    }
    BOOST_CHECK_EQUAL(differ, 0u);
    for (const std::string* text : {&all, &spaced}) {
      const std::string want = p.theirs->Convert(*text);
      const std::string got = p.ours->Convert(*text);
      BOOST_CHECK_MESSAGE(want == got, config << " all words: " << FirstDifference(want, got));
    }
    BOOST_TEST_MESSAGE(config << ": " << words.size() << " distinct keys and values");
  }
}

// The real corpora of bench/ when bench/fetch-corpora has been run (they are not in git): the
// Debian documentation in Traditional (zh-tw) and Simplified (zh-cn), as HTML.
BOOST_AUTO_TEST_CASE(bench_corpora_equal_opencc_when_present) {
  const fs::path root = std::string(ZHCANON_SOURCE_DIR) + "/bench/corpora/html";
  std::vector<fs::path> files;
  for (const char* c : {"maint-guide-zh-tw", "maint-guide-zh-cn", "debian-reference-zh-tw"}) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root / c, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file()) files.push_back(it->path());
  }
  if (files.empty()) {
    BOOST_TEST_MESSAGE("bench/corpora not fetched; skipped");
    return;
  }
  for (const std::string& config : {"t2s", "tw2s", "tw2sp", "hk2s"}) {
    Pair& p = Get(config);
    for (const fs::path& f : files) {
      const std::string text = ReadFile(f);
      const std::string want = p.theirs->Convert(text);
      const std::string got = p.ours->Convert(text);
      BOOST_CHECK_MESSAGE(want == got, config << " " << f << ": " << FirstDifference(want, got));
    }
  }
}

// fixtures/t2s/: Taiwan, Hong Kong and plain Traditional text (seed articles converted by
// OpenCC's s2twp, s2hk and s2t), and OpenCC's output for each config, made with the opencc tool.
BOOST_AUTO_TEST_CASE(golden_files) {
  const fs::path dir = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/t2s";
  std::size_t checked = 0;
  for (const auto& e : fs::directory_iterator(dir / "input")) {
    const std::string input = ReadFile(e.path());
    for (const std::string& config : {"t2s", "tw2s", "tw2sp", "hk2s"}) {
      const fs::path golden = dir / "output" / (e.path().stem().string() + "." + config + ".txt");
      BOOST_REQUIRE_MESSAGE(fs::exists(golden), golden);
      const std::string want = ReadFile(golden);
      const std::string got = Get(config).ours->Convert(input);
      BOOST_CHECK_MESSAGE(want == got, golden.filename() << ": " << FirstDifference(want, got));
      ++checked;
    }
  }
  BOOST_CHECK_GE(checked, 12u);
}

BOOST_AUTO_TEST_CASE(stats_count_changed_and_script_characters) {
  Pair& p = Get("t2s");
  struct Case {
    const char* in;
    std::uint64_t changed, han, trad, simp;
    const char* verdict;
  };
  const Case cases[] = {
      {"", 0, 0, 0, 0, "hans"},
      {"abc 123", 0, 0, 0, 0, "hans"},
      {"漢字轉換", 3, 4, 3, 0, "hant"},            // 字 is common to both
      {"汉字转换", 0, 4, 0, 3, "hans"},
      {"中文", 0, 2, 0, 0, "hans"},                 // nothing script-specific
      {"這是汉字", 1, 4, 1, 1, "mixed"},
      {"𠀀漢", 1, 2, 1, 0, "hant"},                 // Extension B counts as Han
  };
  for (const Case& c : cases) {
    ConvertStats s;
    std::string out;
    p.ours->Convert(c.in, out, &s);
    BOOST_CHECK_MESSAGE(s.changed_chars == c.changed, c.in << " changed " << s.changed_chars);
    BOOST_CHECK_MESSAGE(s.han_chars == c.han, c.in << " han " << s.han_chars);
    BOOST_CHECK_MESSAGE(s.traditional_only == c.trad, c.in << " trad " << s.traditional_only);
    BOOST_CHECK_MESSAGE(s.simplified_only == c.simp, c.in << " simp " << s.simplified_only);
    BOOST_CHECK_EQUAL(zhcanon::convert::ScriptVerdict(s), c.verdict);
  }
}

// A replacement of a replacement is one changed character, and a phrase that changes length
// counts its output characters: tw2sp's 記憶體 → 内存 (TWPhrasesRev) is two, and 裡 → 里
// through TWVariantsRev then TSCharacters is one.
BOOST_AUTO_TEST_CASE(changed_characters_through_a_chain) {
  Pair& p = Get("tw2sp");
  struct Case {
    const char* in;
    const char* out;
    std::uint64_t changed;
  };
  const Case cases[] = {{"記憶體", "内存", 2}, {"滑鼠", "鼠标", 2}, {"中文", "中文", 0}, {"記憶體和中文", "内存和中文", 2}};
  for (const Case& c : cases) {
    ConvertStats s;
    std::string out;
    p.ours->Convert(c.in, out, &s);
    BOOST_CHECK_EQUAL(out, c.out);
    BOOST_CHECK_MESSAGE(s.changed_chars == c.changed, c.in << ": " << s.changed_chars);
  }
}

BOOST_AUTO_TEST_CASE(characters_that_start_no_key_are_known) {
  Pair& p = Get("t2s");
  BOOST_CHECK(p.ours->MayStartKey(U'漢'));
  BOOST_CHECK(!p.ours->MayStartKey(U'汉'));
  BOOST_CHECK(!p.ours->MayStartKey(U'a'));
  BOOST_CHECK(Get("tw2sp").ours->MayStartKey(U'S'));  // TWPhrasesRev has "SQL隱碼攻擊"
}

BOOST_AUTO_TEST_CASE(unknown_config_is_a_config_error_naming_it) {
  try {
    Converter c(zhcanon::convert::ConverterOptions{.config = "no-such-config"});
    BOOST_ERROR("no exception");
  } catch (const zhcanon::ConfigError& e) {
    BOOST_CHECK(std::string(e.what()).find("no-such-config") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_converter_is_shared_by_threads) {
  Pair& p = Get("tw2sp");
  const std::string text = ReadFile(std::string(ZHCANON_SOURCE_DIR) + "/fixtures/seeds/input/001_d847006ffcf44153.txt");
  const std::string want = p.theirs->Convert(text);
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { got[i] = p.ours->Convert(text); });
  for (auto& t : threads) t.join();
  for (const auto& g : got) BOOST_CHECK(g == want);
}

// A long run of Traditional text with no segmentation match has more candidate positions than
// the converter keeps (65536); its conversions then scan the run themselves.
BOOST_AUTO_TEST_CASE(long_runs_equal_opencc) {
  std::string text;
  while (text.size() < 600'000) text += "這個國家的經濟發展，與會議記錄顯示";
  for (const std::string& config : {"t2s", "tw2sp"}) {
    Pair& p = Get(config);
    const std::string want = p.theirs->Convert(text);
    const std::string got = p.ours->Convert(text);
    BOOST_CHECK_MESSAGE(want == got, config << ": " << FirstDifference(want, got));
  }
}

// Random bytes cut the way OpenCC cuts characters: a lead byte (any but a continuation byte,
// 0xFE, 0xFF) followed by the bytes its length says, which may be anything but NUL (even other
// lead bytes, which then belong to this character). OpenCC is well defined on such text, so it
// must agree byte for byte; mixed with real characters and dictionary words so that keys match
// around the odd ones. Fully random bytes must never crash.
BOOST_AUTO_TEST_CASE(random_byte_characters_equal_opencc) {
  std::mt19937 rng(99);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (const std::string& config : {"t2s", "tw2sp", "hk2s", "s2twp"}) {
    Pair& p = Get(config);
    std::vector<std::string> words;
    for (const auto& leaf : p.tables.conversions.front())
      for (std::size_t i = 0; i < leaf.entries.size(); i += 37) words.push_back(leaf.entries[i].first);
    for (int sample = 0; sample < 300; ++sample) {
      std::string text;
      const int units = pick(1, 40);
      for (int u = 0; u < units; ++u) {
        const int kind = pick(0, 9);
        if (kind < 4) {
          text += words[static_cast<std::size_t>(pick(0, static_cast<int>(words.size()) - 1))];
          continue;
        }
        static const int kLeads[][2] = {{0x01, 0x7F}, {0xC0, 0xDF}, {0xE0, 0xEF}, {0xF0, 0xF7}, {0xF8, 0xFB}, {0xFC, 0xFD}};
        const int cls = pick(0, 5);
        text += static_cast<char>(pick(kLeads[cls][0], kLeads[cls][1]));
        const int extra = cls == 0 ? 0 : cls;  // 2-byte lead: 1 more byte, ... 6-byte lead: 5 more
        for (int i = 0; i < extra; ++i) text += static_cast<char>(pick(1, 255));
      }
      const std::string want = p.theirs->Convert(text);
      const std::string got = p.ours->Convert(text);
      BOOST_REQUIRE_MESSAGE(want == got, config << " sample " << sample << ": " << FirstDifference(want, got)
                                                << "\n  input: " << Escaped(text));
    }
    // Anything at all: no crash, every byte accounted for when nothing can match.
    for (int sample = 0; sample < 300; ++sample) {
      std::string text(static_cast<std::size_t>(pick(0, 64)), '\0');
      for (char& c : text) c = static_cast<char>(pick(0, 255));
      const std::string got = p.ours->Convert(text);
      BOOST_CHECK_LE(got.size(), text.size() * 8 + 8);
    }
  }
}
