import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../signaling-server/httpHandler.ts';
import { DistMissingError, startServer, type RunningServer } from '../../signaling-server/server.ts';

const APP_JS = `export const hello = ${JSON.stringify('peerlake '.repeat(200))};\n`;
const INDEX_HTML =
  '<!doctype html><title>peerlake</title><script type="module" src="/assets/app-abc123.js"></script>';
// The 8-byte wasm header: magic "\0asm" and version 1; enough for a MIME check.
const WASM = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Raw node:http rather than fetch: fetch (undici) always sends its own Accept-Encoding and
 * transparently decompresses, which would hide exactly what these tests check.
 */
function get(server: RunningServer, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('peerlake server over real sockets', () => {
  let dist: string;
  let server: RunningServer;

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'peerlake-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), INDEX_HTML);
    await writeFile(join(dist, 'manifest.webmanifest'), JSON.stringify({ name: 'peerlake' }));
    await writeFile(join(dist, 'assets', 'engine-def456.wasm'), WASM);
    await writeFile(join(dist, 'assets', 'app-abc123.js'), APP_JS);
    // Siblings as signaling-server/precompress.ts writes them after `vite build`.
    await writeFile(join(dist, 'assets', 'app-abc123.js.br'), brotliCompressSync(APP_JS));
    await writeFile(join(dist, 'assets', 'app-abc123.js.gz'), gzipSync(APP_JS));
    await writeFile(join(dist, '.secret'), 'not for the web');
    // What vite-plugin-pwa writes next to index.html: the service worker and its Workbox runtime.
    await writeFile(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    await writeFile(join(dist, 'workbox-9c191d2f.js'), 'define([], () => {});');
    server = await startServer({ port: 0, distDir: dist, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await server?.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('listens on the port the OS picked and reports it in the url', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('serves .wasm as application/wasm and .webmanifest as application/manifest+json', async () => {
    const wasm = await get(server, '/assets/engine-def456.wasm');
    expect(wasm.status).toBe(200);
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect([...wasm.body]).toEqual([...WASM]);

    const manifest = await get(server, '/manifest.webmanifest');
    expect(manifest.status).toBe(200);
    expect(manifest.headers['content-type']).toBe('application/manifest+json');
    expect(JSON.parse(manifest.body.toString())).toEqual({ name: 'peerlake' });
  });

  it('sends the brotli sibling when the client accepts br', async () => {
    const res = await get(server, '/assets/app-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(res.body).toString()).toBe(APP_JS);
  });

  it('sends the gzip sibling when the client accepts only gzip', async () => {
    const res = await get(server, '/assets/app-abc123.js', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(gunzipSync(res.body).toString()).toBe(APP_JS);
  });

  it('sends the plain file when the client accepts no encoding', async () => {
    const res = await get(server, '/assets/app-abc123.js');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe(APP_JS);
  });

  it('marks hashed /assets/ files immutable for a year and everything else no-cache', async () => {
    const asset = await get(server, '/assets/app-abc123.js', { 'accept-encoding': 'br' });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const index = await get(server, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body.toString()).toBe(INDEX_HTML);

    const manifest = await get(server, '/manifest.webmanifest');
    expect(manifest.headers['cache-control']).toBe('no-cache');
  });

  it('serves the service worker as JavaScript that browsers must revalidate (an update is never stuck in a cache)', async () => {
    for (const path of ['/sw.js', '/workbox-9c191d2f.js']) {
      const res = await get(server, path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers.etag).toBeTruthy();
    }
    // A missing service worker is a 404, never index.html (which would register as a broken worker).
    expect((await get(server, '/sw-missing.js')).status).toBe(404);
  });

  it('answers a revalidation of index.html with 304 when its ETag still matches', async () => {
    const first = await get(server, '/index.html');
    const etag = first.headers.etag;
    expect(typeof etag).toBe('string');
    const again = await get(server, '/index.html', { 'if-none-match': String(etag) });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
  });

  it('falls back to index.html for extension-less app routes', async () => {
    const res = await get(server, '/some/app/route');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body.toString()).toBe(INDEX_HTML);
  });

  it('returns 404, not index.html, for missing files with an extension and for any missing asset', async () => {
    for (const path of ['/missing.js', '/icons/nope.png', '/assets/app-000000.js', '/assets/no-extension']) {
      const res = await get(server, path);
      expect(res.status, path).toBe(404);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.body.toString(), path).toBe('Not Found');
    }
  });

  it('does not serve dotfiles, even percent-encoded', async () => {
    expect((await get(server, '/.secret')).status).toBe(404);
    expect((await get(server, '/%2esecret')).status).toBe(404);
  });

  it('reports health as JSON, uncached', async () => {
    const res = await get(server, '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
    expect(typeof body.uptimeSec).toBe('number');
    expect({ ...body, uptimeSec: 0 }).toEqual({
      ok: true,
      uptimeSec: 0,
      rooms: 0,
      peers: 0,
      version: '0.1.0',
    });
  });

  it('counts uptime in whole seconds from handler creation, and reports the relay stats it is given', async () => {
    let clock = 1_000_000;
    const handler = createHttpHandler({
      distDir: dist,
      version: 'test',
      stats: () => ({ rooms: 2, peers: 5 }),
      now: () => clock,
    });
    const bare = createServer(handler).listen(0, '127.0.0.1');
    await once(bare, 'listening');
    try {
      clock += 90_999;
      const { port } = bare.address() as AddressInfo;
      const body = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as unknown;
      expect(body).toEqual({ ok: true, uptimeSec: 90, rooms: 2, peers: 5, version: 'test' });
    } finally {
      bare.closeAllConnections();
      bare.close();
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/`, { method: 'POST' }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(res).toBe(405);
  });
});

describe('startServer lifecycle', () => {
  it('rejects a dist dir without index.html, naming the build command', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'peerlake-empty-'));
    try {
      const started = startServer({ port: 0, distDir: empty, host: '127.0.0.1' });
      await expect(started).rejects.toThrow(DistMissingError);
      await expect(started).rejects.toThrow(/npm run build/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('close() stops listening, closes keep-alive sockets, and is idempotent', async () => {
    const dist = await mkdtemp(join(tmpdir(), 'peerlake-dist-'));
    try {
      await writeFile(join(dist, 'index.html'), INDEX_HTML);
      const server = await startServer({ port: 0, distDir: dist, host: '127.0.0.1' });
      // fetch keeps its connection alive; close() must not wait for that idle socket.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      await Promise.all([server.close(), server.close()]);
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    } finally {
      await rm(dist, { recursive: true, force: true });
    }
  });
});
