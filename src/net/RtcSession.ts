import { ChannelSender } from './ChannelSender.ts';
import { FramingError, Reassembler } from './fragment.ts';
import { NetError } from './NetError.ts';
import type { RtcSignal } from './rtcSignal.ts';
import { Peer, type PeerError, type SignalData } from './simplePeer.ts';
import type { Channel } from './Transport.ts';

/**
 * SCTP stream ids of the two pre-negotiated channels. Both sides create both channels themselves
 * (`negotiated: true`), so no in-band open message is needed and simple-peer's `ondatachannel`,
 * which would adopt any incoming channel as its own, never fires.
 */
const CONTROL_STREAM = 0;
const BULK_STREAM = 1;
/**
 * Bytes the transport keeps in the bulk channel's buffer before it waits for `bufferedamountlow`.
 * Measured (bench/results/mesh.md): 256 KiB moves as much as a raw channel with 1 MiB in flight,
 * and anything queued behind a transfer waits less; far below Chromium's 16 MiB buffer limit.
 */
export const BULK_HIGH_WATER = 256 * 1024;
/** Our own threshold on the bulk channel (we created it): refill when a quarter is left. */
export const BULK_LOW_WATER = 64 * 1024;
/** On simple-peer's channel, whose threshold (64 KiB) we must not touch (DESIGN §11). */
export const CONTROL_HIGH_WATER = 256 * 1024;
/** Messages that may arrive between one channel opening and the other (a handshake or two). */
const MAX_EARLY_MESSAGES = 256;
/** How long a closing session waits to finish sending, then for each channel's close handshake. */
const DRAIN_TIMEOUT_MS = 5_000;
const CHANNEL_CLOSE_TIMEOUT_MS = 2_000;

export interface RtcSessionOptions {
  /** Session id: chosen by whoever started the session, carried by every signal of it. */
  sid: string;
  /** The lower node id is the initiator (creates the offer); see WebRtcTransport. */
  initiator: boolean;
  iceServers: RTCIceServer[];
  /** An attempt not open after this long fails with reason `connect timeout`. */
  connectTimeoutMs: number;
  /** Called for each local signal to deliver to the peer. */
  sendSignal(signal: RtcSignal): void;
  /** Both channels are open; messages may flow. Called at most once. */
  onOpen(): void;
  /** One whole message; before `onOpen` returns, nothing is delivered. */
  onMessage(channel: Channel, bytes: Uint8Array): void;
  /** The session ended, for any reason, including {@link RtcSession.close}. Called exactly once. */
  onClose(reason: string): void;
  /** An RTCPeerConnection implementation for simple-peer (tests); default: the browser's. */
  wrtc?: unknown;
}

export type SessionState = 'connecting' | 'open' | 'closing' | 'closed';

/**
 * What WebRtcTransport needs of one connection attempt. {@link RtcSession} is the real one; Node
 * tests of the transport's session logic (glare, stale signals) pass a fake through
 * `WebRtcTransportOptions.createSession`.
 */
export interface Session {
  readonly sid: string;
  readonly state: SessionState;
  /** A remote signal whose `sid` matched this session. */
  signal(s: RtcSignal): void;
  send(bytes: Uint8Array, channel: Channel): Promise<void>;
  /** Graceful: everything sent before arrives before the peer hears of the close. */
  close(reason: string): void;
  /** At once: the connection closes now. */
  abort(reason: string): void;
}

/**
 * One WebRTC connection to one peer: simple-peer for the offer/answer and ICE, plus two ordered,
 * reliable data channels on the same SCTP association (DESIGN §7):
 * - `control` (simple-peer's own channel, priority high): handshake, heartbeats, membership;
 * - `bulk` (a second channel on simple-peer's RTCPeerConnection): chunk transfers and results.
 * Each has its own send queue with backpressure, so a bulk transfer never queues in front of a
 * heartbeat, neither in our queues nor in the channel's buffer.
 *
 * Owned by WebRtcTransport, which matches incoming signals to sessions by `sid`.
 */
export class RtcSession implements Session {
  readonly sid: string;
  readonly initiator: boolean;
  readonly #o: RtcSessionOptions;
  readonly #peer: Peer;
  readonly #control: RTCDataChannel;
  readonly #bulk: RTCDataChannel;
  readonly #senders: Record<Channel, ChannelSender>;
  readonly #reassembly: Record<Channel, Reassembler> = {
    control: new Reassembler(),
    bulk: new Reassembler(),
  };
  readonly #timer: ReturnType<typeof setTimeout>;
  #state: SessionState = 'connecting';
  #early: { channel: Channel; bytes: Uint8Array }[] | undefined = [];
  /** The offer (responder) or answer (initiator) arrived: any further one is a duplicate. */
  #gotRemoteSdp = false;
  #closeReason: string | undefined;
  #peerClosed: (() => void) | undefined;

  constructor(options: RtcSessionOptions) {
    this.#o = options;
    this.sid = options.sid;
    this.initiator = options.initiator;
    this.#peer = new Peer({
      initiator: options.initiator,
      channelName: 'peerlake-control',
      // `priority` is RTCDataChannelInit's (W3C webrtc-priority): the SCTP scheduler serves this
      // stream before the bulk one.
      channelConfig: { negotiated: true, id: CONTROL_STREAM, ordered: true, priority: 'high' },
      // Always explicit: simple-peer's default config lists public STUN servers (DESIGN §11).
      config: { iceServers: options.iceServers },
      wrtc: options.wrtc,
    });
    const pc = this.#peer._pc;
    const control = this.#peer._channel;
    if (!pc || !control) throw new Error('simple-peer did not create its connection');
    this.#control = control;
    this.#bulk = pc.createDataChannel('peerlake-bulk', {
      negotiated: true,
      id: BULK_STREAM,
      ordered: true,
    });
    this.#bulk.binaryType = 'arraybuffer';
    this.#bulk.bufferedAmountLowThreshold = BULK_LOW_WATER;
    const broken = (err: Error) => this.#destroy(`send failed: ${err.message}`);
    this.#senders = {
      control: new ChannelSender(control, CONTROL_HIGH_WATER, broken),
      bulk: new ChannelSender(this.#bulk, BULK_HIGH_WATER, broken),
    };
    this.#timer = setTimeout(() => this.#destroy('connect timeout'), options.connectTimeoutMs);

    this.#peer.on('signal', (data) => this.#onLocalSignal(data));
    this.#peer.on('error', (err: PeerError) => this.#destroy(`${err.code ?? 'ERR_WEBRTC'}: ${err.message}`));
    this.#peer.on('close', () => {
      this.#peerClosed?.();
      this.#finish(this.#closeReason ?? 'connection closed');
    });
    // simple-peer also pushes every control message into its readable stream; keep it flowing so
    // nothing accumulates there. We read the channel ourselves, like the bulk one.
    this.#peer.resume();
    for (const [channel, ch] of [
      ['control', control],
      ['bulk', this.#bulk],
    ] as const) {
      ch.addEventListener('open', () => this.#maybeOpen());
      ch.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => this.#onData(channel, e.data));
      ch.addEventListener('close', () => this.#onChannelClosed());
    }
    this.#bulk.addEventListener('error', () => this.#destroy('bulk channel error'));
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Called by the transport with a remote signal of this session (its `sid` already matched). */
  signal(s: RtcSignal): void {
    if (this.#state === 'closed' || this.#peer.destroyed) return;
    let data: SignalData;
    if (s.kind === 'sdp') {
      // The initiator takes one answer, the responder one offer; anything else is stale or replayed.
      if (this.#gotRemoteSdp || s.type !== (this.initiator ? 'answer' : 'offer')) return;
      this.#gotRemoteSdp = true;
      data = { type: s.type, sdp: s.sdp };
    } else if (s.kind === 'ice') {
      data = { type: 'candidate', candidate: s.candidate };
    } else {
      return;
    }
    try {
      this.#peer.signal(data);
    } catch (err) {
      this.#destroy(`bad signal: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Queues one message; see Transport.send. */
  send(bytes: Uint8Array, channel: Channel): Promise<void> {
    if (this.#state !== 'open') {
      return Promise.reject(new NetError('NOT_CONNECTED', `session ${this.sid} is ${this.#state}`));
    }
    return this.#senders[channel].send(bytes);
  }

  /**
   * Ends the session. An open one closes gracefully: what was queued is sent, then the bulk
   * channel closes, then the control channel, and only then the connection, so every message
   * sent before the close reaches the peer before it learns of the close. A connecting one is
   * dropped at once. `onClose` follows when it is done.
   */
  close(reason: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    if (this.#state === 'connecting') return this.#destroy(reason);
    this.#state = 'closing';
    this.#closeReason = reason;
    this.#closeGracefully().catch((err: unknown) => {
      console.warn('peerlake: graceful close failed', err);
      this.#destroy(reason);
    });
  }

  /** Ends the session at once (RTCPeerConnection.close()); anything still queued is lost. */
  abort(reason: string): void {
    this.#destroy(reason);
  }

  async #closeGracefully(): Promise<void> {
    const { control, bulk } = this.#senders;
    await withTimeout(Promise.all([control.drained(), bulk.drained()]), DRAIN_TIMEOUT_MS);
    const gone = new NetError('NOT_CONNECTED', `session ${this.sid} closed`);
    control.fail(gone);
    bulk.fail(gone);
    // The bulk channel first: simple-peer tears the whole connection down when its own channel
    // closes, which would cut a bulk channel still finishing its closing procedure.
    if (this.#bulk.readyState !== 'closed') {
      const closed = once(this.#bulk, 'close');
      this.#bulk.close();
      await withTimeout(closed, CHANNEL_CLOSE_TIMEOUT_MS);
    }
    if (this.#state === 'closed') return;
    const peerClosed = new Promise<void>((done) => (this.#peerClosed = done));
    this.#control.close();
    await withTimeout(peerClosed, CHANNEL_CLOSE_TIMEOUT_MS);
    this.#destroy(this.#closeReason ?? 'closed');
  }

  #onLocalSignal(data: SignalData): void {
    if (this.#state === 'closed') return;
    const sid = this.sid;
    if ((data.type === 'offer' || data.type === 'answer') && typeof data.sdp === 'string') {
      this.#o.sendSignal({ kind: 'sdp', sid, type: data.type, sdp: data.sdp });
    } else if (data.type === 'candidate' && data.candidate) {
      const { candidate, sdpMLineIndex = null, sdpMid = null } = data.candidate;
      this.#o.sendSignal({ kind: 'ice', sid, candidate: { candidate, sdpMLineIndex, sdpMid } });
    }
    // `renegotiate` / `transceiverRequest`: we never add media, so simple-peer never asks.
  }

  #maybeOpen(): void {
    if (this.#state !== 'connecting') return;
    if (this.#control.readyState !== 'open' || this.#bulk.readyState !== 'open') return;
    clearTimeout(this.#timer);
    this.#state = 'open';
    this.#o.onOpen();
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const m of early) {
      if (this.#state !== 'open') return;
      this.#o.onMessage(m.channel, m.bytes);
    }
  }

  #onData(channel: Channel, data: ArrayBuffer): void {
    if (this.#state === 'closed') return;
    if (!(data instanceof ArrayBuffer)) return this.#destroy('framing error: a text message');
    let message: Uint8Array | undefined;
    try {
      message = this.#reassembly[channel].push(data);
    } catch (err) {
      if (!(err instanceof FramingError)) throw err;
      return this.#destroy(`framing error on ${channel}: ${err.message}`);
    }
    if (!message) return;
    if (this.#early) {
      // The peer's channels opened before ours: hold its first messages until we announce it.
      if (this.#early.length >= MAX_EARLY_MESSAGES) return this.#destroy('too many messages before open');
      this.#early.push({ channel, bytes: message });
      return;
    }
    this.#o.onMessage(channel, message);
  }

  /** A channel closed: the peer is closing (or the connection died). Deliver what still arrives. */
  #onChannelClosed(): void {
    if (this.#state === 'connecting') return this.#destroy('channel closed before open');
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#closeReason = 'closed by peer';
    const gone = new NetError('NOT_CONNECTED', `session ${this.sid} closed by peer`);
    this.#senders.control.fail(gone);
    this.#senders.bulk.fail(gone);
    // The peer closes bulk, then control; simple-peer ends the connection on the latter. If that
    // never comes (the peer vanished), do not wait for ever.
    setTimeout(() => this.#destroy('closed by peer'), CHANNEL_CLOSE_TIMEOUT_MS);
  }

  /** Abrupt end: the connection is closed now and anything queued is lost. Idempotent. */
  #destroy(reason: string): void {
    if (this.#state === 'closed') return;
    this.#closeReason ??= reason;
    this.#finish(this.#closeReason);
    if (!this.#peer.destroyed) this.#peer.destroy();
  }

  #finish(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#timer);
    const gone = new NetError('NOT_CONNECTED', `session ${this.sid} closed: ${reason}`);
    this.#senders.control.fail(gone);
    this.#senders.bulk.fail(gone);
    this.#early = undefined;
    if (this.#bulk.readyState !== 'closed') this.#bulk.close();
    this.#o.onClose(reason);
  }
}

function once(target: EventTarget, type: string): Promise<void> {
  return new Promise((done) => target.addEventListener(type, () => done(), { once: true }));
}

/** Waits for `p` at most `ms`; a timeout is not an error here, only the end of waiting. */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise<void>((done) => (timer = setTimeout(done, ms)))]);
  clearTimeout(timer);
}
