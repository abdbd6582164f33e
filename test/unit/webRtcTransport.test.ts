// WebRtcTransport's session logic in Node, on fake sessions and a fake relay (test/helpers/fakeRtc.ts):
// the transport contract, who initiates, glare, stale and replayed signals, reconnects. The real
// WebRTC path runs the same contract in Chromium (test/e2e/webRtcTransport.e2e.test.ts).
import { describe, expect, it, vi } from 'vitest';
import type { Transport, TransportEvents } from '../../src/net/Transport.ts';
import { WebRtcTransport } from '../../src/net/WebRtcTransport.ts';
import type { NodeId } from '../../src/types.ts';
import { runTransportContract } from '../contracts/runTransportContract.ts';
import { FakeRtcNetwork } from '../helpers/fakeRtc.ts';

runTransportContract('WebRtcTransport session logic (fake sessions)', (ids) => {
  const net = new FakeRtcNetwork();
  const transports = ids.map((id) => net.transport(id));
  return Promise.resolve({ transports, teardown: () => transports.forEach((t) => t.close()) });
});

// The lower id initiates: `low` < `high`.
const low = 'node-aaaa-0001' as NodeId;
const high = 'node-zzzz-0002' as NodeId;

function next<K extends keyof TransportEvents>(
  t: Transport,
  event: K,
  match: (e: TransportEvents[K]) => boolean = () => true,
): Promise<TransportEvents[K]> {
  return new Promise((resolve) => {
    const off = t.on(event, (e) => {
      if (!match(e)) return;
      off();
      resolve(e);
    });
  });
}

function record(t: Transport): string[] {
  const log: string[] = [];
  t.on('peer-candidate', (e) => log.push(`candidate:${e.peerId}`));
  t.on('peer-disconnected', (e) => log.push(`disconnected:${e.peerId}:${e.reason}`));
  return log;
}

/** Lets every queued microtask and zero-delay hop run: "the signals have all been delivered". */
const settle = () => new Promise((r) => setTimeout(r, 20));

async function connected(a: WebRtcTransport, b: WebRtcTransport, start: () => void): Promise<void> {
  const both = Promise.all([
    next(a, 'peer-candidate', (e) => e.peerId === b.localId),
    next(b, 'peer-candidate', (e) => e.peerId === a.localId),
  ]);
  start();
  await both;
}

describe('WebRtcTransport: who connects', () => {
  it('the lower id makes the offer; the higher id dials and the lower one offers', async () => {
    const net = new FakeRtcNetwork();
    const [a, b] = [net.transport(low), net.transport(high)];
    await connected(a, b, () => a.connect(high));
    expect(net.relay.log.map((s) => `${s.from === low ? 'low' : 'high'}:${s.payload.kind}`)).toEqual([
      'low:sdp', // offer
      'high:sdp', // answer
    ]);
    a.disconnect(high);
    await settle();
    net.relay.log.length = 0;
    await connected(a, b, () => b.connect(low));
    expect(net.relay.log.map((s) => `${s.from === low ? 'low' : 'high'}:${s.payload.kind}`)).toEqual([
      'high:dial',
      'low:sdp',
      'high:sdp',
    ]);
    // The dial's session id is the one the connection uses.
    expect(new Set(net.relay.log.map((s) => s.payload.sid)).size).toBe(1);
  });

  it('glare: both sides connecting at once end with one connection and one candidate each', async () => {
    const net = new FakeRtcNetwork();
    const [a, b] = [net.transport(low), net.transport(high)];
    const logs = [record(a), record(b)];
    await connected(a, b, () => {
      a.connect(high);
      b.connect(low);
    });
    await settle();
    expect(logs).toEqual([[`candidate:${high}`], [`candidate:${low}`]]);
    // The higher id dropped the lower one's own offer; the lower one adopted the dial's session.
    expect(b.counters.staleSignals).toBeGreaterThanOrEqual(1);
    expect(a.connected()).toEqual([high]);
    expect(b.connected()).toEqual([low]);
  });

  it('a dial that got lost (peer not in the room yet) is sent again when the peer offers', async () => {
    const net = new FakeRtcNetwork();
    const b = net.transport(high, 10_000);
    // The lower node is not in the room: the relay cannot deliver the dial.
    net.relay.drop = (s) => s.to === low;
    b.connect(low);
    await settle();
    net.relay.drop = undefined;
    const a = net.transport(low, 10_000);
    const started = Date.now();
    await connected(a, b, () => a.connect(high));
    // Long before either side's 10 s connect timeout.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(net.relay.log.filter((s) => s.payload.kind === 'dial')).toHaveLength(2);
  });
});

describe('WebRtcTransport: stale and replayed signals', () => {
  it('replaying every signal of an old session breaks nothing and opens nothing', async () => {
    const net = new FakeRtcNetwork();
    const [a, b] = [net.transport(low), net.transport(high)];
    await connected(a, b, () => b.connect(low)); // dial, offer, answer
    const old = [...net.relay.log];
    a.disconnect(high);
    await settle();
    await connected(a, b, () => a.connect(high)); // a new session: offer, answer
    const logs = [record(a), record(b)];
    const stale = a.counters.staleSignals + b.counters.staleSignals;
    for (const s of old) net.relay.replay(s);
    await settle();
    expect(logs).toEqual([[], []]);
    expect(a.counters.staleSignals + b.counters.staleSignals).toBe(stale + old.length);
    expect(a.connected()).toEqual([high]);
    // Messages still flow on the current session.
    const got = next(b, 'message');
    await a.send(high, Uint8Array.of(7));
    expect([...(await got).bytes]).toEqual([7]);
  });

  it('an answer or candidate for no known session is dropped and counted', async () => {
    const net = new FakeRtcNetwork();
    const [a, b] = [net.transport(low), net.transport(high)];
    await connected(a, b, () => a.connect(high));
    const sid = 'A'.repeat(22);
    net.relay.replay({ from: high, to: low, payload: { kind: 'sdp', sid, type: 'answer', sdp: 'x' } });
    net.relay.replay({
      from: high,
      to: low,
      payload: { kind: 'ice', sid, candidate: { candidate: 'c', sdpMLineIndex: 0, sdpMid: '0' } },
    });
    await settle();
    expect(a.counters.staleSignals).toBe(2);
    expect(a.connected()).toEqual([high]);
  });

  it('payloads that are not ours are dropped and counted, never thrown', async () => {
    const net = new FakeRtcNetwork();
    const a = net.transport(low);
    const junk: unknown[] = [
      null,
      'offer',
      { kind: 'sdp' },
      { kind: 'dial', sid: 'short' },
      { kind: 'nope', sid: 'A'.repeat(22) },
    ];
    for (const payload of junk) net.relay.replay({ from: high, to: low, payload: payload as never });
    // A dial is only for the lower id: the higher one never takes it.
    const b = net.transport(high);
    net.relay.replay({ from: low, to: high, payload: { kind: 'dial', sid: 'B'.repeat(22) } });
    await settle();
    expect(a.counters.badSignals).toBe(junk.length);
    expect(b.counters.badSignals).toBe(1);
  });
});

describe('WebRtcTransport: reconnects', () => {
  it('a reloaded peer (same id, new transport) replaces the old connection: disconnected, then candidate', async () => {
    const net = new FakeRtcNetwork();
    const a = net.transport(low);
    let b = net.transport(high);
    await connected(a, b, () => a.connect(high));
    const log = record(a);
    // The old tab vanishes without a close (its transport is simply dropped); the reloaded one dials.
    b = net.transport(high);
    const candidate = next(a, 'peer-candidate');
    b.connect(low);
    await candidate;
    expect(log).toEqual([`disconnected:${high}:reconnected`, `candidate:${high}`]);
    const got = next(b, 'message');
    await a.send(high, Uint8Array.of(1));
    expect([...(await got).bytes]).toEqual([1]);
  });

  it('an attempt that never opens fails with connect timeout', async () => {
    const net = new FakeRtcNetwork();
    const a = net.transport(low, 50);
    net.relay.drop = () => true;
    a.connect(high);
    expect(await next(a, 'peer-disconnected')).toEqual({ peerId: high, reason: 'connect timeout' });
  });

  it('a signaling failure fails the attempt at once', async () => {
    const transport = new WebRtcTransport({
      localId: high,
      signals: { send: () => Promise.reject(new Error('not joined')), onSignal: () => () => undefined },
      createSession: () => {
        throw new Error('no session expected: the higher id only dials');
      },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      transport.connect(low);
      expect((await next(transport, 'peer-disconnected')).reason).toBe('signaling unavailable');
      expect(warn).toHaveBeenCalledOnce();
    } finally {
      warn.mockRestore();
    }
  });
});
