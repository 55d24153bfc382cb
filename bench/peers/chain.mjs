// The peers' equivalent of `zhcanon run` in Node, for bench/run-peers: what someone would put
// together from npm today to turn scraped HTML pages into a clean Simplified corpus.
//
//   npm ci --prefix bench/peers                  # once; installs the pinned peers (package-lock.json)
//   node bench/peers/chain.mjs [options] INPUT... -o OUT.jsonl
//
// Steps, in zhcanon's order, each with the peer that does that job:
//   html   HTML page → text. --html=readability (default): jsdom parses the page, @mozilla/readability
//          keeps the main content (zhcanon-strip's boilerplate removal; a page where it finds no
//          article falls back to the whole page, as zhcanon's --extract=auto does), html-to-text
//          turns that HTML into text with paragraph breaks. --html=html-to-text: html-to-text on the
//          whole page alone (no boilerplate removal; the cheapest way to get text).
//   t2s    opencc-js, Traditional → Simplified (--config t2s, tw2s, tw2sp, hk2s; default t2s).
//   punct  zhlint run(text, { rules: { preset: 'default' } }), its fixed text. zhlint throws on some
//          texts: such a document keeps its text unchanged and is counted (punct_failed=N).
//   dedup  simhash-js (32-bit SimHash of 4-character shingles): a document whose text equals an
//          earlier one's, or whose SimHash is within --distance (3) bits of an earlier kept one, is
//          dropped (first one kept). Near neighbours are found with 4 tables of 8-bit bands, so
//          any two hashes within 3 bits share a band (exact for --distance ≤ 3, as zhcanon's index).
// --steps picks the steps (default html,t2s,punct,dedup); each step can run alone to be timed.
//
// INPUT: with the html step, HTML files or directories (walked for .html/.htm/.xhtml, sorted by
// path; ids are paths relative to the directory given, as zhcanon-strip names them); without it,
// JSONL files of {"id", "text"} records (zhcanon's output). Files are read as UTF-8 (the corpora
// are). Documents are processed one at a time, every step before the next document (streaming,
// like `zhcanon run`), one thread. Output: one {"id", "text"} JSONL record per kept document.
// Prints on stderr (unless -q) and writes to OUT.jsonl.stats:
//   chain steps=… html=… docs_in=N docs_out=N dropped=N html_fallback=N punct_failed=N MB_in=X seconds=T
import fs from 'node:fs';
import path from 'node:path';

const usageText =
  'usage: node bench/peers/chain.mjs [--steps=html,t2s,punct,dedup] [--html=readability|html-to-text]\n' +
  '                                  [--config=t2s] [--distance=3] [-q] -o OUT.jsonl INPUT...\n';
function usage(status, message) {
  if (message) process.stderr.write(`chain: ${message}\n`);
  (status ? process.stderr : process.stdout).write(usageText);
  process.exit(status);
}

let steps = ['html', 't2s', 'punct', 'dedup'];
let htmlMode = 'readability';
let config = 't2s';
let distance = 3;
let output = '';
let quiet = false;
const inputs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  if (a === '-h' || a === '--help') usage(0);
  else if (a === '-o') output = argv[++i] ?? '';
  else if (a === '-q' || a === '--quiet') quiet = true;
  else if (a.startsWith('--steps=')) steps = a.slice(8).split(',').filter((s) => s.length > 0);
  else if (a.startsWith('--html=')) htmlMode = a.slice(7);
  else if (a.startsWith('--config=')) config = a.slice(9);
  else if (a.startsWith('--distance=')) distance = Number(a.slice(11));
  else if (a.startsWith('-') && a !== '-') usage(2, `unknown option '${a}'`);
  else inputs.push(a);
}
const kSteps = ['html', 't2s', 'punct', 'dedup'];
const LOCALES = {
  t2s: { from: 't', to: 'cn' },
  tw2s: { from: 'tw', to: 'cn' },
  tw2sp: { from: 'twp', to: 'cn' },
  hk2s: { from: 'hk', to: 'cn' },
};
if (!output) usage(2, 'no output given (-o OUT.jsonl)');
if (inputs.length === 0) usage(2, 'no input given');
if (steps.length === 0 || steps.some((s) => !kSteps.includes(s))) usage(2, `--steps takes ${kSteps.join(',')}`);
// The steps keep zhcanon's order whatever order they are named in.
steps = kSteps.filter((s) => steps.includes(s));
if (!['readability', 'html-to-text'].includes(htmlMode)) usage(2, `--html takes readability or html-to-text`);
if (!LOCALES[config]) usage(2, `--config takes ${Object.keys(LOCALES).join(', ')}`);
if (!(distance >= 0 && distance <= 3)) usage(2, '--distance takes 0 to 3 (the band index is exact up to 3)');
const has = (s) => steps.includes(s);

// --- the peers (loaded only when their step runs, so a step alone pays only its own start-up) ----
let toText = null;
let JSDOM = null;
let Readability = null;
if (has('html')) {
  const { compile } = await import('html-to-text');
  // Plain text as zhcanon-strip writes it: no line wrapping, headings as written (not upper-cased),
  // links as their text (no [url]), images dropped.
  const headings = {};
  for (const h of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6']) {
    headings[h] = { options: { uppercase: false } };
  }
  toText = compile({
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      ...Object.entries(headings).map(([selector, v]) => ({ selector, ...v })),
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block' },
      { selector: 'td', format: 'inline' },
      { selector: 'th', format: 'inline' },
    ],
  });
  if (htmlMode === 'readability') {
    ({ JSDOM } = await import('jsdom'));
    ({ Readability } = await import('@mozilla/readability'));
  }
}
let convert = null;
if (has('t2s')) {
  const OpenCC = (await import('opencc-js')).default ?? (await import('opencc-js'));
  convert = OpenCC.Converter(LOCALES[config]);
}
let zhlint = null;
const silent = { log() {}, warn() {}, error() {}, info() {}, debug() {} };
if (has('punct')) zhlint = (await import('zhlint')).run;
let simhash = null;
if (has('dedup')) {
  const { SimHash } = (await import('simhash-js')).default;
  simhash = new SimHash();
}

// --- inputs ---------------------------------------------------------------------------------------
const kHtml = /\.(html?|xhtml)$/i;
function walk(dir, base, out) {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.isFile() && kHtml.test(e.name)) out.push({ file: p, id: path.relative(base, p) });
  }
}
// Yields { id, text } documents one at a time.
function* documents() {
  for (const input of inputs) {
    if (has('html')) {
      const st = fs.statSync(input);
      const files = [];
      if (st.isDirectory()) walk(input, input, files);
      else files.push({ file: input, id: path.basename(input) });
      for (const f of files) {
        const data = fs.readFileSync(f.file);
        bytesIn += data.length;
        yield { id: f.id, text: data.toString('utf8') };
      }
    } else {
      const data = fs.readFileSync(input);
      bytesIn += data.length;
      for (const line of data.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        const r = JSON.parse(line);
        yield { id: r.id ?? '', text: r.text ?? '' };
      }
    }
  }
}

// --- steps ----------------------------------------------------------------------------------------
let htmlFallback = 0;
let punctFailed = 0;
function htmlStep(doc) {
  if (htmlMode === 'html-to-text') return toText(doc.text);
  const dom = new JSDOM(doc.text, { url: 'https://example.invalid/' + encodeURI(doc.id) });
  try {
    const article = new Readability(dom.window.document).parse();
    if (article && article.content) return toText(article.content);
    ++htmlFallback;
    return toText(doc.text);
  } finally {
    dom.window.close();
  }
}
function punctStep(text) {
  try {
    return zhlint(text, { rules: { preset: 'default' }, logger: silent }).result;
  } catch {
    ++punctFailed;
    return text;
  }
}
// 8-bit bands of the 32-bit hash: four maps band value → hashes kept.
const bands = [new Map(), new Map(), new Map(), new Map()];
const seenTexts = new Set();
let dropped = 0;
function popcount(x) {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
function isDuplicate(text) {
  if (seenTexts.has(text)) return true;
  const h = (simhash.hash(text) ?? 0) >>> 0;
  for (let b = 0; b < 4; ++b) {
    const kept = bands[b].get((h >>> (8 * b)) & 0xff);
    if (!kept) continue;
    for (const k of kept) if (popcount((k ^ h) >>> 0) <= distance) return true;
  }
  seenTexts.add(text);
  for (let b = 0; b < 4; ++b) {
    const key = (h >>> (8 * b)) & 0xff;
    const kept = bands[b].get(key);
    if (kept) kept.push(h);
    else bands[b].set(key, [h]);
  }
  return false;
}

// --- run ------------------------------------------------------------------------------------------
let bytesIn = 0;
let docsIn = 0;
let docsOut = 0;
const start = process.hrtime.bigint();
const tmp = `${output}.tmp-${process.pid}`;
const fd = fs.openSync(tmp, 'w');
let pending = [];
let pendingChars = 0;
function flush() {
  if (pending.length) fs.writeSync(fd, pending.join(''));
  pending = [];
  pendingChars = 0;
}
// jsdom frees a closed window's memory only once the event loop turns (its cleanup runs in
// timers and finalizers): a scraper awaits its fetches, so it turns after every page; a fully
// synchronous loop would pile up every page's DOM (4 GB and growing on these corpora).
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
for (const doc of documents()) {
  ++docsIn;
  if (JSDOM) await yieldToEventLoop();
  let text = doc.text;
  if (has('html')) text = htmlStep(doc);
  if (has('t2s')) text = convert(text);
  if (has('punct')) text = punctStep(text);
  if (has('dedup') && isDuplicate(text)) {
    ++dropped;
    continue;
  }
  const line = JSON.stringify({ id: doc.id, text }) + '\n';
  pending.push(line);
  pendingChars += line.length;
  ++docsOut;
  if (pendingChars > 1 << 20) flush();
}
flush();
fs.closeSync(fd);
fs.renameSync(tmp, output);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const stats =
  `chain steps=${steps.join(',')} html=${htmlMode} docs_in=${docsIn} docs_out=${docsOut} dropped=${dropped} ` +
  `html_fallback=${htmlFallback} punct_failed=${punctFailed} MB_in=${(bytesIn / 1e6).toFixed(2)} ` +
  `seconds=${seconds.toFixed(3)}\n`;
// Also beside the output (OUT.jsonl.stats), even with -q: bench/run-peers reads the counts there.
fs.writeFileSync(`${output}.stats`, stats);
if (!quiet) process.stderr.write(stats);
