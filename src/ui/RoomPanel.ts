import type { PeerInfo } from '../lake/api.ts';
import type { LakeNode } from '../lake/LakeNode.ts';
import { h, ms } from './dom.ts';

/** RTT and states change with every heartbeat; a second is as fresh as a person reads it. */
const REFRESH_MS = 1_000;

/** The room: its name, member count, a "Copy room link" button, and the peers with their RTT. */
export function RoomPanel(lake: LakeNode): HTMLElement {
  const summary = h('p', { 'data-testid': 'room' });
  const copied = h('span', { class: 'copied', 'aria-live': 'polite' });
  const copy = h('button', { type: 'button', 'data-testid': 'copy-link' }, 'Copy room link');
  copy.addEventListener('click', () => {
    const link = lake.room?.link;
    if (!link) return;
    navigator.clipboard.writeText(link).then(
      () => (copied.textContent = 'Link copied: open it in another tab or browser to join.'),
      // No clipboard permission (or not a secure context): show the link to copy by hand.
      () => (copied.textContent = link),
    );
  });
  const peers = h('ul', { class: 'peers', 'data-testid': 'peers' });
  const render = () => {
    const room = lake.room;
    if (!room) {
      summary.textContent = 'Not in a room.';
      return;
    }
    const refused = room.refused ? ` · refused ${room.refused} (wrong room key)` : '';
    const signaling = room.signaling === 'joined' ? '' : ` · signaling server ${room.signaling}`;
    summary.textContent = `Room ${room.id} · ${room.members} member${room.members === 1 ? '' : 's'}${signaling}${refused}`;
    const list = lake.peers().sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    peers.replaceChildren(
      ...(list.length === 0
        ? [h('li', { class: 'empty' }, 'No peers yet: share the room link.')]
        : list.map(peer)),
    );
  };
  const peer = (p: PeerInfo) =>
    h(
      'li',
      { 'data-peer': p.nodeId, class: `peer ${p.state}` },
      h('code', { title: p.deviceId ? `device ${p.deviceId}` : undefined }, p.nodeId.slice(0, 8)),
      ` ${p.state}`,
      p.rttMs === undefined ? '' : ` · RTT ${ms(p.rttMs)}`,
    );
  lake.on('peer-joined', render);
  lake.on('peer-left', render);
  setInterval(render, REFRESH_MS);
  render();
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'room-h' },
    h('h2', { id: 'room-h' }, 'Room'),
    summary,
    h('p', {}, copy, ' ', copied),
    peers,
  );
}
