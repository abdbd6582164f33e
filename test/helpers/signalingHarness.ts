import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer, type ClientOptions, type RawData } from 'ws';
import type { RelayLimits } from '../../signaling-server/relayLimits.ts';
import { startServer, type RunningServer } from '../../signaling-server/server.ts';
import { toBase64Url } from '../../src/net/base64url.ts';

/** Real servers on port 0 with a throwaway dist dir; `closeAll` in afterEach/afterAll. */
export class ServerPool {
  #dist: string | undefined;
  #running: RunningServer[] = [];

  async start(signaling: Partial<RelayLimits> = {}): Promise<RunningServer> {
    if (!this.#dist) {
      this.#dist = await mkdtemp(join(tmpdir(), 'peerlake-signal-'));
      await writeFile(join(this.#dist, 'index.html'), '<!doctype html><title>peerlake</title>');
    }
    const server = await startServer({ port: 0, distDir: this.#dist, host: '127.0.0.1', signaling });
    this.#running.push(server);
    return server;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#running.splice(0).map((s) => s.close()));
  }

  async dispose(): Promise<void> {
    await this.closeAll();
    if (this.#dist) await rm(this.#dist, { recursive: true, force: true });
  }
}

export type Frame = Record<string, unknown> & { type: string };

/**
 * A bare WebSocket speaking the frame protocol by hand, so tests can send anything. It records
 * every frame the server sends and how the socket closed.
 */
export class RawClient {
  readonly frames: Frame[] = [];
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      // The relay only sends JSON text; anything else would be a relay bug, recorded as such.
      this.frames.push(isBinary ? { type: '<binary>' } : (JSON.parse(text(data)) as Frame));
    });
    // ws throws on an 'error' with no listener; errors here are followed by 'close', checked there.
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve((this.closeInfo = { code, reason: reason.toString() }))),
    );
  }

  static async open(server: RunningServer | string, options?: ClientOptions): Promise<RawClient> {
    const base = typeof server === 'string' ? server : server.url;
    const client = new RawClient(new WebSocket(`${base.replace(/^http/, 'ws')}/signal`, options));
    await once(client.ws, 'open');
    return client;
  }

  /** Opens a socket and joins `room` as `peerId`, resolving on the `joined` reply. */
  static async join(server: RunningServer, room: string, peerId: string, options?: ClientOptions) {
    const client = await RawClient.open(server, options);
    client.send({ type: 'join', room, peerId });
    await client.next((f) => f.type === 'joined', `joined ${peerId}`);
    return client;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first recorded frame matching `pred` (waiting for it), e.g. an error code. */
  next(pred: (f: Frame) => boolean, what: string, timeoutMs?: number): Promise<Frame> {
    return until(() => this.frames.find(pred), what, timeoutMs);
  }

  /** The error frame, then the close: what every violation must produce. */
  async violation(code: string): Promise<{ code: number; reason: string }> {
    await this.next((f) => f.type === 'error' && f.code === code, `error ${code}`);
    return this.closed;
  }

  /** A ping/pong round trip: every frame sent before it has been handled by the relay. */
  async roundTrip(): Promise<void> {
    const pongs = this.frames.filter((f) => f.type === 'pong').length;
    this.send({ type: 'ping' });
    await until(() => this.frames.filter((f) => f.type === 'pong').length > pongs, 'pong');
  }
}

/**
 * Polls `probe` until it returns a value (not `undefined`/`false`): the deterministic version of
 * "let the frame arrive", failing with `what` instead of hanging.
 */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** A fresh, valid room id (22 base64url chars). */
export function randomRoomId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export async function healthz(server: RunningServer): Promise<{ rooms: number; peers: number; ok: boolean }> {
  const res = await fetch(`${server.url}/healthz`);
  return (await res.json()) as { rooms: number; peers: number; ok: boolean };
}

/** One sample from `/metrics`, e.g. `metric(text, 'rejected_total', 'room_full')`. */
export function metric(text: string, name: string, reason?: string): number {
  const series = `peerlake_signal_${name}${reason ? `{reason="${reason}"}` : ''}`;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`No series ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
}

export async function metrics(server: RunningServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

/**
 * A man in the middle between signaling clients and the relay: what a curious or malicious server
 * sees and can do. It records every frame in both directions (`up` is exactly what the relay
 * receives), can rewrite frames on their way down, drop all connections, or go silent.
 */
export class Mitm {
  readonly up: string[] = [];
  readonly down: string[] = [];
  /** Rewrites a server → client frame; `undefined` forwards it unchanged. */
  rewrite: ((frame: Frame) => Frame | undefined) | undefined;
  readonly #pairs = new Set<{ client: WebSocket; upstream: WebSocket; silent: boolean }>();

  private constructor(
    readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(target: RunningServer): Promise<Mitm> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const mitm = new Mitm(wss, `http://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    wss.on('connection', (client) => mitm.#bridge(client, `${target.url.replace(/^http/, 'ws')}/signal`));
    return mitm;
  }

  /** Cuts every current connection, as a network drop would. */
  dropAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.terminate();
      upstream.terminate();
    }
  }

  /** Current connections stop forwarding anything, in either direction (a half-open TCP link). */
  silenceAll(): void {
    for (const pair of this.#pairs) pair.silent = true;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise((done) => this.wss.close(done));
  }

  #bridge(client: WebSocket, target: string): void {
    const upstream = new WebSocket(target);
    const pair = { client, upstream, silent: false };
    this.#pairs.add(pair);
    const pending: string[] = [];
    client.on('message', (data) => {
      if (pair.silent) return;
      const frame = text(data);
      this.up.push(frame);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(frame);
      else pending.push(frame);
    });
    upstream.on('open', () => pending.splice(0).forEach((t) => upstream.send(t)));
    upstream.on('message', (data) => {
      if (pair.silent) return;
      const frame = text(data);
      this.down.push(frame);
      const rewritten = this.rewrite?.(JSON.parse(frame) as Frame);
      client.send(rewritten ? JSON.stringify(rewritten) : frame);
    });
    const end = (): void => {
      this.#pairs.delete(pair);
      client.terminate();
      upstream.terminate();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
