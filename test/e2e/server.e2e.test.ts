import { rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../signaling-server/server.ts';
import {
  collectConsoleErrors,
  launchBrowser,
  launchPersistent,
  makeProfileDir,
  startAppServer,
} from './harness.ts';

// Smoke test of the server and the harness. It relies on nothing in the app but its <title>,
// so it stays valid while the UI changes; app behaviour has its own suites.
describe('built app behind the peerlake server, in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the app page and reaches /healthz from it', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    expect(await page.title()).toMatch(/peerlake/i);
    // A tab without a room link creates a room and joins it on the signaling relay.
    await page.waitForFunction(() => window.lake?.room?.signaling === 'joined');

    const health = await page.evaluate(async () => {
      const res = await fetch('/healthz');
      return { status: res.status, body: (await res.json()) as unknown };
    });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, rooms: 1, peers: 1 });
    await page.close();
  });

  it('collects console errors and uncaught page errors', async () => {
    const page = await browser.newPage();
    // /healthz: a same-origin page with no app code, so only our own errors are collected.
    await page.goto(`${server.url}/healthz`);
    const errors = collectConsoleErrors(page);
    await page.evaluate(() => {
      console.error('harness-console-error');
      // Thrown from a task, not from evaluate(), so it is uncaught in the page.
      setTimeout(() => {
        throw new Error('harness-page-error');
      });
    });
    // The events arrive asynchronously over CDP; poll rather than guess a delay. Chromium's own
    // request for /favicon.ico on this JSON page may add a 404 entry, so count only ours.
    await expect.poll(() => errors.filter((e) => e.includes('harness-')).length).toBe(2);
    expect(errors.join('\n')).toContain('harness-console-error');
    expect(errors.join('\n')).toContain('harness-page-error');
    await page.close();
  });

  it('keeps IndexedDB across a restart of a persistent profile', async () => {
    const profile = await makeProfileDir();
    const origin = `${server.url}/healthz`;
    const openDb = (mode: 'write' | 'read') =>
      new Promise<string | undefined>((resolve, reject) => {
        const req = indexedDB.open('harness-restart', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('kv');
        req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
        req.onsuccess = () => {
          const tx = req.result.transaction('kv', mode === 'write' ? 'readwrite' : 'readonly');
          const op = mode === 'write' ? tx.objectStore('kv').put('kept', 'k') : tx.objectStore('kv').get('k');
          tx.oncomplete = () => resolve(op.result as string | undefined);
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        };
      });
    try {
      const first = await launchPersistent(profile);
      const page1 = first.pages()[0] ?? (await first.newPage());
      await page1.goto(origin);
      await page1.evaluate(openDb, 'write' as const);
      await first.close();

      const second = await launchPersistent(profile);
      const page2 = second.pages()[0] ?? (await second.newPage());
      await page2.goto(origin);
      expect(await page2.evaluate(openDb, 'read' as const)).toBe('kept');
      await second.close();
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});
