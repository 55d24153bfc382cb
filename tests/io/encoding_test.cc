#define BOOST_TEST_MODULE io_encoding
#include <boost/test/unit_test.hpp>

#include <unicode/ucnv.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "zhcanon/core/diagnostics.h"
#include "zhcanon/core/document.h"
#include "zhcanon/core/stage.h"
#include "zhcanon/io/encoding.h"

using zhcanon::Diagnostics;
using zhcanon::Document;
using zhcanon::OnInvalid;
using zhcanon::Severity;
using zhcanon::SourceFormat;
using zhcanon::io::DecodeDocument;
using zhcanon::io::DecodeOptions;
using zhcanon::io::DecodeResult;
using zhcanon::io::DecodeToUtf8;
using zhcanon::io::IsValidUtf8;
using zhcanon::io::RepairUtf8;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

std::string ReadFixture(const std::string& name) {
  const std::string path = std::string(ZHCANON_SOURCE_DIR) + "/fixtures/encoding/" + name;
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// UTF-8 -> `charset` with ICU, for building test inputs; the conversion must be exact.
std::string Encode(std::string_view utf8, const char* charset) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(utf8.size() * 4 + 16, '\0');
  const int32_t n = ucnv_convert(charset, "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                                 utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  BOOST_REQUIRE_MESSAGE(U_SUCCESS(err), "cannot encode as " << charset << ": " << u_errorName(err));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// The reference decoder for the property test: ICU's UTF-8 converter, which since ICU 60
// substitutes maximal subparts too, written independently of U8_NEXT.
std::string IcuUtf8Roundtrip(std::string_view s) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(s.size() * 3 + 16, '\0');
  const int32_t n = ucnv_convert("UTF-8", "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                                 s.data(), static_cast<int32_t>(s.size()), &err);
  BOOST_REQUIRE(U_SUCCESS(err));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

const char* FormatName(SourceFormat f) { return zhcanon::SourceFormatName(f).data(); }

const std::string kChinese = "今年春节，中国初创AI企业深度求索开发的DeepSeek可谓强势来袭。";

}  // namespace

// --- fixtures ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(fixtures_decode_to_expected_text_and_charset) {
  struct Case {
    const char* file;
    const char* expected;
    SourceFormat format;
    const char* charset;
    const char* evidence;
  };
  const Case cases[] = {
      {"gbk_meta.html", "gbk_meta.expected.txt", SourceFormat::kHtml, "GB18030", "meta"},
      {"gbk_meta.html", "gbk_meta.expected.txt", SourceFormat::kAuto, "GB18030", "meta"},
      // The prescan is for HTML only; the detector still gets it right.
      {"gbk_meta.html", "gbk_meta.expected.txt", SourceFormat::kText, "GB18030", "detected"},
      {"gbk_nometa.html", "gbk_nometa.expected.txt", SourceFormat::kHtml, "GB18030", "detected"},
      {"big5_meta.html", "big5_meta.expected.txt", SourceFormat::kHtml, "Big5", "meta"},
      {"big5_nometa.html", "big5_nometa.expected.txt", SourceFormat::kHtml, "Big5", "detected"},
      {"big5_nometa.html", "big5_nometa.expected.txt", SourceFormat::kMarkdown, "Big5", "detected"},
      {"utf16le_bom.txt", "utf16le_bom.expected.txt", SourceFormat::kAuto, "UTF-16LE", "bom"},
      // The expected files are themselves valid UTF-8 and decode to themselves.
      {"gbk_meta.expected.txt", "gbk_meta.expected.txt", SourceFormat::kHtml, "UTF-8", "utf8"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.file << " as " << FormatName(c.format)) {
      const DecodeResult r = DecodeToUtf8(ReadFixture(c.file), c.format);
      BOOST_CHECK_EQUAL(r.charset, c.charset);
      BOOST_CHECK_EQUAL(r.evidence, c.evidence);
      BOOST_CHECK_EQUAL(r.invalid_sequences, 0u);
      BOOST_CHECK_EQUAL(r.first_invalid_offset, -1);
      BOOST_CHECK(r.text == ReadFixture(c.expected));
    }
  }
}

BOOST_AUTO_TEST_CASE(decode_document_records_source_charset_of_fixtures) {
  struct Case {
    const char* file;
    const char* charset;  // nullptr: no source_charset key
  };
  const Case cases[] = {
      {"gbk_meta.html", "GB18030"},
      {"big5_nometa.html", "Big5"},
      {"utf16le_bom.txt", "UTF-16LE"},
      {"big5_meta.expected.txt", nullptr},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.file) {
      Document doc;
      doc.text = ReadFixture(c.file);
      doc.format = zhcanon::FormatFromPath(c.file);
      Diagnostics diag;
      DecodeDocument(doc, {}, diag);
      BOOST_CHECK(diag.problems().empty());
      BOOST_CHECK(IsValidUtf8(doc.text));
      if (c.charset != nullptr) {
        BOOST_CHECK_EQUAL(doc.metadata.extra.value("source_charset", ""), c.charset);
      } else {
        BOOST_CHECK(!doc.metadata.extra.contains("source_charset"));
      }
      BOOST_CHECK(!doc.metadata.extra.contains("invalid_sequences"));
    }
  }
}

// --- RepairUtf8 ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(repair_replaces_each_maximal_subpart) {
  struct Case {
    const char* name;
    std::string in;
    std::string want;
    std::size_t count;
    std::int64_t first;
  };
  const std::string f = kFffd;
  const Case cases[] = {
      {"valid", "a中b😀", "a中b😀", 0, -1},
      {"noncharacter U+FFFE is valid", "\xEF\xBF\xBE", "\xEF\xBF\xBE", 0, -1},
      {"U+10FFFF is valid", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF", 0, -1},
      {"lone 0xFF", "a\xFF" "b", "a" + f + "b", 1, 1},
      {"lone continuation bytes", "\x80\x80", f + f, 2, 0},
      {"overlong 2-byte NUL", "\xC0\x80", f + f, 2, 0},
      {"overlong 3-byte", "\xE0\x80\x80", f + f + f, 3, 0},
      {"overlong 4-byte", "\xF0\x80\x80\x80", f + f + f + f, 4, 0},
      {"surrogate U+D800", "x\xED\xA0\x80", "x" + f + f + f, 3, 1},
      {"surrogate U+DFFF", "\xED\xBF\xBF", f + f + f, 3, 0},
      {"above U+10FFFF", "\xF4\x90\x80\x80", f + f + f + f, 4, 0},
      {"5-byte form", "\xF8\x88\x80\x80\x80", f + f + f + f + f, 5, 0},
      {"truncated 3-byte at end", "你好世界\xE7\x95", "你好世界" + f, 1, 12},
      {"truncated 4-byte at end", "ok\xF0\x9F\x98", "ok" + f, 1, 2},
      {"truncated sequence before ASCII", "\xE4\xBD" "a", f + "a", 1, 0},
      {"truncated sequence before a lead", "\xE4\xBD\xE4\xBD\xA0", f + "你", 1, 0},
      // Unicode Standard, Table 3-8.
      {"unicode table 3-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       "a" + f + f + f + "b" + f + "c" + f + f + "d", 6, 1},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const auto r = RepairUtf8(c.in);
      BOOST_CHECK(r.text == c.want);
      BOOST_CHECK_EQUAL(r.invalid_sequences, c.count);
      BOOST_CHECK_EQUAL(r.first_invalid_offset, c.first);
      BOOST_CHECK_EQUAL(IsValidUtf8(c.in), c.count == 0);
      BOOST_CHECK(IsValidUtf8(r.text));
    }
  }
}

BOOST_AUTO_TEST_CASE(property_repair_output_is_valid_and_matches_icu) {
  std::mt19937 rng(20250207);
  const std::string seedish = kChinese + "abc 😀 def\n";
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    const int kind = iter % 3;
    const std::size_t len = rng() % 64;
    if (kind == 0) {  // uniform random bytes
      for (std::size_t k = 0; k < len; ++k) s += static_cast<char>(rng() & 0xFF);
    } else if (kind == 1) {  // bytes near the UTF-8 boundaries
      static const unsigned char kBytes[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                             0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF,
                                             0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
      for (std::size_t k = 0; k < len; ++k) s += static_cast<char>(kBytes[rng() % sizeof kBytes]);
    } else {  // valid UTF-8 with a few mutations (or none)
      s = seedish;
      const std::size_t mutations = rng() % 4;
      for (std::size_t k = 0; k < mutations; ++k) s[rng() % s.size()] = static_cast<char>(rng() & 0xFF);
    }
    const auto r = RepairUtf8(s);
    BOOST_TEST_CONTEXT("iteration " << iter) {
      BOOST_CHECK(IsValidUtf8(r.text));
      BOOST_CHECK(r.text == IcuUtf8Roundtrip(s));
      if (IsValidUtf8(s)) {
        BOOST_CHECK(r.text == s);
        BOOST_CHECK_EQUAL(r.invalid_sequences, 0u);
      } else {
        BOOST_CHECK_GT(r.invalid_sequences, 0u);
        BOOST_CHECK_GE(r.first_invalid_offset, 0);
        // Everything before the first offset is a valid prefix, copied unchanged.
        const auto first = static_cast<std::size_t>(r.first_invalid_offset);
        BOOST_CHECK(r.text.compare(0, first, s, 0, first) == 0);
      }
    }
  }
}

// --- DecodeToUtf8: UTF-8 and almost UTF-8 --------------------------------------------------

BOOST_AUTO_TEST_CASE(simple_inputs) {
  struct Case {
    const char* name;
    std::string in;
    std::string want;
    const char* charset;
    const char* evidence;
    std::size_t invalid;
  };
  const Case cases[] = {
      {"empty", "", "", "UTF-8", "utf8", 0},
      {"pure ASCII", "hello, world\n", "hello, world\n", "UTF-8", "utf8", 0},
      {"ASCII HTML", "<p>hi</p>", "<p>hi</p>", "UTF-8", "utf8", 0},
      {"valid Chinese", kChinese, kChinese, "UTF-8", "utf8", 0},
      {"UTF-8 BOM is stripped", "\xEF\xBB\xBF" + kChinese, kChinese, "UTF-8", "bom", 0},
      {"UTF-8 BOM alone", "\xEF\xBB\xBF", "", "UTF-8", "bom", 0},
      {"truncated character at the end", kChinese + "\xE7\x95", kChinese + kFffd, "UTF-8", "utf8", 1},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const DecodeResult r = DecodeToUtf8(c.in, SourceFormat::kAuto);
      BOOST_CHECK(r.text == c.want);
      BOOST_CHECK_EQUAL(r.charset, c.charset);
      BOOST_CHECK_EQUAL(r.evidence, c.evidence);
      BOOST_CHECK_EQUAL(r.invalid_sequences, c.invalid);
    }
  }
}

BOOST_AUTO_TEST_CASE(mostly_utf8_keeps_utf8_with_exact_count_and_offset) {
  const std::string body = ReadFixture("gbk_meta.expected.txt");  // ~1.9 KB of UTF-8 Chinese
  const std::size_t para = body.find("<p>");
  BOOST_REQUIRE_NE(para, std::string::npos);
  std::string in = body;
  in.insert(para, "\xFF");                  // one bad byte before the first paragraph
  in.insert(in.size() - 20, "\xE4\xBD");    // a character missing its last byte
  const DecodeResult r = DecodeToUtf8(in, SourceFormat::kHtml);
  BOOST_CHECK_EQUAL(r.charset, "UTF-8");
  BOOST_CHECK_EQUAL(r.evidence, "utf8");  // not "meta", although the page says gbk
  BOOST_CHECK_EQUAL(r.invalid_sequences, 2u);
  BOOST_CHECK_EQUAL(r.first_invalid_offset, static_cast<std::int64_t>(para));
  std::string want = body;
  want.insert(para, kFffd);
  want.insert(want.size() - 20, kFffd);
  BOOST_CHECK(r.text == want);
}

BOOST_AUTO_TEST_CASE(wrong_meta_declaration_loses_to_utf8_bytes) {
  struct Case {
    const char* name;
    std::string html;
    std::size_t invalid;
    std::string keeps;  // decoded text that must survive
  };
  const std::string head = "<html><head><meta charset=\"gbk\"></head><body><p>";
  const Case cases[] = {
      {"valid UTF-8 declared gbk", head + kChinese + "</p>", 0, kChinese},
      {"valid UTF-8 declared big5 (http-equiv)",
       "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\"><p>" + kChinese, 0, kChinese},
      // A scraper cut the page mid-character: still UTF-8, not GBK mojibake.
      {"UTF-8 cut mid-character declared gbk", head + kChinese + "\xE9\xA1", 1, kChinese + kFffd},
      // Too few characters for the 1-in-10 ratio: the cut-off tail alone decides.
      {"short UTF-8 cut mid-character declared gbk", head + "你好世界\xE7\x95", 1, "你好世界" + kFffd},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const DecodeResult r = DecodeToUtf8(c.html, SourceFormat::kHtml);
      BOOST_CHECK_EQUAL(r.charset, "UTF-8");
      BOOST_CHECK_EQUAL(r.evidence, "utf8");
      BOOST_CHECK_EQUAL(r.invalid_sequences, c.invalid);
      BOOST_CHECK(r.text.find(c.keeps) != std::string::npos);
    }
  }
}

// --- DecodeToUtf8: BOMs --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(boms_select_the_unicode_encoding) {
  const std::string text = "中文 abc 😀\n";
  struct Case {
    const char* charset;
    std::string bom;
  };
  const Case cases[] = {
      {"UTF-16LE", std::string("\xFF\xFE", 2)},
      {"UTF-16BE", std::string("\xFE\xFF", 2)},
      {"UTF-32LE", std::string("\xFF\xFE\x00\x00", 4)},
      {"UTF-32BE", std::string("\x00\x00\xFE\xFF", 4)},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.charset) {
      const std::string in = c.bom + Encode(text, c.charset);
      const DecodeResult r = DecodeToUtf8(in, SourceFormat::kAuto);
      BOOST_CHECK(r.text == text);
      BOOST_CHECK_EQUAL(r.charset, c.charset);
      BOOST_CHECK_EQUAL(r.evidence, "bom");
      BOOST_CHECK_EQUAL(r.invalid_sequences, 0u);

      // A dangling last byte: one invalid sequence, reported at its offset in the input.
      const DecodeResult cut = DecodeToUtf8(in + "A", SourceFormat::kAuto);
      BOOST_CHECK(cut.text == text + kFffd);
      BOOST_CHECK_EQUAL(cut.invalid_sequences, 1u);
      BOOST_CHECK_EQUAL(cut.first_invalid_offset, static_cast<std::int64_t>(in.size()));
    }
  }
}

BOOST_AUTO_TEST_CASE(utf16_lone_surrogate_offset_counts_the_bom) {
  // FF FE | 'a' 00 | 00 D8 (lone high surrogate) | 'b' 00
  const std::string in("\xFF\xFE" "a\x00" "\x00\xD8" "b\x00", 8);
  const DecodeResult r = DecodeToUtf8(in, SourceFormat::kAuto);
  BOOST_CHECK(r.text == "a" + kFffd + "b");
  BOOST_CHECK_EQUAL(r.invalid_sequences, 1u);
  BOOST_CHECK_EQUAL(r.first_invalid_offset, 4);
}

BOOST_AUTO_TEST_CASE(utf8_bom_offsets_are_in_input_bytes) {
  const DecodeResult r = DecodeToUtf8("\xEF\xBB\xBF" "ab\xFF", SourceFormat::kAuto);
  BOOST_CHECK(r.text == "ab" + kFffd);
  BOOST_CHECK_EQUAL(r.evidence, "bom");
  BOOST_CHECK_EQUAL(r.first_invalid_offset, 5);
}

// --- DecodeToUtf8: declarations and detection ----------------------------------------------

BOOST_AUTO_TEST_CASE(html_prescan_reads_declarations) {
  const std::string gbk = Encode("<p>" + kChinese + "</p>", "GB18030");
  const std::string big5 = Encode("<p>亞馬遜為何大裁員？美國科技巨頭宣布裁員計劃。</p>", "ibm-1375_P100-2008");
  struct Case {
    const char* name;
    std::string in;
    SourceFormat format;
    const char* charset;
    const char* evidence;
  };
  const std::string long_comment = "<!--" + std::string(1100, '-') + "-->";
  const Case cases[] = {
      {"meta charset quoted", "<meta charset=\"gbk\">" + gbk, SourceFormat::kHtml, "GB18030", "meta"},
      {"meta charset unquoted upper case", "<META CHARSET=GB2312>" + gbk, SourceFormat::kHtml, "GB18030", "meta"},
      {"meta charset x-gbk self-closing", "<meta charset='x-gbk'/>" + gbk, SourceFormat::kHtml, "GB18030", "meta"},
      {"http-equiv", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">" + gbk,
       SourceFormat::kHtml, "GB18030", "meta"},
      {"http-equiv attributes reversed and quoted charset",
       "<meta content=\"text/html; charset='big5'\" http-equiv=content-type>" + big5, SourceFormat::kAuto,
       "Big5", "meta"},
      {"content without http-equiv is not a declaration",
       "<meta name=x content=\"charset=big5\">" + gbk, SourceFormat::kHtml, "GB18030", "detected"},
      {"declaration inside a comment is ignored", "<!-- <meta charset=\"big5\"> -->" + gbk,
       SourceFormat::kHtml, "GB18030", "detected"},
      {"declaration inside an attribute value is ignored",
       "<div title='<meta charset=big5>'>" + gbk, SourceFormat::kHtml, "GB18030", "detected"},
      {"declaration after 1024 bytes is ignored", long_comment + "<meta charset=\"big5\">" + gbk,
       SourceFormat::kHtml, "GB18030", "detected"},
      {"unknown label is ignored", "<meta charset=\"x-no-such-thing\">" + gbk, SourceFormat::kHtml,
       "GB18030", "detected"},
      // A wrong declaration is obeyed when the bytes are not UTF-8: it is the page's word.
      {"declared big5, bytes GBK", "<meta charset=\"big5\">" + gbk, SourceFormat::kHtml, "Big5", "meta"},
      {"no prescan for Markdown", "<meta charset=\"big5\">" + gbk, SourceFormat::kMarkdown, "GB18030",
       "detected"},
      {"gb18030 four-byte and supplementary", "<meta charset=gb18030>" + gbk + "\x95\x32\x82\x36",
       SourceFormat::kHtml, "GB18030", "meta"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const DecodeResult r = DecodeToUtf8(c.in, c.format);
      BOOST_CHECK_EQUAL(r.charset, c.charset);
      BOOST_CHECK_EQUAL(r.evidence, c.evidence);
      BOOST_CHECK(IsValidUtf8(r.text));
    }
  }
  // The last case decodes the 4-byte GB18030 code to U+20000 (a surrogate pair inside ICU).
  const DecodeResult sup = DecodeToUtf8("<meta charset=gb18030>\x95\x32\x82\x36", SourceFormat::kHtml);
  BOOST_CHECK(sup.text == "<meta charset=gb18030>\xF0\xA0\x80\x80");
}

BOOST_AUTO_TEST_CASE(other_declared_charsets_use_icu_with_web_names) {
  struct Case {
    const char* label;
    const char* encode_with;
    std::string text;
    const char* charset;
  };
  const Case cases[] = {
      {"shift_jis", "Shift_JIS", "日本語のテキストです。", "Shift_JIS"},
      {"euc-jp", "EUC-JP", "日本語のテキストです。", "EUC-JP"},
      {"euc-kr", "windows-949", "한국어 텍스트입니다.", "EUC-KR"},
      {"windows-1251", "windows-1251", "Русский текст.", "windows-1251"},
      {"koi8-r", "KOI8-R", "Русский текст.", "KOI8-R"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.label) {
      const std::string head = "<meta charset=\"" + std::string(c.label) + "\">";
      const DecodeResult r = DecodeToUtf8(head + Encode(c.text, c.encode_with), SourceFormat::kHtml);
      BOOST_CHECK_EQUAL(r.charset, c.charset);
      BOOST_CHECK_EQUAL(r.evidence, "meta");
      BOOST_CHECK(r.text == head + c.text);
      BOOST_CHECK_EQUAL(r.invalid_sequences, 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(latin1_labels_decode_as_windows_1252) {
  const DecodeResult r = DecodeToUtf8("<meta charset=\"iso-8859-1\"><p>caf\xE9 \x80 \x93quoted\x94</p>",
                                      SourceFormat::kHtml);
  BOOST_CHECK_EQUAL(r.charset, "windows-1252");
  BOOST_CHECK(r.text == "<meta charset=\"iso-8859-1\"><p>café € “quoted”</p>");
}

BOOST_AUTO_TEST_CASE(declared_utf8_over_legacy_bytes_is_ignored) {
  // The bytes are not UTF-8 (rules 3 and 4 said so), so a utf-8 declaration is refuted;
  // utf-16 declarations mean utf-8 to WHATWG and are refuted the same way.
  const std::string gbk = Encode(ReadFixture("gbk_nometa.expected.txt"), "GB18030");
  for (const char* label : {"utf-8", "UTF8", "utf-16", "utf-16le"}) {
    BOOST_TEST_CONTEXT(label) {
      const DecodeResult r = DecodeToUtf8("<meta charset=\"" + std::string(label) + "\">" + gbk, SourceFormat::kHtml);
      BOOST_CHECK_EQUAL(r.charset, "GB18030");
      BOOST_CHECK_EQUAL(r.evidence, "detected");
      BOOST_CHECK_EQUAL(r.invalid_sequences, 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(big5_decodes_hkscs_characters) {
  // 嘅 咗 嘢 are HKSCS (9DEF 9DF7 9DCF); cp950 would give private-use characters.
  const DecodeResult r = DecodeToUtf8("<meta charset=big5>\x9D\xEF\x9D\xF7\x9D\xCF\xA7\x41", SourceFormat::kHtml);
  BOOST_CHECK_EQUAL(r.charset, "Big5");
  BOOST_CHECK(r.text == "<meta charset=big5>嘅咗嘢你");
  BOOST_CHECK_EQUAL(r.invalid_sequences, 0u);
}

BOOST_AUTO_TEST_CASE(invalid_gbk_bytes_are_counted_at_their_input_offset) {
  const std::string head = "<meta charset=\"gbk\">";
  const std::string gbk = Encode(kChinese, "GB18030");
  struct Case {
    const char* name;
    std::string in;
    std::size_t count;
    std::int64_t first;
    std::string want_tail;  // what the decoded text must end with
  };
  // 0xFF is never valid in GB18030; 0x81 followed by '<' is a lead byte without a trail.
  const Case cases[] = {
      {"0xFF between characters", head + gbk.substr(0, 6) + "\xFF" + gbk.substr(6), 1,
       static_cast<std::int64_t>(head.size() + 6), ""},
      {"two bad bytes", head + "\xFF" + gbk + "\xFF", 2, static_cast<std::int64_t>(head.size()), kFffd},
      {"lead byte before ASCII keeps the ASCII", head + gbk + "\x81<p>", 1,
       static_cast<std::int64_t>(head.size() + gbk.size()), kFffd + "<p>"},
      {"lead byte at the end", head + gbk + "\x81", 1, static_cast<std::int64_t>(head.size() + gbk.size()),
       kFffd},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const DecodeResult r = DecodeToUtf8(c.in, SourceFormat::kHtml);
      BOOST_CHECK_EQUAL(r.charset, "GB18030");
      BOOST_CHECK_EQUAL(r.invalid_sequences, c.count);
      BOOST_CHECK_EQUAL(r.first_invalid_offset, c.first);
      BOOST_CHECK(r.text.ends_with(c.want_tail));
      BOOST_CHECK(r.text.find("中国初创") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(gbk_offsets_are_exact_at_every_character_boundary) {
  // Property: a 0xFF inserted at any character boundary of a long GBK text is reported
  // exactly there, including past ICU's internal buffer sizes.
  std::string text;
  while (text.size() < 100000) text += kChinese + "\n";
  const std::string gbk = Encode(text, "GB18030");
  const std::string head = "<meta charset=gb2312>";
  std::mt19937 rng(7);
  for (int k = 0; k < 40; ++k) {
    std::size_t pos = rng() % gbk.size();
    // Move to a character boundary: ASCII bytes are their own characters, and the Chinese
    // characters of kChinese are two bytes each in GBK, so count from the last newline.
    std::size_t line = gbk.rfind('\n', pos);
    line = line == std::string::npos ? 0 : line + 1;
    std::size_t b = line;
    while (b < pos) b += static_cast<unsigned char>(gbk[b]) < 0x80 ? 1 : 2;
    std::string in = head + gbk;
    in.insert(head.size() + b, "\xFF");
    const DecodeResult r = DecodeToUtf8(in, SourceFormat::kHtml);
    BOOST_TEST_CONTEXT("inserted at " << head.size() + b) {
      BOOST_CHECK_EQUAL(r.invalid_sequences, 1u);
      BOOST_CHECK_EQUAL(r.first_invalid_offset, static_cast<std::int64_t>(head.size() + b));
    }
  }
}

BOOST_AUTO_TEST_CASE(detection_failure_falls_back_to_utf8) {
  // Each high byte is followed by ASCII punctuation, so no multi-byte charset parses it, and
  // ICU's single-byte guesses stay far below 50. (Random high bytes alone are not a failure
  // case: nearly every pair of them is a valid GBK character.)
  std::mt19937 rng(3);
  std::string noise;
  for (int k = 0; k < 1000; ++k) {
    noise += static_cast<char>(0x80 + rng() % 128);
    noise += static_cast<char>(0x20 + rng() % 32);
  }
  const DecodeResult r = DecodeToUtf8(noise, SourceFormat::kText);
  BOOST_CHECK_EQUAL(r.charset, "UTF-8");
  BOOST_CHECK_EQUAL(r.evidence, "fallback");
  BOOST_CHECK_GT(r.invalid_sequences, 0u);
  BOOST_CHECK_EQUAL(r.first_invalid_offset, 0);  // a high byte followed by ASCII
  BOOST_CHECK(IsValidUtf8(r.text));
}

BOOST_AUTO_TEST_CASE(short_inputs_are_not_read_as_single_byte_charsets) {
  // ICU alone says windows-1252 (37) for the first and ISO-8859-7 (30) for the third.
  struct Case {
    const char* name;
    std::string in;
    std::string want;
    const char* charset;
  };
  const Case cases[] = {
      {"short UTF-8 with one bad byte", "title\n中文字\xFF尾\n", "title\n中文字" + kFffd + "尾\n", "UTF-8"},
      {"two GBK characters", Encode("你好", "GB18030"), "你好", "GB18030"},
      {"five GBK characters", Encode("你好，世界", "GB18030"), "你好，世界", "GB18030"},
      {"a short Big5 sentence", Encode("亞馬遜為何大裁員？美國科技巨頭宣布裁員計劃，在美國科技圈引發了行業巨震。", "Big5"),
       "亞馬遜為何大裁員？美國科技巨頭宣布裁員計劃，在美國科技圈引發了行業巨震。", "Big5"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const DecodeResult r = DecodeToUtf8(c.in, SourceFormat::kAuto);
      BOOST_CHECK(r.text == c.want);
      BOOST_CHECK_EQUAL(r.charset, c.charset);
    }
  }
}

// --- binary input ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(binary_input_is_not_decoded) {
  struct Case {
    const char* name;
    std::string in;
    std::int64_t offset;
  };
  const Case cases[] = {
      {"PNG header", std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16), 8},
      {"UTF-16LE without BOM", std::string("h\0i\0", 4), 1},
      {"NUL in otherwise valid UTF-8", std::string("中文\0abc", 10), 6},
      {"NUL after a UTF-8 BOM", std::string("\xEF\xBB\xBF" "a\0", 5), 4},
      {"control bytes without NUL, not UTF-8", "ab\x01\x02\x03\x04\x05\x06\x07\x08\x0E\x0F\xFF" "cdefghij", 2},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const DecodeResult r = DecodeToUtf8(c.in, SourceFormat::kAuto);
      BOOST_CHECK_EQUAL(r.evidence, "binary");
      BOOST_CHECK_EQUAL(r.charset, "");
      BOOST_CHECK_EQUAL(r.binary_offset, c.offset);
      BOOST_CHECK(IsValidUtf8(r.text));
      for (OnInvalid policy : {OnInvalid::kReplace, OnInvalid::kSkip, OnInvalid::kFail}) {
        Document doc;
        doc.text = c.in;
        Diagnostics diag;
        DecodeDocument(doc, {.on_invalid = policy}, diag);
        BOOST_REQUIRE_EQUAL(diag.problems().size(), 1u);
        const auto& p = diag.problems()[0];
        BOOST_CHECK(p.severity == Severity::kError);  // whatever the policy
        BOOST_CHECK(diag.failed() && !diag.aborted());
        BOOST_CHECK_EQUAL(p.stage, "decode");
        BOOST_CHECK(p.message.starts_with("binary content: "));
        BOOST_CHECK_EQUAL(p.location.byte_offset, c.offset);
        BOOST_CHECK(IsValidUtf8(doc.text));
      }
    }
  }
  // Text with the usual layout controls and ISO-2022 escapes is not binary, nor is valid
  // UTF-8 with odd controls (only NUL makes valid UTF-8 binary).
  const std::string layout = "a\tb\r\nc\x0B\x0C\x1B$B\x1B(B d\xFF";
  BOOST_CHECK_NE(DecodeToUtf8(layout, SourceFormat::kText).evidence, "binary");
  const std::string controls = "ab\x01\x02\x03\x04\x05\x06\x07\x08\x0E\x0F";
  BOOST_CHECK_EQUAL(DecodeToUtf8(controls, SourceFormat::kText).evidence, "utf8");
}

// --- DecodeDocument and the policies -------------------------------------------------------

BOOST_AUTO_TEST_CASE(policies_give_the_right_severity) {
  // Line 1: ASCII; line 2: Chinese then one bad byte, at byte 6 + 9 = 15.
  const std::string in = "title\n中文字\xFF尾\n";
  struct Case {
    OnInvalid policy;
    Severity severity;
    bool failed;
    bool aborted;
    const char* message;
  };
  const Case cases[] = {
      {OnInvalid::kReplace, Severity::kWarning, false, false,
       "1 invalid byte sequence(s) replaced with U+FFFD; first at byte 15"},
      {OnInvalid::kSkip, Severity::kError, true, false,
       "1 invalid byte sequence(s); first at byte 15 (--on-invalid=skip)"},
      {OnInvalid::kFail, Severity::kFatal, true, true,
       "1 invalid byte sequence(s); first at byte 15 (--on-invalid=fail)"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(zhcanon::OnInvalidName(c.policy)) {
      Document doc;
      doc.text = in;
      Diagnostics diag;
      DecodeDocument(doc, DecodeOptions{.on_invalid = c.policy}, diag);
      BOOST_REQUIRE_EQUAL(diag.problems().size(), 1u);
      const zhcanon::Problem& p = diag.problems()[0];
      BOOST_CHECK(p.severity == c.severity);
      BOOST_CHECK_EQUAL(diag.failed(), c.failed);
      BOOST_CHECK_EQUAL(diag.aborted(), c.aborted);
      BOOST_CHECK_EQUAL(p.stage, "decode");
      BOOST_CHECK_EQUAL(p.message, c.message);
      BOOST_CHECK_EQUAL(p.location.byte_offset, 15);
      BOOST_CHECK_EQUAL(p.location.line, 2);
      BOOST_CHECK(doc.text == "title\n中文字" + kFffd + "尾\n");
      BOOST_CHECK_EQUAL(doc.metadata.extra.value("invalid_sequences", 0), 1);
      BOOST_CHECK(!doc.metadata.extra.contains("source_charset"));
    }
  }
}

BOOST_AUTO_TEST_CASE(gbk_document_with_bad_byte_reports_charset_and_count) {
  Document doc;
  doc.format = SourceFormat::kHtml;
  doc.text = "<meta charset=gbk>\n" + Encode(kChinese, "GB18030") + "\xFF";
  const std::int64_t bad = static_cast<std::int64_t>(doc.text.size()) - 1;
  Diagnostics diag;
  DecodeDocument(doc, {}, diag);
  BOOST_REQUIRE_EQUAL(diag.problems().size(), 1u);
  BOOST_CHECK(diag.problems()[0].severity == Severity::kWarning);
  BOOST_CHECK_EQUAL(diag.problems()[0].location.byte_offset, bad);
  BOOST_CHECK_EQUAL(diag.problems()[0].location.line, 2);
  BOOST_CHECK(doc.text == "<meta charset=gbk>\n" + kChinese + kFffd);
  BOOST_CHECK_EQUAL(doc.metadata.extra.value("source_charset", ""), "GB18030");
  BOOST_CHECK_EQUAL(doc.metadata.extra.value("invalid_sequences", 0), 1);
}

BOOST_AUTO_TEST_CASE(valid_utf8_is_decoded_in_place_without_a_copy) {
  Document doc;
  doc.text = ReadFixture("gbk_meta.expected.txt");
  const std::string before = doc.text;
  const char* buffer = doc.text.data();
  Diagnostics diag;
  DecodeDocument(doc, {}, diag);
  BOOST_CHECK(diag.problems().empty());
  BOOST_CHECK(doc.text.data() == buffer);  // the same allocation: nothing was copied
  BOOST_CHECK(doc.text == before);
  BOOST_CHECK(doc.metadata.extra.empty());

  Document bom;
  bom.text = "\xEF\xBB\xBF" + before;
  DecodeDocument(bom, {}, diag);
  BOOST_CHECK(bom.text == before);
  BOOST_CHECK(diag.problems().empty());
}

BOOST_AUTO_TEST_CASE(property_any_input_decodes_to_valid_utf8) {
  // Mutated fixtures and random bytes through every path: the output is valid UTF-8, the
  // offsets lie inside the input, and DecodeDocument leaves valid UTF-8 behind.
  const std::vector<std::string> bases = {
      ReadFixture("gbk_meta.html"), ReadFixture("big5_nometa.html"), ReadFixture("utf16le_bom.txt"),
      ReadFixture("gbk_meta.expected.txt"), std::string("\xFE\xFF\x4E\x2D", 4), ""};
  const SourceFormat formats[] = {SourceFormat::kAuto, SourceFormat::kHtml, SourceFormat::kText};
  std::mt19937 rng(42);
  for (int iter = 0; iter < 600; ++iter) {
    std::string in = bases[iter % bases.size()];
    if (!in.empty()) in.resize(rng() % (in.size() + 1));  // truncated anywhere
    const std::size_t mutations = rng() % 5;
    for (std::size_t k = 0; k < mutations && !in.empty(); ++k)
      in[rng() % in.size()] = static_cast<char>(rng() & 0xFF);
    if (iter % 7 == 0) {
      in.clear();
      for (std::size_t k = rng() % 300; k > 0; --k) in += static_cast<char>(rng() & 0xFF);
    }
    BOOST_TEST_CONTEXT("iteration " << iter) {
      const DecodeResult r = DecodeToUtf8(in, formats[iter % 3]);
      BOOST_CHECK(IsValidUtf8(r.text));
      BOOST_CHECK_EQUAL(r.invalid_sequences > 0, r.first_invalid_offset >= 0);
      BOOST_CHECK_LT(r.first_invalid_offset, static_cast<std::int64_t>(in.size()));
      BOOST_CHECK_LT(r.binary_offset, static_cast<std::int64_t>(in.size()));
      Document doc;
      doc.text = in;
      doc.format = formats[iter % 3];
      Diagnostics diag;
      DecodeDocument(doc, {}, diag);
      BOOST_CHECK(IsValidUtf8(doc.text));
      BOOST_CHECK_EQUAL(diag.failed(), r.evidence == "binary");
    }
  }
}
