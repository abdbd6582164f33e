import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../signaling-server/server.ts';
import { DEFAULT_RELAY_LIMITS } from '../../signaling-server/relayLimits.ts';
import { fromBase64Url, toBase64Url } from '../../src/net/base64url.ts';
import {
  deriveRoomKeys,
  newRoomSecret,
  openSignal,
  RoomSecretError,
  sealSignal,
} from '../../src/net/roomCrypto.ts';
import { SignalingClient, SignalingError, type SignalingEvents } from '../../src/net/SignalingClient.ts';
import { MAX_SIGNAL_PAYLOAD, SIGNAL_ERROR_CODES } from '../../src/net/signalingProtocol.ts';
import {
  healthz,
  metric,
  metrics,
  Mitm,
  randomRoomId,
  RawClient,
  ServerPool,
  until,
  type Frame,
} from '../helpers/signalingHarness.ts';

const pool = new ServerPool();
afterEach(() => pool.closeAll());
afterAll(() => pool.dispose());

const id = (): string => crypto.randomUUID();

describe('signaling relay: protocol', () => {
  it('answers join with the current members, announces joins and leaves, and relays signals', async () => {
    const server = await pool.start();
    const room = randomRoomId();
    const [a, b, c] = [id(), id(), id()];

    const alice = await RawClient.join(server, room, a);
    expect(alice.frames[0]).toEqual({ type: 'joined', room, peers: [] });
    const bob = await RawClient.join(server, room, b);
    expect(bob.frames[0]).toEqual({ type: 'joined', room, peers: [a] });
    await alice.next((f) => f.type === 'peer-joined' && f.peerId === b, 'peer-joined bob');
    expect(await healthz(server)).toMatchObject({ ok: true, rooms: 1, peers: 2 });

    alice.send({ type: 'signal', to: b, payload: 'c2VhbGVk' });
    expect(await bob.next((f) => f.type === 'signal', 'signal')).toEqual({
      type: 'signal',
      from: a,
      payload: 'c2VhbGVk',
    });

    bob.send({ type: 'leave' });
    await alice.next((f) => f.type === 'peer-left' && f.peerId === b, 'peer-left bob');
    // After leave the same socket may join again (here under another id).
    bob.send({ type: 'join', room, peerId: c });
    await alice.next((f) => f.type === 'peer-joined' && f.peerId === c, 'peer-joined c');

    bob.ws.close();
    await alice.next((f) => f.type === 'peer-left' && f.peerId === c, 'peer-left on socket close');
    await until(async () => (await healthz(server)).peers === 1, 'peers back to 1');
    alice.ws.close();
    await alice.closed;
    await until(async () => (await healthz(server)).rooms === 0, 'empty room dropped');
  });

  it('keeps rooms isolated: no notices or signals cross them', async () => {
    const server = await pool.start();
    const [r1, r2] = [randomRoomId(), randomRoomId()];
    const [a, b] = [id(), id()];
    const alice = await RawClient.join(server, r1, a);
    const bob = await RawClient.join(server, r2, b);
    expect(bob.frames[0]).toEqual({ type: 'joined', room: r2, peers: [] });

    alice.send({ type: 'signal', to: b, payload: 'eA' });
    // Not a violation (the target may just have left), so the socket stays open.
    await alice.next((f) => f.type === 'error' && f.code === 'UNKNOWN_PEER', 'UNKNOWN_PEER');
    await alice.roundTrip();
    await bob.roundTrip();
    expect(bob.frames.map((f) => f.type)).toEqual(['joined', 'pong']);
    expect(alice.frames.map((f) => f.type)).toEqual(['joined', 'error', 'pong']);
    expect(await healthz(server)).toMatchObject({ rooms: 2, peers: 2 });
  });

  it('answers each malformed frame with its error code, then closes', async () => {
    const server = await pool.start();
    const room = randomRoomId();
    const cases: [string, (c: RawClient) => void][] = [
      ['BAD_JSON', (c) => c.send('{"type":"join","room":')],
      ['BAD_JSON', (c) => c.send('[1,2,3]')],
      ['BAD_JSON', (c) => c.send('null')],
      ['UNKNOWN_TYPE', (c) => c.send({ type: 'subscribe', topics: ['x'] })],
      ['UNKNOWN_TYPE', (c) => c.send({ type: '__proto__' })],
      ['BAD_FRAME', (c) => c.send({ type: 42 })],
      ['BAD_FRAME', (c) => c.send({ type: 'join', room: 'too-short', peerId: id() })],
      ['BAD_FRAME', (c) => c.send({ type: 'join', room, peerId: 'x'.repeat(65) })],
      ['BAD_FRAME', (c) => c.send({ type: 'join', room, peerId: 12345678 })],
      ['BINARY_FRAME', (c) => c.ws.send(Buffer.from('{"type":"ping"}'))],
      ['NOT_JOINED', (c) => c.send({ type: 'signal', to: id(), payload: 'eA' })],
      [
        'ALREADY_JOINED',
        (c) => {
          c.send({ type: 'join', room, peerId: id() });
          c.send({ type: 'join', room, peerId: id() });
        },
      ],
    ];
    for (const [code, act] of cases) {
      const client = await RawClient.open(server);
      act(client);
      expect(await client.violation(code), code).toEqual({ code: 1008, reason: code });
    }
    const target = id();
    await RawClient.join(server, room, target);
    for (const payload of [{ x: 1 }, 'not base64url!', 'A'.repeat(MAX_SIGNAL_PAYLOAD + 1)]) {
      const client = await RawClient.join(server, room, id());
      client.send({ type: 'signal', to: target, payload });
      expect(await client.violation('BAD_FRAME')).toMatchObject({ code: 1008 });
    }
    const text = await metrics(server);
    expect(metric(text, 'rejected_total', 'bad_json')).toBe(3);
    expect(metric(text, 'rejected_total', 'bad_frame')).toBe(7);
    expect(metric(text, 'rejected_total', 'binary_frame')).toBe(1);
  });

  it('refuses a join beyond maxPeers with ROOM_FULL, but lets a member reconnect under its own id', async () => {
    const server = await pool.start({ maxPeers: 2 });
    const room = randomRoomId();
    const [a, b] = [id(), id()];
    const alice = await RawClient.join(server, room, a);
    await RawClient.join(server, room, b);

    const third = await RawClient.open(server);
    third.send({ type: 'join', room, peerId: id() });
    expect(await third.violation('ROOM_FULL')).toEqual({ code: 1008, reason: 'ROOM_FULL' });

    // Bob's tab reloads before the relay noticed the old socket die: the new one takes over.
    const bob2 = await RawClient.join(server, room, b);
    expect(bob2.frames[0]).toEqual({ type: 'joined', room, peers: [a] });
    alice.send({ type: 'signal', to: b, payload: 'eA' });
    await bob2.next((f) => f.type === 'signal', 'signal to the new socket');
    await alice.roundTrip();
    // A silent swap: Alice saw Bob join once and never leave.
    expect(alice.frames.filter((f) => f.type === 'peer-joined' || f.type === 'peer-left')).toEqual([
      { type: 'peer-joined', peerId: b },
    ]);
    expect(await healthz(server)).toMatchObject({ rooms: 1, peers: 2 });
    const text = await metrics(server);
    expect(metric(text, 'rejected_total', 'room_full')).toBe(1);
    expect(metric(text, 'rejected_total', 'replaced')).toBe(1);
  });
});

describe('signaling relay: limits', () => {
  it('rate-limits each connection with a token bucket', async () => {
    const server = await pool.start({ ratePerSec: 5, rateBurst: 10 });
    const calm = await RawClient.join(server, randomRoomId(), id());
    const flood = await RawClient.join(server, randomRoomId(), id());
    for (let i = 0; i < 30; i++) flood.send({ type: 'ping' });
    expect(await flood.violation('RATE_LIMITED')).toEqual({ code: 1008, reason: 'RATE_LIMITED' });
    // The join and 9 pings used the burst of 10.
    expect(flood.frames.filter((f) => f.type === 'pong').length).toBe(9);
    // Buckets are per connection: the calm one is unaffected.
    await calm.roundTrip();
    expect(metric(await metrics(server), 'rejected_total', 'rate_limited')).toBe(1);
  });

  it('limits connections per IP address', async () => {
    const server = await pool.start({ maxConnectionsPerIp: 3 });
    const open = await Promise.all([1, 2, 3].map(() => RawClient.open(server)));
    const fourth = await RawClient.open(server);
    expect(await fourth.violation('IP_LIMIT')).toEqual({ code: 1008, reason: 'IP_LIMIT' });
    open[0]?.ws.close();
    await open[0]?.closed;
    // The relay frees the slot when it sees the close, a moment after the client does.
    await until(async () => metric(await metrics(server), 'connections') === 2, 'slot freed');
    const again = await RawClient.join(server, randomRoomId(), id());
    await again.roundTrip();
    expect(metric(await metrics(server), 'rejected_total', 'ip_limit')).toBe(1);

    // A refused socket whose bad frames are already on the wire (sent with the upgrade request,
    // before the refusal arrives) must not crash the relay: bad UTF-8, then an oversize header.
    for (const frame of [maskedFrame(0x1, Buffer.from([0xff, 0xfe])), oversizeHeader()]) {
      await rawUpgradeWith(server, frame);
    }
    expect((await healthz(server)).ok).toBe(true);
    await again.roundTrip();
  });

  it('closes a connection that sends a frame over 64 KiB with 1009, and relays one just under', async () => {
    const server = await pool.start();
    expect(DEFAULT_RELAY_LIMITS.maxFrameBytes).toBe(64 * 1024);
    const room = randomRoomId();
    const [a, b] = [id(), id()];
    const alice = await RawClient.join(server, room, a);
    const bob = await RawClient.join(server, room, b);
    const payload = 'A'.repeat(MAX_SIGNAL_PAYLOAD);
    alice.send({ type: 'signal', to: b, payload });
    expect((await bob.next((f) => f.type === 'signal', 'big signal')).payload).toBe(payload);

    alice.send(`{"type":"ping","pad":"${'x'.repeat(64 * 1024)}"}`);
    // ws refuses the frame while reading its header, so the close code is the error.
    expect((await alice.closed).code).toBe(1009);
    await bob.next((f) => f.type === 'peer-left' && f.peerId === a, 'peer-left');
    expect(metric(await metrics(server), 'rejected_total', 'oversize')).toBe(1);
  });

  it('closes a connection that does not join in time, and a joined one that goes idle', async () => {
    const server = await pool.start({ handshakeTimeoutMs: 150, idleTimeoutMs: 300 });
    const silent = await RawClient.open(server);
    expect(await silent.violation('HANDSHAKE_TIMEOUT')).toMatchObject({ code: 1008 });
    // Pings before the join do not extend the handshake.
    const stalling = await RawClient.open(server);
    const stall = setInterval(() => stalling.send({ type: 'ping' }), 30);
    await stalling.violation('HANDSHAKE_TIMEOUT');
    clearInterval(stall);

    const idle = await RawClient.join(server, randomRoomId(), id());
    const busy = await RawClient.join(server, randomRoomId(), id());
    const keepAlive = setInterval(() => busy.send({ type: 'ping' }), 50);
    try {
      expect(await idle.violation('IDLE_TIMEOUT')).toMatchObject({ code: 1008 });
      // Well past the idle timeout, the one that keeps talking is still there.
      await new Promise((r) => setTimeout(r, 600));
      expect(busy.closeInfo).toBeUndefined();
      await busy.roundTrip();
    } finally {
      clearInterval(keepAlive);
    }
    const text = await metrics(server);
    expect(metric(text, 'rejected_total', 'handshake_timeout')).toBe(2);
    expect(metric(text, 'rejected_total', 'idle_timeout')).toBe(1);
  });

  it('terminates a socket that stops answering pings, and tells its room', async () => {
    const server = await pool.start({ pingIntervalMs: 100 });
    const room = randomRoomId();
    const [a, z] = [id(), id()];
    const alive = await RawClient.join(server, room, a);
    // `autoPong: false`: the socket stays open but never answers the relay's pings.
    const zombie = await RawClient.join(server, room, z, { autoPong: false });
    await alive.next((f) => f.type === 'peer-left' && f.peerId === z, 'peer-left zombie');
    expect((await zombie.closed).code).toBe(1006); // terminated: no close frame
    expect(alive.closeInfo).toBeUndefined();
    await alive.roundTrip();
    expect(metric(await metrics(server), 'rejected_total', 'dead')).toBe(1);
  });

  it('answers plain HTTP and other paths normally', async () => {
    const server = await pool.start();
    await expect(RawClient.open(`${server.url}/not-signal`)).rejects.toThrow(/404/);
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    await res.text(); // an unread body would keep the connection busy and slow the server's close
  });
});

describe('signaling relay: /metrics', () => {
  it('serves Prometheus text whose counters follow the traffic', async () => {
    const server = await pool.start({ maxPeers: 1 });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const before = await res.text();
    expect(before).toContain('# TYPE peerlake_signal_rejected_total counter');
    for (const code of SIGNAL_ERROR_CODES)
      expect(metric(before, 'rejected_total', code.toLowerCase())).toBe(0);
    expect(metric(before, 'connections')).toBe(0);

    const room = randomRoomId();
    const [a, b] = [id(), id()];
    const alice = await RawClient.join(server, room, a);
    const bob = await RawClient.join(server, randomRoomId(), b);
    const loner = await RawClient.open(server);
    loner.send({ type: 'join', room, peerId: id() });
    await loner.violation('ROOM_FULL');
    alice.send({ type: 'signal', to: a, payload: 'eA' }); // to itself: allowed, relayed
    await alice.next((f) => f.type === 'signal', 'self signal');

    const after = await metrics(server);
    expect(metric(after, 'connections_total')).toBe(3);
    expect(metric(after, 'messages_relayed_total')).toBe(1);
    expect(metric(after, 'rejected_total', 'room_full')).toBe(1);
    expect(metric(after, 'rooms')).toBe(2);
    expect(metric(after, 'peers')).toBe(2);
    await until(async () => metric(await metrics(server), 'connections') === 2, 'gauge');
    bob.ws.close();
    await until(async () => metric(await metrics(server), 'peers') === 1, 'peers gauge');
  });
});

describe('signaling relay: fuzz', () => {
  it('survives 10,000+ random and malformed frames from several sockets, then still relays', async () => {
    // Rate and per-IP limits are opened up so that the frames, not those limits, are under test.
    const server = await pool.start({ ratePerSec: 1e6, rateBurst: 1e6, maxConnectionsPerIp: 1_000 });
    const seed = Number(process.env.FUZZ_SEED ?? 0xc0ffee);
    const rand = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

    // Two bystanders in a room no fuzzer can name: nothing may reach them.
    const quietRoom = randomRoomId();
    const [q1, q2] = [id(), id()];
    const bystanders = [
      await RawClient.join(server, quietRoom, q1),
      await RawClient.join(server, quietRoom, q2),
    ];
    const rooms = [randomRoomId(), randomRoomId(), randomRoomId()];
    const peerIds = Array.from({ length: 12 }, id);
    const targets = [...peerIds, q1, q2];

    const frame = (): string | Buffer => {
      const n = rand();
      if (n < 0.08) return Buffer.from(randomBytes(rand, 300));
      if (n < 0.16) return randomText(rand, 200);
      if (n < 0.26) {
        const valid = JSON.stringify({ type: 'join', room: pick(rooms), peerId: pick(peerIds) });
        return valid.slice(0, Math.floor(rand() * valid.length)); // truncated
      }
      if (n < 0.36) return JSON.stringify(randomJson(rand, 4));
      if (n < 0.5) return JSON.stringify(wrongTypes(rand, pick(rooms), pick(peerIds)));
      if (n < 0.56) return nearCap(rand, pick(targets));
      if (n < 0.58) return '['.repeat(20_000 + Math.floor(rand() * 40_000));
      if (n < 0.7) return JSON.stringify({ type: 'join', room: pick(rooms), peerId: pick(peerIds) });
      if (n < 0.88)
        return JSON.stringify({
          type: 'signal',
          to: pick(targets),
          payload: toBase64Url(randomBytes(rand, 64)),
        });
      return JSON.stringify(pick([{ type: 'ping' }, { type: 'leave' }]));
    };

    const TOTAL = 10_000;
    const SOCKETS = 12;
    let sent = 0;
    const outcomes = new Map<string, number>();
    const note = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const worker = async (): Promise<void> => {
      let client: RawClient | undefined;
      while (sent < TOTAL) {
        if (rand() < 0.03) {
          // Bytes straight onto a fresh connection's wire: bad framing, opcodes, RSV bits, masks.
          sent++;
          await rawUpgradeWith(server, Buffer.from(randomBytes(rand, 200)));
          note('raw wire');
          continue;
        }
        client ??= await RawClient.open(server);
        const f = frame();
        sent++;
        if (typeof f === 'string') client.ws.send(f);
        else client.ws.send(f, { binary: rand() < 0.5 });
        // A ping after each frame: its pong proves the relay handled the frame and kept the socket.
        const before = client.frames.filter((x) => x.type === 'pong').length;
        if (client.ws.readyState === WebSocket.OPEN) client.ws.send('{"type":"ping"}');
        const c = client;
        const survived = await until(
          () =>
            c.closeInfo ? 'closed' : c.frames.filter((x) => x.type === 'pong').length > before && 'pong',
          'pong or close',
        );
        if (survived === 'pong') {
          note('kept open');
          continue;
        }
        const error = c.frames.find((x) => x.type === 'error' && x.code !== 'UNKNOWN_PEER');
        note(error ? String(error.code) : `close ${c.closeInfo?.code}`);
        client = undefined;
      }
      client?.ws.close();
    };
    await Promise.all(Array.from({ length: SOCKETS }, worker));

    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    // Every close was explained: an error frame with a known code, or ws's 1009/1007 for frames it refused.
    for (const outcome of outcomes.keys()) {
      expect([
        ...SIGNAL_ERROR_CODES,
        'kept open',
        'raw wire',
        'close 1009',
        'close 1007',
        'close 1002',
      ]).toContain(outcome);
    }
    expect(outcomes.get('kept open')).toBeGreaterThan(1_000);
    const text = await metrics(server);
    const rejected = SIGNAL_ERROR_CODES.reduce(
      (s, c) => s + metric(text, 'rejected_total', c.toLowerCase()),
      0,
    );
    expect(rejected).toBeGreaterThan(3_000);
    expect(metric(text, 'messages_relayed_total')).toBeGreaterThan(0);
    console.log(`fuzz seed ${seed}: ${sent} frames`, Object.fromEntries(outcomes));

    // Still up: health answers, the bystanders heard nothing, and fresh clients relay.
    expect(await healthz(server)).toMatchObject({ ok: true });
    for (const b of bystanders) {
      await b.roundTrip();
      expect(b.frames.filter((f) => f.type !== 'pong').map((f) => f.type)).toEqual([
        'joined',
        ...(b === bystanders[0] ? ['peer-joined'] : []),
      ]);
    }
    const room = randomRoomId();
    const [x, y] = [id(), id()];
    const fresh1 = await RawClient.join(server, room, x);
    const fresh2 = await RawClient.join(server, room, y);
    fresh1.send({ type: 'signal', to: y, payload: 'aGVsbG8' });
    expect(await fresh2.next((f) => f.type === 'signal', 'post-fuzz relay')).toEqual({
      type: 'signal',
      from: x,
      payload: 'aGVsbG8',
    });
    bystanders[0]?.send({ type: 'signal', to: q2, payload: 'cXVpZXQ' });
    await bystanders[1]?.next((f) => f.type === 'signal' && f.from === q1, 'bystander relay');
    expect(fresh1.closeInfo).toBeUndefined();
    // The books balance once the fuzzers are gone: only the bystanders and the fresh pair remain.
    await until(async () => {
      const t = await metrics(server);
      return metric(t, 'connections') === 4 && metric(t, 'peers') === 4 && metric(t, 'rooms') === 2;
    }, 'gauges back to 4 connections, 4 peers, 2 rooms');
  }, 120_000);
});

describe('roomCrypto', () => {
  it('derives a 22-char base64url room id from SHA-256 of the secret, and refuses short secrets', async () => {
    const secret = newRoomSecret();
    expect(fromBase64Url(secret)?.byteLength).toBeGreaterThanOrEqual(16);
    expect(newRoomSecret()).not.toBe(secret);
    const keys = await deriveRoomKeys(secret);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)));
    expect(keys.roomId).toBe(toBase64Url(digest).slice(0, 22));
    expect(keys.roomId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await deriveRoomKeys(secret)).roomId).toBe(keys.roomId);
    expect(keys.signalKey.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    expect(keys.authKey.algorithm).toMatchObject({ name: 'HMAC' });
    expect(keys.signalKey.extractable).toBe(false);
    await expect(deriveRoomKeys('short')).rejects.toThrow(RoomSecretError);
  });

  it('opens a sealed payload only with the same key and the same room, sender and recipient', async () => {
    const keys = await deriveRoomKeys(newRoomSecret());
    const other = await deriveRoomKeys(newRoomSecret());
    const route = { roomId: keys.roomId, from: 'alice-0001', to: 'bob-00001' };
    const sealed = await sealSignal(keys.signalKey, route, { sdp: 'v=0' });
    expect(await openSignal(keys.signalKey, route, sealed)).toEqual({ sdp: 'v=0' });
    // Fresh IV each time: the same payload never seals to the same text.
    expect(await sealSignal(keys.signalKey, route, { sdp: 'v=0' })).not.toBe(sealed);
    expect(await openSignal(other.signalKey, route, sealed)).toBeUndefined();
    expect(await openSignal(keys.signalKey, { ...route, to: 'carol-001' }, sealed)).toBeUndefined();
    expect(await openSignal(keys.signalKey, { ...route, from: 'carol-001' }, sealed)).toBeUndefined();
    expect(await openSignal(keys.signalKey, { ...route, roomId: other.roomId }, sealed)).toBeUndefined();
    expect(await openSignal(keys.signalKey, route, sealed.slice(0, 20))).toBeUndefined();
    expect(await openSignal(keys.signalKey, route, '!!')).toBeUndefined();
  });
});

describe('SignalingClient', () => {
  const SDP =
    'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' +
    'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\n' +
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:EsAw\r\n';

  /** Records a client's events, for `until` to wait on. */
  function record(client: SignalingClient) {
    const seen: { [K in keyof SignalingEvents]: SignalingEvents[K][] } = {
      members: [],
      'peer-joined': [],
      'peer-left': [],
      signal: [],
      undecryptable: [],
      error: [],
      close: [],
    };
    for (const k of Object.keys(seen) as (keyof SignalingEvents)[]) {
      client.on(k, (e) => (seen[k] as unknown[]).push(e));
    }
    return seen;
  }

  async function pair(origin: string, secret = newRoomSecret(), extra = {}) {
    const keys = await deriveRoomKeys(secret);
    const [a, b] = [id(), id()];
    const opts = { origin, keys, WebSocket, minReconnectDelayMs: 20, maxReconnectDelayMs: 100, ...extra };
    const alice = new SignalingClient({ ...opts, peerId: a });
    const aliceSeen = record(alice);
    await until(() => aliceSeen.members.length > 0, 'alice joined');
    const bob = new SignalingClient({ ...opts, peerId: b });
    const bobSeen = record(bob);
    await until(() => bobSeen.members.length > 0, 'bob joined');
    await until(() => aliceSeen['peer-joined'].length > 0, 'alice sees bob');
    return { keys, a, b, alice, bob, aliceSeen, bobSeen };
  }

  it('end to end: the relay sees only ciphertext, and a tampered or re-routed payload is dropped', async () => {
    const server = await pool.start();
    const mitm = await Mitm.start(server);
    const secret = newRoomSecret();
    const { keys, a, b, alice, bob, aliceSeen, bobSeen } = await pair(mitm.url, secret);
    try {
      expect(bobSeen.members[0]).toEqual({ peers: [a] });
      expect(aliceSeen['peer-joined']).toEqual([{ peerId: b }]);

      await alice.signal(b, { type: 'offer', sdp: SDP });
      await until(() => bobSeen.signal.length === 1, 'offer delivered');
      expect(bobSeen.signal[0]).toEqual({ from: a, payload: { type: 'offer', sdp: SDP } });

      // The observer is not vacuous: it saw the join with the room id, and the signal frame.
      expect(mitm.up.some((f) => f.includes(keys.roomId))).toBe(true);
      const signalsUp = mitm.up.filter((f) => (JSON.parse(f) as Frame).type === 'signal');
      expect(signalsUp).toHaveLength(1);
      for (const f of [...mitm.up, ...mitm.down]) {
        for (const needle of [secret, 'v=0', 'fingerprint', '4A:AD:B9', 'IN IP4', 'offer', 'ice-ufrag']) {
          expect(f).not.toContain(needle);
        }
      }

      // The relay flips one character of the next payload on its way to Bob.
      mitm.rewrite = (f) => {
        if (f.type !== 'signal' || typeof f.payload !== 'string') return undefined;
        const p = f.payload;
        const i = Math.floor(p.length / 2);
        return { ...f, payload: p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1) };
      };
      await alice.signal(b, { type: 'candidate', n: 1 });
      await until(() => bob.counters.undecryptable === 1, 'tampered payload dropped');

      // The relay claims the payload came from someone else (re-routing): also dropped.
      mitm.rewrite = (f) => (f.type === 'signal' ? { ...f, from: id() } : undefined);
      await alice.signal(b, { type: 'candidate', n: 2 });
      await until(() => bob.counters.undecryptable === 2, 're-routed payload dropped');

      mitm.rewrite = undefined;
      await alice.signal(b, { type: 'candidate', n: 3 });
      await until(() => bobSeen.signal.length === 2, 'next payload delivered');
      expect(bobSeen.signal[1]).toEqual({ from: a, payload: { type: 'candidate', n: 3 } });
      // Each dropped payload is reported with its claimed sender (the mesh counts refusals by it).
      expect(bobSeen.undecryptable.map((e) => e.from)).toHaveLength(2);
      expect(bobSeen.undecryptable[0]).toEqual({ from: a });
      expect(bobSeen.error).toEqual([]);
    } finally {
      alice.close();
      bob.close();
      await mitm.close();
    }
  });

  it('delivers signals in call order under pacing', async () => {
    const server = await pool.start({ ratePerSec: 20, rateBurst: 20 });
    // The client paces at 15/s burst 5, under the relay's 20/s: 40 frames take ~2 s and none is refused.
    const { b, alice, bob, bobSeen } = await pair(server.url, undefined, {
      sendRatePerSec: 15,
      sendBurst: 5,
    });
    try {
      await Promise.all(Array.from({ length: 40 }, (_, n) => alice.signal(b, { n })));
      await until(() => bobSeen.signal.length === 40, '40 signals');
      expect(bobSeen.signal.map((s) => (s.payload as { n: number }).n)).toEqual([...Array(40).keys()]);
      expect(alice.counters.reconnects).toBe(0);
    } finally {
      alice.close();
      bob.close();
    }
  });

  it('reconnects with backoff after a drop, joins again, and keeps relaying', async () => {
    const server = await pool.start();
    const mitm = await Mitm.start(server);
    const { a, alice, bob, aliceSeen, bobSeen } = await pair(mitm.url);
    try {
      mitm.dropAll();
      await until(() => aliceSeen.members.length === 2 && bobSeen.members.length === 2, 'both re-joined');
      expect(alice.counters.reconnects).toBeGreaterThanOrEqual(1);
      expect(alice.state).toBe('joined');
      await until(() => bob.state === 'joined' && alice.state === 'joined', 'joined');
      await bob.signal(a, { hello: 'again' });
      await until(() => aliceSeen.signal.length === 1, 'signal after reconnect');
      expect(aliceSeen.close).toEqual([]);
    } finally {
      alice.close();
      bob.close();
      await mitm.close();
    }
  });

  it('detects a silent connection by its unanswered ping, and keeps an idle relay connection alive', async () => {
    const server = await pool.start({ idleTimeoutMs: 400 });
    const mitm = await Mitm.start(server);
    const { alice, bob, aliceSeen } = await pair(mitm.url, undefined, { keepAliveMs: 60 });
    try {
      // Three idle timeouts pass; keepalive pings keep both joined without reconnecting.
      await new Promise((r) => setTimeout(r, 1_200));
      expect([alice.counters.reconnects, bob.counters.reconnects]).toEqual([0, 0]);
      mitm.silenceAll();
      await until(() => alice.counters.reconnects >= 1 && aliceSeen.members.length >= 2, 'reconnected');
      expect(alice.state).toBe('joined');
    } finally {
      alice.close();
      bob.close();
      await mitm.close();
    }
  });

  it('stops for good when another connection takes over its peer id, and close() is final', async () => {
    const server = await pool.start();
    const keys = await deriveRoomKeys(newRoomSecret());
    const peerId = id();
    const opts = { origin: server.url, keys, peerId, WebSocket, minReconnectDelayMs: 20 };
    const first = new SignalingClient(opts);
    const firstSeen = record(first);
    await until(() => first.state === 'joined', 'first joined');
    const second = new SignalingClient(opts);
    await until(() => firstSeen.close.length === 1, 'first closed');
    expect(firstSeen.error).toEqual([{ code: 'REPLACED', message: expect.any(String) as string }]);
    expect(firstSeen.close).toEqual([{ reason: 'replaced' }]);
    expect(first.state).toBe('closed');
    await until(() => second.state === 'joined', 'second joined');
    await new Promise((r) => setTimeout(r, 100));
    expect(first.counters.reconnects).toBe(0);

    second.close();
    second.close();
    await expect(second.signal(id(), {})).rejects.toThrow(SignalingError);
    await until(async () => (await healthz(server)).peers === 0, 'left');
  });

  it('rejects a signal while not joined, and never throws on junk from the server', async () => {
    const server = await pool.start();
    const mitm = await Mitm.start(server);
    const { b, alice, bob, bobSeen } = await pair(mitm.url);
    try {
      mitm.rewrite = (f) => (f.type === 'signal' ? { type: 'signal', from: 'x', payload: 42 } : undefined);
      await alice.signal(b, { n: 1 });
      await until(() => bob.counters.malformed === 1, 'malformed counted');
      expect(bobSeen.signal).toEqual([]);
      await mitm.close();
      await until(() => alice.state === 'connecting', 'dropped');
      await expect(alice.signal(b, { n: 2 })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    } finally {
      alice.close();
      bob.close();
    }
  });
});

/** A client-to-server frame as on the wire: FIN, `opcode`, an all-zero mask (so the payload is as is). */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new Error('short frames only');
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/** The header of a text frame claiming 1 GiB: ws refuses it from the length alone. */
function oversizeHeader(): Buffer {
  const header = Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  header.writeBigUInt64BE(1n << 30n, 2);
  return header;
}

/** Writes an upgrade request and `frame` in one go, then reads until the server hangs up. */
async function rawUpgradeWith(server: RunningServer, frame: Buffer): Promise<string> {
  const socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  const request =
    'GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
  socket.end(Buffer.concat([Buffer.from(request), frame]));
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  await once(socket, 'close');
  return Buffer.concat(parts).toString('latin1');
}

/** A small seeded PRNG, so a failing fuzz run is replayed with FUZZ_SEED. */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(rand: () => number, max: number): Uint8Array {
  return Uint8Array.from({ length: 1 + Math.floor(rand() * max) }, () => Math.floor(rand() * 256));
}

function randomText(rand: () => number, max: number): string {
  return Array.from({ length: Math.floor(rand() * max) }, () =>
    String.fromCodePoint(rand() < 0.9 ? 32 + Math.floor(rand() * 95) : Math.floor(rand() * 0xd7ff)),
  ).join('');
}

function randomJson(rand: () => number, depth: number): unknown {
  const n = rand();
  if (depth === 0 || n < 0.3)
    return pickOf(rand, [null, true, 0, -1.5e308, '', 'join', 'signal', '__proto__', 'x'.repeat(50)]);
  if (n < 0.55) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth - 1));
  const o: Record<string, unknown> = {};
  for (const k of ['type', 'room', 'peerId', 'to', 'payload', 'from', 'constructor', '__proto__']) {
    if (rand() < 0.4) o[k] = randomJson(rand, depth - 1);
  }
  return o;
}

/** Frames with the right type and the wrong field types or lengths. */
function wrongTypes(rand: () => number, room: string, peerId: string): object {
  const bad = (): unknown =>
    pickOf(rand, [null, 1, true, [], {}, '', 'ü'.repeat(22), 'x'.repeat(1000), `${room}=`]);
  return pickOf(rand, [
    { type: 'join', room: bad(), peerId },
    { type: 'join', room, peerId: bad() },
    { type: 'join', room: room.toLowerCase().slice(0, 21) + '!', peerId },
    { type: 'signal', to: bad(), payload: 'eA' },
    { type: 'signal', to: peerId, payload: bad() },
    { type: 'signal', to: peerId },
    { type: ['signal'], to: peerId, payload: 'eA' },
    { type: 'leave', extra: 'x'.repeat(100) },
    { type: bad() },
  ]);
}

/** Frames around the 64 KiB cap and the payload limit: some fit, some do not. */
function nearCap(rand: () => number, to: string): string {
  const envelope = JSON.stringify({ type: 'signal', to, payload: '' }).length;
  const sizes = [
    MAX_SIGNAL_PAYLOAD,
    MAX_SIGNAL_PAYLOAD + 1,
    64 * 1024 - envelope,
    64 * 1024 - envelope + 1 + Math.floor(rand() * 100),
  ];
  return JSON.stringify({ type: 'signal', to, payload: 'Q'.repeat(pickOf(rand, sizes)) });
}

function pickOf<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)] as T;
}
