import { rm } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../signaling-server/server.ts';
import { chunkStoreContract } from '../contracts/chunkStore.contract.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import { bundleForBrowser } from './bundle.ts';
import {
  collectConsoleErrors,
  launchBrowser,
  launchPersistent,
  makeProfileDir,
  startAppServer,
} from './harness.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startAppServer();
});
afterAll(async () => {
  await server?.close();
});

/** Opens the app and waits until `window.lake` is ready. */
async function openLake(page: Page): Promise<void> {
  await page.goto(server.url);
  await page.waitForFunction(() => window.lake !== undefined);
  await page.evaluate(() => window.lake.ready);
}

const CSV = 'id,name\n' + Array.from({ length: 5000 }, (_, i) => `${i},name-${i}`).join('\n');

describe('ChunkStore contract on real IndexedDB in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('IdbChunkStore passes every contract case', async () => {
    const page = await browser.newPage();
    await openLake(page);
    await page.addScriptTag({ content: await bundleForBrowser('./browser/contract.entry.ts') });
    const results = await page.evaluate(() => window.runChunkStoreContract());
    const expected = Object.keys(chunkStoreContract(() => Promise.resolve(new MemoryChunkStore())));
    expect(results.map((r) => r.name)).toEqual(expected);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});

describe('node identity and persistence (on-disk profile)', () => {
  let profile: string;
  let context: BrowserContext;
  beforeAll(async () => {
    profile = await makeProfileDir();
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
  });

  it('keeps the node and its data across a reload and a browser restart; tabs never share a node', async () => {
    context = await launchPersistent(profile);
    const tab1 = await context.newPage();
    const errors = collectConsoleErrors(tab1);
    await openLake(tab1);
    const node1 = await tab1.evaluate(() => window.lake.nodeId);
    const ingested = await tab1.evaluate(async (text) => {
      const d = await window.lake.ingest({ name: 'people.csv', text });
      return { name: d.name, rows: d.rows, checksum: d.checksum };
    }, CSV);
    expect(ingested).toMatchObject({ name: 'people', rows: 5000 });

    // A second tab in the same browser is a different node (its own database and lock).
    const tab2 = await context.newPage();
    await openLake(tab2);
    const node2 = await tab2.evaluate(() => window.lake.nodeId);
    expect(node2).not.toBe(node1);
    expect(await tab2.evaluate(() => window.lake.datasets().length)).toBe(0);

    // Reload keeps the node id (sessionStorage) and the data (IndexedDB).
    await tab1.reload();
    await tab1.waitForFunction(() => window.lake !== undefined);
    await tab1.evaluate(() => window.lake.ready);
    expect(await tab1.evaluate(() => window.lake.nodeId)).toBe(node1);
    expect(
      await tab1.evaluate(() => window.lake.datasets().map((d) => [d.name, d.rows, d.checksum])),
    ).toEqual([['people', 5000, ingested.checksum]]);
    expect(errors).toEqual([]);
    await context.close();

    // Restart the browser: the first tab adopts the most recently used node (tab 1 reloaded
    // last), with its data intact on disk.
    context = await launchPersistent(profile);
    const again = await context.newPage();
    await openLake(again);
    expect(await again.evaluate(() => window.lake.nodeId)).toBe(node1);
    expect(await again.evaluate(() => window.lake.verify('people'))).toMatchObject({ ok: true, chunks: 1 });
    // The next tab adopts the other free node rather than starting a new one.
    const other = await context.newPage();
    await openLake(other);
    expect(await other.evaluate(() => window.lake.nodeId)).toBe(node2);
    expect(await other.evaluate(() => window.lake.datasets().length)).toBe(0);
  });
});

describe('storage quota', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a full quota gives an error naming the dataset and leaves nothing behind', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openLake(page);
    // Chromium's own quota machinery, shrunk through the DevTools protocol: a real QuotaExceededError.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: new URL(server.url).origin,
      quotaSize: 3 * 1024 * 1024,
    });
    const result = await page.evaluate(async () => {
      const lines = ['id,payload'];
      for (let i = 0; i < 200_000; i++) lines.push(`${i},${'x'.repeat(40)}-${i}`);
      try {
        await window.lake.ingest({ name: 'Huge Export.csv', text: lines.join('\n') });
        return { ok: true };
      } catch (e) {
        const err = e as { code?: string; message: string };
        return { ok: false, code: err.code, message: err.message, storage: await window.lake.storage() };
      }
    });
    expect(result).toMatchObject({ ok: false, code: 'QUOTA_EXCEEDED' });
    expect(result.message).toContain('"huge_export"');
    expect(result.storage).toMatchObject({ chunks: 0, bytes: 0, datasets: 0 });
    await context.close();
  });
});
