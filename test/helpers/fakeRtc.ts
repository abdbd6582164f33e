// Fakes for testing WebRtcTransport's session logic in Node: who dials, glare, stale and replayed
// signals, reconnects. They are real implementations of the two seams (EXAMPLES §6: fakes, not
// mocks): a signal relay that can drop and replay, and sessions that "connect" only when an offer
// and its answer really meet, as an RTCPeerConnection pair would.
import { NetError } from '../../src/net/NetError.ts';
import type { RtcSessionOptions, Session, SessionState } from '../../src/net/RtcSession.ts';
import type { RtcSignal, SignalChannel } from '../../src/net/rtcSignal.ts';
import type { Channel } from '../../src/net/Transport.ts';
import { WebRtcTransport } from '../../src/net/WebRtcTransport.ts';
import type { NodeId } from '../../src/types.ts';

interface Sent {
  from: NodeId;
  to: NodeId;
  payload: RtcSignal;
}

/** An in-process signaling relay: delivers on microtasks, in order, and records every payload. */
export class FakeRelay {
  readonly log: Sent[] = [];
  readonly #members = new Map<NodeId, (from: NodeId, payload: unknown) => void>();
  /** Payloads matching this are lost (as a signal to a peer not in the room is). */
  drop: ((s: Sent) => boolean) | undefined;

  channel(id: NodeId): SignalChannel {
    return {
      send: (to, payload) => {
        const sent = { from: id, to, payload: structuredClone(payload) };
        this.log.push(sent);
        if (!this.drop?.(sent)) this.#deliver(sent);
        return Promise.resolve();
      },
      onSignal: (handler) => {
        this.#members.set(id, handler);
        return () => {
          if (this.#members.get(id) === handler) this.#members.delete(id);
        };
      },
    };
  }

  /** Delivers `sent` again, as a relay replaying an old payload would. */
  replay(sent: Sent): void {
    this.#deliver(sent);
  }

  #deliver(s: Sent): void {
    queueMicrotask(() => this.#members.get(s.to)?.(s.from, structuredClone(s.payload)));
  }
}

/** All fake sessions, by sid: the two ends of one connection share it. */
class FakeWire {
  readonly #ends = new Map<string, FakeSession[]>();

  add(s: FakeSession): void {
    const list = this.#ends.get(s.sid) ?? [];
    list.push(s);
    this.#ends.set(s.sid, list);
  }

  partner(s: FakeSession): FakeSession | undefined {
    return this.#ends.get(s.sid)?.find((x) => x !== s && x.initiator !== s.initiator && x.state !== 'closed');
  }
}

/**
 * A session that opens when the initiator takes the answer of a live responder with the same sid
 * (a replayed offer's answer finds no initiator; a stale answer finds no live responder).
 * Messages and close notices travel on microtasks, in order.
 */
export class FakeSession implements Session {
  readonly sid: string;
  readonly initiator: boolean;
  #state: SessionState = 'connecting';
  readonly #o: RtcSessionOptions;
  readonly #wire: FakeWire;
  readonly #timer: ReturnType<typeof setTimeout>;
  #answered = false;

  constructor(o: RtcSessionOptions, wire: FakeWire) {
    this.#o = o;
    this.sid = o.sid;
    this.initiator = o.initiator;
    this.#wire = wire;
    wire.add(this);
    this.#timer = setTimeout(() => this.abort('connect timeout'), o.connectTimeoutMs);
    if (o.initiator)
      queueMicrotask(() => this.#emit({ kind: 'sdp', sid: o.sid, type: 'offer', sdp: 'offer' }));
  }

  get state(): SessionState {
    return this.#state;
  }

  signal(s: RtcSignal): void {
    if (this.#state !== 'connecting' || s.kind !== 'sdp') return;
    if (!this.initiator && s.type === 'offer' && !this.#answered) {
      this.#answered = true;
      this.#emit({ kind: 'sdp', sid: this.sid, type: 'answer', sdp: 'answer' });
    } else if (this.initiator && s.type === 'answer') {
      const partner = this.#wire.partner(this);
      if (partner?.answered) {
        queueMicrotask(() => {
          partner.open();
          this.open();
        });
      }
    }
  }

  send(bytes: Uint8Array, channel: Channel): Promise<void> {
    if (this.#state !== 'open')
      return Promise.reject(new NetError('NOT_CONNECTED', `session ${this.sid} is ${this.#state}`));
    const partner = this.#wire.partner(this);
    const copy = bytes.slice();
    queueMicrotask(() => partner?.receive(channel, copy));
    return Promise.resolve();
  }

  close(reason: string): void {
    this.abort(reason);
  }

  abort(reason: string): void {
    if (this.#state === 'closed') return;
    const partner = this.#wire.partner(this);
    this.finish(reason);
    // Behind any message already sent, like a data channel's closing procedure.
    if (partner) queueMicrotask(() => partner.finish('closed by peer'));
  }

  /** The responder sent its answer: the initiator's answer can complete the pair. */
  get answered(): boolean {
    return this.#answered;
  }

  receive(channel: Channel, bytes: Uint8Array): void {
    if (this.#state === 'open' || this.#state === 'closing') this.#o.onMessage(channel, bytes);
  }

  open(): void {
    if (this.#state !== 'connecting') return;
    clearTimeout(this.#timer);
    this.#state = 'open';
    this.#o.onOpen();
  }

  finish(reason: string): void {
    if (this.#state === 'closed') return;
    clearTimeout(this.#timer);
    this.#state = 'closed';
    this.#o.onClose(reason);
  }

  #emit(s: RtcSignal): void {
    if (this.#state !== 'closed') this.#o.sendSignal(s);
  }
}

/** A relay and a session wire, making WebRtcTransports that talk through them. */
export class FakeRtcNetwork {
  readonly relay = new FakeRelay();
  readonly #wire = new FakeWire();

  transport(id: NodeId, connectTimeoutMs = 1_000): WebRtcTransport {
    return new WebRtcTransport({
      localId: id,
      signals: this.relay.channel(id),
      connectTimeoutMs,
      createSession: (o) => new FakeSession(o, this.#wire),
    });
  }
}
