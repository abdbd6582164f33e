import { fromBase64Url, toBase64Url } from './base64url.ts';

/**
 * Room secrets and the keys derived from them (DESIGN §7). The secret travels only in the link's
 * fragment (`#room=<id>&key=<secret>`), which browsers never send to a server. The server sees the
 * room id, a truncated SHA-256 of the secret; HKDF keys are independent of that hash, so knowing
 * the id does not help to read or forge signal payloads.
 */

/** 128 random bits: the secret cannot be guessed from its (public to the server) room id. */
const SECRET_BYTES = 16;
/** A secret shorter than this cannot hold 128 bits of base64url; refuse it rather than weaken the room. */
const MIN_SECRET_CHARS = 22;
const ROOM_ID_CHARS = 22;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bumped if the derivation changes, so old and new clients fail loudly instead of mis-decrypting. */
const HKDF_SALT = utf8('peerlake-room-v1');
const SIGNAL_INFO = utf8('peerlake signal payload key');
const AUTH_INFO = utf8('peerlake membership auth key');

export interface RoomKeys {
  /** `base64url(SHA-256(secret))[0..22]`: what the signaling server sees. */
  roomId: string;
  /** AES-GCM-256 for signal payloads ({@link sealSignal} / {@link openSignal}). */
  signalKey: CryptoKey;
  /** HMAC-SHA-256 for the membership handshake's challenge-response. */
  authKey: CryptoKey;
}

/** Who a sealed payload is from and for; bound as additional authenticated data. */
export interface SignalRoute {
  roomId: string;
  from: string;
  to: string;
}

/** Thrown by {@link deriveRoomKeys} for a secret too short to be one of ours. */
export class RoomSecretError extends Error {
  constructor() {
    super(`A room secret must be at least ${MIN_SECRET_CHARS} base64url characters (128 bits).`);
    this.name = 'RoomSecretError';
  }
}

/** A fresh room secret (128 bits, base64url); called when a tab opens without a room. */
export function newRoomSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** Called once per room by the composition root; the keys are not extractable. */
export async function deriveRoomKeys(secret: string): Promise<RoomKeys> {
  if (secret.length < MIN_SECRET_CHARS) throw new RoomSecretError();
  const bytes = utf8(secret);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const material = await crypto.subtle.importKey('raw', bytes, 'HKDF', false, ['deriveKey']);
  const hkdf = (info: Uint8Array<ArrayBuffer>): HkdfParams => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: HKDF_SALT,
    info,
  });
  const [signalKey, authKey] = await Promise.all([
    crypto.subtle.deriveKey(hkdf(SIGNAL_INFO), material, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]),
    crypto.subtle.deriveKey(
      hkdf(AUTH_INFO),
      material,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign', 'verify'],
    ),
  ]);
  return { roomId: toBase64Url(digest).slice(0, ROOM_ID_CHARS), signalKey, authKey };
}

/**
 * Encrypts a signal payload for one recipient: base64url(IV ‖ ciphertext ‖ tag), with a random
 * 96-bit IV per message. The route is authenticated, so a relay that re-addresses the payload to
 * another peer, claims another sender, or moves it to another room makes it fail to open.
 */
export async function sealSignal(key: CryptoKey, route: SignalRoute, payload: object): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const params = { name: 'AES-GCM', iv, additionalData: routeBytes(route) };
  const sealed = new Uint8Array(await crypto.subtle.encrypt(params, key, utf8(JSON.stringify(payload))));
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return toBase64Url(out);
}

/** The payload, or `undefined` if `sealed` was not sealed for this route with this key (or is junk). */
export async function openSignal(
  key: CryptoKey,
  route: SignalRoute,
  sealed: string,
): Promise<object | undefined> {
  const bytes = fromBase64Url(sealed);
  if (!bytes || bytes.byteLength < IV_BYTES + TAG_BYTES) return undefined;
  let plain: ArrayBuffer;
  try {
    const params = { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: routeBytes(route) };
    plain = await crypto.subtle.decrypt(params, key, bytes.subarray(IV_BYTES));
  } catch {
    // OperationError: wrong key, wrong route, or tampered bytes. All mean "not for us".
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    // Authentic but not JSON: a peer with the key and a bug. Still not deliverable.
    return undefined;
  }
  return typeof value === 'object' && value !== null ? value : undefined;
}

/** Unambiguous: ids cannot contain the quotes and commas JSON puts between them. */
function routeBytes(r: SignalRoute): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify(['peerlake-signal-v1', r.roomId, r.from, r.to]));
}

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}
