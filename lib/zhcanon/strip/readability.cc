#include "zhcanon/strip/readability.h"

#include <algorithm>
#include <array>

namespace zhcanon::strip {

namespace {

// Hints found anywhere in the lower-cased attribute. Chinese sites often name blocks by
// pinyin initials (xgyd 相关阅读, xgxw 相关新闻, zw 正文) or in Chinese.
constexpr std::string_view kPositive[] = {
    "article", "content", "entry", "main", "post", "body", "text", "story",
    "detail", "blog", "zhengwen", "trs_editor",
};
constexpr std::string_view kPositiveTokens[] = {"zw", "txt", "cont"};

constexpr std::string_view kNegative[] = {
    "comment", "sidebar", "footer", "nav", "menu", "relate", "share", "social", "banner",
    "recommend", "sponsor", "promo", "widget", "crumb", "copyright", "pinglun", "tuijian",
    "xgyd", "xgxw", "login", "rank", "masthead", "outbrain", "shopping", "contact",
    "combx", "meta", "advert", "相关", "推荐", "评论", "广告",
};
constexpr std::string_view kNegativeTokens[] = {"ad",  "ads", "hot",  "side",   "gg", "tag",
                                                "tags", "cmt", "foot", "bottom", "top"};

constexpr std::string_view kUnlikely[] = {
    "comment", "sidebar", "footer", "header", "nav", "menu", "relate", "share", "social",
    "banner", "crumb", "recommend", "sponsor", "popup", "pager", "pagination", "copyright",
    "pinglun", "tuijian", "xgyd", "xgxw", "login", "disqus", "community", "remark",
    "replies", "shoutbox", "skyscraper", "advert", "相关", "推荐", "评论", "广告",
};
constexpr std::string_view kUnlikelyTokens[] = {"ad", "ads", "hot", "gg", "rss", "cmt", "foot", "bottom"};

constexpr std::string_view kMaybe[] = {"article", "body", "column", "content", "main",
                                       "shadow", "zhengwen"};

constexpr std::string_view kUnlikelyRoles[] = {"menu",          "menubar", "complementary",
                                               "navigation",    "alert",   "alertdialog",
                                               "dialog"};

constexpr std::string_view kRelatedLabels[] = {
    "相关阅读", "相关新闻", "相关文章", "相关推荐", "相关报道", "相关链接", "相关资讯",
    "热门推荐", "热门文章", "热门新闻", "热点推荐", "精彩推荐", "推荐阅读", "延伸阅读",
    "扩展阅读", "更多阅读", "猜你喜欢", "为你推荐", "你可能感兴趣", "大家都在看",
    "相關閱讀", "相關新聞", "相關文章", "熱門推薦", "推薦閱讀", "延伸閱讀", "猜你喜歡",
};

// A lower-cased, bounded copy on the stack: class lists longer than this are cut, which
// only loses hints at their very end.
class Lowered {
 public:
  explicit Lowered(std::string_view s) {
    size_ = std::min(s.size(), buf_.size());
    for (size_t i = 0; i < size_; ++i) {
      char c = s[i];
      buf_[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  std::string_view view() const { return {buf_.data(), size_}; }

 private:
  std::array<char, 256> buf_;
  size_t size_ = 0;
};

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}

enum HintBit : std::uint8_t { kPos = 1, kNeg = 2, kUnl = 4, kMay = 8 };

struct Keyword {
  std::string_view text;
  std::uint8_t bits;
};

// Every hint once, with the lists it belongs to, bucketed by first byte so that one scan
// of the attribute finds them all (this runs for every element with a class or id).
struct HintTable {
  std::array<std::vector<Keyword>, 256> by_first;
  std::vector<Keyword> tokens;
  HintTable() {
    auto add = [&](auto& list, std::uint8_t bit, bool token) {
      for (std::string_view k : list) {
        std::vector<Keyword>& v = token ? tokens : by_first[static_cast<unsigned char>(k[0])];
        auto it = std::find_if(v.begin(), v.end(), [&](const Keyword& e) { return e.text == k; });
        if (it == v.end()) {
          v.push_back({k, bit});
        } else {
          it->bits |= bit;
        }
      }
    };
    add(kPositive, kPos, false);
    add(kPositiveTokens, kPos, true);
    add(kNegative, kNeg, false);
    add(kNegativeTokens, kNeg, true);
    add(kUnlikely, kUnl, false);
    add(kUnlikelyTokens, kUnl, true);
    add(kMaybe, kMay, false);
  }
};

const HintTable& Hints() {
  static const HintTable table;
  return table;
}

std::uint8_t ScanHints(std::string_view attr) {
  if (attr.empty()) return 0;
  Lowered lowered(attr);
  std::string_view l = lowered.view();
  const HintTable& t = Hints();
  std::uint8_t bits = 0;
  for (size_t i = 0; i < l.size(); ++i) {
    for (const Keyword& k : t.by_first[static_cast<unsigned char>(l[i])]) {
      if (l.substr(i, k.text.size()) == k.text) bits |= k.bits;
    }
  }
  size_t i = 0;
  while (i < l.size()) {
    while (i < l.size() && !IsTokenChar(l[i])) ++i;
    size_t j = i;
    while (j < l.size() && IsTokenChar(l[j])) ++j;
    std::string_view token = l.substr(i, j - i);
    if (!token.empty() && token.size() <= 6) {
      for (const Keyword& k : t.tokens) {
        if (token == k.text) bits |= k.bits;
      }
    }
    i = j;
  }
  return bits;
}

int WeightOf(std::uint8_t bits) { return ((bits & kPos) ? 25 : 0) - ((bits & kNeg) ? 25 : 0); }

// Tuning. Readability counts English characters; one Chinese character carries about
// as much as three English ones, so the paragraph minimum is lower than Readability's 25.
constexpr uint32_t kMinParagraphChars = 10;
constexpr uint32_t kMinArticleChars = 50;
constexpr uint32_t kSiblingParagraphChars = 50;
constexpr int kAncestorLevels = 5;
constexpr size_t kTopCandidates = 5;

double LinkDensity(const ContentNode& n) {
  return n.chars == 0 ? 0.0 : static_cast<double>(n.link_chars) / n.chars;
}

bool IsDescendant(std::span<const ContentNode> nodes, int32_t node, int32_t ancestor) {
  return node >= ancestor && node < nodes[ancestor].end;
}

}  // namespace

ClassHints AnalyzeClassHints(std::string_view class_attr, std::string_view id_attr,
                             std::string_view role) {
  ClassHints h;
  std::uint8_t c = ScanHints(class_attr);
  std::uint8_t i = ScanHints(id_attr);
  h.weight = WeightOf(c) + WeightOf(i);
  h.unlikely = ((c | i) & kUnl) && !((c | i) & kMay);
  if (!role.empty()) {
    Lowered r(role);
    for (std::string_view u : kUnlikelyRoles) {
      if (r.view() == u) h.unlikely = true;
    }
  }
  return h;
}

int ClassWeight(std::string_view class_attr, std::string_view id_attr) {
  return AnalyzeClassHints(class_attr, id_attr, {}).weight;
}

bool IsUnlikelyCandidate(std::string_view class_attr, std::string_view id_attr,
                         std::string_view role) {
  return AnalyzeClassHints(class_attr, id_attr, role).unlikely;
}

bool IsRelatedLinksLabel(std::string_view text) {
  auto trim = [&] {
    for (;;) {
      if (!text.empty() && (text.back() == ' ' || text.back() == ':' || text.back() == '\n' ||
                            text.back() == '\t')) {
        text.remove_suffix(1);
      } else if (text.ends_with("：")) {
        text.remove_suffix(std::string_view("：").size());
      } else if (text.ends_with(">>") || text.ends_with("》")) {
        text.remove_suffix(text.ends_with(">>") ? 2 : std::string_view("》").size());
      } else {
        break;
      }
    }
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) {
      text.remove_prefix(1);
    }
  };
  trim();
  if (text.size() > 40) return false;
  return std::find(std::begin(kRelatedLabels), std::end(kRelatedLabels), text) !=
         std::end(kRelatedLabels);
}

bool StartsWithRelatedLinksLabel(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  for (std::string_view label : kRelatedLabels) {
    if (!text.starts_with(label)) continue;
    std::string_view rest = text.substr(label.size());
    if (rest.empty() || rest.front() == ' ' || rest.front() == ':' || rest.front() == '\n' ||
        rest.front() == '\t' || rest.starts_with("：") || rest.starts_with(">") ||
        rest.starts_with("》")) {
      return true;
    }
  }
  return false;
}

bool IsLinkListBlock(const ContentNode& n) {
  if (!(n.flags & kContentCleanable) || n.chars == 0) return false;
  // Nearly all links: a table of contents or a link list, whatever its punctuation.
  if (n.link_chars * 10 >= n.chars * 9) return true;
  if (n.commas >= 10) return false;  // prose: keep even with a negative hint
  if (n.class_weight < 0) return true;
  return n.link_chars * 2 > n.chars;
}

std::vector<int32_t> PickMainContent(std::span<const ContentNode> nodes, int32_t body) {
  const int32_t n = static_cast<int32_t>(nodes.size());
  // Scores are kept only for candidates; NaN-free because they start at the tag weight.
  thread_local std::vector<float> score;
  thread_local std::vector<uint8_t> is_candidate;
  score.assign(nodes.size(), 0.0f);
  is_candidate.assign(nodes.size(), 0);

  auto is_root = [&](int32_t i) { return nodes[i].parent < 0; };
  // Every paragraph-like block with enough text of its own gives points to the ancestors
  // above it: 1 + commas + one per 100 characters (at most 3), divided by 1, 2, then
  // 3 x level, as Readability does. Link-heavy paragraphs (menus written as <div><a>..)
  // give nothing.
  for (int32_t i = 0; i < n; ++i) {
    const ContentNode& x = nodes[i];
    if (x.kind != ContentKind::kParagraph && x.kind != ContentKind::kContainer &&
        x.kind != ContentKind::kCell) {
      continue;
    }
    if (x.flags & kContentUnscored) continue;
    if (x.inline_chars < kMinParagraphChars) continue;
    if (x.inline_link_chars * 2 > x.inline_chars) continue;
    float points = 1.0f + x.inline_commas + static_cast<float>(std::min<uint32_t>(x.inline_chars / 100, 3));
    // A container that mixes text with blocks holds its own text the way a <p> would
    // hold it after Readability wraps it: it is the first ancestor. So is a table cell:
    // its row would also hold the navigation cell next to it.
    bool holds_itself = x.kind == ContentKind::kCell ||
                        (x.kind == ContentKind::kContainer && (x.flags & kContentHasBlockChild));
    int32_t a = holds_itself ? i : x.parent;
    for (int level = 0; a >= 0 && level < kAncestorLevels; ++level, a = nodes[a].parent) {
      if (is_root(a)) break;  // <html> is never a candidate
      if (!is_candidate[a]) {
        is_candidate[a] = 1;
        score[a] = static_cast<float>(nodes[a].tag_weight + nodes[a].class_weight);
      }
      float divider = level == 0 ? 1.0f : level == 1 ? 2.0f : static_cast<float>(level * 3);
      score[a] += points / divider;
    }
  }

  // Scale by (1 - link density) and keep the best few.
  std::array<int32_t, kTopCandidates> top;
  size_t top_count = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (!is_candidate[i]) continue;
    score[i] *= static_cast<float>(1.0 - LinkDensity(nodes[i]));
    size_t pos = top_count;
    while (pos > 0 && score[top[pos - 1]] < score[i]) --pos;
    if (pos >= kTopCandidates) continue;
    size_t last = std::min(top_count, kTopCandidates - 1);
    for (size_t k = last; k > pos; --k) top[k] = top[k - 1];
    top[pos] = i;
    if (top_count < kTopCandidates) ++top_count;
  }
  if (top_count == 0) return {};
  int32_t best = top[0];
  auto stop_at = [&](int32_t i) { return i < 0 || i == body || is_root(i); };

  // Several near-best candidates under one ancestor: the content is split into blocks and
  // that ancestor holds all of them.
  if (score[best] > 0) {
    std::array<int32_t, kTopCandidates> alternatives;
    size_t alt_count = 0;
    for (size_t k = 1; k < top_count; ++k) {
      if (score[top[k]] / score[best] >= 0.75f) alternatives[alt_count++] = top[k];
    }
    if (alt_count >= 3) {
      for (int32_t p = nodes[best].parent; !stop_at(p); p = nodes[p].parent) {
        size_t holding = 0;
        for (size_t k = 0; k < alt_count; ++k) holding += IsDescendant(nodes, alternatives[k], p);
        if (holding >= 3) {
          best = p;
          break;
        }
      }
    }
  }
  // A parent scoring higher than the way up so far holds more of the content.
  {
    float last = score[best];
    float threshold = last / 3;
    for (int32_t p = nodes[best].parent; !stop_at(p); p = nodes[p].parent) {
      if (!is_candidate[p]) continue;
      if (score[p] < threshold) break;
      if (score[p] > last) {
        best = p;
        break;
      }
      last = score[p];
    }
  }
  // An only child says nothing its parent does not; the parent's siblings may be content.
  for (int32_t p = nodes[best].parent; !stop_at(p) && nodes[p].element_children == 1;
       p = nodes[p].parent) {
    best = p;
  }

  std::vector<int32_t> roots;
  int32_t parent = nodes[best].parent;
  if (parent < 0 || best == body) {
    roots.push_back(best);
  } else {
    float best_score = is_candidate[best] ? score[best] : 0.0f;
    float threshold = std::max(10.0f, best_score * 0.2f);
    for (int32_t c = parent + 1; c < nodes[parent].end; c = nodes[c].end) {
      const ContentNode& x = nodes[c];
      if (x.kind == ContentKind::kText || (x.flags & (kContentExcluded | kContentUnscored))) continue;
      bool keep = c == best;
      if (!keep && is_candidate[c]) {
        float bonus = (x.class_hash != 0 && x.class_hash == nodes[best].class_hash) ? best_score * 0.2f : 0.0f;
        keep = score[c] + bonus >= threshold;
      }
      if (!keep && (x.flags & kContentIsP)) {
        double density = LinkDensity(x);
        if (x.chars > kSiblingParagraphChars) {
          keep = density < 0.25;
        } else {
          keep = x.chars > 0 && density == 0 && (x.flags & kContentSentenceEnd);
        }
      }
      if (keep) roots.push_back(c);
    }
  }
  uint64_t total = 0;
  for (int32_t r : roots) total += nodes[r].chars;
  if (total < kMinArticleChars) return {};
  return roots;
}

}  // namespace zhcanon::strip
