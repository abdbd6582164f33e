// Shared helpers for the E2E suites: Debian's Chromium through playwright-core (browser
// downloads fail on our machines, EXAMPLES §6) and the real server in front of the built app.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
