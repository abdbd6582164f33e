import { MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './wire.ts';

/**
 * Splitting and reassembly of transport messages over one ordered, reliable data channel
 * (DESIGN §7, §11). Every data-channel message is one fragment:
 *
 * ```
 * byte 0    kind: WHOLE (0), FIRST (1) or NEXT (2)
 * FIRST:    bytes 1..4 = total message length (uint32, big-endian), then the first part
 * WHOLE:    the message;  NEXT: the next part
 * ```
 *
 * A message ends when its parts add up to the announced length, so there is no "last" marker.
 * Fragments of one channel never interleave (the sender finishes a message before it starts the
 * next), and each channel has its own {@link Reassembler}.
 */

/**
 * Largest data-channel message we send, header included. Chromium accepts up to 262,144 bytes,
 * and simple-peer destroys the whole connection with `ERR_DATA_CHANNEL` on anything larger
 * (DESIGN §11); 64 KiB is the portable size DESIGN §7 asks for and ran as fast as 256 KiB here.
 */
export const FRAGMENT_BYTES = 64 * 1024;
/**
 * Largest message the transport carries: the largest frame membership can encode (wire.ts: a
 * 64 MiB chunk-response plus its header). A peer announcing more is broken or hostile.
 */
export const MAX_MESSAGE_BYTES = 3 + MAX_HEADER_BYTES + MAX_PAYLOAD_BYTES;

const WHOLE = 0;
const FIRST = 1;
const NEXT = 2;
const FIRST_HEADER = 5;

/** How many fragments a message of `length` bytes takes. */
export function fragmentCount(length: number): number {
  if (length + 1 <= FRAGMENT_BYTES) return 1;
  return 1 + Math.ceil((length - (FRAGMENT_BYTES - FIRST_HEADER)) / (FRAGMENT_BYTES - 1));
}

/**
 * The fragment of `message` that starts at byte `offset` (0 for the first), as a fresh array the
 * channel may keep; returns it with the offset of the next fragment (`message.length` at the end).
 */
export function nextFragment(message: Uint8Array, offset: number): { fragment: Uint8Array; next: number } {
  const total = message.byteLength;
  if (offset === 0 && total + 1 <= FRAGMENT_BYTES) {
    const fragment = new Uint8Array(total + 1);
    fragment[0] = WHOLE;
    fragment.set(message, 1);
    return { fragment, next: total };
  }
  const header = offset === 0 ? FIRST_HEADER : 1;
  const end = Math.min(total, offset + FRAGMENT_BYTES - header);
  const fragment = new Uint8Array(header + end - offset);
  if (offset === 0) {
    fragment[0] = FIRST;
    new DataView(fragment.buffer).setUint32(1, total);
  } else {
    fragment[0] = NEXT;
  }
  fragment.set(message.subarray(offset, end), header);
  return { fragment, next: end };
}

/** A fragment that cannot follow what came before: the peer's framing is broken. */
export class FramingError extends Error {
  override name = 'FramingError';
}

/**
 * Rebuilds messages from one channel's fragments. Memory is bounded by what actually arrived
 * (parts are kept and joined at the end), never by the length a peer announces.
 */
export class Reassembler {
  #parts: Uint8Array[] = [];
  #expected = 0;
  #received = 0;

  /**
   * Takes one data-channel message; returns the completed message, or `undefined` while one is
   * still being assembled. The returned bytes are a view of `data` or a fresh array: never
   * shared with anything else.
   * @throws FramingError for a fragment that does not fit (the caller disconnects the peer).
   */
  push(data: ArrayBuffer): Uint8Array | undefined {
    const bytes = new Uint8Array(data);
    const kind = bytes[0];
    if (bytes.byteLength > FRAGMENT_BYTES) throw new FramingError(`fragment of ${bytes.byteLength} bytes`);
    if (kind === WHOLE || kind === FIRST) {
      if (this.#expected !== 0) throw new FramingError('a new message started inside another');
      if (kind === WHOLE) return bytes.subarray(1);
      if (bytes.byteLength <= FIRST_HEADER) throw new FramingError('empty first fragment');
      const total = new DataView(data).getUint32(1);
      if (total + 1 <= FRAGMENT_BYTES || total > MAX_MESSAGE_BYTES) {
        throw new FramingError(`announced length ${total} is out of bounds`);
      }
      this.#expected = total;
      return this.#add(bytes.subarray(FIRST_HEADER));
    }
    if (kind === NEXT) {
      if (this.#expected === 0) throw new FramingError('a continuation without a first fragment');
      if (bytes.byteLength === 1) throw new FramingError('empty continuation');
      return this.#add(bytes.subarray(1));
    }
    throw new FramingError(`unknown fragment kind ${String(kind)}`);
  }

  #add(part: Uint8Array): Uint8Array | undefined {
    this.#received += part.byteLength;
    if (this.#received > this.#expected) {
      throw new FramingError(`message longer than its announced ${this.#expected} bytes`);
    }
    this.#parts.push(part);
    if (this.#received < this.#expected) return undefined;
    const out = new Uint8Array(this.#expected);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    this.#parts = [];
    this.#expected = 0;
    this.#received = 0;
    return out;
  }
}
