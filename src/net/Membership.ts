import type { DeviceId, NodeId } from '../types.ts';
import { Emitter } from './Emitter.ts';
import { HandshakeAuth } from './HandshakeAuth.ts';
import {
  DEAD_AFTER_MISSED,
  MAX_EARLY_BYTES,
  MAX_EARLY_FRAMES,
  MAX_KNOWN_PEERS,
  MAX_OUTSTANDING_HEARTBEATS,
  MEMBERSHIP_DEFAULTS,
  RTT_ALPHA,
  SUSPECT_AFTER_MISSED,
  type MembershipOptions,
} from './MembershipOptions.ts';
import { NetError, isNetError } from './NetError.ts';
import type { Channel, Transport } from './Transport.ts';
import {
  DEFAULT_CHANNEL,
  ID_PATTERN,
  MAX_EXCHANGE_PEERS,
  NONCE_BYTES,
  PROTOCOL_VERSION,
  decode,
  encode,
  isAppMessage,
  isHandshake,
  isHandshakeReply,
  isHeartbeat,
  isHeartbeatAck,
  isPeerExchange,
  type AppHeader,
  type AppMessage,
  type AppMessageType,
  type HandshakeMessage,
  type WireMessage,
} from './wire.ts';

export interface MembershipEvents {
  /** A peer proved it holds the room key and speaks our protocol. */
  'peer-joined': { nodeId: NodeId; deviceId: DeviceId; capabilities: string[] };
  /** An authenticated peer is gone: missed heartbeats (`timeout`), its connection closed, or it misbehaved. */
  'peer-left': { nodeId: NodeId; reason: string };
  /** An authenticated peer moved between alive and suspect (missed one heartbeat, or was heard again). */
  'peer-state': { nodeId: NodeId; state: 'alive' | 'suspect' };
  /** A peer could not prove it holds the room key (or claimed another node's id); it was disconnected. */
  'auth-failed': { nodeId: NodeId; code: 'BAD_PROOF' | 'ID_MISMATCH'; message: string };
  /** A peer speaks another protocol version, or flooded us with malformed frames; it was disconnected. */
  'protocol-error': {
    nodeId: NodeId;
    code: 'VERSION_MISMATCH' | 'MALFORMED_FLOOD';
    message: string;
    peerVersion?: number;
  };
  /** An authenticated, validated application message (never a control frame). */
  message: { from: NodeId; channel: Channel; message: AppMessage };
}

/** What `peers()` reports for one peer (DESIGN §13 `lake.peers()`). */
export interface PeerInfo {
  nodeId: NodeId;
  /** Known once the handshake arrived. */
  deviceId?: DeviceId;
  capabilities: string[];
  /** `connecting` covers dialling and the handshake. */
  state: 'connecting' | 'alive' | 'suspect';
  /** Smoothed heartbeat round-trip time (EWMA); undefined until the first ack. */
  rttMs?: number;
  /** Consecutive heartbeat intervals with nothing heard. */
  missedHeartbeats: number;
  /** Unknown or malformed frames dropped from this peer so far. */
  droppedFrames: number;
}

/**
 * `idle`: known but not connected (waiting to retry, over the pool cap, or refused).
 * `connecting`: `transport.connect()` called, waiting for `peer-candidate`.
 * `handshaking`: connection open, challenge-response in progress.
 * `alive` / `suspect`: authenticated; suspect after one interval with nothing heard.
 */
type PeerState = 'idle' | 'connecting' | 'handshaking' | 'alive' | 'suspect';

/** One connection's handshake; a new connection gets a new session, so late async results are ignored. */
interface Session {
  nonce: Uint8Array;
  hello: HandshakeMessage | undefined;
  /** Its handshake-reply arrived (at most one is allowed). */
  gotProof: boolean;
  /** A handshake-reply that overtook the handshake (reordering); verified once the handshake arrives. */
  earlyProof: Uint8Array | undefined;
  /** Our proof was posted (or the connection was gone by then): from now on a refusal may disconnect. */
  proofSent: boolean;
  verified: boolean;
  /** Its proof failed; acted on once our own proof is out, so the peer can tell the refusal is mutual. */
  badProof: boolean;
  refused: boolean;
  /**
   * Frames that arrived after its proof but before we finished verifying it: the peer may already
   * count us as authenticated and start talking. Replayed in order once we agree.
   */
  early: { channel: Channel; message: WireMessage }[];
  earlyBytes: number;
}

interface PeerRecord {
  id: NodeId;
  state: PeerState;
  session: Session | undefined;
  deviceId: DeviceId | undefined;
  capabilities: string[];
  /** Connect/handshake deadline, or the next reconnect attempt. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Consecutive failed attempts; drives the backoff. */
  attempts: number;
  /** Last time this peer was alive here or reported alive by a peer; the forget clock. */
  refreshedAt: number;
  /** Refused (bad key, other version, flood): never dialled again, only answered. */
  noDial: boolean;
  bannedUntil: number;
  rttMs: number | undefined;
  missed: number;
  heardSinceTick: boolean;
  seq: number;
  outstanding: Map<number, number>;
  dropped: number;
  windowStart: number;
  windowCount: number;
}

const now = (): number => performance.now();
const isLive = (s: PeerState): boolean => s === 'alive' || s === 'suspect';

/**
 * The mesh's membership layer (DESIGN §7, EXAMPLES §2): the single place that validates and
 * routes what transports deliver. It authenticates every connection with an HMAC
 * challenge-response, keeps peers alive with heartbeats (RTT, failure detector), grows and heals
 * the mesh through peer exchange and reconnects with backoff, and hands later layers only
 * authenticated, validated application messages.
 *
 * Called by the composition root: constructed once per room with the transport (it starts at
 * once), fed ids from the signaling server through {@link introduce}, and closed on shutdown.
 * Later layers (catalog, replication, query) call {@link send} and listen to `message`.
 *
 * Per peer:
 * ```
 * idle ──dial (introduce, peer exchange, backoff timer, minPeers floor)──▶ connecting
 * idle / connecting ──peer-candidate──▶ handshaking ──both proofs good──▶ alive   (peer-joined)
 * connecting / handshaking ──timeout or disconnect──▶ idle, retry with backoff
 * handshaking ──bad proof / wrong id / other version──▶ idle, never dialled  (auth-failed / protocol-error)
 * alive ──1 interval unheard──▶ suspect ──heard──▶ alive                      (peer-state)
 * alive / suspect ──3 intervals unheard, disconnect, or > malformedLimit bad frames──▶ idle (peer-left)
 * idle ──forgetAfterMs without news──▶ forgotten
 * ```
 *
 * @remarks Assumes the transport reports `peer-disconnected` before a new `peer-candidate` for the
 * same peer; a second candidate while a connection is up is treated as a reconnect (`peer-left`,
 * then a fresh handshake). A dead peer is not forgotten: it is redialled with backoff until
 * `forgetAfterMs`, so a healed partition or a reloaded tab rejoins without the server.
 */
export class Membership {
  readonly nodeId: NodeId;
  readonly #transport: Transport;
  readonly #deviceId: DeviceId;
  readonly #capabilities: string[];
  readonly #auth: HandshakeAuth;
  readonly #version: number;
  readonly #opt: Record<keyof typeof MEMBERSHIP_DEFAULTS, number>;
  readonly #random: () => number;
  readonly #log: Pick<Console, 'warn'>;
  readonly #events = new Emitter<MembershipEvents>();
  readonly #peers = new Map<NodeId, PeerRecord>();
  readonly #unsubscribe: (() => void)[];
  readonly #heartbeatTimer: ReturnType<typeof setInterval>;
  readonly #exchangeTimer: ReturnType<typeof setInterval>;
  #closed = false;

  /** @throws TypeError for a key that is not HMAC, or NetError `INVALID_MESSAGE` for bad ids/capabilities. */
  constructor(options: MembershipOptions) {
    const { transport, deviceId, authKey, capabilities = [], protocolVersion, random, logger } = options;
    this.#transport = transport;
    this.nodeId = transport.localId;
    this.#deviceId = deviceId;
    this.#capabilities = [...capabilities];
    this.#version = protocolVersion ?? PROTOCOL_VERSION;
    this.#auth = new HandshakeAuth(authKey, this.#version);
    this.#random = random ?? Math.random;
    this.#log = logger ?? console;
    const opt: Record<keyof typeof MEMBERSHIP_DEFAULTS, number> = { ...MEMBERSHIP_DEFAULTS };
    for (const key of Object.keys(opt) as (keyof typeof opt)[]) {
      const v = options[key];
      if (v === undefined) continue;
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
        throw new RangeError(`Membership option ${key} must be a positive number, got ${String(v)}`);
      }
      opt[key] = v;
    }
    this.#opt = opt;
    // Fails fast (INVALID_MESSAGE) if our own id, device id or capabilities could never pass the wire.
    this.#handshake(new Uint8Array(NONCE_BYTES));

    this.#unsubscribe = [
      transport.on('peer-candidate', ({ peerId }) => this.#onCandidate(peerId)),
      transport.on('peer-disconnected', ({ peerId, reason }) => this.#onDisconnected(peerId, reason)),
      transport.on('message', ({ from, channel, bytes }) => this.#onFrame(from, channel, bytes)),
      transport.on('close', () => this.close()),
    ];
    this.#heartbeatTimer = setInterval(() => this.#tick(), opt.heartbeatInterval);
    this.#exchangeTimer = setInterval(() => this.#exchange(), opt.peerExchangeInterval);
  }

  on<K extends keyof MembershipEvents>(event: K, handler: (e: MembershipEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  /**
   * Called by the composition root with the signaling server's member list and join notices (and
   * by tests): dials the ids it is not connected to, as far as `maxPeers` allows. Fresh news
   * from the server skips the backoff of a peer waiting to be retried.
   */
  introduce(ids: Iterable<NodeId>): void {
    if (this.#closed) return;
    for (const id of ids) {
      const rec = this.#record(id);
      if (!rec || rec.state !== 'idle') continue;
      rec.refreshedAt = now();
      this.#dial(rec);
    }
  }

  /**
   * Called by later layers to send one application message to an authenticated peer. The channel
   * defaults by type ({@link DEFAULT_CHANNEL}).
   * @throws NetError `NOT_AUTHENTICATED` (rejects) if the peer is not alive or suspect,
   *   `INVALID_MESSAGE` for an out-of-bounds header, `MEMBERSHIP_CLOSED` after {@link close};
   *   the transport's own rejections pass through.
   */
  async send<T extends AppMessageType>(
    peerId: NodeId,
    type: T,
    header: AppHeader<T>,
    payload: Uint8Array,
    channel: Channel = DEFAULT_CHANNEL[type],
  ): Promise<void> {
    if (this.#closed) throw new NetError('MEMBERSHIP_CLOSED', `membership of ${this.nodeId} is closed`);
    if (!Object.hasOwn(DEFAULT_CHANNEL, type)) {
      throw new NetError('INVALID_MESSAGE', `${String(type)} is not an application message type`);
    }
    const rec = this.#peers.get(peerId);
    if (!rec || !isLive(rec.state)) {
      throw new NetError('NOT_AUTHENTICATED', `${peerId} is not an authenticated peer of ${this.nodeId}`);
    }
    const bytes = encode({ ...header, type, payload } as unknown as WireMessage, this.#version);
    await this.#transport.send(peerId, bytes, channel);
  }

  /** Peers being connected to or authenticated (DESIGN §13 `lake.peers()`). */
  peers(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (const r of this.#peers.values()) {
      if (r.state === 'idle') continue;
      const info: PeerInfo = {
        nodeId: r.id,
        capabilities: [...r.capabilities],
        state: isLive(r.state) ? (r.state as 'alive' | 'suspect') : 'connecting',
        missedHeartbeats: r.missed,
        droppedFrames: r.dropped,
      };
      if (r.deviceId !== undefined) info.deviceId = r.deviceId;
      if (r.rttMs !== undefined) info.rttMs = r.rttMs;
      out.push(info);
    }
    return out;
  }

  /**
   * Called on shutdown (or when the transport closes): stops every timer and disconnects every
   * peer, so they see `peer-left` at once rather than after three heartbeats. The transport itself
   * belongs to the caller. Idempotent; emits nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeatTimer);
    clearInterval(this.#exchangeTimer);
    for (const off of this.#unsubscribe) off();
    for (const rec of this.#peers.values()) {
      clearTimeout(rec.timer);
      if (rec.state !== 'idle') this.#safely(() => this.#transport.disconnect(rec.id, 'membership closed'));
    }
    this.#peers.clear();
    this.#events.clear();
  }

  // ---- transport events ----

  #onCandidate(peerId: NodeId): void {
    const rec = this.#record(peerId);
    if (!rec) {
      this.#safely(() => this.#transport.disconnect(peerId, 'invalid node id'));
      return;
    }
    if (rec.bannedUntil > now()) {
      this.#safely(() => this.#transport.disconnect(peerId, 'banned'));
      return;
    }
    if (rec.state !== 'idle' && rec.state !== 'connecting') this.#end(rec, 'reconnected', false);
    if (rec.state === 'idle' && this.#sessions() >= this.#opt.maxPeers) {
      this.#safely(() => this.#transport.disconnect(peerId, 'peer pool full'));
      return;
    }
    clearTimeout(rec.timer);
    const session: Session = {
      nonce: crypto.getRandomValues(new Uint8Array(NONCE_BYTES)),
      hello: undefined,
      gotProof: false,
      earlyProof: undefined,
      proofSent: false,
      verified: false,
      badProof: false,
      refused: false,
      early: [],
      earlyBytes: 0,
    };
    rec.state = 'handshaking';
    rec.session = session;
    rec.timer = setTimeout(() => this.#fail(rec, 'handshake timeout'), this.#opt.handshakeTimeout);
    this.#post(rec.id, this.#handshake(session.nonce));
  }

  #onDisconnected(peerId: NodeId, reason: string): void {
    const rec = this.#peers.get(peerId);
    if (!rec || rec.state === 'idle') return; // we ended it first, or a stale notice
    const wasLive = isLive(rec.state);
    this.#end(rec, `disconnected: ${reason}`, false);
    if (!wasLive) rec.attempts++; // a failed attempt backs off further; a lost member is retried soon
    this.#scheduleRetry(rec);
  }

  #onFrame(from: NodeId, channel: Channel, bytes: Uint8Array): void {
    const rec = this.#peers.get(from);
    if (!rec || !rec.session) return; // no connection we know of: nothing to count it against
    const result = decode(bytes, this.#version);
    if (!result.ok) {
      if (result.reason === 'version' && rec.state === 'handshaking') {
        this.#refuseVersion(rec, result.version ?? -1);
      } else {
        this.#malformed(rec, `${result.reason}: ${result.detail}`);
      }
      return;
    }
    const msg = result.message;
    const session = rec.session;
    if (rec.state === 'handshaking') {
      if (isHandshake(msg)) this.#onHello(rec, session, msg);
      else if (isHandshakeReply(msg)) this.#onProof(rec, session, msg.proof);
      else if (!session.gotProof) this.#malformed(rec, `${msg.type} before its handshake-reply`);
      else if (
        session.early.length >= MAX_EARLY_FRAMES ||
        session.earlyBytes + bytes.byteLength > MAX_EARLY_BYTES
      ) {
        this.#malformed(rec, `too much traffic before the handshake completed`);
      } else {
        session.early.push({ channel, message: msg });
        session.earlyBytes += bytes.byteLength;
      }
      return;
    }
    this.#onAuthenticated(rec, channel, msg);
  }

  // ---- handshake ----

  #handshake(nonce: Uint8Array): Uint8Array {
    return encode(
      {
        type: 'handshake',
        nodeId: this.nodeId,
        deviceId: this.#deviceId,
        capabilities: this.#capabilities,
        nonce,
      },
      this.#version,
    );
  }

  #onHello(rec: PeerRecord, session: Session, hello: HandshakeMessage): void {
    if (session.hello) return this.#malformed(rec, 'second handshake');
    if (hello.nodeId !== rec.id) {
      return this.#refuseAuth(rec, 'ID_MISMATCH', `connection from ${rec.id} claims to be ${hello.nodeId}`);
    }
    session.hello = hello;
    const earlyProof = session.earlyProof;
    session.earlyProof = undefined;
    this.#async(rec, session, async () => {
      const proof = await this.#auth.prove({
        prover: this.nodeId,
        verifier: rec.id,
        proverNonce: session.nonce,
        verifierNonce: hello.nonce,
      });
      if (rec.session === session)
        this.#post(rec.id, encode({ type: 'handshake-reply', proof }, this.#version));
      session.proofSent = true;
      if (session.badProof) this.#refuseProof(rec, session);
      else this.#maybeUp(rec, session);
    });
    if (earlyProof) this.#verify(rec, session, hello, earlyProof);
  }

  #onProof(rec: PeerRecord, session: Session, proof: Uint8Array): void {
    if (session.gotProof) return this.#malformed(rec, 'second handshake-reply');
    session.gotProof = true;
    if (session.hello) this.#verify(rec, session, session.hello, proof);
    else session.earlyProof = proof; // overtook the handshake: verified when it arrives
  }

  #verify(rec: PeerRecord, session: Session, hello: HandshakeMessage, proof: Uint8Array): void {
    this.#async(rec, session, async () => {
      const ok = await this.#auth.verify(
        { prover: rec.id, verifier: this.nodeId, proverNonce: hello.nonce, verifierNonce: session.nonce },
        proof,
      );
      if (!ok) {
        // Reported even if the connection already closed (the peer may have refused us first).
        session.badProof = true;
        if (session.proofSent) this.#refuseProof(rec, session);
        return;
      }
      if (rec.session !== session) return;
      session.verified = true;
      this.#maybeUp(rec, session);
    });
  }

  /**
   * Refuses a peer whose proof failed, after ours went out: a peer with another key then verifies
   * our proof before our disconnect reaches it (transports deliver what was sent before a close),
   * so both sides report `auth-failed` instead of one seeing a bare disconnect and redialling.
   */
  #refuseProof(rec: PeerRecord, session: Session): void {
    if (session.refused) return;
    session.refused = true;
    this.#refuseAuth(rec, 'BAD_PROOF', `${rec.id} does not hold the room key`, rec.session === session);
  }

  /** Authenticated once we verified its proof and sent ours (so ours precedes anything else we send). */
  #maybeUp(rec: PeerRecord, session: Session): void {
    const hello = session.hello;
    if (rec.session !== session || rec.state !== 'handshaking' || !hello) return;
    if (!session.verified || !session.proofSent) return;
    clearTimeout(rec.timer);
    rec.timer = undefined;
    rec.state = 'alive';
    rec.deviceId = hello.deviceId;
    rec.capabilities = [...hello.capabilities];
    rec.attempts = 0;
    rec.refreshedAt = now();
    rec.missed = 0;
    rec.heardSinceTick = true;
    rec.rttMs = undefined;
    rec.outstanding.clear();
    this.#events.emit('peer-joined', {
      nodeId: rec.id,
      deviceId: hello.deviceId,
      capabilities: [...hello.capabilities],
    });
    for (const { channel, message } of session.early.splice(0)) {
      if (rec.session !== session || !isLive(rec.state)) return;
      this.#onAuthenticated(rec, channel, message);
    }
    if (rec.session === session) this.#sendPeerList(rec, false);
  }

  // ---- authenticated traffic ----

  #onAuthenticated(rec: PeerRecord, channel: Channel, msg: WireMessage): void {
    if (isHandshake(msg) || isHandshakeReply(msg))
      return this.#malformed(rec, `${msg.type} after authentication`);
    rec.heardSinceTick = true;
    if (rec.state === 'suspect') {
      rec.state = 'alive';
      this.#events.emit('peer-state', { nodeId: rec.id, state: 'alive' });
    }
    if (isHeartbeat(msg)) {
      this.#post(rec.id, encode({ type: 'heartbeat-ack', seq: msg.seq, sentAt: msg.sentAt }, this.#version));
    } else if (isHeartbeatAck(msg)) {
      const sentAt = rec.outstanding.get(msg.seq);
      if (sentAt === undefined) return; // from before a reconnect, or already too old
      rec.outstanding.delete(msg.seq);
      const sample = Math.max(0, now() - sentAt);
      rec.rttMs = rec.rttMs === undefined ? sample : rec.rttMs + RTT_ALPHA * (sample - rec.rttMs);
    } else if (isPeerExchange(msg)) {
      this.#learn(msg.peers);
      if (msg.pull) this.#sendPeerList(rec, false);
    } else if (isAppMessage(msg)) {
      this.#events.emit('message', { from: rec.id, channel, message: msg });
    }
  }

  /** Peer exchange: ids we do not know yet are dialled while the pool has room, the rest kept for later. */
  #learn(ids: NodeId[]): void {
    for (const id of ids) {
      if (id === this.nodeId) continue;
      const known = this.#peers.get(id);
      if (known) {
        if (known.state === 'idle') known.refreshedAt = now(); // someone sees it alive: keep retrying
        if (known.state === 'idle' && known.timer === undefined) this.#dial(known);
        continue;
      }
      const rec = this.#record(id);
      if (rec) this.#dial(rec);
    }
  }

  #sendPeerList(to: PeerRecord, pull: boolean): void {
    const live = [...this.#peers.values()].filter((r) => r !== to && isLive(r.state)).map((r) => r.id);
    // Over the per-frame bound, a random sample: repeated exchanges still spread every id.
    while (live.length > MAX_EXCHANGE_PEERS) live.splice(Math.floor(this.#random() * live.length), 1);
    if (live.length === 0 && !pull) return;
    this.#post(to.id, encode({ type: 'peer-exchange', peers: live, pull }, this.#version));
  }

  // ---- timers ----

  /** Every heartbeatInterval: failure detector, heartbeats, forgetting, and the minPeers floor. */
  #tick(): void {
    const t = now();
    for (const rec of [...this.#peers.values()]) {
      if (isLive(rec.state)) {
        rec.missed = rec.heardSinceTick ? 0 : rec.missed + 1;
        rec.heardSinceTick = false;
        if (rec.missed >= DEAD_AFTER_MISSED) {
          this.#end(rec, 'timeout', true);
          this.#scheduleRetry(rec);
          continue;
        }
        if (rec.missed >= SUSPECT_AFTER_MISSED && rec.state === 'alive') {
          rec.state = 'suspect';
          this.#events.emit('peer-state', { nodeId: rec.id, state: 'suspect' });
        }
        rec.seq = (rec.seq + 1) >>> 0;
        rec.outstanding.set(rec.seq, t);
        if (rec.outstanding.size > MAX_OUTSTANDING_HEARTBEATS) {
          rec.outstanding.delete(rec.outstanding.keys().next().value as number);
        }
        this.#post(rec.id, encode({ type: 'heartbeat', seq: rec.seq, sentAt: t }, this.#version));
      } else if (
        rec.state === 'idle' &&
        t - rec.refreshedAt > this.#opt.forgetAfterMs &&
        rec.bannedUntil <= t
      ) {
        clearTimeout(rec.timer);
        this.#peers.delete(rec.id);
      }
    }
    const missing = this.#opt.minPeers - this.#sessions();
    if (missing > 0) this.#replenish(missing);
  }

  /** Below minPeers: dial known peers now, ignoring their backoff, and ask live peers for their lists. */
  #replenish(missing: number): void {
    const idle = [...this.#peers.values()].filter((r) => r.state === 'idle' && !r.noDial);
    for (const rec of idle.slice(0, missing)) {
      clearTimeout(rec.timer);
      rec.timer = undefined;
      this.#dial(rec);
    }
    for (const rec of this.#peers.values()) if (isLive(rec.state)) this.#sendPeerList(rec, true);
  }

  /** Every peerExchangeInterval: push our member list to every authenticated peer. */
  #exchange(): void {
    for (const rec of this.#peers.values()) if (isLive(rec.state)) this.#sendPeerList(rec, false);
  }

  // ---- connection lifecycle ----

  #dial(rec: PeerRecord): void {
    if (this.#closed || rec.state !== 'idle' || rec.noDial || rec.bannedUntil > now()) return;
    if (this.#sessions() >= this.#opt.maxPeers) return; // kept; dialled when the pool has room
    clearTimeout(rec.timer);
    rec.state = 'connecting';
    rec.timer = setTimeout(() => this.#fail(rec, 'connect timeout'), this.#opt.connectTimeout);
    try {
      this.#transport.connect(rec.id);
    } catch (err) {
      this.#log.warn(`peerlake: connect to ${rec.id} failed`, err);
      this.#fail(rec, 'connect failed');
    }
  }

  /** A connect or handshake attempt failed: drop the connection and retry later. */
  #fail(rec: PeerRecord, reason: string): void {
    if (rec.state === 'idle') return;
    this.#end(rec, reason, true);
    rec.attempts++;
    this.#scheduleRetry(rec);
  }

  /** Ends the current connection (if any); emits `peer-left` if the peer was authenticated. */
  #end(rec: PeerRecord, reason: string, disconnect: boolean): void {
    const wasLive = isLive(rec.state);
    clearTimeout(rec.timer);
    rec.timer = undefined;
    rec.state = 'idle';
    rec.session = undefined;
    rec.missed = 0;
    rec.outstanding.clear();
    if (disconnect) this.#safely(() => this.#transport.disconnect(rec.id, reason));
    if (wasLive) {
      rec.refreshedAt = now();
      this.#events.emit('peer-left', { nodeId: rec.id, reason });
    }
  }

  /** Exponential backoff with "equal jitter": half the delay fixed, half random, so peers spread out. */
  #scheduleRetry(rec: PeerRecord): void {
    if (this.#closed || rec.noDial || rec.state !== 'idle') return;
    const exp = Math.min(
      this.#opt.reconnectMaxMs,
      this.#opt.reconnectBaseMs * 2 ** Math.min(rec.attempts, 30),
    );
    const delay = exp / 2 + (this.#random() * exp) / 2;
    clearTimeout(rec.timer);
    rec.timer = setTimeout(() => {
      rec.timer = undefined;
      this.#dial(rec);
    }, delay);
  }

  #refuseAuth(rec: PeerRecord, code: 'BAD_PROOF' | 'ID_MISMATCH', message: string, current = true): void {
    this.#log.warn(`peerlake: refused ${rec.id}: ${message}`);
    rec.noDial = true;
    if (current) this.#end(rec, 'authentication failed', true);
    this.#events.emit('auth-failed', { nodeId: rec.id, code, message });
  }

  #refuseVersion(rec: PeerRecord, peerVersion: number): void {
    const older = peerVersion > this.#version ? 'this tab' : `the tab of ${rec.id}`;
    const message = `${rec.id} speaks mesh protocol ${peerVersion}, this tab speaks ${this.#version}: reload ${older} to update it`;
    this.#log.warn(`peerlake: ${message}`);
    rec.noDial = true; // not banned: once it reloads with our version it may connect to us again
    this.#end(rec, 'protocol version mismatch', true);
    this.#events.emit('protocol-error', { nodeId: rec.id, code: 'VERSION_MISMATCH', message, peerVersion });
  }

  /** Drops and counts a bad frame; a peer over the limit within the window is disconnected and banned. */
  #malformed(rec: PeerRecord, detail: string): void {
    const t = now();
    rec.dropped++;
    if (t - rec.windowStart > this.#opt.malformedWindowMs) {
      rec.windowStart = t;
      rec.windowCount = 0;
      this.#log.warn(`peerlake: dropped a frame from ${rec.id} (${detail})`); // once per window, not per frame
    }
    rec.windowCount++;
    if (rec.windowCount <= this.#opt.malformedLimit) return;
    const message = `${rec.id} sent more than ${this.#opt.malformedLimit} malformed frames within ${this.#opt.malformedWindowMs} ms`;
    this.#log.warn(`peerlake: ${message}; disconnecting`);
    rec.noDial = true;
    rec.bannedUntil = t + this.#opt.banMs;
    rec.windowCount = 0;
    this.#end(rec, 'too many malformed frames', true);
    this.#events.emit('protocol-error', { nodeId: rec.id, code: 'MALFORMED_FLOOD', message });
  }

  // ---- helpers ----

  /** The record for `id`, created if it is new; undefined for our own id, a bad id, or a full table. */
  #record(id: NodeId): PeerRecord | undefined {
    if (id === this.nodeId || typeof id !== 'string' || !ID_PATTERN.test(id)) return undefined;
    let rec = this.#peers.get(id);
    if (!rec && this.#peers.size < MAX_KNOWN_PEERS) {
      rec = {
        id,
        state: 'idle',
        session: undefined,
        deviceId: undefined,
        capabilities: [],
        timer: undefined,
        attempts: 0,
        refreshedAt: now(),
        noDial: false,
        bannedUntil: 0,
        rttMs: undefined,
        missed: 0,
        heardSinceTick: false,
        seq: 0,
        outstanding: new Map(),
        dropped: 0,
        windowStart: -Infinity,
        windowCount: 0,
      };
      this.#peers.set(id, rec);
    }
    return rec;
  }

  #sessions(): number {
    let n = 0;
    for (const r of this.#peers.values()) if (r.state !== 'idle') n++;
    return n;
  }

  /** Fire-and-forget send of a control frame; a peer that just went away is not an error. */
  #post(peerId: NodeId, bytes: Uint8Array, channel: Channel = 'control'): void {
    this.#transport.send(peerId, bytes, channel).catch((err: unknown) => {
      if (isNetError(err) && (err.code === 'NOT_CONNECTED' || err.code === 'TRANSPORT_CLOSED')) return;
      this.#log.warn(`peerlake: sending to ${peerId} failed`, err);
    });
  }

  /** Runs a handshake step; a crypto failure (never expected) drops the attempt instead of vanishing. */
  #async(rec: PeerRecord, session: Session, step: () => Promise<void>): void {
    step().catch((err: unknown) => {
      this.#log.warn(`peerlake: handshake with ${rec.id} failed`, err);
      if (!this.#closed && rec.session === session) this.#fail(rec, 'handshake error');
    });
  }

  #safely(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.#log.warn('peerlake: transport call failed', err);
    }
  }
}
