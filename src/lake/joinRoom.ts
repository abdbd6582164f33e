import { deriveRoomKeys, newRoomSecret } from '../net/roomCrypto.ts';
import { SignalingClient } from '../net/SignalingClient.ts';
import { WebRtcTransport, signalChannelFor } from '../net/WebRtcTransport.ts';
import type { DeviceId, NodeId } from '../types.ts';
import type { LakeConfig } from './config.ts';
import { Mesh } from './Mesh.ts';
import { roomLink, type RoomFragment } from './room.ts';

export interface JoinRoomOptions {
  /** The app's origin: the signaling server is on it (`/signal`), and links point to it. */
  origin: string;
  nodeId: NodeId;
  deviceId: DeviceId;
  /** From the page's location (src/lake/room.ts); no key means a new room. */
  fragment: RoomFragment;
  config: LakeConfig;
  capabilities?: string[];
}

export interface JoinedRoom {
  mesh: Mesh;
  roomId: string;
  /** The room secret, for the page's URL fragment (never sent anywhere). */
  secret: string;
}

/**
 * Joins the room of the link the page was opened with, or creates a new one (DESIGN §3 startup
 * step 4): derives the room keys from the secret, connects to the signaling server, and builds
 * the mesh on a WebRtcTransport. The browser composition root (src/main.ts) calls it once.
 *
 * @remarks The room id is taken from the link even when it does not match the key (a damaged or
 * forged link): the node then joins that room and its members refuse it, which the page reports
 * (`lake.room.refused`), rather than silently ending up alone in another room.
 * @throws RoomSecretError if the link's key is too short to be a room secret.
 */
export async function joinRoom(o: JoinRoomOptions): Promise<JoinedRoom> {
  const secret = o.fragment.key ?? newRoomSecret();
  const keys = await deriveRoomKeys(secret);
  const roomId = o.fragment.room ?? keys.roomId;
  if (roomId !== keys.roomId) {
    console.warn(
      `peerlake: the key in this link does not belong to room ${roomId}; its members will refuse this node`,
    );
  }
  const client = new SignalingClient({ origin: o.origin, keys: { ...keys, roomId }, peerId: o.nodeId });
  const transport = new WebRtcTransport({
    localId: o.nodeId,
    signals: signalChannelFor(client),
    iceServers: o.config.iceServers.map((s) => ({ ...s })),
  });
  const mesh = new Mesh({
    deviceId: o.deviceId,
    room: { id: roomId, link: roomLink(o.origin, roomId, secret) },
    authKey: keys.authKey,
    transport,
    directory: client,
    config: o.config,
    capabilities: o.capabilities,
  });
  return { mesh, roomId, secret };
}
