import { FragmentError } from './FragmentError.ts';

/** `local`: this tab's own queries (its fragments, merges, local plans); `remote`: fragments for peers. */
export type WorkClass = 'local' | 'remote';

export interface WorkQueueOptions {
  /** Tasks running at once in the query worker (it interleaves them every 25 ms). */
  maxRunning: number;
  /** Tasks of one class running at once; below maxRunning, so the other class always has a slot. */
  maxRunningPerClass: number;
  /** Tasks of one class waiting; beyond, `run` rejects with BUSY (a coordinator then tries another holder). */
  maxQueuedPerClass: number;
}

/** Defaults: 3 slots, at most 2 per class, so neither a tab's own queries nor its peers' fragments can take every slot. */
export const WORK_QUEUE_DEFAULTS: Readonly<WorkQueueOptions> = Object.freeze({
  maxRunning: 3,
  maxRunningPerClass: 2,
  maxQueuedPerClass: 64,
});

interface Task {
  cls: WorkClass;
  lane: string;
  start: () => void;
  cancel: (err: Error) => void;
}

/**
 * The bounded, fair queue in front of the query worker (distributed query issue: a tab's own
 * queries and the fragments it executes for others must not starve each other). Tasks wait in
 * lanes: one for this tab's own work and one per coordinating peer; a free slot goes round-robin
 * over the lanes with waiting work, skipping a class already at its cap, so one busy peer cannot
 * crowd out another either.
 *
 * Called by the coordinator (class `local`) and by the FragmentServer (class `remote`, lane = the
 * coordinator's node id).
 */
export class WorkQueue {
  readonly #opt: WorkQueueOptions;
  readonly #lanes = new Map<string, Task[]>();
  /** Round-robin order of lanes; the next slot starts after the last lane served. */
  #cursor = 0;
  readonly #running: Record<WorkClass, number> = { local: 0, remote: 0 };
  readonly #queued: Record<WorkClass, number> = { local: 0, remote: 0 };

  constructor(options: Partial<WorkQueueOptions> = {}) {
    this.#opt = { ...WORK_QUEUE_DEFAULTS, ...options };
    if (this.#opt.maxRunningPerClass >= this.#opt.maxRunning && this.#opt.maxRunning > 1) {
      throw new RangeError('maxRunningPerClass must leave the other class a slot (be below maxRunning)');
    }
  }

  /** Tasks waiting and running, per class (stats and load hints for coordinators). */
  get stats(): { running: Record<WorkClass, number>; queued: Record<WorkClass, number> } {
    return { running: { ...this.#running }, queued: { ...this.#queued } };
  }

  /**
   * Runs `work` when a slot is free for its lane. Rejects with FragmentError BUSY at once when the
   * class's queue is full, and with `signal`'s reason if aborted while waiting.
   */
  run<T>(cls: WorkClass, lane: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#queued[cls] >= this.#opt.maxQueuedPerClass) {
      return Promise.reject(
        new FragmentError('BUSY', `the query queue of this node is full (${this.#queued[cls]} waiting)`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!this.#remove(task)) return;
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted while queued'));
      };
      const task: Task = {
        cls,
        lane,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#running[cls]++;
          // A synchronous throw becomes a rejection like any other.
          const p = Promise.resolve().then(work);
          p.then(resolve, reject).finally(() => {
            this.#running[cls]--;
            this.#pump();
          });
        },
        cancel: reject,
      };
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      let q = this.#lanes.get(lane);
      if (!q) this.#lanes.set(lane, (q = []));
      q.push(task);
      this.#queued[cls]++;
      this.#pump();
    });
  }

  /** Rejects every waiting task of a lane (its coordinator left). Running ones are cancelled by their owner. */
  dropLane(lane: string, err: Error): void {
    const q = this.#lanes.get(lane);
    if (!q) return;
    this.#lanes.delete(lane);
    for (const t of q) {
      this.#queued[t.cls]--;
      t.cancel(err);
    }
  }

  #remove(task: Task): boolean {
    const q = this.#lanes.get(task.lane);
    const i = q?.indexOf(task) ?? -1;
    if (!q || i < 0) return false;
    q.splice(i, 1);
    if (q.length === 0) this.#lanes.delete(task.lane);
    this.#queued[task.cls]--;
    return true;
  }

  #pump(): void {
    const cap = this.#opt.maxRunning > 1 ? this.#opt.maxRunningPerClass : 1;
    while (this.#running.local + this.#running.remote < this.#opt.maxRunning) {
      const lanes = [...this.#lanes.keys()];
      if (lanes.length === 0) return;
      let started = false;
      for (let k = 0; k < lanes.length; k++) {
        const at = (this.#cursor + k) % lanes.length;
        const q = this.#lanes.get(lanes[at]!)!;
        const task = q[0]!;
        if (this.#running[task.cls] >= cap) continue;
        q.shift();
        if (q.length === 0) this.#lanes.delete(lanes[at]!);
        this.#queued[task.cls]--;
        this.#cursor = at + 1;
        task.start();
        started = true;
        break;
      }
      if (!started) return;
    }
  }
}
