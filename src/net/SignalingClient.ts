import { Emitter } from './Emitter.ts';
import { openSignal, sealSignal, type RoomKeys } from './roomCrypto.ts';
import {
  MAX_SIGNAL_PAYLOAD,
  parseServerFrame,
  PEER_ID_PATTERN,
  SIGNAL_PATH,
  type ClientFrame,
} from './signalingProtocol.ts';
import { TokenBucket } from './TokenBucket.ts';

export interface SignalingEvents {
  /** The room's other members, on every (re)join; replaces any earlier list. */
  members: { peers: string[] };
  'peer-joined': { peerId: string };
  'peer-left': { peerId: string };
  /** A payload another member sealed for this peer: decrypted, and authenticated with its route. */
  signal: { from: string; payload: object };
  /**
   * A payload from `from` did not open with our room key: that member holds another secret for
   * the same room id (a wrong or damaged link), or the relay tampered with it. Dropped.
   */
  undecryptable: { from: string };
  /** An `error` frame from the server. The server then closes; the client reconnects unless the code is `REPLACED`. */
  error: { code: string; message: string };
  /** Emitted once, after {@link SignalingClient.close} or a `REPLACED` error. Drops that are retried emit nothing. */
  close: { reason: string };
}

/**
 * The part of the WHATWG WebSocket the client uses. The browser's `WebSocket` and the `ws`
 * package's both fit, so Node 20 (which has no global WebSocket) passes `ws` in.
 */
export interface SignalingSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
export type SignalingSocketConstructor = new (url: string) => SignalingSocket;

export interface SignalingClientOptions {
  /** The app's origin (`http(s)://` or `ws(s)://`); the client connects to `<origin>/signal`. */
  origin: string;
  /** From `deriveRoomKeys(secret)`; the secret itself never leaves the page. */
  keys: RoomKeys;
  /** This node's id, as the room's other members will see it. */
  peerId: string;
  /** Defaults to `globalThis.WebSocket`. */
  WebSocket?: SignalingSocketConstructor;
  /** First reconnect delay; it doubles per failed attempt (with jitter) up to `maxReconnectDelayMs`. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** App-level ping period. It keeps the relay's idle timer fed, and a ping still unanswered at the next tick means the connection is dead. */
  keepAliveMs?: number;
  /** Outgoing pace, kept under the relay's per-connection limit (50/s, burst 100) so a burst of ICE candidates is delayed rather than cut off. */
  sendRatePerSec?: number;
  sendBurst?: number;
  /** For jitter; injectable so tests are deterministic. */
  random?: () => number;
}

const DEFAULTS = {
  minReconnectDelayMs: 500,
  maxReconnectDelayMs: 30_000,
  // Well under the relay's 300 s idle timeout even when a hidden tab's timers run once a minute.
  keepAliveMs: 25_000,
  sendRatePerSec: 40,
  sendBurst: 80,
  random: Math.random,
};
const OPEN = 1;

export type SignalingErrorCode = 'CLOSED' | 'NOT_CONNECTED' | 'PAYLOAD_TOO_LARGE' | 'BAD_PEER_ID';

/** Rejection of {@link SignalingClient.signal}. */
export class SignalingError extends Error {
  constructor(
    readonly code: SignalingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

/**
 * One node's connection to the signaling relay for one room (DESIGN §7). It joins, reports the
 * room's members, and carries `signal` payloads sealed end-to-end with the room's key, so the
 * server relays only ciphertext. After a drop it reconnects with exponential backoff and jitter,
 * and joins again. Frames from the server are untrusted: malformed ones and payloads that fail to
 * open are dropped and counted in {@link counters}, never thrown into the app.
 */
export class SignalingClient {
  /** Dropped input: `undecryptable` signal payloads, `malformed` frames; and `reconnects` made. */
  readonly counters = { undecryptable: 0, malformed: 0, reconnects: 0 };
  readonly #o: Required<Omit<SignalingClientOptions, 'WebSocket' | 'origin'>>;
  readonly #url: string;
  readonly #WebSocket: SignalingSocketConstructor;
  readonly #events = new Emitter<SignalingEvents>();
  readonly #pace: TokenBucket;
  #socket: SignalingSocket | undefined;
  #joined = false;
  #closed = false;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #awaitingPong = false;
  /** Sends and deliveries each go through a chain, so async crypto never reorders an offer and its candidates. */
  #sendTail: Promise<void> = Promise.resolve();
  #recvTail: Promise<void> = Promise.resolve();

  /** Starts connecting at once; subscribe with {@link on} in the same tick. */
  constructor(options: SignalingClientOptions) {
    if (!PEER_ID_PATTERN.test(options.peerId))
      throw new TypeError(`Invalid peer id ${JSON.stringify(options.peerId)}`);
    const { WebSocket: injected, origin, ...rest } = options;
    // Typed as always present by the DOM lib, but Node 20 has no global WebSocket.
    const Ctor = injected ?? (globalThis as { WebSocket?: SignalingSocketConstructor }).WebSocket;
    if (!Ctor)
      throw new TypeError('No WebSocket implementation: pass options.WebSocket (e.g. `ws` in Node).');
    this.#WebSocket = Ctor;
    this.#url = signalUrl(origin);
    this.#o = { ...DEFAULTS, ...rest };
    this.#pace = new TokenBucket(this.#o.sendRatePerSec, this.#o.sendBurst);
    this.#connect();
  }

  on<K extends keyof SignalingEvents>(event: K, handler: (e: SignalingEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  /** `joined` once the server has confirmed the join; `connecting` while (re)connecting. */
  get state(): 'connecting' | 'joined' | 'closed' {
    return this.#closed ? 'closed' : this.#joined ? 'joined' : 'connecting';
  }

  /**
   * Seals `payload` for `to` and sends it, in call order and paced under the relay's rate limit.
   * Rejects with a {@link SignalingError} if the client is not joined when the frame's turn comes.
   */
  signal(to: string, payload: object): Promise<void> {
    const sent = this.#sendTail.then(async () => {
      if (this.#closed) throw new SignalingError('CLOSED', 'The signaling client is closed.');
      if (!PEER_ID_PATTERN.test(to))
        throw new SignalingError('BAD_PEER_ID', `Invalid peer id ${JSON.stringify(to)}`);
      const { roomId, signalKey } = this.#o.keys;
      const sealed = await sealSignal(signalKey, { roomId, from: this.#o.peerId, to }, payload);
      if (sealed.length > MAX_SIGNAL_PAYLOAD) {
        throw new SignalingError(
          'PAYLOAD_TOO_LARGE',
          `Sealed payload is ${sealed.length} chars; the limit is ${MAX_SIGNAL_PAYLOAD}.`,
        );
      }
      for (let wait = this.#pace.waitMs(); wait > 0; wait = this.#pace.waitMs()) await sleep(wait);
      this.#pace.take();
      if (!this.#joined)
        throw new SignalingError('NOT_CONNECTED', 'Not joined; retry after the next "members" event.');
      this.#send({ type: 'signal', to, payload: sealed });
    });
    // The caller gets `sent` and its rejection; the chain only needs to know this turn is over.
    this.#sendTail = sent.catch(() => undefined);
    return sent;
  }

  /** Leaves the room and stops reconnecting; idempotent. */
  close(): void {
    this.#shutdown('closed');
  }

  #connect(): void {
    this.#retry = undefined;
    let socket: SignalingSocket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (err) {
      console.warn('peerlake: signaling connect failed', err);
      return this.#dropped();
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (socket === this.#socket)
        this.#send({ type: 'join', room: this.#o.keys.roomId, peerId: this.#o.peerId });
    });
    socket.addEventListener('message', (e) => {
      if (socket === this.#socket) this.#onMessage(e.data);
    });
    socket.addEventListener('close', () => {
      if (socket === this.#socket) this.#dropped();
    });
    // A WebSocket fires 'close' after every 'error'; the listener exists so `ws` does not throw.
    socket.addEventListener('error', () => undefined);
  }

  #onMessage(data: unknown): void {
    const frame = typeof data === 'string' ? parseServerFrame(data) : undefined;
    if (!frame || (frame.type === 'joined' && frame.room !== this.#o.keys.roomId)) {
      this.counters.malformed++;
      return;
    }
    this.#awaitingPong = false; // any frame shows the connection is alive
    switch (frame.type) {
      case 'joined':
        this.#joined = true;
        this.#attempt = 0;
        this.#startKeepAlive();
        return this.#events.emit('members', { peers: frame.peers });
      case 'peer-joined':
      case 'peer-left':
        return this.#events.emit(frame.type, { peerId: frame.peerId });
      case 'signal':
        return this.#deliver(frame.from, frame.payload);
      case 'pong':
        return;
      case 'error':
        this.#events.emit('error', { code: frame.code, message: frame.message });
        // Another connection took over this peer id; reconnecting would take it back, and so on.
        if (frame.code === 'REPLACED') this.#shutdown('replaced');
        return;
    }
  }

  #deliver(from: string, sealed: string): void {
    const { roomId, signalKey } = this.#o.keys;
    const opened = openSignal(signalKey, { roomId, from, to: this.#o.peerId }, sealed);
    this.#recvTail = this.#recvTail
      .then(async () => {
        const payload = await opened;
        if (payload === undefined) {
          this.counters.undecryptable++;
          if (!this.#closed) this.#events.emit('undecryptable', { from });
        } else if (!this.#closed) this.#events.emit('signal', { from, payload });
      })
      .catch((err: unknown) => console.error('peerlake: signal delivery failed', err));
  }

  /** The socket is gone (closed, failed, or silent): forget it and schedule the next attempt. */
  #dropped(): void {
    this.#socket = undefined;
    this.#joined = false;
    clearInterval(this.#keepAlive);
    if (this.#closed) return;
    // "Equal jitter": half the backoff fixed, half random, so a restarted server is not hit by every tab at once.
    const ceiling = Math.min(
      this.#o.maxReconnectDelayMs,
      this.#o.minReconnectDelayMs * 2 ** Math.min(this.#attempt, 20),
    );
    const delay = ceiling / 2 + (this.#o.random() * ceiling) / 2;
    this.#attempt++;
    this.#retry = setTimeout(() => {
      this.counters.reconnects++;
      this.#connect();
    }, delay);
  }

  #startKeepAlive(): void {
    clearInterval(this.#keepAlive);
    this.#awaitingPong = false;
    this.#keepAlive = setInterval(() => {
      if (this.#awaitingPong) {
        // A half-open TCP connection may take minutes to report 'close'; do not wait for it.
        const dead = this.#socket;
        this.#dropped();
        dead?.close(4000, 'no pong');
        return;
      }
      this.#awaitingPong = true;
      this.#send({ type: 'ping' });
    }, this.#o.keepAliveMs);
  }

  #shutdown(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    const socket = this.#socket;
    if (this.#joined) this.#send({ type: 'leave' });
    this.#dropped();
    socket?.close(1000);
    this.#events.emit('close', { reason });
  }

  #send(frame: ClientFrame): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(frame));
  }
}

function signalUrl(origin: string): string {
  const url = new URL(SIGNAL_PATH, origin);
  if (url.protocol === 'http:' || url.protocol === 'https:')
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new TypeError(`Not an http(s) or ws(s) origin: ${origin}`);
  return url.href;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
