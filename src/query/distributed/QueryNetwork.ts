import type { NodeId } from '../../types.ts';

export type QueryMessageType = 'query-fragment' | 'query-response' | 'query-cancel';
export type QueryChannel = 'control' | 'bulk';

export interface QueryMessage {
  from: NodeId;
  type: QueryMessageType;
  /** The fragment attempt id of the wire header. */
  id: string;
  payload: Uint8Array;
}

/**
 * What distributed query needs of the mesh: authenticated, validated messages of its own types,
 * peer departures, and RTTs. The LakeNode adapts Membership (src/net/Membership.ts) to it
 * (src/lake/queryNetwork.ts); tests may pass their own.
 */
export interface QueryNetwork {
  /** Called by the coordinator and the FragmentServer to send one message; rejects if the peer is gone. */
  send(
    peer: NodeId,
    type: QueryMessageType,
    id: string,
    payload: Uint8Array,
    channel: QueryChannel,
  ): Promise<void>;
  /** Query messages from authenticated peers. Returns an unsubscribe. */
  onMessage(handler: (m: QueryMessage) => void): () => void;
  /** An authenticated peer left (closed, or missed heartbeats). Returns an unsubscribe. */
  onPeerLeft(handler: (peer: NodeId) => void): () => void;
  /** Authenticated peers, with their smoothed heartbeat RTT when measured. */
  peers(): { nodeId: NodeId; rttMs?: number }[];
}
