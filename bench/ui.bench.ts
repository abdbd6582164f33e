// npm run bench → the dashboard in headless Chromium (issue #7):
// - cold start to interactive (navigation start → the `peerlake:interactive` mark of src/main.ts):
//   a first visit online (empty profile), a repeat visit online (service worker warm), and a
//   visit offline with no server at all (everything from the precache); goal ≤ 1 s on localhost;
// - scrolling the result grid over 1M rows: time from a scroll to the next painted frame.
// Baselines from the same run: navigating to the server's /healthz (the floor of a page load
// here), and an idle frame of the same page (requestAnimationFrame to requestAnimationFrame).
// Writes bench/results/ui.json and bench/results/ui.md.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  interactiveMs,
  launchBrowser,
  launchPersistent,
  makeProfileDir,
  startAppServer,
  waitForServiceWorker,
} from '../test/e2e/harness.ts';

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 7);
const SCROLLS = Number(process.env.BENCH_UI_SCROLLS ?? 60);
const GRID_ROWS = 1_000_000;
const GOAL_MS = 1000;
const OUT = join(process.cwd(), 'bench/results');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.95 * xs.length) - 1)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** Navigation to a URL that runs no script: response plus load event, the floor of any page here. */
async function floorMs(page: Page, url: string): Promise<number> {
  await page.goto(url);
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return nav.loadEventEnd || nav.duration;
  });
}

const loadBefore = loadavg()[0]!;
const server = await startAppServer();
const first: number[] = [];
const repeat: number[] = [];
const offline: number[] = [];
const floor: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = await makeProfileDir();
  let context: BrowserContext | undefined;
  try {
    context = await launchPersistent(dir);
    const page = await context.newPage();
    floor.push(await floorMs(page, `${server.url}/healthz`));
    await page.goto(server.url);
    first.push(await interactiveMs(page));
    await waitForServiceWorker(page);
    await page.goto(server.url);
    repeat.push(await interactiveMs(page));
    await context.setOffline(true);
    await page.reload();
    offline.push(await interactiveMs(page));
  } finally {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The grid over 1M rows.
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
await page.goto(server.url);
await interactiveMs(page);
await page.evaluate(async (n) => {
  const parts = ['id,v,label\n'];
  for (let i = 0; i < n; i++) parts.push(`${i},${(i * 7) % 1000},row-${i % 97}\n`);
  await window.lake.ingest(new File(parts, 'big.csv'));
}, GRID_ROWS);
await page.fill('#sql', 'SELECT id, v, label FROM big');
await page.keyboard.press('Control+Enter');
await page.waitForSelector('[data-testid="grid"] [role="gridcell"]', { timeout: 60_000 });
// tsx (esbuild keepNames) wraps named functions in __name(), which the page does not have.
await page.evaluate('globalThis.__name = (f) => f');
const frames = await page.evaluate(async (steps) => {
  const grid = document.querySelector<HTMLElement>('[data-testid="grid"]')!;
  const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
  const idle: number[] = [];
  for (let i = 0; i < steps; i++) {
    const a = await frame();
    idle.push((await frame()) - a);
  }
  const scroll: number[] = [];
  const max = grid.scrollHeight - grid.clientHeight;
  for (let i = 0; i < steps; i++) {
    await frame();
    const t = performance.now();
    // Jumps all over the result, the hardest case for a virtual list (every row is new).
    grid.scrollTop = ((i * 7919) % steps) * (max / steps);
    grid.dispatchEvent(new Event('scroll'));
    await frame();
    await frame(); // the frame after the re-render has been painted
    scroll.push(performance.now() - t);
  }
  return { idle, scroll, rows: grid.querySelectorAll('[role="row"]').length };
}, SCROLLS);
await browser.close();
await server.close();

const results = {
  startup: {
    firstVisitOnlineMs: round(median(first)),
    repeatVisitOnlineMs: round(median(repeat)),
    offlineMs: round(median(offline)),
    baselineNavigationMs: round(median(floor)),
    goalMs: GOAL_MS,
    runs: { first, repeat, offline, floor },
  },
  grid: {
    rows: GRID_ROWS,
    scrollToPaintMedianMs: round(median(frames.scroll)),
    scrollToPaintP95Ms: round(p95(frames.scroll)),
    idleTwoFramesMedianMs: round(median(frames.idle) * 2),
    domRows: frames.rows,
  },
  machine: { loadBefore, loadAfter: loadavg()[0]!, cores: availableParallelism() },
};
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'ui.json'), JSON.stringify(results, null, 2) + '\n');
const s = results.startup;
const g = results.grid;
const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}×`;
const md = `# UI benchmark

Headless Chromium, localhost, ${RUNS} runs each (medians); ${results.machine.cores} cores, load ${loadBefore.toFixed(2)} → ${results.machine.loadAfter.toFixed(2)}.

Cold start to interactive (navigation start → \`peerlake:interactive\`, dashboard mounted over a ready node):

| visit | median | vs. goal ${GOAL_MS} ms | vs. baseline (/healthz navigation, ${s.baselineNavigationMs} ms) |
| --- | --- | --- | --- |
| first, online (empty profile) | ${s.firstVisitOnlineMs} ms | ${ratio(s.firstVisitOnlineMs, GOAL_MS)} | ${ratio(s.firstVisitOnlineMs, s.baselineNavigationMs)} |
| repeat, online (service worker) | ${s.repeatVisitOnlineMs} ms | ${ratio(s.repeatVisitOnlineMs, GOAL_MS)} | ${ratio(s.repeatVisitOnlineMs, s.baselineNavigationMs)} |
| offline, no server | ${s.offlineMs} ms | ${ratio(s.offlineMs, GOAL_MS)} | ${ratio(s.offlineMs, s.baselineNavigationMs)} |

Result grid over ${g.rows.toLocaleString('en-US')} rows (${SCROLLS} random jumps; ${g.domRows} rows in the DOM):

| | median | p95 | vs. baseline (two idle frames, ${g.idleTwoFramesMedianMs} ms) |
| --- | --- | --- | --- |
| scroll → painted | ${g.scrollToPaintMedianMs} ms | ${g.scrollToPaintP95Ms} ms | ${ratio(g.scrollToPaintMedianMs, g.idleTwoFramesMedianMs)} |
`;
writeFileSync(join(OUT, 'ui.md'), md);
console.log(md);
