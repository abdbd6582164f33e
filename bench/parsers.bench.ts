// CSV parser choice (DESIGN §5): uDSV vs PapaParse on the same text, into per-column arrays as
// ingest does, in Node. Baseline: String.split, the floor for quote-free text. "peerlake" is our
// reader (src/ingest/readers/csv.ts): its byte scanner for quote-free pieces (numbers straight
// into typed arrays), PapaParse for pieces with quotes. Decoding is not timed for any of them:
// the others get decoded text, ours the 64 KiB decoded parts and their bytes, as decodePieces
// hands them out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { inferSchema, initParser } from 'udsv';
import type { DecodedPiece } from '../src/ingest/decodeText.ts';
import { readCsvParts } from '../src/ingest/readers/csv.ts';

const ROWS = Number(process.env.BENCH_PARSER_ROWS ?? 2_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PIECE = 1 << 20;

function makeCsv(quoted: boolean): string {
  const cats = Array.from({ length: 20 }, (_, i) => `category_${i}`);
  const parts = ['id,qty,price,category\n'];
  for (let i = 0; i < ROWS; i++) {
    const cat = quoted && i % 10 === 0 ? `"${cats[i % 20]}, with comma"` : cats[i % 20];
    parts.push(`${i},${(i * 7919) % 100000},${((i * 31) % 100000) / 100},${cat}\n`);
  }
  return parts.join('');
}

function pieces(text: string): string[] {
  const out: string[] = [];
  for (let o = 0; o < text.length; o += PIECE) out.push(text.slice(o, o + PIECE));
  return out;
}

type Cols = string[][];
const newCols = (): Cols => [[], [], [], []];

function udsv(ps: string[]): number {
  const cols = newCols();
  const p = initParser(inferSchema(ps[0]!, { col: ',', encl: '"' }));
  for (const s of ps) p.chunk<string[]>(s, p.stringArrs, (r) => void cols.forEach((c, i) => c.push(r[i]!)));
  p.end();
  return cols[0]!.length;
}

function papa(ps: string[]): number {
  const cols = newCols();
  const parser = new Papa.Parser({ delimiter: ',', newline: '\n', quoteChar: '"' });
  let rest = '';
  ps.forEach((s, k) => {
    const text = rest + s;
    const last = k === ps.length - 1;
    // @types/papaparse types the raw Parser's result as any.
    const res = parser.parse(text, 0, !last) as Papa.ParseResult<string[]>;
    for (const r of res.data) if (r.length === 4) cols.forEach((c, i) => c.push(r[i]!));
    rest = last ? '' : text.slice(res.meta.cursor);
  });
  return cols[0]!.length - 1;
}

function split(ps: string[]): number {
  const cols = newCols();
  let rest = '';
  for (const s of ps) {
    const lines = (rest + s).split('\n');
    rest = lines.pop()!;
    for (const l of lines) l.split(',').forEach((v, i) => cols[i]?.push(v));
  }
  return cols[0]!.length - 1;
}

const PART = 1 << 16;

/** The text as decodePieces would hand it out: 64 KiB parts with their bytes, ~1 MiB pieces. */
function parts(text: string): DecodedPiece[] {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const out: DecodedPiece[] = [];
  for (let o = 0; o < bytes.length; o += PART) {
    const b = bytes.subarray(o, o + PART);
    out.push({ text: decoder.decode(b, { stream: true }), bytes: b, pieceEnd: (o + PART) % PIECE === 0 });
  }
  out[out.length - 1]!.pieceEnd = true;
  return out;
}

async function peerlake(ps: DecodedPiece[]): Promise<number> {
  let rows = 0;
  const opts = { batchRows: 65536, maxRowBytes: 1 << 22, raggedRows: 'reject' as const };
  for await (const b of readCsvParts(ps, { name: 'bench.csv' }, opts, ',')) rows += b.rows;
  return rows;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: string[] = [];
const json: Record<string, unknown> = {};
for (const quoted of [false, true]) {
  const text = makeCsv(quoted);
  const ps = pieces(text);
  const decoded = parts(text);
  const mb = text.length / 1e6;
  const times: Record<string, number> = {};
  const parsers: Record<string, () => number | Promise<number>> = {
    'String.split (baseline)': () => split(ps),
    uDSV: () => udsv(ps),
    PapaParse: () => papa(ps),
    peerlake: () => peerlake(decoded),
  };
  for (const [name, fn] of Object.entries(parsers)) {
    if (quoted && name.startsWith('String')) continue; // not a CSV parser once quotes appear
    const ms: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    times[name] = median(ms);
  }
  const label = quoted ? 'quoted (10% of rows)' : 'no quotes';
  for (const [name, ms] of Object.entries(times)) {
    rows.push(
      `| ${label} | ${name} | ${(mb / (ms / 1000)).toFixed(0)} | ${(times.PapaParse! / ms).toFixed(2)}× |`,
    );
  }
  json[label] = { mb, medianMs: times };
}
const md = [
  `CSV parsing to column arrays in Node ${process.version}, ${ROWS / 1e6}M rows, median of ${RUNS}.`,
  '',
  '| input | parser | MB/s | speed vs PapaParse |',
  '|---|---|---|---|',
  ...rows,
].join('\n');
mkdirSync('bench/results', { recursive: true });
writeFileSync(join('bench/results', 'parsers.json'), JSON.stringify(json, null, 2));
writeFileSync(join('bench/results', 'parsers.md'), md + '\n');
console.log(md + '\n');
