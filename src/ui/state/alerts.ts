import type { DatasetInfo, PeerInfo, RoomInfo, StorageInfo } from '../../lake/api.ts';

/** Above this share of the browser's quota, new uploads may fail with QUOTA_EXCEEDED. */
export const QUOTA_WARN = 0.8;
export const QUOTA_CRITICAL = 0.95;
/** A peer that timed out is reported this long, unless it comes back. */
export const DEPARTED_ALERT_MS = 5 * 60_000;

export interface Alert {
  /** Stable, so the list can be keyed and a test can look for one. */
  id: string;
  level: 'warning' | 'critical';
  title: string;
  detail: string;
}

export interface AlertInputs {
  datasets: DatasetInfo[];
  peers: PeerInfo[];
  room: RoomInfo | undefined;
  storage: StorageInfo | undefined;
  /** Peers that left because their heartbeats stopped (not a clean close), newest last. */
  departed: { nodeId: string; at: number; reason: string }[];
  online: boolean;
  now: number;
}

/**
 * What the Health pane warns about (issue #7): datasets without enough live copies, storage near
 * the quota, and peers that stopped answering. Pure, so it is unit-tested without a browser.
 */
export function deriveAlerts(i: AlertInputs): Alert[] {
  const out: Alert[] = [];
  for (const d of i.datasets) {
    const r = d.replication;
    if (r.state === 'unavailable') {
      out.push({
        id: `unavailable:${d.id}`,
        level: 'critical',
        title: `${d.name} is unavailable`,
        detail: 'Some of its chunks have no live holder: queries over it fail until a holder returns.',
      });
    } else if (r.state === 'under-replicated') {
      out.push({
        id: `under:${d.id}`,
        level: 'warning',
        title: `${d.name} is under-replicated`,
        detail: `${r.holders} of ${r.target} copies live. Repair starts as soon as enough nodes are online.`,
      });
    }
    if (d.status === 'pending') {
      out.push({
        id: `pending:${d.id}`,
        level: 'warning',
        title: `${d.name} is not committed yet`,
        detail: 'Other tabs see it once enough holders have confirmed every chunk.',
      });
    }
  }
  const s = i.storage;
  if (s?.quota && s.usage !== undefined) {
    const used = s.usage / s.quota;
    if (used >= QUOTA_WARN) {
      out.push({
        id: 'quota',
        level: used >= QUOTA_CRITICAL ? 'critical' : 'warning',
        title: `Storage ${Math.round(used * 100)} % full`,
        detail: 'New uploads and replicas may fail. Drop datasets you no longer need.',
      });
    }
  }
  for (const p of i.peers) {
    if (p.state === 'suspect') {
      out.push({
        id: `suspect:${p.nodeId}`,
        level: 'warning',
        title: `Peer ${p.nodeId.slice(0, 8)} is not answering`,
        detail: 'It missed a heartbeat; it is dropped after three.',
      });
    }
  }
  const present = new Set(i.peers.map((p) => p.nodeId));
  const seen = new Set<string>();
  for (const d of [...i.departed].reverse()) {
    if (seen.has(d.nodeId) || present.has(d.nodeId) || i.now - d.at > DEPARTED_ALERT_MS) continue;
    seen.add(d.nodeId);
    out.push({
      id: `gone:${d.nodeId}`,
      level: 'warning',
      title: `Peer ${d.nodeId.slice(0, 8)} is unreachable`,
      detail: `It left the mesh (${d.reason}). Data only it held is unavailable until it returns.`,
    });
  }
  if (!i.online) {
    out.push({
      id: 'offline',
      level: 'warning',
      title: 'This device is offline',
      detail: 'Local datasets and SQL keep working; peers and replication resume when you are back online.',
    });
  } else if (i.room && i.room.signaling === 'closed') {
    out.push({
      id: 'signaling',
      level: 'warning',
      title: 'Signaling server unreachable',
      detail: 'Existing peers stay connected; new members cannot join until it is back.',
    });
  }
  return out;
}
