// Bundled by test/e2e/bundle.ts and injected into a page of the app's origin: WebRtcTransports
// (with their SignalingClient to the real server) driven from Node through test/e2e/rtcProxy.ts,
// one browser context per peer. Events go back to Node through the exposed `rtcEvent` binding.
import { deriveRoomKeys } from '../../../src/net/roomCrypto.ts';
import { SignalingClient } from '../../../src/net/SignalingClient.ts';
import type { Channel, TransportEvents } from '../../../src/net/Transport.ts';
import { WebRtcTransport, signalChannelFor } from '../../../src/net/WebRtcTransport.ts';
import type { NodeId } from '../../../src/types.ts';
import { fromB64, toB64 } from './b64.ts';

/** What a rejected call reports back to Node, so the proxy can rebuild the NetError. */
export interface RemoteError {
  name: string;
  code?: string;
  message: string;
}

/** Events as they cross to Node: message bytes as base64. */
export type RemoteEvent =
  | { event: 'peer-candidate' | 'peer-disconnected'; payload: TransportEvents['peer-disconnected'] }
  | { event: 'message'; payload: { from: string; channel: Channel; b64: string } }
  | { event: 'close'; payload: TransportEvents['close'] };

export interface RtcHarness {
  /**
   * Creates a transport for `id` in the room of `secret` and waits until its client joined.
   * `forward: false` keeps its events in the page (benchmarks move hundreds of MiB).
   */
  create(id: string, secret: string, opts?: { forward?: boolean }): Promise<void>;
  connect(id: string, peer: string): RemoteError | undefined;
  send(id: string, peer: string, b64: string, channel: Channel): Promise<RemoteError | undefined>;
  disconnect(id: string, peer: string, reason: string): void;
  close(id: string): void;
  transport(id: string): WebRtcTransport;
}

declare global {
  interface Window {
    rtc: RtcHarness;
    rtcEvent(id: string, e: RemoteEvent): Promise<void>;
  }
}

const nodes = new Map<string, { transport: WebRtcTransport; client: SignalingClient }>();

function get(id: string) {
  const n = nodes.get(id);
  if (!n) throw new Error(`no transport ${id} in this page`);
  return n;
}

function asRemote(err: unknown): RemoteError {
  const e = err as { name?: string; code?: string; message?: string };
  return { name: e.name ?? 'Error', code: e.code, message: e.message ?? String(err) };
}

window.rtc = {
  async create(id, secret, opts = {}) {
    const keys = await deriveRoomKeys(secret);
    const client = new SignalingClient({ origin: location.origin, keys, peerId: id });
    const joined = new Promise<void>((done) => client.on('members', () => done()));
    const transport = new WebRtcTransport({
      localId: id as NodeId,
      signals: signalChannelFor(client),
    });
    nodes.set(id, { transport, client });
    if (opts.forward === false) {
      await joined;
      return;
    }
    const forward = (e: RemoteEvent) => void window.rtcEvent(id, e).catch(() => undefined);
    transport.on('peer-candidate', (p) =>
      forward({ event: 'peer-candidate', payload: { ...p, reason: '' } }),
    );
    transport.on('peer-disconnected', (p) => forward({ event: 'peer-disconnected', payload: p }));
    transport.on('message', (m) =>
      forward({ event: 'message', payload: { from: m.from, channel: m.channel, b64: toB64(m.bytes) } }),
    );
    transport.on('close', (p) => forward({ event: 'close', payload: p }));
    await joined;
  },
  connect(id, peer) {
    try {
      get(id).transport.connect(peer as NodeId);
      return undefined;
    } catch (err) {
      return asRemote(err);
    }
  },
  async send(id, peer, b64, channel) {
    try {
      await get(id).transport.send(peer as NodeId, fromB64(b64), channel);
      return undefined;
    } catch (err) {
      return asRemote(err);
    }
  },
  disconnect(id, peer, reason) {
    get(id).transport.disconnect(peer as NodeId, reason);
  },
  close(id) {
    const n = get(id);
    n.transport.close();
    // Leave the room only once the close handshakes had time to finish; signaling is not needed for them.
    setTimeout(() => n.client.close(), 3_000);
  },
  transport: (id) => get(id).transport,
};
