import { encode as msgpack } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FRAME_MAGIC,
  MAX_EXCHANGE_PEERS,
  MAX_HEADER_BYTES,
  PROTOCOL_VERSION,
  decode,
  encode,
  isAppMessage,
  isChunkRequest,
  isHandshake,
  isHeartbeat,
  isPeerExchange,
  type WireMessage,
} from '../../src/net/wire.ts';
import type { DeviceId, NodeId } from '../../src/types.ts';

const nodeId = (s: string) => s as NodeId;
const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

/** One valid example of every message type. */
const examples: WireMessage[] = [
  {
    type: 'handshake',
    nodeId: nodeId('3f1c2a9e-0b7d-4c55-9a61-2f0e8d7c6b5a'),
    deviceId: 'device-0001' as DeviceId,
    capabilities: ['sql', 'store'],
    nonce: bytes(32),
  },
  { type: 'handshake-reply', proof: bytes(32, 9) },
  { type: 'heartbeat', seq: 0, sentAt: 1234.5678 },
  { type: 'heartbeat-ack', seq: 0xffff_ffff, sentAt: 0 },
  { type: 'peer-exchange', peers: [nodeId('node-aaaa'), nodeId('node-bbbb')], pull: true },
  { type: 'peer-exchange', peers: [], pull: false },
  { type: 'catalog-sync', payload: bytes(10) },
  { type: 'dataset-announcement', payload: new Uint8Array(0) },
  { type: 'chunk-request', id: 'r1', payload: bytes(3) },
  { type: 'chunk-response', id: 'r1', payload: bytes(200_000) },
  { type: 'query-request', id: 'q-1', payload: bytes(5) },
  { type: 'query-fragment', id: 'q-1', payload: bytes(5) },
  { type: 'query-response', id: 'q-1', payload: bytes(5) },
  { type: 'query-cancel', id: 'q-1', payload: new Uint8Array(0) },
];

/** A frame with an arbitrary header object (and optional payload), bypassing encode's checks. */
function rawFrame(header: unknown, payload = new Uint8Array(0)): Uint8Array {
  const head = msgpack(header);
  const out = new Uint8Array(3 + head.byteLength + payload.byteLength);
  out[0] = FRAME_MAGIC;
  out[1] = head.byteLength >> 8;
  out[2] = head.byteLength & 0xff;
  out.set(head, 3);
  out.set(payload, 3 + head.byteLength);
  return out;
}

describe('wire codec', () => {
  it.each(examples.map((m) => [m.type, m] as const))('round-trips %s', (_type, message) => {
    const result = decode(encode(message));
    expect(result).toEqual({ ok: true, message });
  });

  it('has one guard per type, and only application messages carry payloads', () => {
    const decoded = examples.map((m) => {
      const r = decode(encode(m));
      if (!r.ok) throw new Error(r.detail);
      return r.message;
    });
    expect(decoded.filter(isHandshake)).toHaveLength(1);
    expect(decoded.filter(isHeartbeat)).toHaveLength(1);
    expect(decoded.filter(isPeerExchange)).toHaveLength(2);
    expect(decoded.filter(isChunkRequest)[0]?.id).toBe('r1');
    expect(decoded.filter(isAppMessage).map((m) => m.type)).toEqual([
      'catalog-sync',
      'dataset-announcement',
      'chunk-request',
      'chunk-response',
      'query-request',
      'query-fragment',
      'query-response',
      'query-cancel',
    ]);
  });

  it('keeps control frames tiny', () => {
    expect(encode({ type: 'heartbeat', seq: 123456, sentAt: 98765.4321 }).byteLength).toBeLessThan(64);
  });

  it('reports another protocol version as such, with the version, even for unknown types', () => {
    const newer = encode(examples[0]!, PROTOCOL_VERSION + 1);
    expect(decode(newer)).toMatchObject({ ok: false, reason: 'version', version: PROTOCOL_VERSION + 1 });
    expect(decode(rawFrame({ t: 'from-the-future', v: 9 }))).toMatchObject({ reason: 'version', version: 9 });
    expect(decode(newer, PROTOCOL_VERSION + 1).ok).toBe(true);
  });

  it.each([
    ['empty', new Uint8Array(0), 'too-short'],
    ['wrong magic', Uint8Array.of(0, 0, 1, 0x80), 'bad-magic'],
    ['zero header length', Uint8Array.of(FRAME_MAGIC, 0, 0), 'bad-header'],
    ['header length beyond the frame', Uint8Array.of(FRAME_MAGIC, 0, 9, 0x80), 'too-short'],
    ['header over the limit', Uint8Array.of(FRAME_MAGIC, 0xff, 0xff), 'bad-header'],
    ['not msgpack', Uint8Array.of(FRAME_MAGIC, 0, 1, 0xc1), 'bad-header'],
    ['trailing bytes inside the header', Uint8Array.of(FRAME_MAGIC, 0, 2, 0x80, 0x80), 'bad-header'],
    ['header is an array', rawFrame([1, 2]), 'bad-header'],
    ['no version', rawFrame({ t: 'heartbeat', seq: 1, sentAt: 1 }), 'bad-header'],
    ['unknown type', rawFrame({ t: 'gossip', v: PROTOCOL_VERSION }), 'unknown-type'],
    ['type is not a string', rawFrame({ t: 7, v: PROTOCOL_VERSION }), 'unknown-type'],
    ['prototype key as type', rawFrame({ t: 'toString', v: PROTOCOL_VERSION }), 'unknown-type'],
    ['missing field', rawFrame({ t: 'heartbeat', v: PROTOCOL_VERSION, seq: 1 }), 'bad-field'],
    ['extra field', rawFrame({ t: 'heartbeat', v: PROTOCOL_VERSION, seq: 1, sentAt: 1, x: 1 }), 'bad-field'],
    ['negative seq', rawFrame({ t: 'heartbeat', v: PROTOCOL_VERSION, seq: -1, sentAt: 1 }), 'bad-field'],
    ['fractional seq', rawFrame({ t: 'heartbeat', v: PROTOCOL_VERSION, seq: 1.5, sentAt: 1 }), 'bad-field'],
    ['NaN time', rawFrame({ t: 'heartbeat', v: PROTOCOL_VERSION, seq: 1, sentAt: NaN }), 'bad-field'],
    ['short nonce', rawFrame({ ...hello(), nonce: bytes(31) }), 'bad-field'],
    ['nonce as text', rawFrame({ ...hello(), nonce: 'x'.repeat(32) }), 'bad-field'],
    ['node id too short', rawFrame({ ...hello(), nodeId: 'abc' }), 'bad-field'],
    ['node id with a slash', rawFrame({ ...hello(), nodeId: 'node/../../etc' }), 'bad-field'],
    ['capability with spaces', rawFrame({ ...hello(), capabilities: ['s q l'] }), 'bad-field'],
    ['duplicate capabilities', rawFrame({ ...hello(), capabilities: ['sql', 'sql'] }), 'bad-field'],
    [
      'duplicate peers',
      rawFrame({ t: 'peer-exchange', v: PROTOCOL_VERSION, peers: ['node-aaaa', 'node-aaaa'], pull: false }),
      'bad-field',
    ],
    [
      'too many peers',
      rawFrame({
        t: 'peer-exchange',
        v: PROTOCOL_VERSION,
        peers: Array.from({ length: MAX_EXCHANGE_PEERS + 1 }, (_, i) => `node-${1000 + i}`),
        pull: false,
      }),
      'bad-header', // msgpack's own array bound stops it before allocation
    ],
    ['bad request id', rawFrame({ t: 'chunk-request', v: PROTOCOL_VERSION, id: '' }), 'bad-field'],
    [
      'payload on a control frame',
      rawFrame({ t: 'heartbeat', v: PROTOCOL_VERSION, seq: 1, sentAt: 1 }, bytes(1)),
      'unexpected-payload',
    ],
    [
      'msgpack extension value',
      rawFrame({ t: 'heartbeat', v: PROTOCOL_VERSION, seq: 1, sentAt: new Date(0) }),
      'bad-header',
    ],
  ])('rejects %s', (_what, frame, reason) => {
    expect(decode(frame)).toMatchObject({ ok: false, reason });
  });

  it('refuses to encode what decode would reject', () => {
    const bad = [
      { type: 'heartbeat', seq: -1, sentAt: 0 },
      { type: 'peer-exchange', peers: Array.from({ length: 65 }, (_, i) => `node-${1000 + i}`), pull: false },
      { type: 'chunk-request', id: 'has space', payload: bytes(1) },
      { type: 'handshake-reply', proof: bytes(32), extra: 1 },
      { type: 'nope' },
    ];
    for (const m of bad)
      expect(() => encode(m as unknown as WireMessage)).toThrow(/INVALID|invalid|unknown|too/);
    expect(() => encode(bad[0] as unknown as WireMessage)).toThrow(
      expect.objectContaining({ code: 'INVALID_MESSAGE' }),
    );
  });

  it('fits the largest peer exchange in a header', () => {
    const peers = Array.from({ length: MAX_EXCHANGE_PEERS }, (_, i) =>
      nodeId(`${'x'.repeat(60)}${1000 + i}`),
    );
    const frame = encode({ type: 'peer-exchange', peers, pull: false });
    expect(frame.byteLength).toBeLessThan(MAX_HEADER_BYTES);
    expect(decode(frame).ok).toBe(true);
  });

  describe('fuzz', () => {
    it('never throws on arbitrary bytes, and rejects them', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (frame) => {
          expect(decode(frame).ok).toBe(false);
        }),
        { numRuns: 5000 },
      );
    });

    it('never throws on arbitrary bytes behind a plausible prefix', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(0xffff), (body, len) => {
          const frame = new Uint8Array(3 + body.byteLength);
          frame.set([FRAME_MAGIC, len >> 8, len & 0xff]);
          frame.set(body, 3);
          expect(decode(frame).ok).toBe(false);
        }),
        { numRuns: 5000 },
      );
    });

    it('never throws on arbitrary msgpack headers; whatever it accepts re-encodes to the same message', () => {
      const anyHeader = fc.oneof(
        fc.anything({ withTypedArray: true, withDate: true, withMap: false, withSet: false }),
        // Headers near the valid ones: a real type and version with arbitrary fields.
        fc.record({
          t: fc.constantFrom(...examples.map((m) => m.type), 'handshake', 'bogus'),
          v: fc.constantFrom(PROTOCOL_VERSION, 0, 2, -1, 1.5),
          seq: fc.oneof(fc.integer(), fc.double()),
          sentAt: fc.oneof(fc.double(), fc.string()),
          id: fc.string(),
          peers: fc.array(fc.string()),
          pull: fc.anything(),
        }),
      );
      fc.assert(
        fc.property(anyHeader, fc.uint8Array({ maxLength: 16 }), (header, payload) => {
          let frame: Uint8Array;
          try {
            frame = rawFrame(header, payload);
          } catch {
            return; // not encodable as msgpack (e.g. a symbol): nothing to decode
          }
          const result = decode(frame);
          if (result.ok) expect(decode(encode(result.message))).toEqual(result);
        }),
        { numRuns: 3000 },
      );
    });

    it('mutating valid frames never throws', () => {
      const frames = examples.filter((m) => m.type !== 'chunk-response').map((m) => encode(m));
      fc.assert(
        fc.property(
          fc.constantFrom(...frames),
          fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
          fc.nat(64),
          (frame, flips, cut) => {
            const copy = frame.slice(0, Math.max(0, frame.byteLength - (cut % 8 === 0 ? cut : 0)));
            for (const [at, value] of flips) if (copy.byteLength > 0) copy[at % copy.byteLength] = value;
            const result = decode(copy);
            if (result.ok) expect(decode(encode(result.message))).toEqual(result);
          },
        ),
        { numRuns: 5000 },
      );
    });
  });
});

function hello(): Record<string, unknown> {
  return {
    t: 'handshake',
    v: PROTOCOL_VERSION,
    nodeId: 'node-aaaa',
    deviceId: 'device-0001',
    capabilities: [],
    nonce: bytes(32),
  };
}
