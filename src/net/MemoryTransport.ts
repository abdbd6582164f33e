import type { NodeId } from '../types.ts';
import { Emitter } from './Emitter.ts';
import { NetError } from './NetError.ts';
import type { Channel, Transport, TransportEvents } from './Transport.ts';

/** Hands one event to a transport's listeners; the hub calls it from a microtask or timer. */
export type MemoryDeliver = <K extends keyof TransportEvents>(event: K, payload: TransportEvents[K]) => void;

/**
 * One node's attachment to a {@link MemoryHub}: the verbs of {@link Transport}, already bound to the
 * local id. Implemented by MemoryNetwork.
 */
export interface MemoryPort {
  connect(peerId: NodeId): void;
  /** Queues `bytes` for `peerId`; false if there is no open connection from this side. */
  send(peerId: NodeId, bytes: Uint8Array, channel: Channel): boolean;
  disconnect(peerId: NodeId, reason: string): void;
  connected(): NodeId[];
  /** Closes every connection, then delivers `close`. */
  close(reason: string): void;
}

/** What a MemoryTransport needs from the in-process network it lives on (MemoryNetwork). */
export interface MemoryHub {
  /** Called once by the MemoryTransport constructor. Throws if `id` is already attached. */
  attach(id: NodeId, deliver: MemoryDeliver): MemoryPort;
}

/**
 * The in-process {@link Transport}: real connections, real (copied) bytes, delivered on
 * microtasks, with the faults its MemoryNetwork injects. It drives the membership unit tests and
 * the many-node integration tests in Node, and passes the same contract suite as WebRtcTransport
 * (test/contracts/transport.contract.ts).
 *
 * Create it with `network.createTransport(id)`; the class is a thin adapter and the network
 * (src/net/MemoryNetwork.ts) holds the links, the queues and the faults.
 *
 * @remarks Like the WebRTC transport it accepts messages of any size and delivers them whole (it
 * never needs to split them, there being no 64 KiB data-channel limit in memory). `send` resolves
 * at once: there is no backpressure in memory.
 */
export class MemoryTransport implements Transport {
  readonly localId: NodeId;
  readonly #events = new Emitter<TransportEvents>();
  readonly #port: MemoryPort;
  #closed = false;

  constructor(localId: NodeId, hub: MemoryHub) {
    this.localId = localId;
    this.#port = hub.attach(localId, (event, payload) => this.#events.emit(event, payload));
  }

  on<K extends keyof TransportEvents>(event: K, handler: (e: TransportEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  /**
   * Opens a connection; both sides get `peer-candidate` on a microtask. Idempotent. An unknown or
   * closed peer gets `peer-disconnected` with reason `unreachable`; a peer across a partition gets
   * nothing (like an ICE attempt that never completes): the caller's timeout notices.
   * @throws NetError `TRANSPORT_CLOSED` after {@link close}.
   */
  connect(peerId: NodeId): void {
    if (this.#closed) throw new NetError('TRANSPORT_CLOSED', `transport ${this.localId} is closed`);
    this.#port.connect(peerId);
  }

  send(peerId: NodeId, bytes: Uint8Array, channel: Channel = 'control'): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new NetError('TRANSPORT_CLOSED', `transport ${this.localId} is closed`));
    }
    if (!this.#port.send(peerId, bytes, channel)) {
      return Promise.reject(new NetError('NOT_CONNECTED', `${this.localId} has no connection to ${peerId}`));
    }
    return Promise.resolve();
  }

  disconnect(peerId: NodeId, reason = 'disconnected'): void {
    if (!this.#closed) this.#port.disconnect(peerId, reason);
  }

  connected(): NodeId[] {
    return this.#closed ? [] : this.#port.connected();
  }

  /** Every peer gets `peer-disconnected`; this transport emits `peer-disconnected` for each, then `close`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.close('closed');
  }
}
