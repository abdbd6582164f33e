/**
 * The signaling relay's frame protocol (DESIGN §7), shared by the server
 * (signaling-server/SignalingRelay.ts) and the browser client (SignalingClient.ts). JSON text
 * frames, one object each, discriminated on `type`. Both sides treat the other's frames as
 * untrusted: every parse is guarded and every field is checked, so a bad frame yields `undefined`
 * or an error code, never an exception.
 */

/** The WebSocket path on the app's origin. */
export const SIGNAL_PATH = '/signal';
/** `base64url(SHA-256(roomSecret))[0..22]` (src/net/roomCrypto.ts): 132 bits, so ids do not collide. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** Node ids are UUIDs; any base64url-ish id of sane length is accepted. */
export const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Sealed payloads are base64url (IV + AES-GCM ciphertext); the server never looks inside. */
const PAYLOAD_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Characters of one sealed payload: leaves room for the envelope under the 64 KiB frame cap. */
export const MAX_SIGNAL_PAYLOAD = 60 * 1024;
/** A `joined` list longer than this is not from our server (its `maxPeers` is far lower). */
const MAX_MEMBERS = 10_000;

/**
 * Every `code` the relay reports, with the message its `error` frame carries. The metrics label is
 * the lower-case code. `OVERSIZE` and `PROTOCOL_ERROR` are refused by ws before the relay sees the
 * frame, so they arrive as close codes 1009 and 1002/1007 instead of a frame; `DEAD` and
 * `SLOW_READER` sockets are cut without one, since they are not listening.
 */
export const SIGNAL_ERRORS = {
  BAD_JSON: 'Frame is not a JSON object.',
  BAD_FRAME: 'Frame fields are missing or invalid.',
  UNKNOWN_TYPE: 'Unknown frame type.',
  BINARY_FRAME: 'Only text frames are accepted.',
  OVERSIZE: 'Frame exceeds the size limit.',
  PROTOCOL_ERROR: 'WebSocket protocol error.',
  NOT_JOINED: 'Join a room first.',
  ALREADY_JOINED: 'This connection already joined a room.',
  UNKNOWN_PEER: 'No such member in this room.',
  RATE_LIMITED: 'Too many frames; slow down.',
  IP_LIMIT: 'Too many connections from this address.',
  ROOM_FULL: 'The room is full.',
  HANDSHAKE_TIMEOUT: 'No join in time.',
  IDLE_TIMEOUT: 'Idle too long.',
  DEAD: 'No pong to the last ping.',
  SLOW_READER: 'Not reading frames.',
  REPLACED: 'Another connection joined with this peer id.',
} as const;
export type SignalErrorCode = keyof typeof SIGNAL_ERRORS;
export const SIGNAL_ERROR_CODES = Object.keys(SIGNAL_ERRORS) as SignalErrorCode[];

/** Client → server. */
export type ClientFrame =
  | { type: 'join'; room: string; peerId: string }
  | { type: 'signal'; to: string; payload: string }
  | { type: 'leave' }
  | { type: 'ping' };

/** Server → client. `from` of a `signal` is the sender's joined id, set by the server. */
export type ServerFrame =
  | { type: 'joined'; room: string; peers: string[] }
  | { type: 'peer-joined'; peerId: string }
  | { type: 'peer-left'; peerId: string }
  | { type: 'signal'; from: string; payload: string }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

const isPeerId = (v: unknown): v is string => typeof v === 'string' && PEER_ID_PATTERN.test(v);
const isRoomId = (v: unknown): v is string => typeof v === 'string' && ROOM_ID_PATTERN.test(v);
const isPayload = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= MAX_SIGNAL_PAYLOAD && PAYLOAD_PATTERN.test(v);

/** Called by the relay on each text frame: a checked frame, or the error code to answer with. */
export function parseClientFrame(text: string): ClientFrame | SignalErrorCode {
  const o = parseObject(text);
  if (o === undefined) return 'BAD_JSON';
  switch (o.type) {
    case 'join':
      return isRoomId(o.room) && isPeerId(o.peerId)
        ? { type: 'join', room: o.room, peerId: o.peerId }
        : 'BAD_FRAME';
    case 'signal':
      return isPeerId(o.to) && isPayload(o.payload)
        ? { type: 'signal', to: o.to, payload: o.payload }
        : 'BAD_FRAME';
    case 'leave':
    case 'ping':
      return { type: o.type };
    default:
      return typeof o.type === 'string' ? 'UNKNOWN_TYPE' : 'BAD_FRAME';
  }
}

/** Called by the client on each frame from the server; `undefined` for anything malformed. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  const o = parseObject(text);
  switch (o?.type) {
    case 'joined':
      return isRoomId(o.room) &&
        Array.isArray(o.peers) &&
        o.peers.length <= MAX_MEMBERS &&
        o.peers.every(isPeerId)
        ? { type: 'joined', room: o.room, peers: o.peers }
        : undefined;
    case 'peer-joined':
    case 'peer-left':
      return isPeerId(o.peerId) ? { type: o.type, peerId: o.peerId } : undefined;
    case 'signal':
      return isPeerId(o.from) && isPayload(o.payload)
        ? { type: 'signal', from: o.from, payload: o.payload }
        : undefined;
    case 'pong':
      return { type: 'pong' };
    case 'error':
      return typeof o.code === 'string' && typeof o.message === 'string'
        ? { type: 'error', code: o.code.slice(0, 64), message: o.message.slice(0, 500) }
        : undefined;
    default:
      return undefined;
  }
}

/** A JSON object (not an array or null), or `undefined` for anything else, including bad JSON. */
function parseObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Untrusted input: any parse failure (syntax, or a RangeError from absurd nesting) is "bad JSON".
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
