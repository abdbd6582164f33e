// The mesh end to end (mesh issue): tabs of the real app, one browser context per peer, joining
// one room link through the real signaling server, inside the test network namespace
// (scripts/netns-run.sh; DESIGN §11). The steps build on each other, so they run in order.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../signaling-server/server.ts';
import { newRoomSecret } from '../../src/net/roomCrypto.ts';
import {
  collectConsoleErrors,
  launchBrowser,
  requireTestNetns,
  startAppServer,
  webRtcLaunchOptions,
} from './harness.ts';

/** Short heartbeats, so "3 missed" takes 1.5 s; discovery every second. */
const HEARTBEAT_MS = 500;
const CONFIG = JSON.stringify({ heartbeatInterval: HEARTBEAT_MS, discoveryInterval: 1_000 });
/** Every wait below is on a condition; this only bounds how long a broken mesh takes to fail. */
const WAIT_MS = 20_000;

interface Tab {
  context: BrowserContext;
  page: Page;
  errors: string[];
  nodeId: string;
}

let server: RunningServer;
let browser: Browser;
let link = '';
const tabs: Tab[] = [];

beforeAll(async () => {
  requireTestNetns();
  server = await startAppServer();
  browser = await launchBrowser(webRtcLaunchOptions());
});
afterAll(async () => {
  await browser?.close();
  await server?.close().catch(() => undefined); // already stopped by the last step
});

/** `url` with our short-heartbeat config in its query; the room stays in the fragment. */
function withConfig(url: string): string {
  const u = new URL(url);
  u.searchParams.set('config', CONFIG);
  return u.href;
}

/**
 * Opens the app at `url` in `context` (a new one by default) and waits until the node is ready.
 * Each tab records the peer events it sees, with wall-clock times comparable across tabs.
 */
async function openTab(url: string, context?: BrowserContext): Promise<Tab> {
  const ctx = context ?? (await browser.newContext());
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  await page.addInitScript(() => {
    const w = window as unknown as {
      peerEvents: { type: string; nodeId: string; reason?: string; at: number }[];
    };
    w.peerEvents = [];
  });
  await page.goto(withConfig(url));
  await page.waitForFunction(() => window.lake !== undefined);
  await page.evaluate(async () => {
    await window.lake.ready;
    const w = window as unknown as {
      peerEvents: { type: string; nodeId: string; reason?: string; at: number }[];
    };
    window.lake.on('peer-joined', (e) =>
      w.peerEvents.push({ type: 'joined', nodeId: e.nodeId, at: Date.now() }),
    );
    window.lake.on('peer-left', (e) =>
      w.peerEvents.push({ type: 'left', nodeId: e.nodeId, reason: e.reason, at: Date.now() }),
    );
  });
  const nodeId = await page.evaluate(() => window.lake.nodeId);
  return { context: ctx, page, errors, nodeId };
}

/** The ids of the peers `tab` has authenticated and hears from (state alive), sorted. */
function alivePeers(tab: Tab): Promise<string[]> {
  return tab.page.evaluate(() =>
    window.lake
      .peers()
      .filter((p) => p.state === 'alive')
      .map((p) => p.nodeId)
      .sort(),
  );
}

/** Waits until every tab in `group` has exactly the others of `group` alive, each with an RTT. */
async function fullMesh(group: Tab[]): Promise<void> {
  await Promise.all(
    group.map((tab) => {
      const others = group.filter((t) => t !== tab).map((t) => t.nodeId);
      return tab.page.waitForFunction(
        (want) => {
          const peers = window.lake.peers().filter((p) => p.state === 'alive' && p.rttMs !== undefined);
          return peers.length === want.length && want.every((id) => peers.some((p) => p.nodeId === id));
        },
        others,
        { timeout: WAIT_MS, polling: 50 },
      );
    }),
  );
}

function peerEvents(tab: Tab): Promise<{ type: string; nodeId: string; reason?: string; at: number }[]> {
  return tab.page.evaluate(
    () =>
      (window as unknown as { peerEvents: { type: string; nodeId: string; reason?: string; at: number }[] })
        .peerEvents,
  );
}

describe('mesh: rooms and an authenticated WebRTC mesh between tabs', () => {
  it('a tab without a room creates one and puts its link in the URL without reloading', async () => {
    const first = await openTab(server.url);
    tabs.push(first);
    const room = await first.page.evaluate(() => window.lake.room!);
    const origin = new URL(server.url).origin;
    expect(room.link).toMatch(new RegExp(`^${origin}/#room=[A-Za-z0-9_-]{22}&key=[A-Za-z0-9_-]{22,}$`));
    expect(room.link).toContain(`#room=${room.id}&`);
    expect(room).toMatchObject({ members: 1, refused: 0 });
    const page = await first.page.evaluate(() => ({
      hash: location.hash,
      navigations: performance.getEntriesByType('navigation').length,
    }));
    expect(page.hash).toBe(new URL(room.link).hash);
    expect(page.navigations).toBe(1);
    link = room.link;
  });

  it('three tabs joining the link form a full mesh; the page lists the peers with their RTT', async () => {
    tabs.push(...(await Promise.all([openTab(link), openTab(link)])));
    await fullMesh(tabs);
    for (const tab of tabs) {
      expect(await tab.page.evaluate(() => window.lake.room!.members)).toBe(3);
      const peers = await tab.page.evaluate(() => window.lake.peers());
      for (const p of peers) {
        expect(p).toMatchObject({ state: 'alive', chunks: 0 });
        expect(p.deviceId).toMatch(/^[0-9a-f-]{36}$/);
        expect(p.rttMs).toBeGreaterThanOrEqual(0);
      }
    }
    const first = tabs[0]!;
    await first.page.click('#view-tab-network');
    // The panel refreshes every second: wait for it to show both peers with their RTT.
    await first.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="room"]')?.textContent?.includes('3 members') &&
        [...document.querySelectorAll('[data-testid="peers"] li')].filter((li) =>
          /alive · RTT [\d.]+ ms/.test(li.textContent ?? ''),
        ).length === 2,
      undefined,
      { timeout: WAIT_MS },
    );
    expect(await first.page.locator('[data-testid="peers"] li').count()).toBe(2);
    // "Share room" puts the link on the clipboard.
    await first.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(link).origin,
    });
    await first.page.click('[data-testid="share-room"]');
    await first.page.waitForSelector('text=Link copied');
    await first.page.keyboard.press('Escape');
    expect(await first.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  });

  it('a tab with the right room id but a wrong key is refused', async () => {
    const wrong = new URL(link);
    wrong.hash = wrong.hash.replace(/key=[^&]+/, `key=${newRoomSecret()}`);
    const intruder = await openTab(wrong.href);
    expect(await intruder.page.evaluate(() => window.lake.room!.id)).toBe(
      await tabs[0]!.page.evaluate(() => window.lake.room!.id),
    );
    // Its signals do not open with the room key, nor do the members' with its key: each side refuses the other.
    await intruder.page.waitForFunction(() => window.lake.room!.refused === 3, undefined, {
      timeout: WAIT_MS,
    });
    for (const tab of tabs) {
      await tab.page.waitForFunction(() => window.lake.room!.refused === 1, undefined, { timeout: WAIT_MS });
    }
    // A few heartbeats later nobody lists it, and it has no peer.
    await tabs[0]!.page.waitForTimeout(3 * HEARTBEAT_MS);
    expect(await alivePeers(intruder)).toEqual([]);
    expect(await intruder.page.evaluate(() => window.lake.room!.members)).toBe(1);
    for (const tab of tabs) {
      expect(await alivePeers(tab)).toEqual(
        tabs
          .filter((t) => t !== tab)
          .map((t) => t.nodeId)
          .sort(),
      );
      expect((await peerEvents(tab)).filter((e) => e.nodeId === intruder.nodeId)).toEqual([]);
    }
    expect(intruder.errors).toEqual([]);
    await intruder.context.close();
  });

  it('a closed tab is seen leaving within 3 heartbeats, and rejoins when reopened', async () => {
    const [a, b, c] = tabs as [Tab, Tab, Tab];
    const closedAt = Date.now();
    await c.page.close();
    const left = await Promise.all(
      [a, b].map(async (tab) => {
        await tab.page.waitForFunction(
          (id) => window.lake.peers().every((p) => p.nodeId !== id || p.state === 'connecting'),
          c.nodeId,
          { timeout: WAIT_MS, polling: 20 },
        );
        const e = (await peerEvents(tab)).find((x) => x.type === 'left' && x.nodeId === c.nodeId);
        expect(e, 'a peer-left event').toBeDefined();
        return e!.at - closedAt;
      }),
    );
    for (const ms of left) expect(ms).toBeLessThanOrEqual(3 * HEARTBEAT_MS);
    console.log(
      `peer-left seen ${left.join(' and ')} ms after the tab closed (3 heartbeats = ${3 * HEARTBEAT_MS} ms)`,
    );

    // Reopened in the same browser (context): the tab adopts the closed tab's node and rejoins.
    const again = await openTab(link, c.context);
    expect(again.nodeId).toBe(c.nodeId);
    tabs[2] = again;
    const reopenedAt = Date.now();
    await fullMesh(tabs);
    console.log(
      `the reopened tab was back in the full mesh ${Date.now() - reopenedAt} ms after its node was ready`,
    );
    for (const tab of [a, b]) {
      // (Its first join may predate the recorder, which starts once the tab's node is ready.)
      const events = (await peerEvents(tab)).filter((e) => e.nodeId === c.nodeId).map((e) => e.type);
      expect(events.slice(events.indexOf('left'))).toEqual(['left', 'joined']);
    }
  });

  it('a tab that dies without closing is declared gone by the failure detector', async () => {
    const [a, b, c] = tabs as [Tab, Tab, Tab];
    // A renderer crash sends nothing: no channel close, no SCTP abort. Only missing heartbeats tell.
    const cdp = await b.context.newCDPSession(b.page);
    const crashedAt = Date.now();
    void cdp.send('Page.crash').catch(() => undefined); // never answers: the page is gone
    const left = await Promise.all(
      [a, c].map(async (tab) => {
        await tab.page.waitForFunction(
          (id) => window.lake.peers().every((p) => p.nodeId !== id || p.state === 'connecting'),
          b.nodeId,
          { timeout: WAIT_MS, polling: 20 },
        );
        const e = (await peerEvents(tab)).find((x) => x.type === 'left' && x.nodeId === b.nodeId);
        expect(e?.reason).toBe('timeout');
        return e!.at - crashedAt;
      }),
    );
    console.log(
      `a crashed tab was declared gone after ${left.join(' and ')} ms (heartbeat ${HEARTBEAT_MS} ms)`,
    );
    // Three intervals with nothing heard, counted at the detector's ticks: 3 to 4 intervals after
    // the last heartbeat arrived, plus timer slack on a busy machine.
    for (const ms of left) expect(ms).toBeLessThanOrEqual(4 * HEARTBEAT_MS + 250);
    await b.context.close();
    tabs.splice(1, 1);
    await fullMesh(tabs);
  });

  it('with the signaling server stopped, the mesh keeps working', async () => {
    await server.close();
    for (const tab of tabs) {
      await tab.page.waitForFunction(() => window.lake.room!.signaling !== 'joined', undefined, {
        timeout: WAIT_MS,
      });
    }
    const before = await Promise.all(tabs.map((t) => peerEvents(t).then((e) => e.length)));
    // Six heartbeat intervals: without heartbeats flowing, every peer would be suspect after one
    // interval and gone after three.
    await tabs[0]!.page.waitForTimeout(6 * HEARTBEAT_MS);
    for (const [i, tab] of tabs.entries()) {
      expect((await peerEvents(tab)).length, 'no peer events while the server is down').toBe(before[i]);
      expect(await alivePeers(tab)).toEqual(
        tabs
          .filter((t) => t !== tab)
          .map((t) => t.nodeId)
          .sort(),
      );
      expect(await tab.page.evaluate(() => window.lake.room!.members)).toBe(tabs.length);
    }
    // Reconnect attempts to the stopped server log errors in the console; everything before them counts.
    for (const tab of tabs) {
      expect(
        tab.errors.filter((e) => !/WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(e)),
      ).toEqual([]);
    }
  });
});
