import { Emitter } from './Emitter.ts';
import { Membership, type MembershipEvents } from '../net/Membership.ts';
import type { Transport } from '../net/Transport.ts';
import type { DeviceId, NodeId } from '../types.ts';
import type { PeerInfo, RoomInfo } from './api.ts';
import type { LakeConfig } from './config.ts';

/**
 * The signaling server as the mesh sees it: who is in the room. SignalingClient
 * (src/net/SignalingClient.ts) is the implementation; Node tests pass a small in-memory directory.
 */
export interface MeshDirectory {
  readonly state: 'connecting' | 'joined' | 'closed';
  /** The room's other members, on every (re)join. */
  on(event: 'members', handler: (e: { peers: string[] }) => void): () => void;
  on(event: 'peer-joined', handler: (e: { peerId: string }) => void): () => void;
  /** A member whose signals do not open with our key: it holds another secret. */
  on(event: 'undecryptable', handler: (e: { from: string }) => void): () => void;
  close(): void;
}

export interface MeshOptions {
  deviceId: DeviceId;
  /** The room id and its link (src/lake/room.ts). */
  room: { id: string; link: string };
  /** HMAC key of the room (`deriveRoomKeys(secret).authKey`): the membership handshake's proof. */
  authKey: CryptoKey;
  /** WebRtcTransport in the browser, MemoryTransport in Node tests; its `localId` is this node. Closed with the mesh. */
  transport: Transport;
  /** Where members come from; optional once peers relay (and in tests that introduce by hand). */
  directory?: MeshDirectory;
  config: Pick<LakeConfig, 'heartbeatInterval' | 'discoveryInterval' | 'maxPeers' | 'minPeers'>;
  capabilities?: string[];
  logger?: Pick<Console, 'warn'>;
}

export interface MeshEvents {
  'peer-joined': { nodeId: string; deviceId: string };
  'peer-left': { nodeId: string; reason: string };
  /** A node was refused: it does not hold the room key (or failed the handshake). */
  'peer-refused': { nodeId: string; reason: string };
}

/**
 * A node's room and mesh (DESIGN §7): the signaling directory feeds {@link Membership} the room's
 * members, and membership authenticates them over the transport, keeps them alive with
 * heartbeats, and grows the mesh through peer exchange. Once formed, the mesh does not need the
 * directory: heartbeats and messages go peer to peer.
 *
 * Called by LakeNode (`lake.room`, `lake.peers()`, the `peer-joined`/`peer-left` events) and, in
 * later issues, by catalog, replication and query through {@link membership}.
 */
export class Mesh {
  readonly membership: Membership;
  readonly #room: { id: string; link: string };
  readonly #transport: Transport;
  readonly #directory: MeshDirectory | undefined;
  readonly #events = new Emitter<MeshEvents>();
  readonly #refused = new Set<string>();
  readonly #off: (() => void)[] = [];
  #closed = false;

  constructor(o: MeshOptions) {
    this.#room = o.room;
    this.#transport = o.transport;
    this.#directory = o.directory;
    this.membership = new Membership({
      transport: o.transport,
      deviceId: o.deviceId,
      authKey: o.authKey,
      capabilities: o.capabilities,
      heartbeatInterval: o.config.heartbeatInterval,
      peerExchangeInterval: o.config.discoveryInterval,
      maxPeers: o.config.maxPeers,
      minPeers: o.config.minPeers,
      logger: o.logger,
    });
    const m = this.membership;
    this.#off.push(
      m.on('peer-joined', (e) =>
        this.#events.emit('peer-joined', { nodeId: e.nodeId, deviceId: e.deviceId }),
      ),
      m.on('peer-left', (e) => this.#events.emit('peer-left', { nodeId: e.nodeId, reason: e.reason })),
      m.on('auth-failed', (e) => this.#refuse(e.nodeId, e.message)),
      m.on('protocol-error', (e: MembershipEvents['protocol-error']) => this.#refuse(e.nodeId, e.message)),
    );
    const d = o.directory;
    if (d) {
      this.#off.push(
        d.on('members', (e) => m.introduce(e.peers as NodeId[])),
        d.on('peer-joined', (e) => m.introduce([e.peerId as NodeId])),
        d.on('undecryptable', (e) => this.#refuse(e.from, 'its signals do not open with this room key')),
      );
    }
  }

  on<K extends keyof MeshEvents>(event: K, handler: (e: MeshEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  get room(): RoomInfo {
    return {
      id: this.#room.id,
      link: this.#room.link,
      members: 1 + this.peers().filter((p) => p.state !== 'connecting').length,
      signaling: this.#directory?.state ?? 'closed',
      refused: this.#refused.size,
    };
  }

  peers(): PeerInfo[] {
    if (this.#closed) return [];
    return this.membership.peers().map((p) => {
      const info: PeerInfo = { nodeId: p.nodeId, state: p.state, chunks: 0 };
      if (p.deviceId !== undefined) info.deviceId = p.deviceId;
      if (p.rttMs !== undefined) info.rttMs = p.rttMs;
      return info;
    });
  }

  /**
   * Leaves the room: peers are disconnected (they see `peer-left` at once, not after three missed
   * heartbeats), then the transport and the directory close. Best-effort and idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#off) off();
    for (const step of [
      () => this.membership.close(),
      () => this.#transport.close(),
      () => this.#directory?.close(),
    ]) {
      try {
        step();
      } catch (err) {
        console.warn('peerlake: closing the mesh failed', err);
      }
    }
  }

  #refuse(nodeId: string, reason: string): void {
    if (this.#refused.has(nodeId)) return;
    this.#refused.add(nodeId);
    this.#events.emit('peer-refused', { nodeId, reason });
  }
}
