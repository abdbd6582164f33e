import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import type { UiStore } from '../state/UiStore.ts';
import { ShareDialog } from './ShareDialog.tsx';

/**
 * Always visible in the header: the room's name and member count, Share room (copies the link,
 * shows it as a QR code) and New room. The secret stays in the link's fragment (DESIGN §12).
 */
export function RoomBar({ store, onNewRoom }: { store: UiStore; onNewRoom: () => void }) {
  const room = store.room.value;
  const [sharing, setSharing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  if (!room) {
    return (
      <div class="room" data-testid="room">
        <span class="room-name">No room</span>
      </div>
    );
  }
  const members = `${room.members} member${room.members === 1 ? '' : 's'}`;
  const signaling =
    room.signaling === 'joined' ? null : (
      <span class={`pill ${room.signaling === 'closed' ? 'warn' : 'muted'}`} title="Signaling server">
        {room.signaling === 'closed' ? 'signaling offline' : 'connecting…'}
      </span>
    );
  return (
    <div class="room">
      <p class="room-summary" data-testid="room" title={`Room ${room.id}`}>
        <span class="room-dot" aria-hidden="true" data-state={room.members > 1 ? 'shared' : 'alone'} />
        <span class="visually-hidden">Room </span>
        <span class="room-name">{room.id.slice(0, 8)}</span>
        <span class="room-sep" aria-hidden="true">
          ·
        </span>
        <span class="room-members">{members}</span>
        {room.refused ? <span class="pill warn">refused {room.refused} (wrong room key)</span> : null}
        {signaling}
      </p>
      <button type="button" class="primary" data-testid="share-room" onClick={() => setSharing(true)}>
        Share room
      </button>
      <button type="button" data-testid="new-room" onClick={() => setConfirming(true)}>
        New room
      </button>
      <ShareDialog open={sharing} link={room.link} roomId={room.id} onClose={() => setSharing(false)} />
      <ConfirmDialog
        open={confirming}
        title="Start a new room?"
        confirmLabel="New room"
        testId="confirm-new-room"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          onNewRoom();
        }}
      >
        <p>
          This tab leaves room <code>{room.id.slice(0, 8)}</code> and starts an empty one with a new link.
          Your datasets stay in this browser; peers of the old room keep their copies.
        </p>
      </ConfirmDialog>
    </div>
  );
}
