// The pieces under WebRtcTransport that need no browser: fragmentation and reassembly, the
// per-channel send queue with backpressure, and validation of signal payloads.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ChannelSender, type SendableChannel } from '../../src/net/ChannelSender.ts';
import {
  FRAGMENT_BYTES,
  FramingError,
  MAX_MESSAGE_BYTES,
  Reassembler,
  fragmentCount,
  nextFragment,
} from '../../src/net/fragment.ts';
import { newSid, parseRtcSignal } from '../../src/net/rtcSignal.ts';

function fragments(message: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, first = true; first || at < message.byteLength; first = false) {
    const { fragment, next } = nextFragment(message, at);
    out.push(fragment);
    at = next;
  }
  return out;
}

const buf = (bytes: number[]): ArrayBuffer => Uint8Array.from(bytes).buffer;

/** Byte-wise equality (vitest's deep equality walks large typed arrays element by element: slow). */
const same = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const sameAll = (a: Uint8Array[], b: Uint8Array[]): boolean =>
  a.length === b.length && a.every((x, i) => same(x, b[i]!));

function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

describe('fragmentation', () => {
  it('round-trips messages of every size class, never sending a fragment over 64 KiB', () => {
    const sizes = [
      0,
      1,
      FRAGMENT_BYTES - 1,
      FRAGMENT_BYTES,
      FRAGMENT_BYTES + 1,
      3 * FRAGMENT_BYTES + 5,
      1_000_003,
    ];
    const r = new Reassembler();
    for (const size of sizes) {
      const message = pattern(size, size);
      const parts = fragments(message);
      expect(parts).toHaveLength(fragmentCount(size));
      for (const p of parts) expect(p.byteLength).toBeLessThanOrEqual(FRAGMENT_BYTES);
      const out = parts.map((p) => r.push(p.slice().buffer));
      expect(out.slice(0, -1).every((m) => m === undefined)).toBe(true);
      expect(same(out.at(-1), message)).toBe(true);
    }
  });

  it('round-trips arbitrary message sequences on one channel (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 * FRAGMENT_BYTES }), { maxLength: 6 }), (sizes) => {
        const r = new Reassembler();
        const got: Uint8Array[] = [];
        const messages = sizes.map((n, i) => pattern(n, i));
        for (const m of messages) {
          for (const p of fragments(m)) {
            const done = r.push(p.slice().buffer);
            if (done) got.push(done);
          }
        }
        expect(sameAll(got, messages)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects fragments that cannot follow what came before', () => {
    const first = fragments(pattern(FRAGMENT_BYTES * 2))[0]!;
    const cases: [string, () => void][] = [
      ['a continuation without a first fragment', () => new Reassembler().push(buf([2, 1, 2]))],
      ['an unknown kind', () => new Reassembler().push(buf([9, 1]))],
      ['an empty message', () => new Reassembler().push(new ArrayBuffer(0))],
      [
        'a first fragment announcing a length that fits one fragment',
        () => new Reassembler().push(buf([1, 0, 0, 0, 10, 1])),
      ],
      [
        'a first fragment announcing more than any frame',
        () => {
          const b = new Uint8Array(6);
          b[0] = 1;
          new DataView(b.buffer).setUint32(1, MAX_MESSAGE_BYTES + 1);
          new Reassembler().push(b.buffer);
        },
      ],
      [
        'a new message inside another',
        () => {
          const r = new Reassembler();
          r.push(first.slice().buffer);
          r.push(buf([0, 1]));
        },
      ],
      [
        'more bytes than announced',
        () => {
          const r = new Reassembler();
          r.push(first.slice().buffer);
          r.push(new Uint8Array(FRAGMENT_BYTES).fill(2).buffer);
          r.push(new Uint8Array(FRAGMENT_BYTES).fill(2).buffer);
        },
      ],
      ['an oversized fragment', () => new Reassembler().push(new ArrayBuffer(FRAGMENT_BYTES + 1))],
    ];
    for (const [name, run] of cases) expect(run, name).toThrow(FramingError);
  });
});

/** A data channel's send buffer: grows on send, drained by the test, firing bufferedamountlow. */
class FakeChannel extends EventTarget implements SendableChannel {
  bufferedAmount = 0;
  readyState: RTCDataChannelState = 'open';
  readonly sent: Uint8Array[] = [];
  constructor(readonly lowThreshold: number) {
    super();
  }
  send(data: Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError');
    this.sent.push(data.slice());
    this.bufferedAmount += data.byteLength;
  }
  /** The network took `bytes`; crossing the threshold fires the event, as RTCDataChannel does. */
  drain(bytes = Infinity): void {
    const before = this.bufferedAmount;
    this.bufferedAmount = Math.max(0, before - bytes);
    if (before > this.lowThreshold && this.bufferedAmount <= this.lowThreshold) {
      this.dispatchEvent(new Event('bufferedamountlow'));
    }
  }
  received(): Uint8Array[] {
    const r = new Reassembler();
    return this.sent.flatMap((p) => r.push(p.slice().buffer) ?? []);
  }
}

const HIGH = 256 * 1024;
const LOW = 64 * 1024;

describe('ChannelSender', () => {
  it('stops at the high-water mark and resumes on bufferedamountlow; resolves once all is in the channel', async () => {
    const ch = new FakeChannel(LOW);
    const sender = new ChannelSender(ch, HIGH, () => undefined);
    const message = pattern(1024 * 1024);
    let resolved = false;
    const sent = sender.send(message).then(() => (resolved = true));
    expect(ch.bufferedAmount).toBeGreaterThanOrEqual(HIGH);
    expect(ch.bufferedAmount).toBeLessThan(HIGH + FRAGMENT_BYTES);
    expect(sender.queued).toBeGreaterThan(0);
    while (!resolved) {
      ch.drain();
      await Promise.resolve();
    }
    await sent;
    expect(sender.queued).toBe(0);
    expect(sameAll(ch.received(), [message])).toBe(true);
  });

  it('keeps one listener for the channel lifetime, not one per wait', () => {
    const ch = new FakeChannel(LOW);
    const add = vi.spyOn(ch, 'addEventListener');
    const sender = new ChannelSender(ch, HIGH, () => undefined);
    for (let i = 0; i < 5; i++) void sender.send(pattern(HIGH)).catch(() => undefined);
    for (let i = 0; i < 20; i++) ch.drain();
    expect(add).toHaveBeenCalledTimes(1);
  });

  it('copies what it could not send at once, so the caller may reuse its buffer', async () => {
    const ch = new FakeChannel(LOW);
    const sender = new ChannelSender(ch, HIGH, () => undefined);
    const message = pattern(HIGH * 3);
    const copy = message.slice();
    const sent = sender.send(message);
    message.fill(0);
    for (let i = 0; i < 10; i++) ch.drain();
    await sent;
    expect(sameAll(ch.received(), [copy])).toBe(true);
  });

  it('keeps messages in order and resolves them in order', async () => {
    const ch = new FakeChannel(LOW);
    const sender = new ChannelSender(ch, HIGH, () => undefined);
    const order: number[] = [];
    const all = [pattern(HIGH * 2, 1), pattern(10, 2), pattern(HIGH, 3)].map((m, i) =>
      sender.send(m).then(() => order.push(i)),
    );
    for (let i = 0; i < 20; i++) {
      ch.drain();
      await Promise.resolve();
    }
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2]);
    expect(ch.received().map((m) => m.byteLength)).toEqual([HIGH * 2, 10, HIGH]);
  });

  it('reports a refused send, and fail() rejects what is queued and anything after', async () => {
    const ch = new FakeChannel(LOW);
    const onError = vi.fn();
    const sender = new ChannelSender(ch, HIGH, onError);
    const queued = sender.send(pattern(HIGH * 2));
    ch.readyState = 'closing';
    ch.send = () => {
      throw new Error('OperationError');
    };
    ch.readyState = 'open';
    ch.drain();
    expect(onError).toHaveBeenCalledOnce();
    const err = new Error('gone');
    sender.fail(err);
    await expect(queued).rejects.toBe(err);
    await expect(sender.send(pattern(1))).rejects.toBe(err);
    await expect(sender.drained()).resolves.toBeUndefined();
  });
});

describe('signal payloads', () => {
  const sid = newSid();

  it('accepts our three kinds and copies only the known fields', () => {
    expect(parseRtcSignal({ kind: 'dial', sid, extra: 1 })).toEqual({ kind: 'dial', sid });
    expect(parseRtcSignal({ kind: 'sdp', sid, type: 'offer', sdp: 'v=0' })).toEqual({
      kind: 'sdp',
      sid,
      type: 'offer',
      sdp: 'v=0',
    });
    expect(
      parseRtcSignal({
        kind: 'ice',
        sid,
        candidate: { candidate: 'candidate:1', sdpMLineIndex: 0, sdpMid: '0', x: 1 },
      }),
    ).toEqual({ kind: 'ice', sid, candidate: { candidate: 'candidate:1', sdpMLineIndex: 0, sdpMid: '0' } });
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newSid()).not.toBe(sid);
  });

  it('rejects anything else', () => {
    const bad: unknown[] = [
      null,
      'dial',
      { kind: 'dial' },
      { kind: 'dial', sid: 'x' },
      { kind: 'sdp', sid, type: 'pranswer', sdp: 'v=0' },
      { kind: 'sdp', sid, type: 'offer', sdp: '' },
      { kind: 'sdp', sid, type: 'offer', sdp: 'x'.repeat(40_000) },
      { kind: 'ice', sid, candidate: null },
      { kind: 'ice', sid, candidate: { candidate: 'c', sdpMLineIndex: null, sdpMid: null } },
      { kind: 'ice', sid, candidate: { candidate: 'c', sdpMLineIndex: -1, sdpMid: '0' } },
      { kind: 'ice', sid, candidate: { candidate: 7, sdpMLineIndex: 0 } },
      { kind: 'renegotiate', sid },
    ];
    for (const v of bad) expect(parseRtcSignal(v), JSON.stringify(v)?.slice(0, 60)).toBeUndefined();
  });
});
