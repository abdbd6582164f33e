import type { Membership } from '../net/Membership.ts';
import type { QueryMessageType, QueryNetwork } from '../query/distributed/QueryNetwork.ts';

const TYPES = new Set<string>(['query-fragment', 'query-response', 'query-cancel']);

/** Membership as the distributed query sees it: only its three message types, peer departures and RTTs. */
export function queryNetwork(m: Membership): QueryNetwork {
  return {
    send: (peer, type, id, payload, channel) => m.send(peer, type, { id }, payload, channel),
    onMessage: (handler) =>
      m.on('message', ({ from, message }) => {
        if (!TYPES.has(message.type) || !('id' in message)) return;
        handler({ from, type: message.type as QueryMessageType, id: message.id, payload: message.payload });
      }),
    onPeerLeft: (handler) => m.on('peer-left', (e) => handler(e.nodeId)),
    peers: () =>
      m
        .peers()
        .filter((p) => p.state === 'alive' || p.state === 'suspect')
        .map((p) => (p.rttMs === undefined ? { nodeId: p.nodeId } : { nodeId: p.nodeId, rttMs: p.rttMs })),
  };
}
