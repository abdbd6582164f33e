// Node-side stand-ins for WebRtcTransports that live in Chromium pages (test/e2e/browser/rtc.entry.ts),
// so the transport contract (chai, test/contracts/transport.contract.ts) drives real WebRTC with
// one browser context per peer.
import type { Page } from 'playwright-core';
import { Emitter } from '../../src/net/Emitter.ts';
import { NetError, type NetErrorCode } from '../../src/net/NetError.ts';
import type { Channel, Transport, TransportEvents } from '../../src/net/Transport.ts';
import type { NodeId } from '../../src/types.ts';
import type { RemoteError, RemoteEvent } from './browser/rtc.entry.ts';

/** Routes the pages' `rtcEvent` calls to the proxy of the transport that emitted them. */
export class RemoteRegistry {
  readonly #proxies = new Map<string, RemoteTransport>();

  /** Installs the `rtcEvent` binding in `page`; call before the entry script is added. */
  async attach(page: Page): Promise<void> {
    await page.exposeFunction('rtcEvent', (id: string, e: RemoteEvent) => this.#proxies.get(id)?.deliver(e));
  }

  /** Creates the transport `id` in `page` (joined to the room of `secret`) and returns its proxy. */
  async create(page: Page, id: NodeId, secret: string): Promise<RemoteTransport> {
    const proxy = new RemoteTransport(id, page);
    this.#proxies.set(id, proxy);
    await page.evaluate(([i, s]) => window.rtc.create(i, s), [id, secret] as const);
    return proxy;
  }
}

function toError(e: RemoteError): Error {
  if (e.name === 'NetError' && e.code) return new NetError(e.code as NetErrorCode, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/**
 * A {@link Transport} whose calls run in a page and whose events come back through the binding.
 * `connected()` is answered from the events seen so far, which is what the contract checks right
 * after awaiting them.
 */
export class RemoteTransport implements Transport {
  readonly localId: NodeId;
  readonly #page: Page;
  readonly #events = new Emitter<TransportEvents>();
  readonly #connected = new Set<NodeId>();
  #closed = false;

  constructor(localId: NodeId, page: Page) {
    this.localId = localId;
    this.#page = page;
  }

  deliver(e: RemoteEvent): void {
    switch (e.event) {
      case 'peer-candidate':
        this.#connected.add(e.payload.peerId);
        return this.#events.emit('peer-candidate', { peerId: e.payload.peerId });
      case 'peer-disconnected':
        this.#connected.delete(e.payload.peerId);
        return this.#events.emit('peer-disconnected', e.payload);
      case 'message':
        return this.#events.emit('message', {
          from: e.payload.from as NodeId,
          channel: e.payload.channel,
          bytes: new Uint8Array(Buffer.from(e.payload.b64, 'base64')),
        });
      case 'close':
        this.#connected.clear();
        return this.#events.emit('close', e.payload);
    }
  }

  on<K extends keyof TransportEvents>(event: K, handler: (e: TransportEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  connect(peerId: NodeId): void {
    if (this.#closed) throw new NetError('TRANSPORT_CLOSED', `transport ${this.localId} is closed`);
    this.#run(() =>
      this.#page.evaluate(([id, p]) => window.rtc.connect(id, p), [this.localId, peerId] as const),
    );
  }

  async send(peerId: NodeId, bytes: Uint8Array, channel: Channel = 'control'): Promise<void> {
    const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const err = await this.#page.evaluate(([id, p, b, c]) => window.rtc.send(id, p, b, c), [
      this.localId,
      peerId,
      b64,
      channel,
    ] as const);
    if (err) throw toError(err);
  }

  disconnect(peerId: NodeId, reason = 'disconnected'): void {
    this.#run(() =>
      this.#page.evaluate(([id, p, r]) => window.rtc.disconnect(id, p, r), [
        this.localId,
        peerId,
        reason,
      ] as const),
    );
  }

  connected(): NodeId[] {
    return [...this.#connected];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#run(() => this.#page.evaluate((id) => window.rtc.close(id), this.localId));
  }

  /** Fire-and-forget page calls keep the Transport's synchronous verbs; failures are reported. */
  #run(call: () => Promise<RemoteError | undefined | void>): void {
    call().then(
      (err) => {
        if (err) console.warn(`${this.localId}: ${err.message}`);
      },
      (err: unknown) => {
        if (!this.#page.isClosed()) console.warn(`${this.localId}: page call failed`, err);
      },
    );
  }
}
