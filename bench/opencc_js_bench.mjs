// opencc-js (OpenCC in pure JavaScript, from npm) on the pages of a JSONL file, for bench/run-t2s.
//
//   npm install --prefix bench/peers opencc-js          # once; bench/peers is git-ignored
//   node bench/opencc_js_bench.mjs [-n N] [--config=t2s] [--expect=EXPECTED.jsonl] PAGES.jsonl
//
// PAGES.jsonl: one {"text": ...} per line (bench_t2s --write-jsonl writes it). Each page is
// converted separately, best of N passes (5), wall time of a whole pass with all pages in
// memory; MB are 10^6 bytes of UTF-8. Prints the same line as the bench_* programs:
//   opencc-js      files=<n> MB=<x> seconds=<t> MB/s=<r> pages/s=<p>
// With --expect (OpenCC's output for each page, as bench_t2s --write-expected writes it) it also
// prints how many pages opencc-js converts to exactly the same text as the OpenCC library.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// zhcanon's config names and opencc-js's locales (opencc-js has its own, newer dictionaries).
const LOCALES = {
  t2s: { from: 't', to: 'cn' },
  tw2s: { from: 'tw', to: 'cn' },
  tw2sp: { from: 'twp', to: 'cn' },
  hk2s: { from: 'hk', to: 'cn' },
};

function usage(status) {
  (status ? process.stderr : process.stdout).write(
    'usage: node bench/opencc_js_bench.mjs [-n N] [--config=t2s|tw2s|tw2sp|hk2s] [--expect=FILE.jsonl] PAGES.jsonl\n');
  process.exit(status);
}

let reps = 5;
let config = 't2s';
let expectPath = '';
const inputs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  if (a === '-h' || a === '--help') usage(0);
  else if (a === '-n') reps = Number(argv[++i]);
  else if (a.startsWith('--config=')) config = a.slice(9);
  else if (a.startsWith('--expect=')) expectPath = a.slice(9);
  else if (a.startsWith('-')) usage(2);
  else inputs.push(a);
}
if (inputs.length !== 1 || !(reps >= 1) || !LOCALES[config]) usage(2);

const here = path.dirname(fileURLToPath(import.meta.url));
const moduleFile = path.join(here, 'peers', 'node_modules', 'opencc-js', 'dist', 'esm', 'full.js');
if (!fs.existsSync(moduleFile)) {
  process.stderr.write(`opencc_js_bench: ${moduleFile} missing: run npm install --prefix bench/peers opencc-js\n`);
  process.exit(1);
}
const OpenCC = (await import(pathToFileURL(moduleFile).href)).default;

const readPages = (file) =>
  fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l).text);
const pages = readPages(inputs[0]);
const bytes = pages.reduce((n, p) => n + Buffer.byteLength(p, 'utf8'), 0);
const convert = OpenCC.Converter(LOCALES[config]);

let best = Infinity;
let sink = 0;
for (let r = 0; r < reps; ++r) {
  const start = process.hrtime.bigint();
  for (const p of pages) sink += convert(p).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  best = Math.min(best, seconds);
}
const mb = bytes / 1e6;
console.log(`${'opencc-js'.padEnd(14)} files=${pages.length} MB=${mb.toFixed(2)} seconds=${best.toFixed(4)} ` +
            `MB/s=${(mb / best).toFixed(2)} pages/s=${(pages.length / best).toFixed(0)}`);
if (expectPath) {
  const expected = readPages(expectPath);
  let same = 0;
  for (let i = 0; i < pages.length && i < expected.length; ++i) same += convert(pages[i]) === expected[i] ? 1 : 0;
  console.log(`opencc-js identical_to_opencc_lib=${same}/${pages.length} (config=${config}, sink=${sink > 0})`);
}
