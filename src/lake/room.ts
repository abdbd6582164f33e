import { ROOM_ID_PATTERN } from '../net/signalingProtocol.ts';

/**
 * Room links (DESIGN §7, mesh issue): `<origin>/#room=<id>&key=<secret>`. The secret lives only in
 * the fragment, which browsers never send to a server; the id is what the signaling server sees.
 */

/** What a location's fragment says about the room; either part may be missing. */
export interface RoomFragment {
  /** A well-formed room id, if the fragment has one. */
  room?: string;
  key?: string;
}

/** Reads `#room=<id>&key=<secret>` (any order, other parameters ignored). */
export function parseRoomFragment(hash: string): RoomFragment {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const out: RoomFragment = {};
  const room = params.get('room');
  const key = params.get('key');
  if (room && ROOM_ID_PATTERN.test(room)) out.room = room;
  if (key) out.key = key;
  return out;
}

/** The fragment of a room link: `#room=<id>&key=<secret>`. */
export function roomFragment(roomId: string, secret: string): string {
  return `#room=${encodeURIComponent(roomId)}&key=${encodeURIComponent(secret)}`;
}

/** The shareable link: `<origin>/#room=<id>&key=<secret>`. */
export function roomLink(origin: string, roomId: string, secret: string): string {
  return `${origin}/${roomFragment(roomId, secret)}`;
}
