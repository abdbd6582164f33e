import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryNetwork, type MemoryNetworkOptions } from '../../src/net/MemoryNetwork.ts';
import type { MemoryTransport } from '../../src/net/MemoryTransport.ts';
import type { TransportEvents } from '../../src/net/Transport.ts';
import type { NodeId } from '../../src/types.ts';
import { runTransportContract } from './runTransportContract.ts';

const rig = (options?: MemoryNetworkOptions) => (ids: NodeId[]) => {
  const net = new MemoryNetwork(options);
  const transports = ids.map((id) => net.createTransport(id));
  return Promise.resolve({ transports, teardown: () => transports.forEach((t) => t.close()) });
};

runTransportContract('MemoryTransport', rig());
// The same contract with timer delivery and jittered latency: order must still hold per link.
runTransportContract('MemoryTransport with delay 0–3 ms', rig({ faults: { delayMs: [0, 3] }, seed: 7 }));

const id = (name: string) => `node-${name}-0000` as NodeId;
const bytes = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
const numberOf = (b: Uint8Array) => (b[0] ?? 0) | ((b[1] ?? 0) << 8);

/** Resolves with the first matching event: waits on the transport itself, never a sleep. */
function next<K extends keyof TransportEvents>(
  t: MemoryTransport,
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

function received(t: MemoryTransport): number[] {
  const got: number[] = [];
  t.on('message', (e) => got.push(numberOf(e.bytes)));
  return got;
}

async function pair(options?: MemoryNetworkOptions) {
  const net = new MemoryNetwork(options);
  const a = net.createTransport(id('a'));
  const b = net.createTransport(id('b'));
  const opened = next(b, 'peer-candidate');
  a.connect(b.localId);
  await opened;
  return { net, a, b };
}

describe('MemoryNetwork fault injection', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers on microtasks, without any timer', async () => {
    vi.useFakeTimers(); // timers never advance in this test: only microtasks can deliver
    const { a, b } = await pair();
    const got = received(b);
    await a.send(b.localId, bytes(1));
    for (let i = 0; i < 5 && got.length === 0; i++) await Promise.resolve();
    expect(got).toEqual([1]);
  });

  it('drops the configured fraction, silently to the sender', async () => {
    const { net, a, b } = await pair({ faults: { dropRate: 0.3 }, seed: 42 });
    const got = received(b);
    for (let i = 0; i < 1000; i++) await a.send(b.localId, bytes(i));
    net.setFaults({});
    // FIFO link: once the marker arrives, every earlier message has arrived or was dropped.
    const marker = next(b, 'message', (e) => numberOf(e.bytes) === 9999);
    await a.send(b.localId, bytes(9999));
    await marker;
    const delivered = got.length - 1;
    expect(delivered).toBeGreaterThan(600);
    expect(delivered).toBeLessThan(800);
    expect(got.slice(0, -1)).toEqual([...got.slice(0, -1)].sort((x, y) => x - y)); // survivors in order
    expect(net.stats()).toMatchObject({ sent: 1001, dropped: 1000 - delivered, delivered: delivered + 1 });
  });

  it('delays by the configured latency, using timers', async () => {
    const { a, b } = await pair({ faults: { delayMs: 40 } });
    const start = performance.now();
    const got = next(b, 'message');
    await a.send(b.localId, bytes(1));
    await got;
    expect(performance.now() - start).toBeGreaterThanOrEqual(35); // timer granularity
  });

  it('reorders when asked, and delivers every message exactly once', async () => {
    const { a, b } = await pair({ faults: { reorder: 0.5 }, seed: 3 });
    const got = received(b);
    const all = new Promise<void>((resolve) => b.on('message', () => got.length === 200 && resolve()));
    for (let i = 0; i < 200; i++) await a.send(b.localId, bytes(i));
    await all;
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('per-link faults override the network faults', async () => {
    const { net, a, b } = await pair({ faults: { dropRate: 1 } });
    net.setLinkFaults(a.localId, b.localId, { dropRate: 0 });
    const got = next(b, 'message');
    await a.send(b.localId, bytes(5));
    expect(numberOf((await got).bytes)).toBe(5);
  });

  it('a partition black-holes traffic without telling either side; a side that disconnects is told at heal', async () => {
    const { net, a, b } = await pair({ faults: { delayMs: 20 } });
    const got = received(b);
    await a.send(b.localId, bytes(1)); // in flight when the partition starts: lost too
    net.partition([a.localId], [b.localId]);
    await a.send(b.localId, bytes(2));
    expect(net.stats().dropped).toBe(1);
    const aGone = next(a, 'peer-disconnected');
    let bTold = false;
    b.on('peer-disconnected', () => (bTold = true));
    a.disconnect(b.localId, 'failure detector');
    await aGone;
    expect(a.connected()).toEqual([]);
    expect(b.connected()).toEqual([a.localId]); // b cannot know yet
    // Across the partition a new connection never opens (the caller's timeout notices).
    let candidate = false;
    a.on('peer-candidate', () => (candidate = true));
    a.connect(b.localId);
    await new Promise((r) => setTimeout(r, 50)); // a bounded wait for "nothing happens": 2.5× the link delay
    expect(candidate).toBe(false);
    expect(bTold).toBe(false);
    expect(got).toEqual([]);

    const bGone = next(b, 'peer-disconnected');
    net.heal();
    expect((await bGone).reason).toContain('failure detector');
    const reopened = Promise.all([next(a, 'peer-candidate'), next(b, 'peer-candidate')]);
    a.connect(b.localId);
    await reopened;
    const msg = next(b, 'message');
    await a.send(b.localId, bytes(3));
    expect(numberOf((await msg).bytes)).toBe(3);
  });

  it('connecting to an unknown or closed node reports it unreachable', async () => {
    const { a, b } = await pair();
    const unknown = next(a, 'peer-disconnected');
    a.connect(id('ghost'));
    const report = await unknown;
    expect(report.peerId).toBe(id('ghost'));
    expect(report.reason).toContain('unreachable');
    const bGone = next(a, 'peer-disconnected');
    b.close();
    await bGone;
    const closed = next(a, 'peer-disconnected');
    a.connect(b.localId);
    expect((await closed).reason).toContain('unreachable');
  });

  it('a node id is attached once; after close it can join again (a reloaded tab)', () => {
    const net = new MemoryNetwork();
    const a = net.createTransport(id('a'));
    expect(() => net.createTransport(id('a'))).toThrow(/already attached/);
    a.close();
    expect(() => a.connect(id('b'))).toThrow(expect.objectContaining({ code: 'TRANSPORT_CLOSED' }));
    expect(net.createTransport(id('a')).localId).toBe(id('a'));
  });

  it('rejects nonsensical faults', () => {
    expect(() => new MemoryNetwork({ faults: { dropRate: 2 } })).toThrow(RangeError);
    expect(() => new MemoryNetwork({ faults: { delayMs: [5, 1] } })).toThrow(RangeError);
  });
});
