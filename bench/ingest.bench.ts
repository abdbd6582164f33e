// npm run bench → ingest throughput in headless Chromium (on-disk profile, real IndexedDB).
// Prints each figure beside baselines measured in the same run, and writes bench/results/.
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { bundleForBrowser } from '../test/e2e/bundle.ts';
import { launchPersistent, makeProfileDir, startAppServer } from '../test/e2e/harness.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const DATA = join(process.cwd(), 'bench/.data');
const OUT = join(process.cwd(), 'bench/results');
const PARQUET = join(process.cwd(), 'node_modules/vega-datasets/data/flights-3m.parquet');
/** The original spec's ingest target. */
const SPEC_MB_S = 10;

/** 10M rows of (int, int, float, 20-value string): about 200 MB. Cached between runs. */
async function generateCsv(): Promise<string> {
  mkdirSync(DATA, { recursive: true });
  const path = join(DATA, `bench-${ROWS}.csv`);
  if (existsSync(path)) return path;
  const out = createWriteStream(path);
  const cats = Array.from({ length: 20 }, (_, i) => `category_${String.fromCharCode(97 + i)}`);
  out.write('id,qty,price,category\n');
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    buf += `${i},${(i * 7919) % 100000},${((i * 31) % 100000) / 100},${cats[i % 20]}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return path;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbs = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function main(): Promise<void> {
  const csv = await generateCsv();
  const files = [
    { label: `CSV ${ROWS / 1e6}M rows`, path: csv },
    { label: 'flights-3m.parquet', path: PARQUET },
  ];
  const server = await startAppServer();
  const profile = await makeProfileDir();
  const context = await launchPersistent(profile);
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.lake !== undefined);
  await page.evaluate(() => window.lake.ready);
  await page.addScriptTag({ content: await bundleForBrowser('../../bench/browser/ingest.entry.ts') });
  const input = await page.evaluateHandle((): HTMLInputElement => {
    const el = document.createElement('input');
    el.type = 'file';
    el.multiple = true;
    el.id = 'bench-input';
    document.body.append(el);
    return el;
  });
  await input.setInputFiles(files.map((f) => f.path));

  const results = [];
  for (const [i, f] of files.entries()) {
    const size = statSync(f.path).size;
    const parse: number[] = [];
    const hash: number[] = [];
    const raw: number[] = [];
    const e2e: number[] = [];
    let rows = 0;
    let stored = 0;
    for (let r = 0; r < RUNS; r++) {
      const parts = await page.evaluate(([el, k]) => window.bench.parts(el, k), [input, i] as const);
      parse.push(parts.parse.ms);
      hash.push(parts.hashMs);
      raw.push(parts.rawIdbMs);
      stored = parts.parse.bytes;
      const end = await page.evaluate(([el, k]) => window.bench.endToEnd(el, k), [input, i] as const);
      e2e.push(end.ms);
      rows = end.rows;
      console.log(
        `  ${f.label} run ${r + 1}: parse ${parts.parse.ms.toFixed(0)} ms, hash ${parts.hashMs.toFixed(0)} ms, raw IDB ${parts.rawIdbMs.toFixed(0)} ms, end-to-end ${end.ms.toFixed(0)} ms`,
      );
    }
    const m = { parse: median(parse), hash: median(hash), raw: median(raw), e2e: median(e2e) };
    results.push({
      file: f.label,
      sourceBytes: size,
      storedBytes: stored,
      rows,
      runs: RUNS,
      medianMs: m,
      parse: { mbPerS: mbs(size, m.parse), rowsPerS: rows / (m.parse / 1000) },
      hash: { mbPerS: mbs(stored, m.hash) },
      endToEnd: { mbPerS: mbs(size, m.e2e), rowsPerS: rows / (m.e2e / 1000) },
      baselineRawIdb: { mbPerS: mbs(stored, m.raw) },
      ratios: {
        endToEndVsRawIdb: mbs(size, m.e2e) / mbs(stored, m.raw),
        endToEndVsSpecTarget: mbs(size, m.e2e) / SPEC_MB_S,
      },
    });
  }
  await context.close();
  await server.close();
  await rm(profile, { recursive: true, force: true });

  const md = [
    `Ingest in headless Chromium ${'(on-disk profile)'}, median of ${RUNS} runs, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| input | source | rows | parse (MB/s · rows/s) | hash (MB/s) | end-to-end into IndexedDB (MB/s · rows/s) | raw IndexedDB write, same bytes (MB/s) | e2e ÷ raw IDB | e2e ÷ spec 10 MB/s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.file} | ${(r.sourceBytes / 1e6).toFixed(0)} MB | ${(r.rows / 1e6).toFixed(2)}M | ${r.parse.mbPerS.toFixed(1)} · ${(r.parse.rowsPerS / 1e6).toFixed(2)}M | ${r.hash.mbPerS.toFixed(0)} | ${r.endToEnd.mbPerS.toFixed(1)} · ${(r.endToEnd.rowsPerS / 1e6).toFixed(2)}M | ${r.baselineRawIdb.mbPerS.toFixed(0)} | ${(r.ratios.endToEndVsRawIdb * 100).toFixed(0)}% | ${r.ratios.endToEndVsSpecTarget.toFixed(1)}× |`,
    ),
  ].join('\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    join(OUT, 'ingest.json'),
    JSON.stringify({ date: new Date().toISOString(), results }, null, 2),
  );
  writeFileSync(join(OUT, 'ingest.md'), md + '\n');
  console.log('\n' + md);
}

await main();
