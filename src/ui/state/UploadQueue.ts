import { signal, type ReadonlySignal } from '@preact/signals';
import type { DatasetInfo, IngestProgress } from '../../lake/api.ts';
import type { LakeApi } from './LakeApi.ts';

/** Finished and failed rows stay listed; beyond this many the oldest finished ones go. */
const KEEP_FINISHED = 20;

export type UploadPhase = 'parse' | 'store' | 'replicate' | 'done' | 'failed' | 'cancelled';

export interface UploadTask {
  id: number;
  file: string;
  size: number;
  phase: UploadPhase;
  /** 0..1 per stage; parse and store advance together (chunks are stored while parsing goes on). */
  parse: number;
  store: number;
  replicate: number;
  rows: number;
  chunks: number;
  skippedRows: number;
  /** Set once stored. */
  dataset?: { id: string; name: string; rows: number; chunks: number; bytes: number };
  /** Replication progress: live holders of the least-replicated chunk, and how many we want. */
  holders?: { have: number; want: number };
  error?: { code?: string; message: string };
}

/**
 * Uploads in flight and recently finished (issue #7): each file goes parse → store → replicate,
 * can be cancelled while it is being read, and keeps its specific error when it fails.
 */
export class UploadQueue {
  readonly #lake: LakeApi;
  readonly #members: { room: ReadonlySignal<{ members: number } | undefined> };
  readonly #tasks = signal<UploadTask[]>([]);
  readonly #aborts = new Map<number, AbortController>();
  #seq = 0;

  constructor(lake: LakeApi, members: { room: ReadonlySignal<{ members: number } | undefined> }) {
    this.#lake = lake;
    this.#members = members;
  }

  get tasks(): ReadonlySignal<UploadTask[]> {
    return this.#tasks;
  }

  /** Uploads still reading or storing. */
  get active(): number {
    return this.#tasks.value.filter((t) => t.phase === 'parse' || t.phase === 'store').length;
  }

  add(files: Iterable<File>): void {
    for (const file of files) this.#start(file);
  }

  cancel(id: number): void {
    this.#aborts.get(id)?.abort();
  }

  /** Removes finished, failed and cancelled rows. */
  clearFinished(): void {
    this.#tasks.value = this.#tasks.value.filter((t) => !isFinished(t.phase));
  }

  /** Called by UiStore whenever the dataset list changes: moves replicating uploads along. */
  onDatasets(list: DatasetInfo[], members: number): void {
    for (const t of this.#tasks.value) {
      if (t.phase !== 'replicate' || !t.dataset) continue;
      const d = list.find((x) => x.id === t.dataset!.id);
      if (!d) {
        this.#update(t.id, { phase: 'done', replicate: 1 });
        continue;
      }
      this.#update(t.id, replicationProgress(d, members));
    }
  }

  #start(file: File): void {
    const id = ++this.#seq;
    const ctl = new AbortController();
    this.#aborts.set(id, ctl);
    const task: UploadTask = {
      id,
      file: file.name,
      size: file.size,
      phase: 'parse',
      parse: 0,
      store: 0,
      replicate: 0,
      rows: 0,
      chunks: 0,
      skippedRows: 0,
    };
    const finished = this.#tasks.value.filter((t) => isFinished(t.phase));
    const drop = new Set(finished.slice(KEEP_FINISHED - 1).map((t) => t.id));
    this.#tasks.value = [task, ...this.#tasks.value.filter((t) => !drop.has(t.id))];
    const onProgress = (p: IngestProgress) => {
      const read = p.totalBytes ? p.bytesRead / p.totalBytes : 0;
      this.#update(id, {
        phase: p.phase === 'parse' ? 'parse' : 'store',
        parse: p.phase === 'parse' ? read : 1,
        // Chunks are written while parsing continues; the manifest commits in "finalize".
        store: p.phase === 'parse' ? read * 0.9 : p.phase === 'finalize' ? 0.95 : 1,
        rows: p.rows,
        chunks: p.chunks,
        skippedRows: p.skippedRows,
      });
    };
    this.#lake.ingest(file, { signal: ctl.signal, onProgress }).then(
      (info) => {
        this.#aborts.delete(id);
        const members = this.#members.room.value?.members ?? 1;
        this.#update(id, {
          parse: 1,
          store: 1,
          rows: info.rows,
          chunks: info.chunks,
          dataset: { id: info.id, name: info.name, rows: info.rows, chunks: info.chunks, bytes: info.bytes },
          ...replicationProgress(info, members),
        });
      },
      (e: Error & { code?: string }) => {
        this.#aborts.delete(id);
        const cancelled = e.code === 'CANCELLED';
        this.#update(id, {
          phase: cancelled ? 'cancelled' : 'failed',
          error: { code: e.code, message: cancelled ? 'Cancelled: nothing was stored.' : e.message },
        });
      },
    );
  }

  #update(id: number, patch: Partial<UploadTask>): void {
    this.#tasks.value = this.#tasks.value.map((t) => (t.id === id ? { ...t, ...patch } : t));
  }
}

function isFinished(p: UploadPhase): boolean {
  return p === 'done' || p === 'failed' || p === 'cancelled';
}

/**
 * A dataset is replicated when it is committed and healthy (DESIGN §9: every chunk has
 * min(replicationFactor, live nodes) holders); until then the bar shows holders of its
 * least-replicated chunk against that goal.
 */
export function replicationProgress(
  d: Pick<DatasetInfo, 'status' | 'replication'>,
  members: number,
): Pick<UploadTask, 'phase' | 'replicate' | 'holders'> {
  const want = Math.max(1, Math.min(d.replication.target, members));
  const have = Math.min(d.replication.holders, want);
  const done = d.status === 'committed' && d.replication.state === 'healthy';
  return { phase: done ? 'done' : 'replicate', replicate: done ? 1 : have / want, holders: { have, want } };
}
