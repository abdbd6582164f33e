import type { NodeId } from '../types.ts';

/**
 * Traffic classes. Each has its own channel or queue so a bulk chunk transfer never delays a
 * heartbeat (mesh issue). `control`: handshake, heartbeats, membership, catalog; `bulk`: chunks
 * and query results.
 */
export type Channel = 'control' | 'bulk';

export interface TransportEvents {
  /** A connection to `peerId` is open and can carry messages. Not yet authenticated: the
   * membership layer runs the handshake before trusting it. */
  'peer-candidate': { peerId: NodeId };
  /** The connection to `peerId` closed or failed. */
  'peer-disconnected': { peerId: NodeId; reason: string };
  /** A whole message (already reassembled if it was split). */
  message: { from: NodeId; channel: Channel; bytes: Uint8Array };
  /** The transport shut down. */
  close: { reason: string };
}

/**
 * Moves bytes between nodes and reports connections (EXAMPLES §2, modelled on automerge-repo's
 * NetworkAdapterInterface). Adapters do not validate or route messages: the membership layer
 * (src/net/Membership.ts) does that once for every transport.
 *
 * Implementations: MemoryTransport (in-process, fault injection, Node tests), WebRtcTransport
 * (simple-peer data channels, signaling through the server or relayed through peers).
 */
export interface Transport {
  readonly localId: NodeId;
  on<K extends keyof TransportEvents>(event: K, handler: (e: TransportEvents[K]) => void): () => void;
  /** Called by membership to open a connection to a peer it learned about. Idempotent. */
  connect(peerId: NodeId): void;
  /**
   * Called by membership to send one message. Resolves when the bytes are handed to the
   * channel below its high-water mark (backpressure); rejects if the peer is not connected.
   * Messages of any size are accepted; adapters split and reassemble above 64 KiB.
   */
  send(peerId: NodeId, bytes: Uint8Array, channel?: Channel): Promise<void>;
  /** Closes the connection to one peer. */
  disconnect(peerId: NodeId, reason?: string): void;
  /** Peers with an open connection. */
  connected(): NodeId[];
  /** Closes everything; the transport cannot be used afterwards. */
  close(): void;
}
