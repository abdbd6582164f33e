// The transport contract (test/contracts/transport.contract.ts) against WebRtcTransport in
// Chromium: each peer in its own browser context, signalling through the real server. Runs inside
// the test network namespace (scripts/netns-run.sh; DESIGN §11).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../signaling-server/server.ts';
import { newRoomSecret } from '../../src/net/roomCrypto.ts';
import type { NodeId } from '../../src/types.ts';
import { transportContract } from '../contracts/transport.contract.ts';
import { bundleForBrowser } from './bundle.ts';
import {
  collectConsoleErrors,
  launchBrowser,
  requireTestNetns,
  startAppServer,
  webRtcLaunchOptions,
} from './harness.ts';
import { RemoteRegistry } from './rtcProxy.ts';

let server: RunningServer;
let browser: Browser;
const pages: Page[] = [];
const errors: string[][] = [];
const registry = new RemoteRegistry();
const secret = newRoomSecret();

beforeAll(async () => {
  requireTestNetns();
  server = await startAppServer();
  browser = await launchBrowser(webRtcLaunchOptions());
  const script = await bundleForBrowser('./browser/rtc.entry.ts');
  for (let i = 0; i < 3; i++) {
    const page = await (await browser.newContext()).newPage();
    errors.push(collectConsoleErrors(page));
    await registry.attach(page);
    // Any page of the origin will do; /healthz is cheap and starts no app or workers.
    await page.goto(`${server.url}/healthz`);
    await page.addScriptTag({ content: script });
    pages.push(page);
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Transport contract: WebRtcTransport in Chromium (one context per peer)', () => {
  const cases = transportContract(async (ids: NodeId[]) => {
    const transports = await Promise.all(ids.map((id, i) => registry.create(pages[i]!, id, secret)));
    return { transports, teardown: () => transports.forEach((t) => t.close()) };
  });
  for (const [title, run] of Object.entries(cases)) it(title, run, 30_000);

  it('logged no errors in any page', () => {
    // Chromium asks for /favicon.ico beside a JSON document; that 404 is not ours.
    expect(errors.flat().filter((e) => !e.includes('/favicon.ico'))).toEqual([]);
  });
});
