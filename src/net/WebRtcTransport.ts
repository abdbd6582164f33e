import type { NodeId } from '../types.ts';
import { Emitter } from './Emitter.ts';
import { NetError } from './NetError.ts';
import { RtcSession, type RtcSessionOptions, type Session } from './RtcSession.ts';
import { newSid, parseRtcSignal, type RtcSignal, type SignalChannel } from './rtcSignal.ts';
import type { Channel, Transport, TransportEvents } from './Transport.ts';
import { ID_PATTERN } from './wire.ts';

export interface WebRtcTransportOptions {
  localId: NodeId;
  /** How signals reach other nodes: {@link signalChannelFor} a SignalingClient, or a relay. */
  signals: SignalChannel;
  /**
   * STUN/TURN servers. Default none: host candidates only, which is all a LAN or one machine
   * needs, and nothing leaves the network (DESIGN §7, §11).
   */
  iceServers?: RTCIceServer[];
  /** A connection attempt not open after this long fails (membership then retries with backoff). */
  connectTimeoutMs?: number;
  /** An RTCPeerConnection implementation for simple-peer; default: the browser's. */
  wrtc?: unknown;
  /** Makes one connection attempt; default {@link RtcSession}. Node tests pass a fake. */
  createSession?: (options: RtcSessionOptions) => Session;
}

/** 15 s covers slow ICE through TURN; here a connection opens in well under a second. */
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Session ids remembered per peer, so a replayed dial or offer of a finished session is dropped. */
const SEEN_SIDS = 32;

/** Everything this transport knows about one remote node. */
interface Slot {
  /** The open session: announced with `peer-candidate`, carries `send`. */
  active: Session | undefined;
  /** An attempt in progress. It replaces `active` (a reconnect) only once it is open itself. */
  pending: Session | undefined;
  /** Responder only: the sid of our outstanding `dial`, and its timeout. */
  dial: { sid: string; timer: ReturnType<typeof setTimeout> } | undefined;
  /** Recent session ids, oldest first (see {@link SEEN_SIDS}). */
  seen: string[];
}

/**
 * The browser {@link Transport}: one simple-peer WebRTC connection per peer, with a control and
 * a bulk data channel (src/net/RtcSession.ts), signalled through a pluggable
 * {@link SignalChannel}.
 *
 * Who connects (glare): the lower node id always initiates (makes the offer). When the higher id
 * wants a connection it sends a `dial` with a fresh session id, and the lower one opens that
 * session. If both sides act at once, the lower one adopts the dial's session (its own offer has
 * no answer yet, so dropping it costs nothing) and the higher one ignores any offer but the one
 * for its dial: the pair always converges on one connection. If the dial never arrived (the lower
 * node was not in the room yet, e.g. a tab being reopened), the lower node's own offer shows it,
 * and the higher one sends the dial again instead of waiting for its connect timeout.
 *
 * Stale signals: every signal carries its session id. Answers and candidates only reach the
 * session with that id; a dial or offer whose id was already seen is dropped, so a payload the
 * relay replays cannot restart a session. A new session never replaces an open one until it is
 * open itself, so a replayed offer (whose answer nobody takes) cannot break a working connection.
 *
 * Events follow the Transport contract: `peer-candidate` once both channels are open,
 * `peer-disconnected` when the connection ends or an attempt fails, messages in order per channel.
 */
export class WebRtcTransport implements Transport {
  readonly localId: NodeId;
  /** Dropped input: signals that failed validation or came for no known session; framing errors end sessions. */
  readonly counters = { badSignals: 0, staleSignals: 0, sessionsOpened: 0 };
  readonly #signals: SignalChannel;
  readonly #iceServers: RTCIceServer[];
  readonly #connectTimeoutMs: number;
  readonly #wrtc: unknown;
  readonly #createSession: (options: RtcSessionOptions) => Session;
  readonly #events = new Emitter<TransportEvents>();
  readonly #slots = new Map<NodeId, Slot>();
  /** Sessions closing gracefully after a disconnect (no longer in a slot); {@link close} cuts them short. */
  readonly #closing = new Set<Session>();
  readonly #offSignal: () => void;
  #closed = false;

  constructor(options: WebRtcTransportOptions) {
    this.localId = options.localId;
    this.#signals = options.signals;
    this.#iceServers = options.iceServers ?? [];
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#wrtc = options.wrtc;
    this.#createSession = options.createSession ?? ((o) => new RtcSession(o));
    this.#offSignal = this.#signals.onSignal((from, payload) => this.#onSignal(from, payload));
  }

  on<K extends keyof TransportEvents>(event: K, handler: (e: TransportEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  /**
   * Starts a connection unless one is open or being opened (idempotent): an offer if we are the
   * lower id, else a `dial` asking the peer to make one. Failure arrives as `peer-disconnected`.
   * @throws NetError `TRANSPORT_CLOSED` after {@link close}.
   */
  connect(peerId: NodeId): void {
    if (this.#closed) throw new NetError('TRANSPORT_CLOSED', `transport ${this.localId} is closed`);
    if (peerId === this.localId || !ID_PATTERN.test(peerId)) {
      queueMicrotask(() => this.#events.emit('peer-disconnected', { peerId, reason: 'invalid node id' }));
      return;
    }
    const slot = this.#slot(peerId);
    if (slot.active || slot.pending || slot.dial) return;
    if (this.#initiates(peerId)) {
      this.#start(peerId, slot, newSid());
      return;
    }
    const sid = newSid();
    this.#remember(slot, sid);
    const timer = setTimeout(() => {
      if (slot.dial?.sid !== sid) return;
      slot.dial = undefined;
      this.#attemptFailed(peerId, slot, 'connect timeout');
    }, this.#connectTimeoutMs);
    slot.dial = { sid, timer };
    this.#sendSignal(peerId, { kind: 'dial', sid }, () => {
      if (slot.dial?.sid !== sid) return;
      clearTimeout(timer);
      slot.dial = undefined;
      this.#attemptFailed(peerId, slot, 'signaling unavailable');
    });
  }

  send(peerId: NodeId, bytes: Uint8Array, channel: Channel = 'control'): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new NetError('TRANSPORT_CLOSED', `transport ${this.localId} is closed`));
    }
    const session = this.#slots.get(peerId)?.active;
    if (!session || session.state !== 'open') {
      return Promise.reject(new NetError('NOT_CONNECTED', `${this.localId} has no connection to ${peerId}`));
    }
    return session.send(bytes, channel);
  }

  /**
   * Closes the connection: this side hears `peer-disconnected` at once; the peer hears it after
   * everything already sent has arrived (the session closes its channels before the connection).
   */
  disconnect(peerId: NodeId, reason = 'disconnected'): void {
    const slot = this.#slots.get(peerId);
    if (!slot) return;
    const wasActive = slot.active !== undefined;
    const hadAttempt = slot.pending !== undefined || slot.dial !== undefined;
    this.#clear(slot, reason);
    if (wasActive || hadAttempt) {
      queueMicrotask(() => this.#events.emit('peer-disconnected', { peerId, reason }));
    }
  }

  connected(): NodeId[] {
    const out: NodeId[] = [];
    for (const [id, slot] of this.#slots) if (slot.active?.state === 'open') out.push(id);
    return out;
  }

  /**
   * Closes every connection (each peer gets `peer-disconnected`), then emits `close`. Unlike
   * {@link disconnect} it does not wait to flush: it is called when the page goes away, when only
   * an immediate `RTCPeerConnection.close()` still reaches the peers (as an SCTP abort), so they
   * see the close at once instead of after three missed heartbeats.
   */
  close(): void {
    if (this.#closed) return;
    const peers = [...this.#slots.keys()];
    for (const id of peers) this.disconnect(id, 'transport closed');
    for (const session of this.#closing) session.abort('transport closed');
    this.#closed = true;
    this.#offSignal();
    queueMicrotask(() => {
      this.#events.emit('close', { reason: 'closed' });
      this.#events.clear();
    });
  }

  /** Deterministic initiator: the lower node id makes the offer (glare, see the class comment). */
  #initiates(peerId: NodeId): boolean {
    return this.localId < peerId;
  }

  #onSignal(from: NodeId, payload: unknown): void {
    if (this.#closed) return;
    const s = parseRtcSignal(payload);
    if (!s || from === this.localId || !ID_PATTERN.test(from)) {
      this.counters.badSignals++;
      return;
    }
    const slot = this.#slot(from);
    const initiator = this.#initiates(from);
    if (s.kind === 'dial') {
      if (!initiator) return void this.counters.badSignals++; // only the lower id is dialled
      if (slot.pending?.sid === s.sid || slot.active?.sid === s.sid) return; // duplicate
      if (slot.seen.includes(s.sid)) return void this.counters.staleSignals++;
      // The peer's latest dial says what it waits for: our own unanswered offer, if any, yields.
      this.#start(from, slot, s.sid);
      return;
    }
    const target =
      slot.pending?.sid === s.sid ? slot.pending : slot.active?.sid === s.sid ? slot.active : undefined;
    if (target) return target.signal(s);
    if (s.kind === 'sdp' && s.type === 'offer' && !initiator) {
      // An offer opens a responder session: the answer to our dial, or the initiator's own attempt.
      if (slot.dial && slot.dial.sid !== s.sid) {
        // Glare: the initiator adopts our dial's session, so its own offer is dropped here. If
        // it never got the dial (it was not in the room yet, e.g. a tab being reopened), this
        // offer is the sign: send the dial again, once per offer.
        this.counters.staleSignals++;
        if (!slot.seen.includes(s.sid)) {
          this.#remember(slot, s.sid);
          const { sid } = slot.dial;
          this.#sendSignal(from, { kind: 'dial', sid }, () => undefined);
        }
        return;
      }
      if (!slot.dial && slot.seen.includes(s.sid)) return void this.counters.staleSignals++;
      if (slot.dial) clearTimeout(slot.dial.timer);
      slot.dial = undefined;
      this.#start(from, slot, s.sid).signal(s);
      return;
    }
    this.counters.staleSignals++; // an answer or candidate of a session that is gone
  }

  /** Opens a new attempt in `slot`, replacing any earlier attempt (never the open session). */
  #start(peerId: NodeId, slot: Slot, sid: string): Session {
    const earlier = slot.pending;
    slot.pending = undefined; // untracked first, so its close is not reported as a failure
    earlier?.close('superseded');
    this.#remember(slot, sid);
    const session: Session = this.#createSession({
      sid,
      initiator: this.#initiates(peerId),
      iceServers: this.#iceServers,
      connectTimeoutMs: this.#connectTimeoutMs,
      wrtc: this.#wrtc,
      sendSignal: (signal) => this.#sendSignal(peerId, signal, () => session.close('signaling unavailable')),
      onOpen: () => this.#onOpen(peerId, slot, session),
      onMessage: (channel, bytes) => {
        if (slot.active === session) this.#events.emit('message', { from: peerId, channel, bytes });
      },
      onClose: (reason) => {
        this.#closing.delete(session);
        this.#onSessionClosed(peerId, slot, session, reason);
      },
    });
    slot.pending = session;
    return session;
  }

  #onOpen(peerId: NodeId, slot: Slot, session: Session): void {
    if (slot.pending !== session) return session.close('superseded');
    slot.pending = undefined;
    this.counters.sessionsOpened++;
    const old = slot.active;
    slot.active = session;
    if (old) {
      // The peer opened a new session, so it has given up the old one (it reloaded, or lost it).
      this.#retire(old, 'replaced');
      this.#events.emit('peer-disconnected', { peerId, reason: 'reconnected' });
    }
    this.#events.emit('peer-candidate', { peerId });
  }

  #onSessionClosed(peerId: NodeId, slot: Slot, session: Session, reason: string): void {
    if (slot.active === session) {
      slot.active = undefined;
      this.#events.emit('peer-disconnected', { peerId, reason });
    } else if (slot.pending === session) {
      slot.pending = undefined;
      this.#attemptFailed(peerId, slot, reason);
    }
  }

  /** An attempt failed; the caller hears of it unless another connection or attempt is still up. */
  #attemptFailed(peerId: NodeId, slot: Slot, reason: string): void {
    if (this.#closed || slot.active || slot.pending || slot.dial) return;
    this.#events.emit('peer-disconnected', { peerId, reason });
  }

  #sendSignal(peerId: NodeId, signal: RtcSignal, onFailure: () => void): void {
    this.#signals.send(peerId, signal).catch((err: unknown) => {
      console.warn(`peerlake: signal to ${peerId} failed`, err);
      onFailure();
    });
  }

  /** Ends everything in `slot` without emitting; the caller decides what to tell. */
  #clear(slot: Slot, reason: string): void {
    const { active, pending, dial } = slot;
    slot.active = slot.pending = slot.dial = undefined;
    if (dial) clearTimeout(dial.timer);
    pending?.close(reason);
    if (active) this.#retire(active, reason);
  }

  /** Closes an open session gracefully, remembering it until it is gone (see {@link close}). */
  #retire(session: Session, reason: string): void {
    this.#closing.add(session);
    session.close(reason);
  }

  #remember(slot: Slot, sid: string): void {
    slot.seen.push(sid);
    if (slot.seen.length > SEEN_SIDS) slot.seen.shift();
  }

  #slot(peerId: NodeId): Slot {
    let slot = this.#slots.get(peerId);
    if (!slot) {
      slot = { active: undefined, pending: undefined, dial: undefined, seen: [] };
      this.#slots.set(peerId, slot);
    }
    return slot;
  }
}

/** The structural part of SignalingClient the adapter needs (it is the only implementation today). */
export interface SignalingLike {
  signal(to: string, payload: object): Promise<void>;
  on(event: 'signal', handler: (e: { from: string; payload: object }) => void): () => void;
}

/** A {@link SignalChannel} over the signaling server (src/net/SignalingClient.ts). */
export function signalChannelFor(client: SignalingLike): SignalChannel {
  return {
    send: (to, payload) => client.signal(to, payload),
    onSignal: (handler) => client.on('signal', ({ from, payload }) => handler(from as NodeId, payload)),
  };
}
