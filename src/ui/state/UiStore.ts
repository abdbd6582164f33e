import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { DatasetInfo, PeerInfo, RoomInfo, StorageInfo } from '../../lake/api.ts';
import { deriveAlerts, type Alert } from './alerts.ts';
import { EventLogState } from './EventLogState.ts';
import type { CacheStats, LakeApi } from './LakeApi.ts';
import { QueryController } from './QueryController.ts';
import { QueryHistory, type KeyValueStore } from './QueryHistory.ts';
import { UploadQueue } from './UploadQueue.ts';

/** RTT and peer states change with every heartbeat; once a second is as fresh as a person reads. */
export const PEER_POLL_MS = 1_000;
/** Storage estimates are cheap but not free (IndexedDB counters, navigator.storage). */
export const STORAGE_POLL_MS = 10_000;
export const CACHE_POLL_MS = 5_000;

export type ViewKey = 'workspace' | 'network' | 'events' | 'health' | 'settings';

export interface UiEnvironment {
  /** localStorage, for the query history; absent in private contexts that refuse it. */
  storage?: KeyValueStore;
  /** navigator.onLine and its events. */
  online: () => boolean;
  onOnlineChange: (handler: () => void) => () => void;
  now?: () => number;
}

/**
 * The dashboard's state, kept apart from the LakeNode (issue #7): signals the views read, fed only
 * by the public API — its getters, polled, and its events. Views never call the node for data
 * they display; they read here and call actions.
 */
export class UiStore {
  readonly lake: LakeApi;
  readonly datasets = signal<DatasetInfo[]>([]);
  readonly peers = signal<PeerInfo[]>([]);
  readonly room = signal<RoomInfo | undefined>(undefined);
  readonly storage = signal<StorageInfo | undefined>(undefined);
  readonly storageError = signal<string | undefined>(undefined);
  readonly cache = signal<CacheStats | undefined>(undefined);
  readonly online = signal(true);
  /** Peers that left, newest last (for "unreachable" alerts and the topology's ghosts). */
  readonly departed = signal<{ nodeId: string; at: number; reason: string }[]>([]);
  /** Bumped by every clock tick so derived "x seconds ago" values refresh. */
  readonly tick = signal(0);
  /** Which dashboard view is shown. */
  readonly view = signal<ViewKey>('workspace');
  /** A query another pane asks the editor to show (and run); `n` makes repeats distinct. */
  readonly editorRequest = signal<{ sql: string; run: boolean; n: number } | undefined>(undefined);
  readonly log: EventLogState;
  readonly uploads: UploadQueue;
  readonly query: QueryController;
  readonly history: QueryHistory;
  readonly alerts: ReadonlySignal<Alert[]>;
  readonly #now: () => number;
  readonly #env: UiEnvironment;
  readonly #off: (() => void)[] = [];
  readonly #timers: ReturnType<typeof setInterval>[] = [];

  constructor(lake: LakeApi, env: UiEnvironment) {
    this.lake = lake;
    this.#env = env;
    this.#now = env.now ?? Date.now;
    this.log = new EventLogState(this.#now);
    this.history = new QueryHistory(env.storage);
    this.uploads = new UploadQueue(lake, this);
    this.query = new QueryController(lake, this.history, this.log);
    this.alerts = computed(() =>
      deriveAlerts({
        datasets: this.datasets.value,
        peers: this.peers.value,
        room: this.room.value,
        storage: this.storage.value,
        departed: this.departed.value.filter((d) => d.reason === 'timeout'),
        online: this.online.value,
        now: (this.tick.value, this.#now()),
      }),
    );
  }

  /** Subscribes to the node's events and starts polling. Called once by mountApp. */
  start(): void {
    const lake = this.lake;
    const log = this.log;
    this.#off.push(
      lake.on('dataset-added', (d) => {
        log.add(
          'dataset',
          `dataset added: ${d.name} (${d.rows.toLocaleString('en-US')} rows, ${d.chunks} chunks)`,
        );
        this.refreshDatasets();
        this.refreshStorage();
      }),
      lake.on('dataset-removed', (d) => {
        log.add('dataset', `dataset removed: ${d.name}`);
        this.refreshDatasets();
        this.refreshStorage();
      }),
      lake.on('peer-joined', (p) => {
        log.add('peer', `peer joined: ${p.nodeId.slice(0, 8)}`);
        this.departed.value = this.departed.value.filter((d) => d.nodeId !== p.nodeId);
        this.refreshPeers();
      }),
      lake.on('peer-left', (p) => {
        log.add('peer', `peer left: ${p.nodeId.slice(0, 8)} (${p.reason})`, {
          level: p.reason === 'timeout' ? 'warn' : 'info',
        });
        this.departed.value = [...this.departed.value.slice(-49), { ...p, at: this.#now() }];
        this.refreshPeers();
      }),
      lake.on('replication', (e) => {
        log.add('replication', `replication: ${e.dataset}`, { key: `replication:${e.dataset}` });
        this.refreshDatasets();
      }),
      lake.on('query-progress', (p) => this.query.onProgressEvent(p)),
      this.#env.onOnlineChange(() => {
        this.online.value = this.#env.online();
        log.add('app', this.online.value ? 'back online' : 'offline: local data and SQL keep working', {
          level: this.online.value ? 'info' : 'warn',
        });
      }),
    );
    this.online.value = this.#env.online();
    this.#timers.push(
      setInterval(() => {
        this.tick.value++;
        this.refreshPeers();
      }, PEER_POLL_MS),
      setInterval(() => this.refreshStorage(), STORAGE_POLL_MS),
      setInterval(() => this.refreshCache(), CACHE_POLL_MS),
    );
    log.add('app', `node ${lake.nodeId.slice(0, 8)} started`);
    this.refreshDatasets();
    this.refreshPeers();
    this.refreshStorage();
    this.refreshCache();
  }

  /** Puts `sql` in the editor (from a dataset's Query action, the history, …) and runs it. */
  openQuery(sql: string, run = true): void {
    this.view.value = 'workspace';
    this.editorRequest.value = { sql, run, n: (this.editorRequest.value?.n ?? 0) + 1 };
  }

  dispose(): void {
    for (const off of this.#off.splice(0)) off();
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }

  refreshDatasets(): void {
    this.datasets.value = this.lake.datasets();
    this.uploads.onDatasets(this.datasets.value, this.room.value?.members ?? 1);
  }

  /** Peers and room together: the member count and the peer list must agree on screen. */
  refreshPeers(): void {
    const room = this.lake.room;
    const prev = this.room.value;
    const peers = this.lake.peers().sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    if (!samePeers(this.peers.value, peers)) this.peers.value = peers;
    if (!sameRoom(prev, room)) {
      if (prev && room && prev.signaling !== room.signaling) {
        this.log.add('room', `signaling server ${room.signaling}`, {
          level: room.signaling === 'closed' ? 'warn' : 'info',
        });
      }
      this.room.value = room ? { ...room } : undefined;
      // Replication state depends on who is alive.
      if (prev?.members !== room?.members) this.refreshDatasets();
    }
  }

  refreshStorage(): void {
    this.lake.storage().then(
      (s) => {
        this.storage.value = s;
        this.storageError.value = undefined;
      },
      (e: Error) => (this.storageError.value = e.message),
    );
  }

  refreshCache(): void {
    this.lake.cacheStats().then(
      (c) => (this.cache.value = c),
      (e: unknown) => console.warn('peerlake: cache stats unavailable', e),
    );
  }
}

function samePeers(a: PeerInfo[], b: PeerInfo[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i]!;
      return p.nodeId === q.nodeId && p.state === q.state && p.rttMs === q.rttMs && p.chunks === q.chunks;
    })
  );
}

function sameRoom(a: RoomInfo | undefined, b: RoomInfo | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.id === b.id &&
    a.members === b.members &&
    a.signaling === b.signaling &&
    a.refused === b.refused &&
    a.link === b.link
  );
}
