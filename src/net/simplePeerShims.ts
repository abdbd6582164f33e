/**
 * Node globals that simple-peer 9 and its dependencies expect, installed before they load
 * (DESIGN §11 "simple-peer 9 shims"). Import it for its side effect, before `simple-peer`:
 * src/net/simplePeer.ts does, and nothing else should import simple-peer.
 *
 * - `global`: randombytes reads `global.crypto`, util-deprecate reads `global.localStorage`.
 * - `process`: readable-stream captures `process.nextTick` when it loads (`asyncWrite` in
 *   `_stream_writable.js`) and reads `process.version`/`process.browser`/`process.env`.
 *   A microtask `nextTick` keeps stream callbacks as prompt as they are in Node; the `process`
 *   package would defer each to a timer.
 * - `Buffer` comes through simple-peer's own `require('buffer')` (the `buffer` package), and
 *   `events` through readable-stream's `require('events')` (the `events` package); neither is
 *   a global.
 */
interface ProcessShim {
  env: Record<string, string | undefined>;
  browser: boolean;
  version: string;
  versions: Record<string, string>;
  nextTick(fn: (...args: unknown[]) => void, ...args: unknown[]): void;
}

const g = globalThis as { global?: unknown; process?: Partial<ProcessShim> };
g.global ??= globalThis;
if (!g.process) {
  g.process = {
    env: {},
    browser: true,
    version: '',
    versions: {},
    nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  } satisfies ProcessShim;
}

export {};
