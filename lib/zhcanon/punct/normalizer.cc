#include "zhcanon/punct/normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace zhcanon::punct {

std::string_view ProfileName(Profile p) {
  switch (p) {
    case Profile::kHans: return "zh-hans";
    case Profile::kHant: return "zh-hant";
    case Profile::kAscii: return "ascii";
  }
  return "?";
}

Profile ParseProfile(std::string_view name) {
  if (name == "zh-hans") return Profile::kHans;
  if (name == "zh-hant") return Profile::kHant;
  if (name == "ascii") return Profile::kAscii;
  throw std::invalid_argument("unknown profile '" + std::string(name) + "' (zh-hans, zh-hant or ascii)");
}

std::string_view CjkLatinSpaceName(CjkLatinSpace s) {
  switch (s) {
    case CjkLatinSpace::kKeep: return "keep";
    case CjkLatinSpace::kAdd: return "add";
    case CjkLatinSpace::kRemove: return "remove";
  }
  return "?";
}

CjkLatinSpace ParseCjkLatinSpace(std::string_view name) {
  if (name == "keep") return CjkLatinSpace::kKeep;
  if (name == "add") return CjkLatinSpace::kAdd;
  if (name == "remove") return CjkLatinSpace::kRemove;
  throw std::invalid_argument("unknown --cjk-latin-space '" + std::string(name) + "' (keep, add or remove)");
}

const std::vector<std::string_view>& RuleNames() {
  static const std::vector<std::string_view> names = {"unicode", "width",  "punctuation", "parentheses",
                                                      "quotes",  "ellipsis", "dash",      "spacing",
                                                      "blank-lines", "indent"};
  return names;
}

bool SetRule(Options& o, std::string_view name, bool on) {
  bool* flags[] = {&o.unicode, &o.width,   &o.punctuation, &o.parentheses, &o.quotes,
                   &o.ellipsis, &o.dash,   &o.spacing,     &o.blank_lines, &o.indent};
  const auto& names = RuleNames();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) {
      *flags[i] = on;
      return true;
    }
  return false;
}

namespace {

// Character classes, from ICU properties. Stored per BMP code point in a table built once;
// supplementary code points (emoji, CJK Extension B…) are asked from ICU directly.
enum Flag : std::uint16_t {
  kHan = 1,          // Han, Hiragana, Katakana, Bopomofo script: text written without spaces
  kAlnum = 2,        // a letter or digit of any other script
  kDigit = 4,        // decimal digit (Nd)
  kSpace = 8,        // space separator (Zs)
  kDrop = 16,        // control (but tab, newline) or invisible format character (Cf ∩ Default_Ignorable)
  kWidePunct = 32,   // punctuation of East Asian width Wide or Fullwidth: ，。、（）《》 …
  kFold = 64,        // full-width form whose NFKC is one ASCII character
  kNfc = 128,        // may change under NFC (NFC_Quick_Check not Yes, or combining)
  kEmoji = 256,      // Extended_Pictographic, or emoji modifier / variation selector
  kPunctKey = 512,   // has an ASCII key in the key table (the characters the context rules handle)
  kLetter = 1024,    // alphabetic (with kAlnum)
  kCurly = 2048,     // curly or corner quote: “ ” ‘ ’ 「 」 『 』
  kAsciiPunct = 4096,  // ASCII punctuation or symbol (not a letter, digit or space)
  kEllipsisDash = 8192,  // … — ―
};

constexpr char32_t kZwj = 0x200D;
constexpr char32_t kDeleted = 0xFFFFFFFF;
constexpr char32_t kInvalid = 0xFFFFFFFE;  // an invalid byte, copied as it was

struct Tables {
  std::array<std::uint16_t, 0x10000> flags{};
  std::array<char, 0x10000> key{};  // ASCII key of a punctuation mark, 0 if none
  std::array<char, 0x10000> fold{};  // the ASCII character a full-width form folds to (NFKC)
  const icu::Normalizer2* nfc = nullptr;
  std::unique_ptr<icu::UnicodeSet> drop;

  Tables() {
    UErrorCode status = U_ZERO_ERROR;
    nfc = icu::Normalizer2::getNFCInstance(status);
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
    // Invisible characters to remove: controls but tab and newline, and format characters that
    // are default-ignorable (ZWSP, ZWNJ, ZWJ, BOM, soft hyphen, bidi marks, word joiner, tags).
    drop = std::make_unique<icu::UnicodeSet>(
        icu::UnicodeString(u"[[[:Cc:]-[\\t\\n]][[:Cf:]&[:Default_Ignorable_Code_Point:]]]"), status);
    if (U_FAILURE(status)) throw std::runtime_error("punct: ICU initialization failed");
    drop->freeze();
    for (UChar32 c = 0; c < 0x10000; ++c) flags[c] = Compute(c);
    // The ASCII keys: ASCII punctuation the rules handle, their full-width forms (from NFKC),
    // and the Chinese marks that have an ASCII counterpart (GB/T 15834 conventions).
    for (char a : std::string_view(",.?!:;()\"'-~")) key[static_cast<unsigned char>(a)] = a;
    for (UChar32 c = 0xFF01; c <= 0xFF5E; ++c) {
      icu::UnicodeString d;
      if (nfkc->getDecomposition(c, d) && d.length() == 1 && d[0] < 0x80) {
        flags[c] |= kFold;
        char a = static_cast<char>(d[0]);
        fold[c] = a;
        if (key[static_cast<unsigned char>(a)]) key[c] = a;
      }
    }
    for (auto [c, a] : {std::pair<char32_t, char>{U'。', '.'}, {U'“', '"'}, {U'”', '"'}, {U'‘', '\''},
                        {U'’', '\''}, {U'「', '"'}, {U'」', '"'}, {U'『', '\''}, {U'』', '\''}})
      key[c] = a;
    for (UChar32 c = 0; c < 0x10000; ++c)
      if (key[c]) flags[c] |= kPunctKey;
    for (char32_t c : std::u32string_view(U"“”‘’「」『』")) flags[c] |= kCurly;
    for (char32_t c : std::u32string_view(U"…—―")) flags[c] |= kEllipsisDash;
    for (UChar32 c = 0x21; c < 0x7F; ++c)
      if (!u_isalnum(c)) flags[c] |= kAsciiPunct;
  }

  std::uint16_t Compute(UChar32 c) const {
    std::uint16_t f = 0;
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(c, &status);
    if (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA || sc == USCRIPT_BOPOMOFO) {
      if (u_isalpha(c) || u_charType(c) == U_LETTER_NUMBER || u_charType(c) == U_MODIFIER_LETTER) f |= kHan;
    } else if (u_isalnum(c)) {
      f |= kAlnum;
      if (u_isalpha(c)) f |= kLetter;
    }
    if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) f |= kDigit;
    if (u_charType(c) == U_SPACE_SEPARATOR) f |= kSpace;
    if (drop->contains(c)) f |= kDrop;
    if (u_ispunct(c)) {
      int ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
      if (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) f |= kWidePunct;
    }
    if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) != UNORM_YES || u_getCombiningClass(c) != 0) f |= kNfc;
    if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) || u_hasBinaryProperty(c, UCHAR_EMOJI_MODIFIER) ||
        u_hasBinaryProperty(c, UCHAR_VARIATION_SELECTOR))
      f |= kEmoji;
    return f;
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

// One code point of the line being normalized.
struct Cp {
  char32_t c;             // current value; kDeleted when removed
  char32_t extra;         // written `repeat` times after c (…… —— ...), 0 if none
  std::uint32_t off;      // byte offset of the source character in the line
  std::uint16_t flags;    // of the current value
  std::uint8_t len;       // source bytes
  std::uint8_t repeat;    // how many times `extra` is written
  bool prot;              // protected: no rule touches it
  bool space_before;      // write a space before it
  bool touched;           // changed by a rule: Encode writes c, not the source bytes
};

bool IsAsciiAlnum(char32_t c) { return c < 0x80 && ((c | 0x20) - 'a' < 26u || c - '0' < 10u); }

void AppendUtf8(std::string& out, char32_t c) {
  char buf[4];
  std::int32_t i = 0;
  UBool err = false;
  U8_APPEND(buf, i, 4, static_cast<UChar32>(c), err);
  (void)err;
  out.append(buf, static_cast<std::size_t>(i));
}

std::string Utf8(char32_t c) {
  std::string s;
  AppendUtf8(s, c);
  return s;
}

// The work of one Normalize call: buffers reused across lines, so that a line costs no
// allocation once the buffers have grown.
class Run {
 public:
  Run(const Options& o, const Tables& t, std::string_view text, std::string& out, std::vector<Change>* explain)
      : o_(o), t_(t), text_(text), out_(out), explain_(explain) {}

  std::size_t Go();

 private:
  std::uint16_t Flags(char32_t c) const {
    if (c < 0x10000) return t_.flags[c];
    if (c >= 0x110000) return 0;
    return t_.Compute(static_cast<UChar32>(c));
  }
  char Key(char32_t c) const { return c < 0x10000 ? t_.key[c] : 0; }

  void Set(std::size_t i, char32_t c) {
    cps_[i].c = c;
    cps_[i].touched = true;
    cps_[i].flags = c == kDeleted ? 0 : Flags(c);
    changed_ = true;
  }
  // Records a change of cps_[i, j) (an insertion before i when i == j).
  void Note(std::string_view rule, std::size_t i, std::size_t j, std::string_view after, bool finding = false);
  std::string_view Source(std::size_t i, std::size_t j) const {
    if (i >= j) return {};
    return line_.substr(cps_[i].off, cps_[j - 1].off + cps_[j - 1].len - cps_[i].off);
  }

  void Decode(std::string_view line);
  bool Untouchable(std::string_view line) const;
  void Line(std::string_view line);
  void Cleanup();
  void Width();
  void Protect();
  void ProtectTokens();
  void ProtectEnumeration();
  void Parentheses();
  void Quotes();
  void StraightQuotes(char32_t quote);
  void CurlyQuotes();
  template <class Same>
  std::size_t Collect(std::size_t i, Same same);
  void Ellipsis();
  void Dash();
  void Punctuation();
  void PunctuationAt(std::size_t i);
  void Spacing();
  void CjkLatin();
  void Encode();

  // Nearest live, non-space code point before i / after i; npos when none.
  std::size_t Prev(std::size_t i) const {
    while (i > 0) {
      --i;
      if (cps_[i].c != kDeleted && !(cps_[i].flags & kSpace) && cps_[i].c != '\t') return i;
    }
    return npos;
  }
  std::size_t Next(std::size_t i) const {
    for (++i; i < cps_.size(); ++i)
      if (cps_[i].c != kDeleted && !(cps_[i].flags & kSpace) && cps_[i].c != '\t') return i;
    return npos;
  }
  std::size_t PrevLive(std::size_t i) const {
    while (i > 0)
      if (cps_[--i].c != kDeleted) return i;
    return npos;
  }
  std::size_t NextLive(std::size_t i) const {
    for (++i; i < cps_.size(); ++i)
      if (cps_[i].c != kDeleted) return i;
    return npos;
  }
  std::uint16_t FlagsAt(std::size_t i) const { return i == npos ? 0 : cps_[i].flags; }
  char32_t At(std::size_t i) const { return i == npos ? 0 : cps_[i].c; }
  // Chinese side: Han, or wide (Chinese) punctuation.
  bool Cjk(std::size_t i) const { return FlagsAt(i) & (kHan | kWidePunct); }
  bool ChineseContext(std::size_t i) const {
    const std::size_t p = Prev(i), n = Next(i);
    if (Cjk(p) || Cjk(n)) return true;
    // Between two Latin words: an ASCII mark is Latin; a full-width one stays Chinese when the
    // clause is (Debian 支持 Systemd，Wayland，IMAP is a Chinese enumeration).
    if ((FlagsAt(p) & kAlnum) && (FlagsAt(n) & kAlnum) && cps_[i].c < 0x80) return false;
    // One side is empty or neutral: the clause decides. Walk back over the Latin word, number,
    // URL… before the mark: Han (or Chinese punctuation) first means a Latin word inside Chinese
    // text ("我们使用了DeepSeek."); a Latin sentence end or the line start means Latin text.
    std::size_t k = i, steps = 0;
    while (k > 0 && steps++ < 64) {
      const Cp& cp = cps_[--k];
      if (cp.c == kDeleted) continue;
      if (cp.flags & (kHan | kWidePunct)) return true;
      if (cp.c == '.' || cp.c == '?' || cp.c == '!') {
        const std::size_t nx = NextLive(k);
        if (nx != npos && (cps_[nx].c == ' ' || cps_[nx].space_before)) return false;
      }
    }
    return han_ > latin_;  // nothing decisive nearby: the line's dominant script decides
  }
  bool Live(std::size_t i) const { return cps_[i].c != kDeleted && !cps_[i].prot; }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  const Options& o_;
  const Tables& t_;
  std::string_view text_;
  std::string& out_;
  std::vector<Change>* explain_;

  std::vector<Cp> cps_;
  std::vector<std::size_t> run_;  // see Collect
  std::vector<std::size_t> marks_;  // indices of the punctuation marks: what most rules look at
  std::string nfc_;            // the line's NFC form when it differs
  std::string_view line_;      // the line's source (the original or nfc_)
  std::size_t line_start_ = 0; // offset of the line in text_
  std::size_t line_no_ = 0;
  std::uint16_t all_flags_ = 0;  // OR of the line's flags: rules skip lines they cannot change
  std::uint32_t keys_ = 0;       // bit per ASCII key present (bit = key - 0x20)
  std::size_t han_ = 0, latin_ = 0;
  bool changed_ = false;
  bool in_fence_ = false;
  int round_ = 0;  // of the rules over the current line
  const bool fast_path_ = o_.fast_path && o_.profile != Profile::kAscii && o_.cjk_latin_space == CjkLatinSpace::kKeep;
  std::size_t changes_ = 0;

 public:
  std::size_t findings_ = 0;
};

std::uint32_t KeyBit(char k) { return 1u << ((static_cast<unsigned>(k) - 0x20) & 31); }

void Run::Note(std::string_view rule, std::size_t i, std::size_t j, std::string_view after, bool finding) {
  if (finding && round_ > 0) return;  // found in the first round already
  if (finding) ++findings_;
  else ++changes_;
  if (!explain_) return;
  Change ch;
  const std::size_t at = i < cps_.size() ? cps_[i].off : line_.size();
  ch.byte_offset = line_start_ + std::min(at, line_.size());
  ch.line = line_no_;
  ch.column = i + 1;
  ch.rule = std::string(rule);
  ch.before = std::string(Source(i, j));
  ch.after = finding ? ch.before : std::string(after);
  explain_->push_back(std::move(ch));
}

std::size_t Run::Go() {
  out_.clear();
  out_.reserve(text_.size() + text_.size() / 16);
  std::size_t pos = 0, blank_run = 0;
  line_no_ = 0;
  while (pos <= text_.size()) {
    std::size_t nl = text_.find('\n', pos);
    const bool last = nl == std::string_view::npos;
    if (last) nl = text_.size();
    ++line_no_;
    line_start_ = pos;
    const std::size_t before = out_.size();
    const std::size_t explained = explain_ ? explain_->size() : 0;
    Line(text_.substr(pos, nl - pos));
    // The rules run one after the other over the line: put its changes in text order.
    if (explain_ && explain_->size() - explained > 1)
      std::stable_sort(explain_->begin() + static_cast<std::ptrdiff_t>(explained), explain_->end(),
                       [](const Change& a, const Change& b) { return a.column < b.column; });
    const bool blank = out_.size() == before;
    if (blank && o_.blank_lines && !in_fence_) {
      // At most one blank line between paragraphs: a second one in a row is dropped with its newline.
      if (++blank_run > 1 && !last) {
        cps_.clear();
        Note("blank-lines", 0, 0, "");
        if (explain_) explain_->back().before = "\n";
        pos = nl + 1;
        continue;
      }
    } else {
      blank_run = 0;
    }
    if (last) break;
    out_ += '\n';
    pos = nl + 1;
  }
  return changes_;
}

void Run::Decode(std::string_view line) {
  cps_.clear();
  marks_.clear();
  all_flags_ = 0;
  keys_ = 0;
  han_ = latin_ = 0;
  const auto* s = reinterpret_cast<const std::uint8_t*>(line.data());
  const std::int32_t n = static_cast<std::int32_t>(line.size());
  std::int32_t i = 0;
  while (i < n) {
    const std::int32_t start = i;
    UChar32 c;
    if (s[i] < 0x80) {
      c = s[i++];
    } else {
      U8_NEXT(s, i, n, c);
    }
    Cp cp;
    if (c < 0) {
      cp.c = kInvalid;
      cp.flags = 0;
    } else {
      cp.c = static_cast<char32_t>(c);
      cp.flags = Flags(cp.c);
      if (char k = Key(cp.c); k && !(cp.flags & kCurly)) keys_ |= KeyBit(k);
    }
    cp.extra = 0;
    cp.repeat = 0;
    cp.off = static_cast<std::uint32_t>(start);
    cp.len = static_cast<std::uint8_t>(i - start);
    cp.prot = false;
    cp.space_before = false;
    cp.touched = false;
    if (cp.flags & (kPunctKey | kWidePunct | kCurly | kEllipsisDash)) marks_.push_back(cps_.size());
    all_flags_ |= cp.flags;
    han_ += (cp.flags & kHan) != 0;
    latin_ += (cp.flags & kLetter) != 0;
    cps_.push_back(cp);
  }
}

// The fast path: true when no rule can change the line nor report anything in it, decided in
// one pass over the bytes without building the code point array. Most lines of Chinese news
// are Han, digits, Latin words and Chinese punctuation after Han, with balanced “” and （） around
// Han: those are copied as they are. Anything the rules look at closely (ASCII punctuation,
// spaces, controls, full-width forms, …, —, a mark whose neighbours are not Chinese) sends the
// line to the full rules. Conservative by construction: the result is the same either way
// (tested with Options::fast_path off).
bool Run::Untouchable(std::string_view line) const {
  const auto* s = reinterpret_cast<const std::uint8_t*>(line.data());
  const std::int32_t n = static_cast<std::int32_t>(line.size());
  const bool hant = o_.profile == Profile::kHant;
  const UChar32 open2 = hant ? U'「' : U'“', close2 = hant ? U'」' : U'”';
  const UChar32 open1 = hant ? U'『' : U'‘', close1 = hant ? U'』' : U'’';
  int depth2 = 0, depth1 = 0, parens = 0;
  std::uint32_t paren_han = 0;  // bit d: the parenthesis at depth d has Han inside so far
  bool prev_cjk = false, pending = false;
  char32_t prev = 0;
  std::int32_t i = 0;
  while (i < n) {
    const std::uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      const std::uint16_t f = t_.flags[b];
      if (b <= 0x20 || b == 0x7F || t_.key[b] != 0) return false;  // space, control, , . ? ! : ; ( ) " ' - ~
      if (pending) return false;
      prev_cjk = false;
      prev = b;
      (void)f;
      continue;
    }
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0 || c >= 0x10000) {
      if (c < 0 || pending) return false;
      const std::uint16_t f = t_.Compute(c);
      if (f & (kDrop | kSpace | kNfc)) return false;
      prev_cjk = f & (kHan | kWidePunct);
      if (f & kHan) paren_han |= (1u << parens) - 1;
      prev = static_cast<char32_t>(c);
      continue;
    }
    const std::uint16_t f = t_.flags[c];
    if (f & (kSpace | kDrop | kNfc | kEllipsisDash)) return false;
    // Full-width forms fold, but for ，：；？！（）, which the context rules keep in Chinese context.
    if ((f & kFold) && (!(f & kPunctKey) || std::string_view(",:;?!()").find(t_.key[c]) == std::string_view::npos))
      return false;
    const bool cjk = f & (kHan | kWidePunct);
    if (pending && !cjk) return false;
    pending = false;
    if (f & kCurly) {
      if (c == open2) ++depth2;
      else if (c == close2) { if (--depth2 < 0) return false; }
      else if (c == open1) ++depth1;
      else if (c == close1) { if (--depth1 < 0) return false; }
      else return false;  // the other family: converted
    } else if (f & kPunctKey) {
      const char k = t_.key[c];
      if (k == '(') {
        if (++parens > 30) return false;
        paren_han &= ~(1u << (parens - 1));
      } else if (k == ')') {
        if (parens == 0 || !(paren_han & (1u << (parens - 1)))) return false;
        --parens;
      } else if (k == '.' && prev == U'。') {
        return false;  // 。。。
      } else if (!prev_cjk) {
        pending = true;  // its context is decided by what follows
      }
    }
    if (f & kHan) paren_han |= (1u << parens) - 1;
    prev_cjk = cjk;
    prev = static_cast<char32_t>(c);
  }
  return !pending && depth2 == 0 && depth1 == 0 && parens == 0;
}

void Run::Line(std::string_view line) {
  line_ = line;
  // Fenced code blocks (``` or ~~~ at the start of a line) are copied as they are.
  std::string_view trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
  if (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
    in_fence_ = !in_fence_;
    out_ += line;
    return;
  }
  if (in_fence_) {
    out_ += line;
    return;
  }
  if (fast_path_ && Untouchable(line)) {
    out_ += line;
    return;
  }
  changed_ = false;
  Decode(line);
  if (o_.unicode && (all_flags_ & kNfc)) {
    UErrorCode status = U_ZERO_ERROR;
    if (!t_.nfc->isNormalizedUTF8(icu::StringPiece(line.data(), static_cast<std::int32_t>(line.size())), status) &&
        U_SUCCESS(status)) {
      nfc_.clear();
      icu::StringByteSink<std::string> sink(&nfc_);
      t_.nfc->normalizeUTF8(0, icu::StringPiece(line.data(), static_cast<std::int32_t>(line.size())), sink,
                            nullptr, status);
      if (U_SUCCESS(status)) {
        Note("unicode", 0, cps_.size(), nfc_);
        line_ = nfc_;
        Decode(line_);
        changed_ = true;
      }
    }
  }
  if (o_.indent || o_.unicode) Cleanup();
  if (o_.width && (all_flags_ & kFold)) Width();
  Protect();
  // The rules read each other's results (a ？ made by the punctuation rule makes the … beside
  // it Chinese; a removed space makes two marks neighbours): they run until nothing changes, so
  // that normalizing the output again changes nothing. A second round rarely finds anything.
  for (round_ = 0; round_ < 8; ++round_) {
    const std::size_t before = changes_;
    if (o_.parentheses && (keys_ & (KeyBit('(') | KeyBit(')')))) Parentheses();
    if (o_.quotes && ((keys_ & (KeyBit('"') | KeyBit('\''))) || (all_flags_ & kCurly))) Quotes();
    if (o_.punctuation && (keys_ & (KeyBit(',') | KeyBit('.') | KeyBit('?') | KeyBit('!') | KeyBit(':') |
                                    KeyBit(';')) || (o_.profile == Profile::kAscii && (all_flags_ & kWidePunct))))
      Punctuation();
    if (o_.ellipsis && ((keys_ & KeyBit('.')) || (all_flags_ & kEllipsisDash) || line_.find("。。") != line_.npos))
      Ellipsis();
    if (o_.dash && ((keys_ & KeyBit('-')) || (all_flags_ & kEllipsisDash))) Dash();
    if (o_.spacing && ((all_flags_ & kSpace) || line_.find('\t') != std::string_view::npos)) Spacing();
    if (o_.cjk_latin_space != CjkLatinSpace::kKeep && (all_flags_ & kHan) && (all_flags_ & kAlnum)) CjkLatin();
    if (changes_ == before) break;
  }
  if (changed_) Encode();
  else out_ += line_;
}

void Run::Cleanup() {
  // Leading ideographic-space indents (with any spaces mixed in) go.
  if (o_.indent && !cps_.empty() && (cps_[0].flags & kSpace)) {
    std::size_t j = 0;
    bool ideographic = false;
    while (j < cps_.size() && (cps_[j].flags & kSpace)) ideographic |= cps_[j++].c == U'\u3000';
    if (ideographic) {
      Note("indent", 0, j, "");
      for (std::size_t k = 0; k < j; ++k) Set(k, kDeleted);
    }
  }
  if (!o_.unicode || !(all_flags_ & (kDrop | kSpace))) return;
  for (std::size_t i = 0; i < cps_.size(); ++i) {
    Cp& cp = cps_[i];
    if (cp.c == kDeleted) continue;
    if (cp.flags & kDrop) {
      // A ZWJ between two emoji and tag characters after an emoji are part of an emoji sequence.
      const std::size_t p = PrevLive(i);
      if (cp.c == kZwj && (FlagsAt(p) & kEmoji) && i + 1 < cps_.size() && (cps_[i + 1].flags & kEmoji)) continue;
      if (cp.c >= 0xE0020 && cp.c <= 0xE007F && ((FlagsAt(p) & kEmoji) || (At(p) >= 0xE0020 && At(p) <= 0xE007F)))
        continue;
      Note("unicode", i, i + 1, "");
      Set(i, kDeleted);
    } else if ((cp.flags & kSpace) && cp.c != ' ') {
      Note("unicode", i, i + 1, " ");
      Set(i, ' ');
    }
  }
}

void Run::Width() {
  for (std::size_t i = 0; i < cps_.size(); ++i) {
    Cp& cp = cps_[i];
    if (!(cp.flags & kFold)) continue;
    const char32_t a = static_cast<unsigned char>(t_.fold[cp.c]);
    // Sentence punctuation, parentheses and quotes: the context rules decide.
    if (std::string_view(",.?!:;()\"'").find(static_cast<char>(a)) != std::string_view::npos) continue;
    Note("width", i, i + 1, Utf8(a));
    Set(i, a);
    keys_ |= Key(a) ? KeyBit(Key(a)) : 0;
  }
}

// Marks what no rule may change: inline code, URLs, e-mail addresses, paths, and enumerations
// at the start of the line.
void Run::Protect() {
  const std::size_t n = cps_.size();
  // Inline code between backticks.
  for (std::size_t i = 0; i < n; ++i) {
    if (cps_[i].c != '`') continue;
    std::size_t j = i + 1;
    while (j < n && cps_[j].c != '`') ++j;
    if (j == n) break;
    for (std::size_t k = i; k <= j; ++k) cps_[k].prot = true;
    i = j;
  }
  if (all_flags_ & kAsciiPunct) ProtectTokens();
  ProtectEnumeration();
}

void Run::ProtectTokens() {
  const std::size_t n = cps_.size();
  // Tokens of printable ASCII (removed characters do not split them): a URL or e-mail address is
  // protected from its first character (the scheme, the local part), a path from the token's
  // start, less the sentence punctuation and unmatched parentheses that end it.
  auto ascii = [&](std::size_t j) { return cps_[j].c > 0x20 && cps_[j].c < 0x7F; };
  for (std::size_t i = 0; i < n;) {
    if (!ascii(i)) {
      ++i;
      continue;
    }
    std::size_t j = i, from = n;
    // Full-width marks that the rules may make ASCII belong to the token already, so that the
    // output splits into the same tokens when it is normalized again.
    for (; j < n && (ascii(j) || cps_[j].c == kDeleted || (cps_[j].flags & kFold)); ++j) {
      if (cps_[j].c == kDeleted || from <= j) continue;
      const char32_t c = cps_[j].c;
      const std::size_t nx = NextLive(j), nx2 = nx == npos ? npos : NextLive(nx);
      if (c == ':' && At(nx) == '/' && At(nx2) == '/') {
        from = j;  // the scheme: letters, digits, + . - before the colon
        while (from > i && (IsAsciiAlnum(At(from - 1)) || At(from - 1) == '+' || At(from - 1) == '.' ||
                            At(from - 1) == '-' || At(from - 1) == kDeleted))
          --from;
      } else if (c == '@' && IsAsciiAlnum(At(PrevLive(j))) && IsAsciiAlnum(At(nx))) {
        from = j;
        while (from > i && (IsAsciiAlnum(At(from - 1)) || std::u32string_view(U"._%+-").find(At(from - 1)) !=
                                                               std::u32string_view::npos || At(from - 1) == kDeleted))
          --from;
      } else if ((c == '/' || c == '\\') && nx != npos && ascii(nx)) {
        from = j;
        while (from > i && (ascii(from - 1) || At(from - 1) == kDeleted)) --from;
      } else if ((c | 0x20) == 'w' && j + 3 < n && (At(j + 1) | 0x20) == 'w' && (At(j + 2) | 0x20) == 'w' &&
                 At(j + 3) == '.' && (j == i || !IsAsciiAlnum(At(j - 1)))) {
        from = j;
      }
    }
    std::size_t next = j;
    if (from < j) {
      auto opening = [&](std::size_t k) { return At(k) == '[' || At(k) == '{' || Key(At(k)) == '(' ||
                                                 Key(At(k)) == '"' || Key(At(k)) == '\''; };
      while (from < j && opening(from)) ++from;
      std::size_t end = j;
      // A URL, address or path has no full-width characters or straight double quotes: they end
      // it (the rest is scanned as a token of its own), so that removing a space before a
      // full-width mark cannot make it part of the protected span in a second run.
      for (std::size_t k = from; k < end; ++k)
        if ((cps_[k].flags & kFold) || At(k) == '"') {
          end = next = k;
          break;
        }
      // Parentheses belong to the URL only when they match inside it (…/Foo_(bar)).
      int depth = 0;
      std::size_t unmatched = npos;
      for (std::size_t k = from; k < end; ++k) {
        if (Key(At(k)) == '(') {
          if (depth++ == 0) unmatched = k;
        } else if (Key(At(k)) == ')' && --depth < 0) {
          end = next = k;
          break;
        }
      }
      if (depth > 0 && unmatched != npos && unmatched < end) end = next = unmatched;
      next = std::max(next, from + 1);  // the rest after a cut is scanned as a token of its own
      auto closing = [&](std::size_t k) {
        const char key = Key(At(k));
        return At(k) == ']' || At(k) == '}' || At(k) == kDeleted ||
               (key && std::string_view(".,;:!?\"'").find(key) != std::string_view::npos);
      };
      while (end > from && closing(end - 1)) --end;
      for (std::size_t k = from; k < end; ++k) cps_[k].prot = true;
    }
    i = next;
  }
}

void Run::ProtectEnumeration() {
  // Enumerations: "1." "1)" "(1)" at the start of the line (after spaces).
  const std::size_t n = cps_.size();
  std::size_t k = 0;
  while (k < n && (cps_[k].flags & kSpace)) ++k;
  std::size_t d = k + (k < n && (cps_[k].c == '(' || cps_[k].c == U'（'));
  std::size_t e = d;
  while (e < n && (cps_[e].flags & kDigit) && e - d < 4) ++e;
  if (e > d && e < n) {
    const char32_t c = cps_[e].c;
    const bool paren = d > k;
    if ((paren && (c == ')' || c == U'）')) || (!paren && (c == '.' || c == ')' || c == U'．')))
      for (std::size_t m = k; m <= e; ++m) cps_[m].prot = true;
  }
}

void Run::Parentheses() {
  // Matches ( ) of either width with a stack; pairs decide by their content, the rest are reported.
  std::vector<std::size_t> stack;
  auto convert = [&](std::size_t i, char32_t to) {
    if (cps_[i].c == to) return;
    Note("parentheses", i, i + 1, Utf8(to));
    Set(i, to);
  };
  for (const std::size_t i : marks_) {
    if (!(cps_[i].flags & kPunctKey) || !Live(i)) continue;
    const char k = Key(cps_[i].c);
    if (k == '(') {
      stack.push_back(i);
    } else if (k == ')') {
      if (stack.empty()) {
        Note("unbalanced-paren", i, i + 1, "", true);
        continue;
      }
      const std::size_t open = stack.back();
      stack.pop_back();
      bool han = false;
      for (std::size_t m = open + 1; m < i && !han; ++m) han = cps_[m].flags & kHan;
      const bool wide = han && o_.profile != Profile::kAscii;
      convert(open, wide ? U'（' : U'(');
      convert(i, wide ? U'）' : U')');
    }
  }
  for (std::size_t open : stack) Note("unbalanced-paren", open, open + 1, "", true);
}

void Run::Quotes() {
  if (keys_ & KeyBit('"')) StraightQuotes('"');
  if (keys_ & KeyBit('\'')) StraightQuotes('\'');
  if (all_flags_ & kCurly) CurlyQuotes();
}

// Straight quotes in Chinese context become curly (or corner) quotes, paired in order. An
// apostrophe (between two letters) is not a quote. An odd count in a line with Han is reported.
void Run::StraightQuotes(char32_t quote) {
  if (o_.profile == Profile::kAscii || !(all_flags_ & kHan)) return;
  std::vector<std::size_t> at;
  for (const std::size_t i : marks_) {
    if (!Live(i) || (cps_[i].c != quote && !(cps_[i].flags & kFold && static_cast<char32_t>(Key(cps_[i].c)) == quote))) continue;
    if (quote == '\'' && (FlagsAt(PrevLive(i)) & kAlnum) && (FlagsAt(NextLive(i)) & kAlnum)) continue;
    at.push_back(i);
  }
  if (at.size() % 2 && quote == '"') {
    // An odd count: a quote after a digit may be an inch mark (27"), not a quote; without them
    // the others may pair up (为"10" has its closing quote after a digit too, so only then).
    std::erase_if(at, [&](std::size_t i) { return FlagsAt(PrevLive(i)) & kDigit; });
  }
  if (at.size() % 2) {
    for (std::size_t i : at) Note("unbalanced-quote", i, i + 1, "", true);
    return;
  }
  const bool hant = o_.profile == Profile::kHant;
  const char32_t open = quote == '"' ? (hant ? U'「' : U'“') : (hant ? U'『' : U'‘');
  const char32_t close = quote == '"' ? (hant ? U'」' : U'”') : (hant ? U'』' : U'’');
  for (std::size_t p = 0; p < at.size(); p += 2) {
    const std::size_t a = at[p], b = at[p + 1];
    bool han = Cjk(Prev(a)) || Cjk(Next(b));
    for (std::size_t m = a + 1; m < b && !han; ++m) han = cps_[m].flags & kHan;
    if (!han) continue;
    Note("quotes", a, a + 1, Utf8(open));
    Set(a, open);
    Note("quotes", b, b + 1, Utf8(close));
    Set(b, close);
  }
}

// Curly and corner quotes: converted to the profile's family, and checked for balance.
void Run::CurlyQuotes() {
  int depth[4] = {0, 0, 0, 0};  // “” ‘’ 「」 『』
  static constexpr char32_t kOpen[4] = {U'“', U'‘', U'「', U'『'};
  static constexpr char32_t kClose[4] = {U'”', U'’', U'」', U'』'};
  bool any = false;
  for (const std::size_t i : marks_) {
    if (!(cps_[i].flags & kCurly) || !Live(i)) continue;
    const char32_t c = cps_[i].c;
    for (int f = 0; f < 4; ++f) {
      if (c == kOpen[f]) {
        ++depth[f];
        any = true;
      } else if (c == kClose[f]) {
        // ’ between letters is an apostrophe (it’s), not a closing quote.
        if (f == 1 && (FlagsAt(PrevLive(i)) & kAlnum) && (FlagsAt(NextLive(i)) & kAlnum)) continue;
        any = true;
        if (--depth[f] < 0) {
          Note("unbalanced-quote", i, i + 1, "", true);
          depth[f] = 0;
        }
      }
    }
  }
  if (!any) return;
  bool balanced = true;
  for (int f = 0; f < 4; ++f)
    if (depth[f] > 0) {
      balanced = false;
      for (std::size_t i = cps_.size(); i-- > 0;)
        if (Live(i) && cps_[i].c == kOpen[f]) {
          Note("unbalanced-quote", i, i + 1, "", true);
          break;
        }
    }
  // Family conversion, only in a line with Han (an English sentence keeps its “”).
  if (!(all_flags_ & kHan) || !balanced) return;
  for (const std::size_t i : marks_) {
    if (!(cps_[i].flags & kCurly) || !Live(i)) continue;
    const char32_t c = cps_[i].c;
    char32_t to = c;
    switch (o_.profile) {
      case Profile::kHans:
        to = c == U'「' ? U'“' : c == U'」' ? U'”' : c == U'『' ? U'‘' : c == U'』' ? U'’' : c;
        break;
      case Profile::kHant:
        if (c == U'’' && (FlagsAt(PrevLive(i)) & kAlnum) && (FlagsAt(NextLive(i)) & kAlnum)) break;
        to = c == U'“' ? U'「' : c == U'”' ? U'」' : c == U'‘' ? U'『' : c == U'’' ? U'』' : c;
        break;
      case Profile::kAscii:
        if (c == U'’' && (FlagsAt(PrevLive(i)) & kAlnum) && (FlagsAt(NextLive(i)) & kAlnum)) break;
        to = (c == U'“' || c == U'”' || c == U'「' || c == U'」') ? U'"'
             : (c == U'‘' || c == U'’' || c == U'『' || c == U'』') ? U'\''
                                                                     : c;
        break;
    }
    if (to != c) {
      Note("quotes", i, i + 1, Utf8(to));
      Set(i, to);
    }
  }
}

// The live, unprotected code points from i on that satisfy `same`, skipping removed ones: their
// indices in run_. Returns the index after the last one.
template <class Same>
std::size_t Run::Collect(std::size_t i, Same same) {
  run_.clear();
  std::size_t last = i;
  for (std::size_t k = i; k < cps_.size(); ++k) {
    if (cps_[k].c == kDeleted) continue;
    if (cps_[k].prot || !same(cps_[k].c)) break;
    run_.push_back(k);
    last = k;
  }
  return last + 1;
}

void Run::Ellipsis() {
  std::size_t skip = 0;  // the end of the run just handled
  for (const std::size_t i : marks_) {
    if (i < skip) continue;
    // (A mark with `repeat` is this rule's own …… or ——: done.)
    if (!(cps_[i].flags & (kPunctKey | kEllipsisDash)) || !Live(i) || cps_[i].repeat) continue;
    const char32_t c = cps_[i].c;
    const bool dot = c == '.' || c == U'．';
    if (!dot && c != U'。' && c != U'…') continue;
    const std::size_t j = Collect(i, [&](char32_t x) { return dot ? x == '.' || x == U'．' : x == c; });
    const std::size_t len = run_.size();
    const bool ok = c == U'…' ? len <= 2 : (len >= 3 && len <= 6);
    const bool already = c == U'…' && len == 2 && o_.profile != Profile::kAscii;
    if (!ok || already) {
      skip = j;
      continue;
    }
    const std::size_t p = Prev(i), n = Next(j - 1);
    // "..." between Latin words or after a Latin word at the end is Latin.
    const bool chinese = Cjk(p) || Cjk(n) || (!(FlagsAt(p) & kAlnum) && !(FlagsAt(n) & kAlnum) && han_ > latin_);
    const bool ascii = o_.profile == Profile::kAscii;
    std::string to;
    if (ascii) {
      if (c == U'…') to = "...";  // … and …… are both one ellipsis
    } else if (chinese) {
      to = "……";
    }
    if (!to.empty()) {
      Note("ellipsis", i, j, to);
      Set(i, ascii ? '.' : U'…');
      cps_[i].extra = ascii ? '.' : U'…';
      cps_[i].repeat = ascii ? 2 : 1;
      for (std::size_t k = 1; k < run_.size(); ++k) Set(run_[k], kDeleted);
    }
    skip = j;
  }
}

void Run::Dash() {
  std::size_t skip = 0;  // the end of the run just handled
  for (const std::size_t i : marks_) {
    if (i < skip) continue;
    // (A mark with `repeat` is this rule's own …… or ——: done.)
    if (!(cps_[i].flags & (kPunctKey | kEllipsisDash)) || !Live(i) || cps_[i].repeat) continue;
    const char32_t c = cps_[i].c;
    const bool hyphen = c == '-' || c == U'－';
    if (!hyphen && c != U'—' && c != U'―') continue;
    const std::size_t j = Collect(i, [&](char32_t x) { return hyphen ? x == '-' || x == U'－' : x == c; });
    const std::size_t len = run_.size();
    const bool is_dash = hyphen ? len == 2 : (len <= 2 && !(c == U'—' && len == 2));
    const std::size_t p = PrevLive(i), n = NextLive(j - 1);
    // --option after a space or at the line start is a command-line option, not a dash.
    const bool option = hyphen && (p == npos || (FlagsAt(p) & kSpace)) && (FlagsAt(n) & kAlnum);
    const bool ascii = o_.profile == Profile::kAscii;
    // Hyphens make a dash only touching Chinese text (中国--美国): with spaces around they are as
    // often an option separator (dh_auto_configure -- 来替换它).
    const bool chinese = hyphen ? Cjk(p) || Cjk(n) : Cjk(Prev(i)) || Cjk(Next(j - 1));
    if (is_dash && !option && chinese) {
      Note("dash", i, j, ascii ? "--" : "——");
      Set(i, ascii ? '-' : U'—');
      cps_[i].extra = ascii ? '-' : U'—';
      cps_[i].repeat = 1;
      for (std::size_t k = 1; k < run_.size(); ++k) Set(run_[k], kDeleted);
    } else if (ascii && c == U'—' && len == 2) {
      Note("dash", i, j, "--");
      Set(run_[0], '-');
      Set(run_[1], '-');
    }
    skip = j;
  }
}

// A mark's context can depend on marks beside it that this rule changes too (?!。 after Han):
// one sweep each way lets a decision travel along a run of marks in either direction.
void Run::Punctuation() {
  for (const std::size_t i : marks_) PunctuationAt(i);
  for (auto it = marks_.rbegin(); it != marks_.rend(); ++it) PunctuationAt(*it);
}

void Run::PunctuationAt(std::size_t i) {
  const bool ascii_profile = o_.profile == Profile::kAscii;
  if (!(cps_[i].flags & (kPunctKey | kWidePunct)) || !Live(i)) return;
  const char32_t c = cps_[i].c;
  if (c == U'、') {
    if (ascii_profile) {
      Note("punctuation", i, i + 1, ",");
      Set(i, ',');
    }
    return;
  }
  const char k = Key(c);
  if (k != ',' && k != '.' && k != '?' && k != '!' && k != ':' && k != ';') {
    if (ascii_profile && (c == U'【' || c == U'】')) {
      Note("punctuation", i, i + 1, c == U'【' ? "[" : "]");
      Set(i, c == U'【' ? '[' : ']');
    }
    return;
  }
  const std::size_t pl = PrevLive(i), nl = NextLive(i);
  const std::uint16_t fp = FlagsAt(pl), fn = FlagsAt(nl);
  bool keep_ascii = false;
  // What numbers, words and code keep, whatever the context. Only for ASCII marks and their
  // full-width forms: a 。 written as such is a sentence end.
  if (c != U'。') {
    // Inside a number (3.14 1,000 10:30).
    if ((k == '.' || k == ',' || k == ':') && (fp & kDigit) && (fn & kDigit)) keep_ascii = true;
    // Inside a word, a domain or a glob (U.S e.g new.qq.com v1.2 a:b *.so); a full-width colon
    // between words is a Chinese one (SONAME：objdump).
    if ((k == '.' || c == ':') && (fn & kAlnum) && !(fn & kHan) && pl != npos && At(pl) < 0x80 && At(pl) > 0x20)
      keep_ascii = true;
    if (k == '.' && (At(pl) == '.' || At(nl) == '.')) keep_ascii = true;  // .. is not a sentence end
    // Code and emoticons: an ASCII mark followed by an ASCII symbol (?= != :-) :=).
    if (c < 0x80 && nl != npos && At(nl) < 0x80 && (cps_[nl].flags & kAsciiPunct) &&
        std::string_view(")]}\"',.?!:;").find(static_cast<char>(At(nl))) == std::string_view::npos)
      keep_ascii = true;
    // An abbreviation: a period after one- or two-letter parts with a period between them
    // (U.S. e.g. Ph.D.), not after a word (DeepSeek. AI.) or a domain name (new.qq.com.).
    if (k == '.' && !keep_ascii && (fp & kLetter)) {
      std::size_t m = pl, seg = 0, longest = 0, steps = 0;
      bool dotted = false;
      while (m != npos && steps++ < 64) {
        const char32_t x = cps_[m].c;
        if (x == '.') {
          seg = 0;
          dotted = true;
        } else if (cps_[m].flags & kAlnum) {
          longest = std::max(longest, ++seg);
        } else if (x != kDeleted) {
          break;
        }
        if (cps_[m].space_before) break;  // a space an earlier decision added ends the word
        m = m == 0 ? npos : m - 1;
      }
      if (dotted && longest <= 2) keep_ascii = true;
    }
  }
  char32_t to;
  if (keep_ascii || ascii_profile) {
    to = static_cast<char32_t>(k);
  } else if (ChineseContext(i)) {
    to = k == ',' ? U'，' : k == '.' ? U'。' : k == '?' ? U'？' : k == '!' ? U'！' : k == ':' ? U'：' : U'；';
  } else {
    to = static_cast<char32_t>(k);
  }
  if (to == c) return;
  Note("punctuation", i, i + 1, Utf8(to));
  Set(i, to);
  // Chinese punctuation takes no space after it: drop one that an earlier, Latin decision added.
  if (to >= 0x80 && nl != npos && nl == i + 1) cps_[nl].space_before = false;
  // A full-width mark made ASCII before a Latin word gets the space Latin text has after it.
  if (to < 0x80 && !keep_ascii && (fn & kAlnum) && !(fn & kHan) && nl == i + 1) {
    cps_[nl].space_before = true;
    Note("punctuation", nl, nl, " ");
  }
}

void Run::Spacing() {
  const std::size_t n = cps_.size();
  // Trailing spaces and tabs.
  std::size_t end = n;
  while (end > 0 && (cps_[end - 1].c == kDeleted || cps_[end - 1].c == ' ' || cps_[end - 1].c == '\t' ||
                     (cps_[end - 1].flags & kSpace)))
    --end;
  std::size_t first_trail = end;
  while (first_trail < n && cps_[first_trail].c == kDeleted) ++first_trail;
  if (first_trail < n) {
    Note("spacing", first_trail, n, "");
    for (std::size_t k = first_trail; k < n; ++k)
      if (cps_[k].c != kDeleted) Set(k, kDeleted);
  }
  // Leading spaces are indentation: kept (the indent rule handles ideographic ones).
  std::size_t i = 0;
  while (i < end && (cps_[i].c == kDeleted || (cps_[i].flags & kSpace))) ++i;
  for (; i < end; ++i) {
    if (cps_[i].c != ' ' || cps_[i].prot) continue;
    std::size_t j = i;
    while (j < end && (cps_[j].c == ' ' || cps_[j].c == kDeleted) && !cps_[j].prot) ++j;
    const std::size_t p = Prev(i), nx = Next(j - 1);
    const std::uint16_t fp = FlagsAt(p), fn = FlagsAt(nx);
    const auto curly = [&](std::size_t x) {
      const char32_t c = At(x);
      return c == U'“' || c == U'”' || c == U'‘' || c == U'’';
    };
    bool remove = ((fp & kHan) && (fn & kHan)) || (fp & kWidePunct) || (fn & kWidePunct) ||
                  (curly(p) && (fn & kHan)) || ((fp & kHan) && curly(nx));
    std::size_t live = 0;
    for (std::size_t k = i; k < j; ++k) live += cps_[k].c != kDeleted;
    if (remove) {
      Note("spacing", i, j, "");
      for (std::size_t k = i; k < j; ++k)
        if (cps_[k].c != kDeleted) Set(k, kDeleted);
    } else if (live > 1) {
      Note("spacing", i, j, " ");
      bool kept = false;
      for (std::size_t k = i; k < j; ++k)
        if (cps_[k].c != kDeleted) {
          if (kept) Set(k, kDeleted);
          kept = true;
        }
    }
    i = j - 1;
  }
}

void Run::CjkLatin() {
  const bool add = o_.cjk_latin_space == CjkLatinSpace::kAdd;
  for (std::size_t i = 0; i < cps_.size(); ++i) {
    if (cps_[i].c == kDeleted || cps_[i].prot) continue;
    const std::size_t p = PrevLive(i);
    if (p == npos || cps_[p].prot) continue;
    const std::uint16_t a = cps_[p].flags, b = cps_[i].flags;
    if (add) {
      if (((a & kHan) && (b & kAlnum)) || ((a & kAlnum) && (b & kHan))) {
        if (!cps_[i].space_before) {
          cps_[i].space_before = true;
          changed_ = true;
          Note("cjk-latin-space", i, i, " ");
        }
      }
    } else if (cps_[i].c == ' ') {
      std::size_t j = i;
      while (j < cps_.size() && (cps_[j].c == ' ' || cps_[j].c == kDeleted)) ++j;
      if (j < cps_.size() && (((a & kHan) && (cps_[j].flags & kAlnum)) || ((a & kAlnum) && (cps_[j].flags & kHan)))) {
        Note("cjk-latin-space", i, j, "");
        for (std::size_t k = i; k < j; ++k)
          if (cps_[k].c != kDeleted) Set(k, kDeleted);
      }
      i = j - 1;
    }
  }
}

void Run::Encode() {
  // Untouched code points are copied from the source in runs; only what a rule changed is encoded.
  std::size_t run_begin = 0, run_end = 0;  // byte range of the pending untouched run
  auto flush = [&] {
    if (run_end > run_begin) out_.append(line_.data() + run_begin, run_end - run_begin);
    run_begin = run_end = 0;
  };
  for (const Cp& cp : cps_) {
    if (cp.c == kDeleted) continue;
    if (!cp.touched && !cp.space_before) {
      if (run_end != cp.off || run_end == run_begin) {
        flush();
        run_begin = cp.off;
      }
      run_end = cp.off + cp.len;
      continue;
    }
    flush();
    if (cp.space_before && (out_.empty() || out_.back() != ' ')) out_ += ' ';
    if (cp.c == kInvalid || !cp.touched) {
      out_.append(line_.substr(cp.off, cp.len));
      continue;
    }
    AppendUtf8(out_, cp.c);
    for (int r = 0; r < cp.repeat; ++r) AppendUtf8(out_, cp.extra);
  }
  flush();
}

}  // namespace

Normalizer::Normalizer(Options options) : options_(options) { GetTables(); }
Normalizer::~Normalizer() = default;
Normalizer::Normalizer(Normalizer&&) noexcept = default;

std::size_t Normalizer::Normalize(std::string_view utf8, std::string& out, std::vector<Change>* explain,
                                  std::size_t* findings) const {
  Run run(options_, GetTables(), utf8, out, explain);
  const std::size_t changes = run.Go();
  if (findings) *findings = run.findings_;
  return changes;
}

std::string Normalizer::Normalize(std::string_view utf8, std::vector<Change>* explain) const {
  std::string out;
  Normalize(utf8, out, explain);
  return out;
}

Punct::Punct(Options options, ExplainSink explain) : normalizer_(options), explain_(std::move(explain)) {}

void Punct::Process(Document& doc, Diagnostics&) const {
  std::vector<Change> changes;
  std::vector<Change>* explain = explain_ ? &changes : nullptr;
  std::string out;
  std::size_t count = 0, unbalanced = 0, findings = 0;
  if (!doc.metadata.title.empty()) {
    count += normalizer_.Normalize(doc.metadata.title, out, explain, &findings);
    unbalanced += findings;
    if (explain && !changes.empty()) explain_(doc, "title", changes);
    changes.clear();
    doc.metadata.title.swap(out);
  }
  count += normalizer_.Normalize(doc.text, out, explain, &findings);
  unbalanced += findings;
  if (explain && !changes.empty()) explain_(doc, "text", changes);
  doc.text.swap(out);
  doc.metadata.extra["punct_changes"] = count;
  if (unbalanced > 0) doc.metadata.extra["punct_unbalanced"] = unbalanced;
}

}  // namespace zhcanon::punct
