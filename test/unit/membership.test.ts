import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryNetwork } from '../../src/net/MemoryNetwork.ts';
import type { MemoryTransport } from '../../src/net/MemoryTransport.ts';
import { Membership } from '../../src/net/Membership.ts';
import { deriveRoomKeys, newRoomSecret } from '../../src/net/roomCrypto.ts';
import type { TransportEvents } from '../../src/net/Transport.ts';
import { PROTOCOL_VERSION, decode, encode } from '../../src/net/wire.ts';
import type { DeviceId } from '../../src/types.ts';
import { FAST, createNode, nextEvent, nodeId, recordEvents, until, type TestNode } from '../helpers/mesh.ts';

const roomKey = async () => (await deriveRoomKeys(newRoomSecret())).authKey;

let nodes: TestNode[] = [];
const open: MemoryTransport[] = [];
function track<T extends TestNode>(n: T): T {
  nodes.push(n);
  return n;
}
afterEach(() => {
  for (const n of nodes) {
    n.membership.close();
    n.transport.close();
  }
  for (const t of open.splice(0)) t.close();
  nodes = [];
});

/** Resolves on the next matching transport event. */
function transportEvent<K extends keyof TransportEvents>(
  t: MemoryTransport,
  event: K,
  match: (e: TransportEvents[K]) => boolean = () => true,
): Promise<TransportEvents[K]> {
  return new Promise((resolve) => {
    const off = t.on(event, (e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

/** Two nodes on one key, introduced, and waited for until both report the other joined. */
async function joinedPair(net = new MemoryNetwork(), options = {}) {
  const key = await roomKey();
  const a = track(createNode(net, 'aaaa', key, options));
  const b = track(createNode(net, 'bbbb', key, options));
  const joined = Promise.all([
    nextEvent(a.membership, 'peer-joined'),
    nextEvent(b.membership, 'peer-joined'),
  ]);
  a.membership.introduce([b.id]);
  await joined;
  return { net, key, a, b };
}

describe('Membership handshake', () => {
  it('authenticates two nodes holding the room key; both report the other joined', async () => {
    const key = await roomKey();
    const net = new MemoryNetwork();
    const a = track(createNode(net, 'aaaa', key, { capabilities: ['sql', 'store'] }));
    const b = track(createNode(net, 'bbbb', key));
    const joined = Promise.all([
      nextEvent(a.membership, 'peer-joined'),
      nextEvent(b.membership, 'peer-joined'),
    ]);
    a.membership.introduce([b.id]);
    expect(a.membership.peers()).toMatchObject([{ nodeId: b.id, state: 'connecting' }]);
    const [atA, atB] = await joined;
    expect(atA).toEqual({ nodeId: b.id, deviceId: 'device-bbbb', capabilities: ['sql'] });
    expect(atB).toEqual({ nodeId: a.id, deviceId: 'device-aaaa', capabilities: ['sql', 'store'] });
    expect(a.membership.peers()).toMatchObject([{ nodeId: b.id, deviceId: 'device-bbbb', state: 'alive' }]);
    expect(a.warnings).toEqual([]);
  });

  it('delivers application messages only after authentication, validated and typed', async () => {
    const key = await roomKey();
    const net = new MemoryNetwork();
    const a = track(createNode(net, 'aaaa', key));
    const b = track(createNode(net, 'bbbb', key));
    // b answers the moment it sees a join: a may still be verifying b's proof, so a must hold the
    // frame until it has, then deliver it (not drop it).
    b.membership.on('peer-joined', ({ nodeId }) => {
      void b.membership.send(nodeId, 'catalog-sync', {}, Uint8Array.of(1, 2, 3));
    });
    const got = nextEvent(a.membership, 'message');
    a.membership.introduce([b.id]);
    expect(await got).toEqual({
      from: b.id,
      channel: 'control',
      message: { type: 'catalog-sync', payload: Uint8Array.of(1, 2, 3) },
    });
    const response = nextEvent(b.membership, 'message');
    await a.membership.send(b.id, 'chunk-response', { id: 'req-1' }, new Uint8Array(100_000));
    expect(await response).toMatchObject({
      channel: 'bulk',
      message: { type: 'chunk-response', id: 'req-1' },
    });
  });

  it('send rejects for peers that are not authenticated and for invalid headers', async () => {
    const { a, b } = await joinedPair();
    await expect(
      a.membership.send(nodeId('stranger'), 'catalog-sync', {}, new Uint8Array()),
    ).rejects.toMatchObject({
      name: 'NetError',
      code: 'NOT_AUTHENTICATED',
    });
    await expect(
      a.membership.send(b.id, 'chunk-request', { id: 'not a valid id' }, new Uint8Array()),
    ).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    a.membership.close();
    await expect(a.membership.send(b.id, 'catalog-sync', {}, new Uint8Array())).rejects.toMatchObject({
      code: 'MEMBERSHIP_CLOSED',
    });
  });

  it('refuses a peer with the wrong key on both sides, and does not redial it', async () => {
    const net = new MemoryNetwork();
    const a = track(createNode(net, 'aaaa', await roomKey()));
    const m = track(createNode(net, 'mmmm', await roomKey()));
    const log = recordEvents(a.membership, ['peer-joined', 'auth-failed']);
    const refused = Promise.all([
      nextEvent(a.membership, 'auth-failed'),
      nextEvent(m.membership, 'auth-failed'),
    ]);
    const dropped = transportEvent(m.transport, 'peer-disconnected');
    let candidates = 0;
    a.transport.on('peer-candidate', () => candidates++);
    a.membership.introduce([m.id]);
    const [atA, atM] = await refused;
    expect(atA).toMatchObject({ nodeId: m.id, code: 'BAD_PROOF' });
    expect(atM).toMatchObject({ nodeId: a.id, code: 'BAD_PROOF' });
    await dropped;
    expect(a.membership.peers()).toEqual([]);
    // A bounded wait for "nothing happens": 10 heartbeats, far beyond the 20 ms reconnect base.
    await new Promise((r) => setTimeout(r, 10 * FAST.heartbeatInterval!));
    expect(candidates).toBe(1);
    expect(log).toEqual([`auth-failed:${m.id}`]);
  });

  it('a raw peer without the key gets nothing through: early frames, forged proofs and reflected proofs', async () => {
    const net = new MemoryNetwork();
    const a = track(createNode(net, 'aaaa', await roomKey()));
    let delivered = 0;
    a.membership.on('message', () => delivered++);

    for (const attack of ['forged', 'reflected'] as const) {
      const raw = net.createTransport(nodeId(`raw-${attack}`));
      open.push(raw);
      const refused = nextEvent(a.membership, 'auth-failed');
      raw.on('message', ({ bytes }) => {
        const r = decode(bytes);
        if (!r.ok || r.message.type !== 'handshake-reply') return;
        // Reflection: send a's own proof straight back.
        if (attack === 'reflected') void raw.send(a.id, encode(r.message));
      });
      raw.on('peer-candidate', () => {
        void raw.send(a.id, encode({ type: 'catalog-sync', payload: Uint8Array.of(9) }));
        void raw.send(
          a.id,
          encode({
            type: 'handshake',
            nodeId: raw.localId,
            deviceId: 'device-evil' as DeviceId,
            capabilities: [],
            nonce: new Uint8Array(32),
          }),
        );
        if (attack === 'forged')
          void raw.send(a.id, encode({ type: 'handshake-reply', proof: new Uint8Array(32) }));
      });
      raw.connect(a.id);
      expect(await refused).toMatchObject({ nodeId: raw.localId, code: 'BAD_PROOF' });
      raw.close();
    }
    expect(delivered).toBe(0);
  });

  it('refuses a connection that claims another node id', async () => {
    const net = new MemoryNetwork();
    const a = track(createNode(net, 'aaaa', await roomKey()));
    const raw = net.createTransport(nodeId('impostor'));
    open.push(raw);
    raw.on('peer-candidate', () => {
      void raw.send(
        a.id,
        encode({
          type: 'handshake',
          nodeId: nodeId('somebody-else'),
          deviceId: 'device-evil' as DeviceId,
          capabilities: [],
          nonce: new Uint8Array(32),
        }),
      );
    });
    const refused = nextEvent(a.membership, 'auth-failed');
    raw.connect(a.id);
    expect(await refused).toMatchObject({ nodeId: raw.localId, code: 'ID_MISMATCH' });
  });

  it('reports a protocol version mismatch clearly on both sides', async () => {
    const key = await roomKey();
    const net = new MemoryNetwork();
    const a = track(createNode(net, 'aaaa', key));
    const b = track(createNode(net, 'bbbb', key, { protocolVersion: PROTOCOL_VERSION + 1 }));
    const errors = Promise.all([
      nextEvent(a.membership, 'protocol-error'),
      nextEvent(b.membership, 'protocol-error'),
    ]);
    const log = recordEvents(a.membership, ['peer-joined']);
    a.membership.introduce([b.id]);
    const [atA, atB] = await errors;
    expect(atA).toMatchObject({ nodeId: b.id, code: 'VERSION_MISMATCH', peerVersion: PROTOCOL_VERSION + 1 });
    expect(atA.message).toMatch(/protocol 2, this tab speaks 1: reload this tab/);
    expect(atB).toMatchObject({ nodeId: a.id, code: 'VERSION_MISMATCH', peerVersion: PROTOCOL_VERSION });
    expect(atB.message).toMatch(/reload the tab of node-aaaa/);
    expect(log).toEqual([]);
  });

  it('completes the handshake when frames are reordered or the first attempt is lost', async () => {
    const key = await roomKey();
    // Reordering can put the handshake-reply before the handshake; membership holds it until then.
    const reordered = new MemoryNetwork({ faults: { reorder: 0.9 }, seed: 11 });
    for (let i = 0; i < 5; i++) {
      const x = track(createNode(reordered, `ro-x-${i}`, key));
      const y = track(createNode(reordered, `ro-y-${i}`, key));
      const joined = nextEvent(y.membership, 'peer-joined');
      x.membership.introduce([y.id]);
      await joined;
    }
    // Everything lost at first: the handshake times out and is retried with backoff.
    const lossy = new MemoryNetwork({ faults: { dropRate: 1 } });
    const p = track(createNode(lossy, 'lossy-p', key));
    const q = track(createNode(lossy, 'lossy-q', key));
    const joined = nextEvent(q.membership, 'peer-joined');
    let attempts = 0;
    p.transport.on('peer-candidate', () => {
      if (++attempts === 2) lossy.setFaults({}); // the network recovers after the first failure
    });
    p.membership.introduce([q.id]);
    await joined;
    expect(attempts).toBeGreaterThanOrEqual(2);
  });
});

describe('Membership heartbeats and failure detection', () => {
  it('measures RTT per peer from heartbeats', async () => {
    const net = new MemoryNetwork({ faults: { delayMs: 15 } }); // 15 ms each way: RTT ≈ 30 ms
    const { a } = await joinedPair(net, { heartbeatInterval: 40 });
    // No event carries RTT: poll peers() (vi.waitFor) until a few heartbeats have been acked.
    await vi.waitFor(
      () => {
        const [peer] = a.membership.peers();
        expect(peer?.rttMs).toBeGreaterThan(25);
      },
      { timeout: 2_000, interval: 40 },
    );
    const rtt = a.membership.peers()[0]!.rttMs!;
    expect(rtt).toBeLessThan(80);
  });

  it('suspects after one missed heartbeat, declares dead after three, then reconnects after heal', async () => {
    const { net, a, b } = await joinedPair();
    const log = recordEvents(a.membership, ['peer-state', 'peer-left', 'peer-joined']);
    const suspect = nextEvent(a.membership, 'peer-state', (e) => e.state === 'suspect');
    const left = nextEvent(a.membership, 'peer-left');
    const cutAt = performance.now();
    net.partition([a.id], [b.id]);
    await suspect;
    expect(a.membership.peers()).toMatchObject([{ nodeId: b.id, state: 'suspect' }]);
    expect(await left).toEqual({ nodeId: b.id, reason: 'timeout' });
    const elapsed = performance.now() - cutAt;
    const beat = FAST.heartbeatInterval!;
    // Three ticks with nothing heard; the first tick after the cut may still have heard something.
    expect(elapsed).toBeGreaterThanOrEqual(2 * beat);
    expect(elapsed).toBeLessThan(10 * beat); // generous: timers on a loaded 2-core machine
    expect(log).toEqual([`peer-state:${b.id}`, `peer-left:${b.id}`]);
    expect(a.membership.peers().filter((p) => p.state !== 'connecting')).toEqual([]);

    const back = Promise.all([
      nextEvent(a.membership, 'peer-joined'),
      nextEvent(b.membership, 'peer-joined'),
    ]);
    net.heal();
    await back; // redialled with backoff; nobody introduced them again
    expect(a.membership.peers()).toMatchObject([{ nodeId: b.id, state: 'alive' }]);
  });

  it('a closed peer leaves at once, without waiting for heartbeats', async () => {
    const { a, b } = await joinedPair(new MemoryNetwork(), { heartbeatInterval: 10_000 });
    const left = nextEvent(a.membership, 'peer-left');
    b.membership.close();
    expect((await left).nodeId).toBe(b.id);
  });
});

describe('Membership frame validation', () => {
  it('drops and counts malformed frames, and disconnects and bans a peer that floods them', async () => {
    const { a, b } = await joinedPair();
    const errors = recordEvents(a.membership, ['protocol-error']);
    // b is authenticated; now its transport (below b's membership) sends garbage straight to a.
    for (let i = 0; i < 5; i++) await b.transport.send(a.id, Uint8Array.of(1, 2, 3, i));
    await vi.waitFor(() => expect(a.membership.peers()[0]?.droppedFrames).toBe(5));
    expect(a.membership.peers()[0]?.state).toBe('alive'); // a few bad frames are tolerated
    expect(a.warnings).toHaveLength(1); // one warning per window, not one per frame

    const flood = nextEvent(a.membership, 'protocol-error');
    const left = nextEvent(a.membership, 'peer-left');
    const garbage = [
      new Uint8Array(0),
      Uint8Array.of(0x50, 0, 1, 0xc1),
      encode({ type: 'heartbeat', seq: 1, sentAt: 1 }, 99),
      encode({ type: 'handshake-reply', proof: new Uint8Array(32) }), // valid frame, wrong time
    ];
    for (let i = 0; i < 16; i++) await b.transport.send(a.id, garbage[i % garbage.length]!);
    expect(await flood).toMatchObject({ nodeId: b.id, code: 'MALFORMED_FLOOD' });
    expect((await left).reason).toBe('too many malformed frames');
    expect(errors).toEqual([`protocol-error:${b.id}`]);
    // b's membership redials (it only saw a disconnect); a refuses it while the ban lasts.
    const refused = await transportEvent(b.transport, 'peer-disconnected', (e) =>
      e.reason.includes('banned'),
    );
    expect(refused.peerId).toBe(a.id);
  });

  it('ignores heartbeat acks it did not ask for and stays alive', async () => {
    const { a, b } = await joinedPair();
    await b.transport.send(a.id, encode({ type: 'heartbeat-ack', seq: 424242, sentAt: 1 }));
    // The next heartbeat round trip proves a processed the stray ack without harm.
    await vi.waitFor(() => expect(a.membership.peers()[0]?.rttMs).toBeDefined());
    expect(a.membership.peers()[0]).toMatchObject({ state: 'alive', droppedFrames: 0 });
  });
});

describe('Membership peer exchange and pool', () => {
  it('learns peers from peers: a node introduced to one member connects to the others', async () => {
    const key = await roomKey();
    const net = new MemoryNetwork();
    const [a, b, c] = ['aaaa', 'bbbb', 'cccc'].map((n) => track(createNode(net, n, key)));
    const ab = nextEvent(b!.membership, 'peer-joined');
    a!.membership.introduce([b!.id]);
    await ab;
    const ac = nextEvent(a!.membership, 'peer-joined', (e) => e.nodeId === c!.id);
    c!.membership.introduce([b!.id]); // c only knows b
    await ac;
    await until(
      [a!, b!, c!],
      () => [a, b, c].every((n) => n!.membership.peers().filter((p) => p.state === 'alive').length === 2),
      () => 'full mesh of three',
    );
  });

  it('respects maxPeers: extra candidates are refused', async () => {
    const key = await roomKey();
    const net = new MemoryNetwork();
    const hub = track(createNode(net, 'hub0', key, { maxPeers: 1 }));
    const b = track(createNode(net, 'bbbb', key));
    const c = track(createNode(net, 'cccc', key));
    const first = nextEvent(hub.membership, 'peer-joined');
    b.membership.introduce([hub.id]);
    await first;
    const refused = transportEvent(c.transport, 'peer-disconnected', (e) => e.reason.includes('pool full'));
    c.membership.introduce([hub.id]);
    await refused;
    expect(hub.membership.peers().map((p) => p.nodeId)).toEqual([b.id]);
  });

  it('close disconnects every peer, stops, and is idempotent', async () => {
    const { a, b } = await joinedPair();
    const left = nextEvent(b.membership, 'peer-left');
    a.membership.close();
    a.membership.close();
    await left;
    expect(a.membership.peers()).toEqual([]);
    expect(a.transport.connected()).toEqual([]);
  });

  it('rejects a key that is not an HMAC key, and out-of-range timings', async () => {
    const net = new MemoryNetwork();
    const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const transport = net.createTransport(nodeId('keys'));
    open.push(transport);
    const deviceId = 'device-keys' as DeviceId;
    expect(() => new Membership({ transport, deviceId, authKey: aes })).toThrow(TypeError);
    const authKey = await roomKey();
    expect(() => new Membership({ transport, deviceId, authKey, heartbeatInterval: 0 })).toThrow(RangeError);
    expect(() => new Membership({ transport, deviceId, authKey, capabilities: ['Not Valid'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_MESSAGE' }),
    );
    expect(() => new Membership({ transport, deviceId: 'x' as DeviceId, authKey })).toThrow(
      expect.objectContaining({ code: 'INVALID_MESSAGE' }),
    );
  });
});
