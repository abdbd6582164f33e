// Shared helpers for the E2E suites: Debian's Chromium through playwright-core (browser
// downloads fail on our machines, EXAMPLES §6) and the real server in front of the built app.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../signaling-server/server.ts';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const DIST_DIR = fileURLToPath(new URL('../../dist', import.meta.url));

/**
 * `--no-sandbox`: CI runs as root, where Chromium's sandbox refuses to start.
 * `--disable-quic`, `--disable-background-networking`, `--disable-component-update`,
 * `--disable-sync`: no traffic to Google's services; the machines have no internet and the
 * WebRTC tests run in a network namespace where stray connections only add noise and delay.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchOptions {
  /**
   * Appended after {@link CHROMIUM_ARGS}, e.g. `--disable-features=WebRtcHideLocalIpsWithMdns`
   * for the WebRTC suites.
   *
   * @remarks A `--disable-features=` given here replaces Playwright's own list rather than
   * adding to it (DESIGN §11); merge the two if Playwright's defaults matter to the test.
   */
  extraArgs?: readonly string[];
}

/** The address scripts/netns-run.sh gives veth0 inside the test network namespace. */
export const NETNS_ADDRESS = '198.18.0.1';

/**
 * Throws unless this process runs inside the isolated network namespace of scripts/netns-run.sh.
 * Called by every suite that opens WebRTC (DESIGN §11): outside it, headless Chromium finds no
 * candidates on a loopback-only host, or sends mDNS and reaches real networks on a real one.
 */
export function requireTestNetns(): void {
  const inside = Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((a) => a.address === NETNS_ADDRESS),
  );
  if (!inside) {
    throw new Error(
      `WebRTC tests must run inside the test network namespace (no interface has ${NETNS_ADDRESS}): ` +
        'use `npm test`, or `bash scripts/netns-run.sh npx vitest run --project e2e`',
    );
  }
}

/**
 * Playwright's own `--disable-features` list, read from the installed playwright-core, so a
 * suite that disables one more feature keeps Playwright's (a second `--disable-features` replaces
 * the first, DESIGN §11). Empty, with a warning, if this Playwright version keeps it elsewhere.
 */
function playwrightDisabledFeatures(): string[] {
  try {
    const file = createRequire(import.meta.url).resolve('playwright-core/lib/coreBundle');
    const source = readFileSync(file, 'utf8');
    const start = source.indexOf('disabledFeatures = [');
    const end = source.indexOf('].filter(Boolean)', start);
    if (start < 0 || end < 0) throw new Error('list not found');
    return [...source.slice(start, end).matchAll(/^\s*"([A-Za-z0-9_]+)"/gm)].map((m) => m[1]!);
  } catch (err) {
    console.warn("harness: could not read Playwright's disabled features; using only ours", err);
    return [];
  }
}

/**
 * Launch options for suites that open WebRTC connections: inside the namespace there is no mDNS
 * responder, so host candidates must carry plain IP addresses (DESIGN §11).
 */
export function webRtcLaunchOptions(): LaunchOptions {
  const features = new Set([...playwrightDisabledFeatures(), 'WebRtcHideLocalIpsWithMdns']);
  return { extraArgs: [`--disable-features=${[...features].join(',')}`] };
}

/** The Chromium binary: `CHROMIUM_PATH`, else Debian's. Throws with the fix when neither exists. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}; install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return path;
}

/** A headless browser with ephemeral contexts. Their IndexedDB lives in memory only (DESIGN §11). */
export function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
  });
}

/**
 * A headless browser on an on-disk profile, so IndexedDB and the service worker survive
 * closing it and launching again on the same `userDataDir` (restart tests, storage benchmarks).
 */
export function launchPersistent(userDataDir: string, options: LaunchOptions = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
  });
}

/** A fresh, empty profile directory for {@link launchPersistent}; the caller removes it. */
export function makeProfileDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'peerlake-profile-'));
}

/**
 * The real server on a free loopback port, serving `dist/`.
 *
 * @remarks Tests never build: `npm test` and `npm run test:e2e` run `vite build` first.
 */
export async function startAppServer(options: { host?: string } = {}): Promise<RunningServer> {
  if (!existsSync(join(DIST_DIR, 'index.html'))) {
    throw new Error(
      `${join(DIST_DIR, 'index.html')} is missing: run \`npm run build\` before the E2E tests (npm run test:e2e does it for you)`,
    );
  }
  return startServer({ port: 0, distDir: DIST_DIR, host: options.host ?? '127.0.0.1' });
}

/**
 * Collects uncaught page errors and `console.error` messages from `page`, from now on. The
 * returned array fills as they happen; assert on it at the end of a test (`toEqual([])`).
 */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack ?? err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const { url, lineNumber } = msg.location();
    errors.push(`console.error: ${msg.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
  });
  return errors;
}

/**
 * Milliseconds from navigation start to the `peerlake:interactive` mark that src/main.ts sets once
 * the dashboard is mounted over a ready node (cold start to interactive, issue #7). Waits for it.
 */
export async function interactiveMs(page: Page, timeoutMs = 30_000): Promise<number> {
  await page.waitForFunction(
    () => performance.getEntriesByName('peerlake:interactive').length > 0,
    undefined,
    {
      timeout: timeoutMs,
    },
  );
  return page.evaluate(() => performance.getEntriesByName('peerlake:interactive')[0]!.startTime);
}

/** Resolves once a service worker controls `page` and is activated (its precache is complete). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const sw = reg.active!;
    if (sw.state !== 'activated') {
      await new Promise<void>((resolve) =>
        sw.addEventListener('statechange', () => sw.state === 'activated' && resolve()),
      );
    }
    // clientsClaim: the first worker takes the page once it is active. Checked and subscribed in
    // one task, so the event cannot slip between the two.
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
      );
    }
  });
}
