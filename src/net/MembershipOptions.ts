import type { DeviceId } from '../types.ts';
import type { Transport } from './Transport.ts';

/**
 * Everything {@link Membership} is configured with. The composition root (LakeNode) passes the
 * transport, this tab's deviceId, the room's `authKey` (`deriveRoomKeys(secret).authKey`,
 * src/net/roomCrypto.ts) and the tunables from LakeConfig; tests shrink the timings.
 */
export interface MembershipOptions {
  transport: Transport;
  deviceId: DeviceId;
  /** HMAC-SHA-256 key with `sign` and `verify` usages: proves knowledge of the room secret. */
  authKey: CryptoKey;
  /** Announced in the handshake and reported in `peer-joined`, e.g. `['sql', 'store']`. */
  capabilities?: string[];
  /** ms between heartbeats; also the failure detector's unit (DESIGN §14 `heartbeatInterval`). */
  heartbeatInterval?: number;
  /** ms from `transport.connect()` to `peer-candidate` before the attempt counts as failed. */
  connectTimeout?: number;
  /** ms from `peer-candidate` to a completed handshake before the connection is dropped. */
  handshakeTimeout?: number;
  /** ms between pushes of our member list to every peer (DESIGN §14 `discoveryInterval`). */
  peerExchangeInterval?: number;
  /** Below this many connections the node dials every known peer and asks its peers for theirs. */
  minPeers?: number;
  /** Hard cap on connections (dialled, handshaking and authenticated); extra candidates are refused. */
  maxPeers?: number;
  /** First reconnect delay (ms); doubles per failed attempt, with jitter. */
  reconnectBaseMs?: number;
  /** Largest reconnect delay (ms). */
  reconnectMaxMs?: number;
  /** A peer not seen alive (by us or by a peer's exchange) for this long is forgotten: no more reconnects. */
  forgetAfterMs?: number;
  /** A peer sending more than this many malformed or unexpected frames within the window is dropped. */
  malformedLimit?: number;
  malformedWindowMs?: number;
  /** How long new connections from a peer dropped for flooding are refused (ms). */
  banMs?: number;
  /** The protocol version spoken; only tests set it, to play an older or newer node. */
  protocolVersion?: number;
  /** Source of jitter; tests may pass a seeded one. */
  random?: () => number;
  /** Where refusals and dropped frames are reported; defaults to `console`. */
  logger?: Pick<Console, 'warn'>;
}

/**
 * Defaults, each with its reason (EXAMPLES §3). Timings follow DESIGN §14 where it names them.
 */
export const MEMBERSHIP_DEFAULTS = Object.freeze({
  /** DESIGN §14; a dead peer is declared after 3 missed beats, 30–40 s. */
  heartbeatInterval: 10_000,
  /** A WebRTC connection through the signaling server forms in ~70 ms here (DESIGN §11); 15 s covers slow ICE/TURN. */
  connectTimeout: 15_000,
  /** Two HMACs and four small frames; 10 s is generous even for a tab throttled in the background. */
  handshakeTimeout: 10_000,
  /** DESIGN §14 `discoveryInterval`. */
  peerExchangeInterval: 30_000,
  /** Enough that one peer leaving never isolates a node. */
  minPeers: 3,
  /** DESIGN §14 and the signaling server's room size: by default the whole room is one full mesh. */
  maxPeers: 50,
  reconnectBaseMs: 1_000,
  /** Matches `discoveryInterval`: a healed partition reconnects within about one discovery round. */
  reconnectMaxMs: 30_000,
  /** 5 min: a reloaded tab (same node id from sessionStorage) or a healed partition comes back well within it. */
  forgetAfterMs: 300_000,
  /** The mesh issue's "> 20 in a window": a buggy or hostile peer, not an unlucky one. */
  malformedLimit: 20,
  malformedWindowMs: 60_000,
  banMs: 60_000,
});

/** Suspect after one interval with nothing heard from the peer (mesh issue). */
export const SUSPECT_AFTER_MISSED = 1;
/** Dead after three intervals with nothing heard (DESIGN §7). */
export const DEAD_AFTER_MISSED = 3;
/** RTT smoothing factor, as TCP's SRTT (RFC 6298: 1/8). */
export const RTT_ALPHA = 1 / 8;
/**
 * Frames a peer may send between its handshake-reply and the end of our verification (it may
 * finish first and start talking); replayed after. The window is one HMAC verification, so these
 * bounds are only ever reached by a misbehaving peer.
 */
export const MAX_EARLY_FRAMES = 1024;
export const MAX_EARLY_BYTES = 16 * 1024 * 1024;
/** Ids kept for reconnecting and dialling; bounds memory against a peer exchange flood. */
export const MAX_KNOWN_PEERS = 1024;
/** Heartbeats awaiting an ack per peer; older ones no longer yield an RTT sample. */
export const MAX_OUTSTANDING_HEARTBEATS = 4;
