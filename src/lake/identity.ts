import { NODE_DB_PREFIX } from '../storage/IdbChunkStore.ts';
import type { DeviceId, NodeId } from '../types.ts';

const SESSION_KEY = 'peerlake-node-id';
const LAST_NODE_KEY = 'peerlake-last-node';
const DEVICE_KEY = 'peerlake-device-id';

export interface Identity {
  nodeId: NodeId;
  deviceId: DeviceId;
  /** The node's own IndexedDB database. */
  dbName: string;
  /** How the id was chosen, shown in the UI. */
  origin: 'session' | 'adopted' | 'new';
  /** Releases the node's Web Lock (on shutdown). */
  release(): void;
}

/**
 * Picks this tab's node (DESIGN §3). Each node owns database `peerlake-node-<id>` and holds the
 * Web Lock of the same name while it runs, so two tabs never share a node:
 * 1. the id in sessionStorage (a reload keeps its node) — unless another tab holds it, as happens
 *    when a tab is duplicated and sessionStorage is copied;
 * 2. otherwise adopt a free node database, the last used first, so reopening the browser resumes
 *    the last node with its data;
 * 3. otherwise a new node.
 */
export async function resolveIdentity(): Promise<Identity> {
  const deviceId = (localStorage.getItem(DEVICE_KEY) ?? crypto.randomUUID()) as DeviceId;
  localStorage.setItem(DEVICE_KEY, deviceId);
  const session = sessionStorage.getItem(SESSION_KEY);
  const last = localStorage.getItem(LAST_NODE_KEY);
  const known = (await indexedDB.databases())
    .map((d) => d.name ?? '')
    .filter((n) => n.startsWith(NODE_DB_PREFIX))
    .map((n) => n.slice(NODE_DB_PREFIX.length));
  const candidates: [string, Identity['origin']][] = [];
  if (session) candidates.push([session, 'session']);
  if (last && last !== session && known.includes(last)) candidates.push([last, 'adopted']);
  for (const id of known) if (id !== session && id !== last) candidates.push([id, 'adopted']);
  for (const [id, origin] of candidates) {
    const release = await tryLock(NODE_DB_PREFIX + id);
    if (release) return claim(id, origin, deviceId, release);
  }
  const id = crypto.randomUUID();
  const release = await tryLock(NODE_DB_PREFIX + id);
  if (!release) throw new Error('Could not take the Web Lock of a brand-new node id.');
  return claim(id, 'new', deviceId, release);
}

function claim(id: string, origin: Identity['origin'], deviceId: DeviceId, release: () => void): Identity {
  sessionStorage.setItem(SESSION_KEY, id);
  localStorage.setItem(LAST_NODE_KEY, id);
  return { nodeId: id as NodeId, deviceId, dbName: NODE_DB_PREFIX + id, origin, release };
}

/** Takes a Web Lock if it is free and holds it until the returned function is called. */
function tryLock(name: string): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(undefined);
          return undefined;
        }
        // The lock is held for as long as this promise is pending.
        return new Promise<void>((release) => resolve(release));
      })
      .catch(reject);
  });
}
