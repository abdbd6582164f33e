import { nextFragment } from './fragment.ts';

/** The part of RTCDataChannel the sender uses (a fake in Node tests). */
export interface SendableChannel {
  readonly bufferedAmount: number;
  readonly readyState: RTCDataChannelState;
  send(data: Uint8Array<ArrayBuffer>): void;
  addEventListener(type: 'bufferedamountlow', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow', listener: () => void): void;
}

interface Outgoing {
  data: Uint8Array;
  offset: number;
  done: () => void;
  fail: (err: Error) => void;
}

/**
 * One data channel's send queue with backpressure (DESIGN §7): fragments go into the channel
 * while its `bufferedAmount` is under `highWater`; the rest waits for `bufferedamountlow`. A
 * message's promise resolves once its last fragment is in the channel, so a caller that awaits
 * each send never has more than about `highWater` bytes in flight.
 *
 * @remarks The `bufferedamountlow` listener stays registered for the channel's lifetime (DESIGN
 * §11: a listener added per wait was missed and writes stalled). The threshold that fires it
 * belongs to whoever created the channel: simple-peer sets 64 KiB on its own channel, and we must
 * not change it.
 */
export class ChannelSender {
  readonly #channel: SendableChannel;
  readonly #highWater: number;
  readonly #onError: (err: Error) => void;
  readonly #queue: Outgoing[] = [];
  readonly #pump = () => this.#flush();
  #failed: Error | undefined;
  #drained: (() => void)[] = [];

  /** `onError`: the channel refused a send (it closed, or its buffer overflowed): the session is broken. */
  constructor(channel: SendableChannel, highWater: number, onError: (err: Error) => void) {
    this.#channel = channel;
    this.#highWater = highWater;
    this.#onError = onError;
    channel.addEventListener('bufferedamountlow', this.#pump);
  }

  /** Bytes waiting in this queue (not yet handed to the channel). */
  get queued(): number {
    let n = 0;
    for (const m of this.#queue) n += m.data.byteLength - m.offset;
    return n;
  }

  /**
   * Queues one message; resolves when all of it is in the channel. `bytes` is not referenced
   * after this call returns: what could not be sent at once is copied.
   */
  send(bytes: Uint8Array): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise<void>((done, fail) => {
      const entry: Outgoing = { data: bytes, offset: 0, done, fail };
      this.#queue.push(entry);
      this.#flush();
      // Still queued: keep a private copy, so the caller may reuse its buffer at once.
      if (this.#queue.at(-1) === entry) entry.data = bytes.slice();
    });
  }

  /** Resolves once the queue is empty (everything handed to the channel), or the sender failed. */
  drained(): Promise<void> {
    if (this.#queue.length === 0 || this.#failed) return Promise.resolve();
    return new Promise((done) => this.#drained.push(done));
  }

  /** Rejects every queued message and refuses new ones; the listener is removed. Idempotent. */
  fail(err: Error): void {
    if (this.#failed) return;
    this.#failed = err;
    this.#channel.removeEventListener('bufferedamountlow', this.#pump);
    for (const m of this.#queue.splice(0)) m.fail(err);
    for (const done of this.#drained.splice(0)) done();
  }

  #flush(): void {
    const ch = this.#channel;
    while (!this.#failed && this.#queue.length > 0 && ch.bufferedAmount < this.#highWater) {
      if (ch.readyState !== 'open') return; // the session notices the close and fails us
      const head = this.#queue[0]!;
      const { fragment, next } = nextFragment(head.data, head.offset);
      try {
        ch.send(fragment as Uint8Array<ArrayBuffer>);
      } catch (err) {
        this.#onError(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      head.offset = next;
      if (next < head.data.byteLength) continue;
      this.#queue.shift();
      head.done();
    }
    if (this.#queue.length === 0) for (const done of this.#drained.splice(0)) done();
  }
}
