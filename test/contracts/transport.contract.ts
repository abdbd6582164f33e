import { expect } from 'chai';
import type { Transport, TransportEvents } from '../../src/net/Transport.ts';
import type { NodeId } from '../../src/types.ts';

/** Transports under test, one per id, able to reach each other; `teardown` closes whatever is left. */
export interface TransportRig {
  transports: Transport[];
  teardown(): Promise<void> | void;
}
export type TransportRigFactory = (ids: NodeId[]) => Promise<TransportRig>;

/** Long enough for a WebRTC connection in Chromium (about 70 ms here, DESIGN §11), short enough to fail fast. */
const EVENT_TIMEOUT_MS = 10_000;

/**
 * Resolves with the first `event` on `t` that matches; rejects after a timeout naming what was
 * awaited. The deterministic version of "let the connection form" (automerge's network adapter
 * tests): never a sleep.
 */
function next<K extends keyof TransportEvents>(
  t: Transport,
  event: K,
  match: (e: TransportEvents[K]) => boolean = () => true,
): Promise<TransportEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${t.localId}: no matching "${event}" within ${EVENT_TIMEOUT_MS} ms`));
    }, EVENT_TIMEOUT_MS);
    const off = t.on(event, (e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Collects `count` messages from `from` on `t`, in arrival order. */
function messages(t: Transport, from: NodeId, count: number): Promise<TransportEvents['message'][]> {
  return new Promise((resolve, reject) => {
    const got: TransportEvents['message'][] = [];
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(
          `${t.localId}: ${got.length} of ${count} messages from ${from} within ${EVENT_TIMEOUT_MS} ms`,
        ),
      );
    }, EVENT_TIMEOUT_MS);
    const off = t.on('message', (e) => {
      if (e.from !== from) return;
      got.push(e);
      if (got.length < count) return;
      clearTimeout(timer);
      off();
      resolve(got);
    });
  });
}

/** Opens a→b and waits until both sides have their peer-candidate. */
async function link(a: Transport, b: Transport): Promise<void> {
  const both = Promise.all([
    next(a, 'peer-candidate', (e) => e.peerId === b.localId),
    next(b, 'peer-candidate', (e) => e.peerId === a.localId),
  ]);
  a.connect(b.localId);
  await both;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Deterministic pseudo-random bytes, so a corrupted large message shows up as a mismatch. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Byte equality without Node's Buffer, so the suite also runs in the browser. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The behaviour every {@link Transport} must have (EXAMPLES §6: automerge runs its network adapter
 * suite with three peers, "in both directions, in case they're different types of adapters").
 * Chai, not vitest globals, so the same cases can be bundled into Chromium and run against
 * WebRtcTransport. Each case gets fresh transports for the ids it needs.
 */
export function transportContract(rig: TransportRigFactory): Record<string, () => Promise<void>> {
  const cases: Record<string, () => Promise<void>> = {};
  let n = 0;
  /** Fresh ids per case (valid node ids: 8+ base64url characters), so cases never see each other's peers. */
  const ids = (count: number): NodeId[] =>
    Array.from({ length: count }, (_, i) => `contract-${++n}-${'abc'[i] ?? i}` as NodeId);
  const it = (name: string, fn: (t: Transport[]) => Promise<void>, count = 2) => {
    cases[name] = async () => {
      const r = await rig(ids(count));
      try {
        await fn(r.transports);
      } finally {
        await r.teardown();
      }
    };
  };

  it('connect gives both sides a peer-candidate and both list the connection', async ([a, b]) => {
    await link(a!, b!);
    expect(a!.connected()).to.deep.equal([b!.localId]);
    expect(b!.connected()).to.deep.equal([a!.localId]);
  });

  it('connect is idempotent, even when both sides connect at once', async ([a, b]) => {
    const candidates = { a: 0, b: 0 };
    a!.on('peer-candidate', () => candidates.a++);
    b!.on('peer-candidate', () => candidates.b++);
    const opened = link(a!, b!);
    a!.connect(b!.localId);
    b!.connect(a!.localId);
    await opened;
    // A round trip after the candidates: any duplicate candidate would have arrived by now.
    const ping = next(b!, 'message');
    await a!.send(b!.localId, bytesOf('ping'));
    await ping;
    const pong = next(a!, 'message');
    await b!.send(a!.localId, bytesOf('pong'));
    await pong;
    expect(candidates).to.deep.equal({ a: 1, b: 1 });
    expect(a!.connected()).to.deep.equal([b!.localId]);
  });

  it('three peers exchange messages in both directions', async (ts) => {
    const [a, b, c] = ts as [Transport, Transport, Transport];
    await link(a, b);
    await link(c, a); // the other direction of opening, too
    await link(b, c);
    const arrivals = ts.flatMap((to) =>
      ts
        .filter((from) => from !== to)
        .map((from) => messages(to, from.localId, 1).then((m) => [to, m[0]!] as const)),
    );
    for (const from of ts) {
      for (const to of ts)
        if (to !== from) await from.send(to.localId, bytesOf(`${from.localId}>${to.localId}`));
    }
    for (const [to, m] of await Promise.all(arrivals)) {
      expect(textOf(m.bytes)).to.equal(`${m.from}>${to.localId}`);
      expect(m.channel).to.equal('control');
    }
  }, 3);

  it('messages on one link arrive in order, per channel', async ([a, b]) => {
    await link(a!, b!);
    const count = 200;
    const got = messages(b!, a!.localId, count * 2);
    for (let i = 0; i < count; i++) {
      await a!.send(b!.localId, bytesOf(`c${i}`), 'control');
      await a!.send(b!.localId, bytesOf(`b${i}`), 'bulk');
    }
    const all = await got;
    const on = (channel: string) => all.filter((m) => m.channel === channel).map((m) => textOf(m.bytes));
    expect(on('control')).to.deep.equal(Array.from({ length: count }, (_, i) => `c${i}`));
    expect(on('bulk')).to.deep.equal(Array.from({ length: count }, (_, i) => `b${i}`));
  });

  it('messages larger than 64 KiB arrive whole, on both channels', async ([a, b]) => {
    await link(a!, b!);
    const sizes = [64 * 1024 + 1, 300_000, 1024 * 1024 + 7];
    const got = messages(b!, a!.localId, sizes.length * 2);
    for (const [i, size] of sizes.entries()) {
      await a!.send(b!.localId, pattern(size, i), 'bulk');
      await a!.send(b!.localId, pattern(size, i + 100), 'control');
    }
    const all = await got;
    for (const [i, size] of sizes.entries()) {
      const bulk = all.filter((m) => m.channel === 'bulk')[i]!;
      const control = all.filter((m) => m.channel === 'control')[i]!;
      expect(bulk.bytes.byteLength).to.equal(size);
      expect(control.bytes.byteLength).to.equal(size);
      expect(sameBytes(bulk.bytes, pattern(size, i)), `bulk message ${i}`).to.equal(true);
      expect(sameBytes(control.bytes, pattern(size, i + 100)), `control message ${i}`).to.equal(true);
    }
  });

  it('the receiver gets its own copy of the bytes', async ([a, b]) => {
    await link(a!, b!);
    const bytes = bytesOf('original');
    const got = next(b!, 'message');
    await a!.send(b!.localId, bytes);
    bytes.fill(0);
    expect(textOf((await got).bytes)).to.equal('original');
  });

  it('send to a peer that is not connected rejects with NOT_CONNECTED', async ([a, b]) => {
    await expectRejection(a!.send('contract-nobody' as NodeId, bytesOf('x')), 'NOT_CONNECTED');
    // Known to the network but never connected: same answer.
    await expectRejection(a!.send(b!.localId, bytesOf('x')), 'NOT_CONNECTED');
  });

  it('disconnect: both sides get peer-disconnected, and send then rejects', async ([a, b]) => {
    await link(a!, b!);
    const gone = Promise.all([
      next(a!, 'peer-disconnected', (e) => e.peerId === b!.localId),
      next(b!, 'peer-disconnected', (e) => e.peerId === a!.localId),
    ]);
    a!.disconnect(b!.localId, 'test');
    await gone;
    expect(a!.connected()).to.deep.equal([]);
    expect(b!.connected()).to.deep.equal([]);
    await expectRejection(a!.send(b!.localId, bytesOf('x')), 'NOT_CONNECTED');
    await expectRejection(b!.send(a!.localId, bytesOf('x')), 'NOT_CONNECTED');
    // And the pair can connect again.
    await link(b!, a!);
    const got = next(a!, 'message');
    await b!.send(a!.localId, bytesOf('again'));
    expect(textOf((await got).bytes)).to.equal('again');
  });

  // Membership relies on this: a refusal (its last handshake frame) sent just before disconnecting
  // must reach the refused peer. RTCDataChannel's closing procedure finishes sending pending messages.
  it('messages sent before disconnect arrive before the peer hears of the close', async ([a, b]) => {
    await link(a!, b!);
    const order: string[] = [];
    b!.on('message', (e) => order.push(textOf(e.bytes)));
    const gone = next(b!, 'peer-disconnected', (e) => e.peerId === a!.localId);
    for (let i = 0; i < 3; i++) await a!.send(b!.localId, bytesOf(`last-${i}`));
    a!.disconnect(b!.localId, 'done');
    await gone;
    expect(order).to.deep.equal(['last-0', 'last-1', 'last-2']);
  });

  it('close: peers get peer-disconnected, the transport emits close, and it refuses to send', async (ts) => {
    const [a, b, c] = ts as [Transport, Transport, Transport];
    await link(a, b);
    await link(a, c);
    const events = Promise.all([
      next(b, 'peer-disconnected', (e) => e.peerId === a.localId),
      next(c, 'peer-disconnected', (e) => e.peerId === a.localId),
      next(a, 'close'),
    ]);
    a.close();
    await events;
    expect(b.connected()).to.deep.equal([]);
    expect(c.connected()).to.deep.equal([]);
    expect(a.connected()).to.deep.equal([]);
    await expectRejection(a.send(b.localId, bytesOf('x')), 'TRANSPORT_CLOSED');
    a.close(); // idempotent
  }, 3);

  return cases;
}

async function expectRejection(p: Promise<unknown>, code: string): Promise<void> {
  let error: unknown;
  try {
    await p;
  } catch (err) {
    error = err;
  }
  expect(error, 'the promise should reject').to.be.instanceOf(Error);
  expect((error as Error).name).to.equal('NetError');
  expect((error as { code?: string }).code).to.equal(code);
}
