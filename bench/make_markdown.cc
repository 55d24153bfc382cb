// bench_make_markdown: builds the Markdown benchmark corpus (bench/corpora/markdown/) from
// real Chinese text, since Debian ships no Chinese Markdown of any size:
//
//   bench_make_markdown --out=bench/corpora/markdown --mb=50 --seeds=/work/shared/seeds
//       bench/corpora/html/debian-reference-zh-cn bench/corpora/html/maint-guide-zh-tw ...
//
// 1. Every HTML page given (DocBook output: debian-reference, maint-guide) is converted to
//    Markdown with gumbo: headings → `#`, paragraphs, `**strong**`, `*em*`, `` `code` ``,
//    fenced <pre>, lists, GitHub tables, links `[t](u)`, images `![a](s)`, definition lists
//    as bold terms; navigation and tables of contents are dropped.
// 2. Each chapter is cut into articles at h1–h3 headings once an article holds ~4 KB, the
//    size of a scraped news article.
// 3. Articles are written in rounds until --mb is reached. Round r varies what scraped
//    articles vary: front matter style (Hugo YAML like the seeds, TOML `+++`, Jekyll YAML,
//    none), hard wrapping of long lines (none / 60 bytes), a leading `![图片](…)` image,
//    a raw HTML <figure> block and a trailing source link `[来源](https://…)`.
// 4. Each seed file (/work/shared/seeds/*.txt: real scraped articles) is copied as .txt
//    once per round.
// Output is deterministic: same inputs, same bytes. Bodies repeat across rounds, which is
// fine for throughput but means the corpus must not be used for dedup measurements.
#include <gumbo.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench_util.h"

namespace {

namespace fs = std::filesystem;

constexpr char kUsage[] =
    "usage: bench_make_markdown --out=DIR [--mb=50] [--seeds=DIR] HTMLDIR...\n"
    "Converts the HTML pages under HTMLDIR to Markdown articles and writes rounds of them (and of\n"
    "the seed .txt files) with varied front matter under DIR until it holds --mb MB (10^6 bytes).\n";

std::string_view Attr(const GumboNode* n, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? std::string_view(a->value) : std::string_view();
}

bool HasClass(const GumboNode* n, std::string_view cls) {
  std::string_view c = Attr(n, "class");
  std::size_t pos = c.find(cls);
  return pos != std::string_view::npos && (pos == 0 || c[pos - 1] == ' ') &&
         (pos + cls.size() == c.size() || c[pos + cls.size()] == ' ');
}

// Collapses white space the way a browser would (ASCII only: enough for DocBook output).
void AppendCollapsed(std::string& out, std::string_view text) {
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
    } else {
      out += c;
    }
  }
}

void Trim(std::string& s) {
  std::size_t b = s.find_first_not_of(" \n");
  std::size_t e = s.find_last_not_of(" \n");
  s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string Inline(const GumboNode* n);

std::string InlineChildren(const GumboNode* n) {
  std::string out;
  const GumboVector& kids = n->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) out += Inline(static_cast<const GumboNode*>(kids.data[i]));
  return out;
}

std::string Wrap(std::string_view mark, std::string inner) {
  Trim(inner);
  if (inner.empty()) return {};
  return std::string(mark) + inner + std::string(mark);
}

std::string Inline(const GumboNode* n) {
  switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA: {
      std::string out;
      AppendCollapsed(out, n->v.text.text);
      return out;
    }
    case GUMBO_NODE_ELEMENT:
      break;
    default:
      return {};
  }
  switch (n->v.element.tag) {
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_B:
      return Wrap("**", InlineChildren(n));
    case GUMBO_TAG_EM:
    case GUMBO_TAG_I:
      return Wrap("*", InlineChildren(n));
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_KBD: {
      std::string inner = InlineChildren(n);
      Trim(inner);
      if (inner.empty()) return {};
      return inner.find('`') == std::string::npos ? "`" + inner + "`" : "`` " + inner + " ``";
    }
    case GUMBO_TAG_BR:
      return "  \n";
    case GUMBO_TAG_IMG:
      return "![" + std::string(Attr(n, "alt")) + "](" + std::string(Attr(n, "src")) + ")";
    case GUMBO_TAG_A: {
      std::string text = InlineChildren(n);
      Trim(text);
      std::string_view href = Attr(n, "href");
      if (text.empty()) return {};
      if (href.empty()) return text;
      return "[" + text + "](" + std::string(href) + ")";
    }
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
      return {};
    default:
      return InlineChildren(n);
  }
}

std::string TextOf(const GumboNode* n) {
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA)
    return n->v.text.text;
  if (n->type != GUMBO_NODE_ELEMENT) return {};
  std::string out;
  const GumboVector& kids = n->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) out += TextOf(static_cast<const GumboNode*>(kids.data[i]));
  return out;
}

// One Markdown block; `heading` > 0 marks h1–h6 (articles are cut there).
struct Block {
  std::string text;
  int heading = 0;
};

class Converter {
 public:
  std::vector<Block> blocks;

  void Walk(const GumboNode* n, const std::string& quote = "") {
    if (n->type != GUMBO_NODE_ELEMENT) {
      if (n->type == GUMBO_NODE_TEXT) {  // loose text directly in a <div>
        std::string t = Inline(n);
        Trim(t);
        if (!t.empty()) Add(quote + t);
      }
      return;
    }
    GumboTag tag = n->v.element.tag;
    if (HasClass(n, "navheader") || HasClass(n, "navfooter") || HasClass(n, "toc") ||
        HasClass(n, "list-of-tables") || HasClass(n, "list-of-figures"))
      return;
    switch (tag) {
      case GUMBO_TAG_HEAD:
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_HR:
        return;
      case GUMBO_TAG_H1:
      case GUMBO_TAG_H2:
      case GUMBO_TAG_H3:
      case GUMBO_TAG_H4:
      case GUMBO_TAG_H5:
      case GUMBO_TAG_H6: {
        int level = 1 + (tag - GUMBO_TAG_H1);
        std::string t = Inline(n);
        Trim(t);
        if (!t.empty()) blocks.push_back({quote + std::string(level, '#') + " " + t, level});
        return;
      }
      case GUMBO_TAG_P: {
        std::string t = Inline(n);
        Trim(t);
        if (!t.empty()) Add(quote + t);
        return;
      }
      case GUMBO_TAG_PRE: {
        std::string t = TextOf(n);
        while (!t.empty() && t.back() == '\n') t.pop_back();
        Add(quote + "```\n" + t + "\n```");
        return;
      }
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL: {
        std::string out;
        const GumboVector& kids = n->v.element.children;
        int k = 0;
        for (unsigned i = 0; i < kids.length; ++i) {
          auto* li = static_cast<const GumboNode*>(kids.data[i]);
          if (li->type != GUMBO_NODE_ELEMENT || li->v.element.tag != GUMBO_TAG_LI) continue;
          std::string t = Inline(li);
          Trim(t);
          for (char& c : t) if (c == '\n') c = ' ';
          if (t.empty()) continue;
          out += quote + (tag == GUMBO_TAG_OL ? std::to_string(++k) + ". " : "- ") + t + "\n";
        }
        if (!out.empty()) { out.pop_back(); Add(out); }
        return;
      }
      case GUMBO_TAG_DT: {
        std::string t = Inline(n);
        Trim(t);
        if (!t.empty()) Add(quote + Wrap("**", t));
        return;
      }
      case GUMBO_TAG_TABLE:
        Table(n, quote);
        return;
      case GUMBO_TAG_BLOCKQUOTE:
        Children(n, quote + "> ");
        return;
      default:
        Children(n, quote);
    }
  }

 private:
  void Add(std::string text) { blocks.push_back({std::move(text), 0}); }

  void Children(const GumboNode* n, const std::string& quote) {
    const GumboVector& kids = n->v.element.children;
    for (unsigned i = 0; i < kids.length; ++i) Walk(static_cast<const GumboNode*>(kids.data[i]), quote);
  }

  void Rows(const GumboNode* n, std::vector<std::vector<std::string>>& rows) {
    const GumboVector& kids = n->v.element.children;
    for (unsigned i = 0; i < kids.length; ++i) {
      auto* c = static_cast<const GumboNode*>(kids.data[i]);
      if (c->type != GUMBO_NODE_ELEMENT) continue;
      if (c->v.element.tag == GUMBO_TAG_TR) {
        std::vector<std::string> row;
        const GumboVector& cells = c->v.element.children;
        for (unsigned j = 0; j < cells.length; ++j) {
          auto* cell = static_cast<const GumboNode*>(cells.data[j]);
          if (cell->type != GUMBO_NODE_ELEMENT ||
              (cell->v.element.tag != GUMBO_TAG_TD && cell->v.element.tag != GUMBO_TAG_TH))
            continue;
          std::string t = Inline(cell);
          Trim(t);
          std::string esc;
          for (char ch : t) {
            if (ch == '|') esc += "\\|";
            else if (ch == '\n') esc += ' ';
            else esc += ch;
          }
          row.push_back(esc);
        }
        if (!row.empty()) rows.push_back(std::move(row));
      } else if (c->v.element.tag != GUMBO_TAG_TABLE) {
        Rows(c, rows);  // thead, tbody, tfoot; nested tables are not flattened
      }
    }
  }

  void Table(const GumboNode* n, const std::string& quote) {
    std::vector<std::vector<std::string>> rows;
    Rows(n, rows);
    if (rows.empty()) return;
    std::size_t cols = 0;
    for (const auto& r : rows) cols = std::max(cols, r.size());
    std::string out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out += quote + "|";
      for (std::size_t j = 0; j < cols; ++j) {
        out += ' ';
        if (j < rows[i].size()) out += rows[i][j];
        out += " |";
      }
      out += "\n";
      if (i == 0) {
        out += quote + "|";
        for (std::size_t j = 0; j < cols; ++j) out += " --- |";
        out += "\n";
      }
    }
    out.pop_back();
    Add(out);
  }
};

struct Article {
  std::string source;  // corpus-relative name of the page it came from
  std::string title;
  std::vector<std::string> blocks;
};

std::string Strip(std::string_view heading) {
  std::size_t i = heading.find_first_not_of('#');
  std::string t(heading.substr(i == std::string_view::npos ? heading.size() : i));
  Trim(t);
  return t;
}

void Split(const std::string& source, const std::vector<Block>& blocks, std::vector<Article>& out) {
  constexpr std::size_t kTarget = 4096;
  Article cur;
  std::size_t size = 0;
  for (const Block& b : blocks) {
    if (b.heading >= 1 && b.heading <= 3 && size >= kTarget) {
      out.push_back(std::move(cur));
      cur = Article{};
      size = 0;
    }
    if (cur.blocks.empty()) {
      cur.source = source;
      cur.title = b.heading ? Strip(b.text) : "";
    }
    cur.blocks.push_back(b.text);
    size += b.text.size();
  }
  if (!cur.blocks.empty() && size >= 256) out.push_back(std::move(cur));
}

std::string Quoted(std::string_view s) {  // a YAML/TOML/JSON double-quoted string
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Breaks lines longer than `width` bytes before a CJK character (never inside a code span or
// a link destination), as editors that hard-wrap Chinese text do. Fences, tables and
// headings are left alone: a break there would change their meaning.
std::string HardWrap(const std::string& block, std::size_t width) {
  if (block.starts_with("```") || block.starts_with("|") || block.starts_with("#")) return block;
  std::string out;
  std::size_t col = 0;
  bool in_code = false, in_dest = false;
  for (std::size_t i = 0; i < block.size(); ++i) {
    unsigned char c = block[i];
    bool cjk_lead = c >= 0xE3 && c <= 0xE9;  // U+3000..U+9FFF: CJK punctuation, kana, Han
    if (cjk_lead && col >= width && !in_code && !in_dest) {
      out += '\n';
      col = 0;
    }
    if (c == '`') in_code = !in_code;
    else if (!in_code && c == '(' && i > 0 && block[i - 1] == ']') in_dest = true;
    else if (in_dest && c == ')') in_dest = false;
    out += static_cast<char>(c);
    col = c == '\n' ? 0 : col + 1;
  }
  return out;
}

std::string Render(const Article& a, int round, std::size_t index) {
  std::string date = "2024-" + std::string(round % 12 < 9 ? "0" : "") + std::to_string(round % 12 + 1) + "-" +
                     std::to_string(10 + index % 18) + " " + std::to_string(10 + index % 12) + ":0" +
                     std::to_string(index % 10) + ":2" + std::to_string(round % 10);
  std::string title = a.title.empty() ? a.source : a.title;
  std::string summary;
  for (const std::string& b : a.blocks) {
    if (!b.starts_with("#") && !b.starts_with("```") && !b.starts_with("|")) {
      summary = b.substr(0, 150);
      while (!summary.empty() && (static_cast<unsigned char>(summary.back()) & 0xC0) == 0x80) summary.pop_back();
      if (!summary.empty() && (static_cast<unsigned char>(summary.back()) & 0x80)) summary.pop_back();
      for (char& c : summary) if (c == '\n') c = ' ';
      summary += "...";
      break;
    }
  }
  std::string out;
  switch (round % 4) {
    case 0:  // Hugo YAML, as in the seeds
      out = "---\ntitle: " + Quoted(title) + "\ndate: " + Quoted(date) + "\nsummary: " + Quoted(summary) +
            "\ncategories:\n  - \"debian\"\nlang:\n  - \"zh-CN\"\ntags:\n  - \"debian\"\n  - \"文档\"\n"
            "thumbnail: \"https://example.org/img/" + std::to_string(index) + ".jpg\"\ncomments: false\n"
            "toc: false\nsidebar: \"right\"\nwidgets:\n  - \"search\"\n  - \"recent\"\n---\n\n";
      break;
    case 1:  // TOML
      out = "+++\ntitle = " + Quoted(title) + "\ndate = 2024-03-" + std::to_string(10 + index % 18) +
            "T08:00:00+08:00\ndraft = false\ntags = [\"debian\", \"手册\"]\n[params]\nsource = " +
            Quoted(a.source) + "\n+++\n\n";
      break;
    case 2:  // Jekyll
      out = "---\nlayout: post\ntitle: " + Quoted(title) + "\ndate: " + date + "\n---\n\n";
      break;
    default:  // no front matter: the title is the first heading
      if (a.title.empty()) out = "# " + title + "\n\n";
      break;
  }
  if (round % 3 == 1)
    out += "![图片](https://inews.example.org/om_bt/" + std::to_string(round) + "_" + std::to_string(index) +
           "/641)\n\n";
  bool wrap = round % 2 == 1;
  for (std::size_t i = 0; i < a.blocks.size(); ++i) {
    out += wrap ? HardWrap(a.blocks[i], 60) : a.blocks[i];
    out += "\n\n";
    if (i == 1 && round % 5 == 2)
      out += "<figure><img src=\"https://example.org/f/" + std::to_string(index) +
             ".jpg\"><figcaption>图 " + std::to_string(index) + "：示意图 <cite>Debian</cite></figcaption></figure>\n\n";
  }
  if (round % 4 != 3) out += "[来源](https://www.debian.org/doc/" + a.source + ")\n";
  return out;
}

bool WriteFile(const fs::path& p, std::string_view data) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args = bench::ParseArgs(argc, argv, kUsage);
  bench::CheckOptions(args, {"out", "mb", "seeds"}, kUsage);
  std::string out_dir = args.Option("out", "");
  if (out_dir.empty()) bench::Usage(kUsage, 2);
  double target_mb = std::atof(args.Option("mb", "50").c_str());
  if (target_mb <= 0) bench::Usage(kUsage, 2);
  std::string seeds_dir = args.Option("seeds", "");

  std::vector<Article> articles;
  for (const std::string& root : args.paths) {
    bench::Corpus pages = bench::LoadCorpus({root}, {".html", ".htm", ".xhtml"});
    for (const bench::Page& page : pages.pages) {
      GumboOutput* g = gumbo_parse_with_options(&kGumboDefaultOptions, page.text.data(), page.text.size());
      Converter conv;
      conv.Walk(g->root);
      gumbo_destroy_output(&kGumboDefaultOptions, g);
      std::string source = fs::path(root).filename().string() + "/" + fs::path(page.path).stem().string();
      Split(source, conv.blocks, articles);
    }
  }
  std::vector<bench::Page> seeds;
  if (!seeds_dir.empty()) seeds = bench::LoadCorpus({seeds_dir}, {".txt", ".md"}).pages;
  if (articles.empty() && seeds.empty()) {
    std::fprintf(stderr, "bench_make_markdown: nothing to write\n");
    return 1;
  }

  std::size_t bytes = 0, files = 0;
  const std::size_t target = static_cast<std::size_t>(target_mb * 1e6);
  char name[64];
  for (int round = 0; bytes < target; ++round) {
    for (std::size_t i = 0; i < articles.size() && bytes < target; ++i) {
      std::string text = Render(articles[i], round, i);
      std::snprintf(name, sizeof name, "r%02d/%s-%04zu.md", round, articles[i].source.substr(0, articles[i].source.find('/')).c_str(), i);
      if (!WriteFile(fs::path(out_dir) / name, text)) {
        std::fprintf(stderr, "bench_make_markdown: cannot write %s\n", name);
        return 1;
      }
      bytes += text.size();
      ++files;
    }
    for (const bench::Page& seed : seeds) {
      fs::path p = fs::path(out_dir) / ("r" + std::string(round < 10 ? "0" : "") + std::to_string(round)) / "seeds" /
                   fs::path(seed.path).filename();
      if (!WriteFile(p, seed.text)) return 1;
      bytes += seed.text.size();
      ++files;
    }
  }
  std::printf("bench_make_markdown: %zu articles from HTML, %zu seeds; wrote %zu files, %.2f MB to %s\n",
              articles.size(), seeds.size(), files, static_cast<double>(bytes) / 1e6, out_dir.c_str());
  return 0;
}
