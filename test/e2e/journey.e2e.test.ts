// The main journey (issue #7) in 3 tabs of the real app, one browser context each, inside the test
// network namespace (WebRTC; DESIGN §11). Screenshots go to test/e2e/screenshots/ for review.
//
// The steps build on each other and run in order. What works before replication (#5) and
// distributed query (#6) land: open, share the room, join through the link, drop a real CSV,
// GROUP BY, the chart, export, the topology, and a peer that dies showing up in Health.
// After the merge, insert the replication steps where marked "AFTER REPLICATION" below:
//   1. on A, the upload's Replicate bar reaches "3 of 3 copies" and the card says healthy · 3/3;
//   2. on B, the same GROUP BY answers (distributed) and matches DuckDB;
//   3. close A (the uploader); on B the dataset stays queryable and the answer is unchanged.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../signaling-server/server.ts';
import { duckRows, tempDir } from '../helpers/duckdb.ts';
import {
  collectConsoleErrors,
  interactiveMs,
  launchBrowser,
  requireTestNetns,
  startAppServer,
  webRtcLaunchOptions,
} from './harness.ts';

const SHOTS = join(process.cwd(), 'test/e2e/screenshots');
const CSV = join(process.cwd(), 'node_modules/vega-datasets/data/seattle-weather.csv');
/** Short heartbeats, so a dead tab is noticed in 1.5 s. */
const CONFIG = JSON.stringify({ heartbeatInterval: 500, discoveryInterval: 1_000 });
const WAIT_MS = 20_000;
const GROUP_BY =
  'SELECT weather, COUNT(*) AS days, ROUND(AVG(temp_max), 2) AS avg_max FROM seattle_weather GROUP BY weather ORDER BY days DESC';

interface Tab {
  name: string;
  context: BrowserContext;
  page: Page;
  errors: string[];
}

let server: RunningServer;
let browser: Browser;
const tabs: Tab[] = [];
let link = '';
const dir = tempDir('peerlake-journey-');

beforeAll(async () => {
  requireTestNetns();
  mkdirSync(SHOTS, { recursive: true });
  server = await startAppServer();
  browser = await launchBrowser(webRtcLaunchOptions());
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(name: string, url: string): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(server.url).origin,
  });
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  const u = new URL(url);
  u.searchParams.set('config', CONFIG);
  await page.goto(u.href);
  await interactiveMs(page);
  const tab = { name, context, page, errors };
  tabs.push(tab);
  return tab;
}

const shot = (tab: Tab, file: string) => tab.page.screenshot({ path: join(SHOTS, file), fullPage: true });

describe('main journey: three tabs, one room', () => {
  it('opens the app', async () => {
    const a = await open('A', server.url);
    await a.page.waitForSelector('text=No datasets yet');
    await a.page.waitForFunction(() => window.lake.room?.signaling === 'joined');
    await shot(a, '01-open.png');
  });

  it('shares the room: the link is copied and shown as a QR code', async () => {
    const a = tabs[0]!;
    await a.page.click('[data-testid="share-room"]');
    await a.page.waitForSelector('.qr-code svg');
    await a.page.waitForSelector('text=Link copied');
    link = await a.page.inputValue('[data-testid="share-link"]');
    expect(await a.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    expect(link).toBe(await a.page.evaluate(() => window.lake.room!.link));
    await shot(a, '02-share.png');
    await a.page.keyboard.press('Escape');
  });

  it('the other tabs join through the link; every tab shows 3 members', async () => {
    await Promise.all([open('B', link), open('C', link)]);
    for (const tab of tabs) {
      await tab.page.waitForFunction(
        () => document.querySelector('[data-testid="room"]')?.textContent?.includes('3 members'),
        undefined,
        { timeout: WAIT_MS },
      );
    }
    const b = tabs[1]!;
    await b.page.click('#view-tab-network');
    await b.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="topology"] .link.alive').length === 2,
      undefined,
      { timeout: WAIT_MS },
    );
    await shot(b, '03-joined-network.png');
  });

  it('drops a real CSV on tab A: parse → store, listed with its schema', async () => {
    const a = tabs[0]!;
    await a.page.setInputFiles('#file-input', CSV);
    await a.page.waitForSelector('[data-dataset="seattle_weather"]');
    await a.page.waitForSelector('.upload:not(.running)');
    await a.page.click('[data-dataset="seattle_weather"] .dataset-name');
    const [{ n }] = (await duckRows(`SELECT COUNT(*) AS n FROM read_csv('${CSV}')`)) as [{ n: string }];
    expect(await a.page.textContent('[data-dataset="seattle_weather"]')).toContain(
      Number(n).toLocaleString('en-US'),
    );
    await shot(a, '04-uploaded.png');
  });

  // AFTER REPLICATION (#5): watch it replicate to B and C here.

  it('runs a GROUP BY (on A until distributed query lands) and matches DuckDB; the chart is bars', async () => {
    const a = tabs[0]!;
    await a.page.fill('#sql', GROUP_BY);
    await a.page.keyboard.press('Control+Enter');
    await a.page.waitForSelector('[data-testid="result-meta"]');
    const got = await a.page.evaluate((q) => window.lake.sql(q).then((r) => r.rows), GROUP_BY);
    const want = await duckRows(GROUP_BY.replace('FROM seattle_weather', `FROM read_csv('${CSV}')`));
    expect(got.map((r) => [r.weather, String(r.days), String(r.avg_max)])).toEqual(
      want.map((r) => [r.weather, r.days, r.avg_max]),
    );
    await a.page.click('#result-tab-chart');
    await a.page.waitForSelector('[data-testid="chart"] canvas');
    expect(await a.page.getAttribute('[data-testid="chart-view"]', 'data-chart-kind')).toBe('bar');
    await shot(a, '05-chart.png');
  });

  // AFTER DISTRIBUTED QUERY (#6): run GROUP_BY from tab B here and compare with DuckDB.

  it('exports the result as CSV that DuckDB reads back equal', async () => {
    const a = tabs[0]!;
    const [download] = await Promise.all([
      a.page.waitForEvent('download'),
      a.page.click('[data-export="csv"]'),
    ]);
    const path = join(dir, 'weather.csv');
    await download.saveAs(path);
    const want = await duckRows(GROUP_BY.replace('FROM seattle_weather', `FROM read_csv('${CSV}')`));
    expect(await duckRows(`SELECT * FROM read_csv('${path}')`)).toEqual(want);
    await a.page.waitForSelector('text=Saved result.csv');
    await shot(a, '06-exported.png');
  });

  it('a tab that dies is noticed by heartbeats: Health on A shows it unreachable', async () => {
    const [a, , c] = tabs as [Tab, Tab, Tab];
    const cId = await c.page.evaluate(() => window.lake.nodeId);
    // A crashed renderer sends no goodbye, unlike a closed tab: only missed heartbeats reveal it.
    const cdp = await c.context.newCDPSession(c.page);
    // Not awaited: the session dies with the page, so the reply never comes.
    void cdp.send('Page.crash').catch(() => undefined);
    await a.page.click('#view-tab-health');
    await a.page.waitForSelector(`[data-alert="gone:${cId}"], [data-alert="suspect:${cId}"]`, {
      timeout: WAIT_MS,
    });
    await a.page.waitForSelector(`[data-alert="gone:${cId}"]`, { timeout: WAIT_MS });
    expect(await a.page.textContent(`[data-alert="gone:${cId}"]`)).toContain('unreachable');
    await shot(a, '07-health-peer-gone.png');
    await a.page.click('#view-tab-network');
    await a.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="topology"] .link.alive').length === 1,
      undefined,
      { timeout: WAIT_MS },
    );
    await shot(a, '08-network-after-crash.png');
    // Its context is left to browser.close(): closing a crashed page's context can hang.
  });

  // AFTER REPLICATION + DISTRIBUTED QUERY: close A (the uploader) and re-run GROUP_BY on B.

  it('looks right on a phone in dark mode, and nothing logged an error', async () => {
    const a = tabs[0]!;
    await a.page.setViewportSize({ width: 390, height: 844 });
    await a.page.emulateMedia({ colorScheme: 'dark' });
    await a.page.click('#view-tab-workspace');
    await a.page.click('#result-tab-chart');
    await shot(a, '09-phone-dark.png');
    for (const tab of tabs.slice(0, 2)) {
      // The crashed tab's peers may log its connection dropping; nothing else is expected.
      expect(
        tab.errors.filter((e) => !/WebRTC|ICE|data channel|RTCError|ERR_CONNECTION/i.test(e)),
        tab.name,
      ).toEqual([]);
    }
  });
});
