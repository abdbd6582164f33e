// The PWA (issue #7): Chromium finds nothing to object to for installation; after one online
// visit the app starts with no server at all, lists its local datasets and answers SQL; and a
// rebuilt, redeployed app is announced by the update prompt and taken on request.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../signaling-server/server.ts';
import {
  collectConsoleErrors,
  interactiveMs,
  launchPersistent,
  makeProfileDir,
  startAppServer,
  waitForServiceWorker,
} from './harness.ts';

const run = promisify(execFile);
const profiles: string[] = [];

async function profile(): Promise<string> {
  const dir = await makeProfileDir();
  profiles.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of profiles) await rm(dir, { recursive: true, force: true });
});

describe('PWA', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(async () => {
    await server?.close().catch(() => undefined);
  });

  it('manifest: name, standalone, theme colour, 192/512 icons and maskable ones that load', async () => {
    const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as {
      name: string;
      display: string;
      theme_color: string;
      start_url: string;
      icons: { src: string; sizes: string; purpose: string; type: string }[];
    };
    expect(manifest).toMatchObject({ name: 'peerlake', display: 'standalone', start_url: '/' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const icons = manifest.icons.map((i) => `${i.sizes} ${i.purpose}`).sort();
    expect(icons).toEqual(['192x192 any', '192x192 maskable', '512x512 any', '512x512 maskable']);
    for (const icon of manifest.icons) {
      const res = await fetch(`${server.url}${icon.src}`);
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = new Uint8Array(await res.arrayBuffer());
      // PNG IHDR: width and height at bytes 16..23, big-endian.
      const view = new DataView(png.buffer);
      const size = Number(icon.sizes.split('x')[0]);
      expect([view.getUint32(16), view.getUint32(20)]).toEqual([size, size]);
    }
  });

  it('Chromium reports no installability errors (CDP Page.getInstallabilityErrors)', async () => {
    const context = await launchPersistent(await profile());
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await interactiveMs(page);
      await waitForServiceWorker(page);
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      expect(installabilityErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('after one online visit the app starts offline, lists local datasets and answers SQL over them', async () => {
    // Its own server, so it can be stopped: offline then means no server at all, not only an emulated one.
    const own = await startAppServer();
    const context = await launchPersistent(await profile());
    try {
      const page = await context.newPage();
      const errors = collectConsoleErrors(page);
      await page.goto(own.url);
      await interactiveMs(page);
      const csv = [
        'city,fare',
        ...Array.from({ length: 900 }, (_, i) => `${['Oslo', 'Lima', 'Pune'][i % 3]},${i}`),
      ];
      await page.evaluate((text) => window.lake.ingest(new File([text], 'trips.csv')), csv.join('\n'));
      await waitForServiceWorker(page);

      await own.close();
      await context.setOffline(true);
      await page.reload();
      const ms = await interactiveMs(page);
      expect(ms).toBeGreaterThan(0);
      await page.waitForSelector('[data-dataset="trips"]');
      expect(await page.textContent('[data-testid="offline"]')).toBe('offline');
      await page.fill('#sql', 'SELECT city, SUM(fare) AS total FROM trips GROUP BY city ORDER BY city');
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('[data-testid="result-meta"]');
      const cells = await page.locator('[data-testid="grid"] [role="gridcell"]').allTextContents();
      // DuckDB-free arithmetic: 0..899 split by i % 3 → Lima (1, 4, …), Oslo (0, 3, …), Pune (2, 5, …).
      const sum = (r: number) => Array.from({ length: 300 }, (_, k) => 3 * k + r).reduce((a, b) => a + b, 0);
      expect(cells).toEqual(['Lima', String(sum(1)), 'Oslo', String(sum(0)), 'Pune', String(sum(2))]);
      // Offline, the only errors allowed are the signaling socket failing to connect.
      expect(errors.filter((e) => !/WebSocket|ERR_INTERNET_DISCONNECTED|net::ERR/.test(e))).toEqual([]);
    } finally {
      await context.close();
      await own.close().catch(() => undefined);
    }
  });

  // Two real `vite build`s (about 15 s each on 2 cores) plus two visits.
  it(
    'update flow: build, visit, rebuild with a change, visit: the prompt appears and reloads into the new version',
    { timeout: 300_000 },
    async () => {
      const dist = await mkdtemp(join(tmpdir(), 'peerlake-pwa-dist-'));
      const build = (id: string) =>
        run('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'error'], {
          // vitest sets NODE_ENV=test, which would make Vite build a non-production bundle (no service worker).
          env: { ...process.env, NODE_ENV: 'production', PEERLAKE_BUILD_ID: id },
          maxBuffer: 16 * 1024 * 1024,
        });
      let own: RunningServer | undefined;
      const context = await launchPersistent(await profile());
      try {
        await build('pwa-test-v1');
        own = await startServer({ port: 0, distDir: dist, host: '127.0.0.1' });
        const page = await context.newPage();
        await page.goto(own.url);
        await interactiveMs(page);
        await waitForServiceWorker(page);
        await page.click('#view-tab-settings');
        expect(await page.textContent('#settings-h + span')).toBe('build pwa-test-v1');
        expect(await page.locator('[data-testid="update-prompt"]').count()).toBe(0);

        await build('pwa-test-v2');
        const swV2 = await readFile(join(dist, 'sw.js'), 'utf8');
        expect(swV2).toContain('index');
        // A new visit: the browser fetches sw.js (no-cache), finds it changed, installs it; it waits.
        await page.goto(own.url);
        await interactiveMs(page);
        await page.waitForSelector('[data-testid="update-prompt"]', { timeout: 60_000 });
        // Still the old version until the user agrees.
        await page.click('#view-tab-settings');
        expect(await page.textContent('#settings-h + span')).toBe('build pwa-test-v1');
        await Promise.all([page.waitForEvent('load'), page.click('[data-testid="update-reload"]')]);
        await interactiveMs(page);
        await page.click('#view-tab-settings');
        expect(await page.textContent('#settings-h + span')).toBe('build pwa-test-v2');
      } finally {
        await context.close();
        await own?.close();
        await rm(dist, { recursive: true, force: true });
      }
    },
  );
});
