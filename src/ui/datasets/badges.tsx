import type { DatasetInfo, ReplicationInfo } from '../../lake/api.ts';

const REPLICATION_TEXT: Record<ReplicationInfo['state'], string> = {
  healthy: 'healthy',
  'under-replicated': 'under-replicated',
  unavailable: 'unavailable',
};

/** pending (not yet visible to other tabs) or committed. */
export function StatusBadge({ status }: { status: DatasetInfo['status'] }) {
  return (
    <span
      class={`badge status-${status}`}
      title={
        status === 'pending' ? 'Waiting for holders to confirm every chunk' : 'Visible to the whole room'
      }
    >
      {status}
    </span>
  );
}

/** healthy / under-replicated / unavailable, with holders of the least-replicated chunk against the target. */
export function ReplicationBadge({ r }: { r: ReplicationInfo }) {
  return (
    <span
      class={`badge ${r.state}`}
      title={`Replication: ${r.holders} live holder(s) of the least-replicated chunk; target ${r.target}`}
    >
      {REPLICATION_TEXT[r.state]} · {r.holders}/{r.target}
    </span>
  );
}
