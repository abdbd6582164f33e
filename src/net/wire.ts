import { Decoder, Encoder } from '@msgpack/msgpack';
import type { DeviceId, NodeId } from '../types.ts';
import { NetError } from './NetError.ts';
import type { Channel } from './Transport.ts';

/**
 * The mesh wire format (DESIGN §7). Membership (src/net/Membership.ts) is the only caller: it
 * encodes every frame it sends and decodes every frame a transport delivers, so validation
 * happens once, here, for every transport (EXAMPLES §2).
 *
 * A frame is
 *
 * ```
 * byte 0      FRAME_MAGIC (0x50, 'P')
 * bytes 1..2  header length H, big-endian, 1..MAX_HEADER_BYTES
 * 3..3+H      msgpack map {t: type, v: protocol version, ...fields of that type}
 * 3+H..       payload bytes (only the types that carry data have any)
 * ```
 *
 * @remarks The magic byte, the length prefix and the `t`/`v` keys are fixed forever, so a node
 * can always tell "a newer protocol" (decode reason `version`, with the peer's version) from
 * "garbage". Within one version the header is strict: unknown keys, missing keys and values out
 * of bounds are rejected, so any header change is a {@link PROTOCOL_VERSION} bump.
 */
export const PROTOCOL_VERSION = 1;

/** First byte of every frame: rejects most garbage before msgpack sees it. */
export const FRAME_MAGIC = 0x50;
const PREFIX_BYTES = 3;
/** Headers are small by design; the largest valid one (64 ids of 64 characters in a peer exchange) is about 4.2 KiB. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** The largest payload: the largest `chunkSize` the config allows (64 MiB), as one chunk-response. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Handshake challenge size: 256 bits of `crypto.getRandomValues`. */
export const NONCE_BYTES = 32;
/** HMAC-SHA-256 output. */
export const PROOF_BYTES = 32;
/** Ids per peer-exchange frame; rooms are capped at `maxPeers` (50 by default) anyway. */
export const MAX_EXCHANGE_PEERS = 64;
export const MAX_CAPABILITIES = 16;
/** Node and device ids: UUIDs in practice; same alphabet as the signaling relay's peer ids. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Request ids of the request/response types (chunk and query). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Capability names, e.g. `sql`, `store`, `relay`. */
export const CAPABILITY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/;
const UINT32_MAX = 0xffff_ffff;

// ---- control messages: handled inside membership, never delivered to later layers ----

/** First frame on every new connection, from both sides. The header's `v` is the protocol version. */
export interface HandshakeMessage {
  type: 'handshake';
  nodeId: NodeId;
  deviceId: DeviceId;
  capabilities: string[];
  /** Fresh random challenge; the peer must answer with an HMAC over it (src/net/HandshakeAuth.ts). */
  nonce: Uint8Array;
}
/** Answer to the peer's handshake: HMAC-SHA-256 with the room auth key over both ids and both nonces. */
export interface HandshakeReplyMessage {
  type: 'handshake-reply';
  proof: Uint8Array;
}
/** Sent every `heartbeatInterval` to each authenticated peer. */
export interface HeartbeatMessage {
  type: 'heartbeat';
  seq: number;
  /** Sender's clock (ms); only the sender interprets it. */
  sentAt: number;
}
/** Echo of a heartbeat, so the sender can measure RTT. */
export interface HeartbeatAckMessage {
  type: 'heartbeat-ack';
  seq: number;
  sentAt: number;
}
/** Members the sender is connected to. `pull` asks the receiver to answer with its own list. */
export interface PeerExchangeMessage {
  type: 'peer-exchange';
  peers: NodeId[];
  pull: boolean;
}

// ---- application messages: reserved for later issues; membership delivers them as 'message' ----
// Their headers are deliberately minimal (a request id where one is needed); the content is the
// payload, encoded by the layer that owns the type.

/** Catalog CRDT sync (catalog issue). */
export interface CatalogSyncMessage {
  type: 'catalog-sync';
  payload: Uint8Array;
}
/** A new or changed dataset (catalog issue). */
export interface DatasetAnnouncementMessage {
  type: 'dataset-announcement';
  payload: Uint8Array;
}
/** Ask a peer for chunks (replication issue). */
export interface ChunkRequestMessage {
  type: 'chunk-request';
  id: string;
  payload: Uint8Array;
}
/** Chunk bytes for a request (replication issue). */
export interface ChunkResponseMessage {
  type: 'chunk-response';
  id: string;
  payload: Uint8Array;
}
/** A distributed query, coordinator → worker (query issue). */
export interface QueryRequestMessage {
  type: 'query-request';
  id: string;
  payload: Uint8Array;
}
/** One plan fragment of a query (query issue). */
export interface QueryFragmentMessage {
  type: 'query-fragment';
  id: string;
  payload: Uint8Array;
}
/** Partial or final results of a query (query issue). */
export interface QueryResponseMessage {
  type: 'query-response';
  id: string;
  payload: Uint8Array;
}
/** Stop a query (query issue). */
export interface QueryCancelMessage {
  type: 'query-cancel';
  id: string;
  payload: Uint8Array;
}

export type ControlMessage =
  HandshakeMessage | HandshakeReplyMessage | HeartbeatMessage | HeartbeatAckMessage | PeerExchangeMessage;
export type AppMessage =
  | CatalogSyncMessage
  | DatasetAnnouncementMessage
  | ChunkRequestMessage
  | ChunkResponseMessage
  | QueryRequestMessage
  | QueryFragmentMessage
  | QueryResponseMessage
  | QueryCancelMessage;
export type WireMessage = ControlMessage | AppMessage;
export type WireMessageType = WireMessage['type'];
export type AppMessageType = AppMessage['type'];
/** The header fields a later layer supplies for an application message (see `Membership.send`). */
export type AppHeader<T extends AppMessageType> = Omit<Extract<AppMessage, { type: T }>, 'type' | 'payload'>;

// ---- one guard per type (EXAMPLES §3) ----

export const isHandshake = (m: WireMessage): m is HandshakeMessage => m.type === 'handshake';
export const isHandshakeReply = (m: WireMessage): m is HandshakeReplyMessage => m.type === 'handshake-reply';
export const isHeartbeat = (m: WireMessage): m is HeartbeatMessage => m.type === 'heartbeat';
export const isHeartbeatAck = (m: WireMessage): m is HeartbeatAckMessage => m.type === 'heartbeat-ack';
export const isPeerExchange = (m: WireMessage): m is PeerExchangeMessage => m.type === 'peer-exchange';
export const isCatalogSync = (m: WireMessage): m is CatalogSyncMessage => m.type === 'catalog-sync';
export const isDatasetAnnouncement = (m: WireMessage): m is DatasetAnnouncementMessage =>
  m.type === 'dataset-announcement';
export const isChunkRequest = (m: WireMessage): m is ChunkRequestMessage => m.type === 'chunk-request';
export const isChunkResponse = (m: WireMessage): m is ChunkResponseMessage => m.type === 'chunk-response';
export const isQueryRequest = (m: WireMessage): m is QueryRequestMessage => m.type === 'query-request';
export const isQueryFragment = (m: WireMessage): m is QueryFragmentMessage => m.type === 'query-fragment';
export const isQueryResponse = (m: WireMessage): m is QueryResponseMessage => m.type === 'query-response';
export const isQueryCancel = (m: WireMessage): m is QueryCancelMessage => m.type === 'query-cancel';
/** True for the types membership hands to later layers. */
export const isAppMessage = (m: WireMessage): m is AppMessage => SPECS[m.type].payload;

/**
 * The channel an application message travels on unless the caller says otherwise: requests and
 * small coordination on `control`, bulk data on `bulk`, so a chunk transfer never delays a
 * heartbeat or a cancel.
 */
export const DEFAULT_CHANNEL: Readonly<Record<AppMessageType, Channel>> = {
  'catalog-sync': 'control',
  'dataset-announcement': 'control',
  'chunk-request': 'control',
  'chunk-response': 'bulk',
  'query-request': 'control',
  'query-fragment': 'control',
  'query-response': 'bulk',
  'query-cancel': 'control',
};

// ---- validation ----

type Check = (v: unknown) => boolean;
const isId: Check = (v) => typeof v === 'string' && ID_PATTERN.test(v);
const isRequestId: Check = (v) => typeof v === 'string' && REQUEST_ID_PATTERN.test(v);
const isUint32: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= UINT32_MAX;
const isTime: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isBool: Check = (v) => typeof v === 'boolean';
const isBytes =
  (n: number): Check =>
  (v) =>
    v instanceof Uint8Array && v.byteLength === n;
const isDistinctList =
  (max: number, item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.length <= max && v.every(item) && new Set(v).size === v.length;
const isCapability: Check = (v) => typeof v === 'string' && CAPABILITY_PATTERN.test(v);

interface Spec {
  /** Every header field besides `t` and `v`; all are required. */
  fields: Readonly<Record<string, Check>>;
  /** Whether the frame may carry payload bytes (true exactly for application messages). */
  payload: boolean;
}
const withId: Spec = { fields: { id: isRequestId }, payload: true };
const SPECS: Readonly<Record<WireMessageType, Spec>> = {
  handshake: {
    fields: {
      nodeId: isId,
      deviceId: isId,
      capabilities: isDistinctList(MAX_CAPABILITIES, isCapability),
      nonce: isBytes(NONCE_BYTES),
    },
    payload: false,
  },
  'handshake-reply': { fields: { proof: isBytes(PROOF_BYTES) }, payload: false },
  heartbeat: { fields: { seq: isUint32, sentAt: isTime }, payload: false },
  'heartbeat-ack': { fields: { seq: isUint32, sentAt: isTime }, payload: false },
  'peer-exchange': {
    fields: { peers: isDistinctList(MAX_EXCHANGE_PEERS, isId), pull: isBool },
    payload: false,
  },
  'catalog-sync': { fields: {}, payload: true },
  'dataset-announcement': { fields: {}, payload: true },
  'chunk-request': withId,
  'chunk-response': withId,
  'query-request': withId,
  'query-fragment': withId,
  'query-response': withId,
  'query-cancel': withId,
};

/** Why a frame was rejected; membership counts these per peer. */
export type DecodeFailure =
  | 'too-short'
  | 'too-large'
  | 'bad-magic'
  | 'bad-header'
  | 'version'
  | 'unknown-type'
  | 'bad-field'
  | 'unexpected-payload';

export type DecodeResult =
  | { ok: true; message: WireMessage }
  /** `version` is the peer's protocol version when `reason` is `'version'`. */
  | { ok: false; reason: DecodeFailure; detail: string; version?: number };

/** Bounds msgpack itself, so a hostile header cannot make it allocate: nothing valid is larger. */
const decoder = new Decoder({
  maxStrLength: 256,
  maxBinLength: Math.max(NONCE_BYTES, PROOF_BYTES),
  maxArrayLength: MAX_EXCHANGE_PEERS,
  maxMapLength: 16,
  maxExtLength: 0,
});
const encoder = new Encoder();

const fail = (reason: DecodeFailure, detail: string, version?: number): DecodeResult =>
  version === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, version };

/** Checks a decoded header against its type's spec; returns the problem, or undefined. */
function checkFields(spec: Spec, header: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(header)) {
    if (key !== 't' && key !== 'v' && !Object.hasOwn(spec.fields, key)) return `unknown field "${key}"`;
  }
  for (const [key, check] of Object.entries(spec.fields)) {
    if (!Object.hasOwn(header, key)) return `missing field "${key}"`;
    if (!check(header[key])) return `invalid field "${key}"`;
  }
  return undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * Decodes and validates one frame. Called by membership for every transport `message` event.
 * Never throws: bad input of any kind yields `{ ok: false, reason }`.
 *
 * @param expectedVersion the protocol version this node speaks (tests pass another one to play an
 *   old or new node).
 * @remarks `payload` is a view into `bytes`, not a copy; binary header fields are copied.
 */
export function decode(bytes: Uint8Array, expectedVersion: number = PROTOCOL_VERSION): DecodeResult {
  if (!(bytes instanceof Uint8Array)) return fail('bad-header', 'not bytes');
  if (bytes.byteLength < PREFIX_BYTES) return fail('too-short', `${bytes.byteLength} bytes`);
  if (bytes[0] !== FRAME_MAGIC) return fail('bad-magic', `first byte ${bytes[0]}`);
  const headerBytes = ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0);
  if (headerBytes === 0 || headerBytes > MAX_HEADER_BYTES) {
    return fail('bad-header', `header length ${headerBytes}`);
  }
  const payloadStart = PREFIX_BYTES + headerBytes;
  if (bytes.byteLength < payloadStart) return fail('too-short', `header of ${headerBytes} bytes is cut off`);
  const payloadBytes = bytes.byteLength - payloadStart;
  if (payloadBytes > MAX_PAYLOAD_BYTES) return fail('too-large', `payload of ${payloadBytes} bytes`);

  let header: unknown;
  try {
    header = decoder.decode(bytes.subarray(PREFIX_BYTES, payloadStart));
  } catch (err) {
    return fail('bad-header', `msgpack: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isPlainObject(header)) return fail('bad-header', 'header is not a map');
  const { t, v } = header;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) {
    return fail('bad-header', 'missing or invalid protocol version');
  }
  if (v !== expectedVersion) return fail('version', `protocol ${v}, expected ${expectedVersion}`, v);
  if (typeof t !== 'string' || !Object.hasOwn(SPECS, t)) {
    return fail('unknown-type', typeof t === 'string' ? `type "${t.slice(0, 40)}"` : `type is a ${typeof t}`);
  }
  const type = t as WireMessageType;
  const spec = SPECS[type];
  const problem = checkFields(spec, header);
  if (problem) return fail('bad-field', `${type}: ${problem}`);
  if (!spec.payload && payloadBytes > 0) return fail('unexpected-payload', `${type} carries no payload`);

  const message: Record<string, unknown> = { type };
  for (const key of Object.keys(spec.fields)) {
    const value = header[key];
    message[key] = value instanceof Uint8Array ? value.slice() : value;
  }
  if (spec.payload) message.payload = bytes.subarray(payloadStart);
  return { ok: true, message: message as unknown as WireMessage };
}

/**
 * Encodes one message as a frame. Called by membership for every frame it sends.
 *
 * @throws NetError `INVALID_MESSAGE` if the message would not pass {@link decode} (out-of-bounds
 *   fields are a bug in the caller, so they fail loudly at the sender).
 */
export function encode(message: WireMessage, version: number = PROTOCOL_VERSION): Uint8Array {
  const { type } = message;
  const spec = Object.hasOwn(SPECS, type) ? SPECS[type] : undefined;
  if (!spec) throw new NetError('INVALID_MESSAGE', `unknown message type ${JSON.stringify(type)}`);
  const header: Record<string, unknown> = { t: type, v: version };
  let payload: Uint8Array = new Uint8Array(0);
  for (const [key, value] of Object.entries(message)) {
    if (key === 'type') continue;
    if (key === 'payload' && spec.payload) {
      if (!(value instanceof Uint8Array))
        throw new NetError('INVALID_MESSAGE', `${type}: payload is not bytes`);
      payload = value;
    } else header[key] = value;
  }
  const problem = checkFields(spec, header);
  if (problem) throw new NetError('INVALID_MESSAGE', `${type}: ${problem}`);
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    throw new NetError('INVALID_MESSAGE', `${type}: payload of ${payload.byteLength} bytes is too large`);
  }
  const head = encoder.encode(header);
  if (head.byteLength > MAX_HEADER_BYTES) {
    throw new NetError('INVALID_MESSAGE', `${type}: header of ${head.byteLength} bytes is too large`);
  }
  const frame = new Uint8Array(PREFIX_BYTES + head.byteLength + payload.byteLength);
  frame[0] = FRAME_MAGIC;
  frame[1] = head.byteLength >> 8;
  frame[2] = head.byteLength & 0xff;
  frame.set(head, PREFIX_BYTES);
  frame.set(payload, PREFIX_BYTES + head.byteLength);
  return frame;
}
