import type { PlanNode } from '../../sql/plan.ts';
import { isSqlError } from '../../sql/SqlError.ts';
import type { NodeId } from '../../types.ts';
import { CHUNK_FAULT } from '../ChunkCache.ts';
import type { QueryRunner } from '../QueryRunner.ts';
import { FragmentError, isFragmentError } from './FragmentError.ts';
import {
  decodeCancel,
  decodeFragmentRequest,
  encodeFragmentResponse,
  PART_BYTES,
  type FragmentRequest,
  type FragmentResponse,
} from './messages.ts';
import type { QueryMessage, QueryNetwork } from './QueryNetwork.ts';
import type { WorkQueue } from './WorkQueue.ts';

/**
 * Errors after which a coordinator should try another holder: this node cannot serve the chunks
 * (missing, corrupt, busy, leaving, too slow, another format), but another node may. Query errors
 * (overflow, division, types, memory) would fail the same way anywhere and end the query.
 */
export const RETRYABLE = new Set(['NOT_HELD', 'BUSY', 'GONE', 'VERSION', 'TIMEOUT']);

/** The wire code of a failure: a chunk fault of this node becomes NOT_HELD (another holder may serve it). */
export function failureCode(e: unknown): string {
  if (isSqlError(e)) return e.code === 'DATA' && CHUNK_FAULT.test(e.message) ? 'NOT_HELD' : e.code;
  return isFragmentError(e) ? e.code : 'INTERNAL';
}

export interface FragmentServerOptions {
  net: QueryNetwork;
  runner: Pick<QueryRunner, 'execute'>;
  queue: WorkQueue;
  /** This node's own limits: a fragment never gets more time or memory than these. */
  limits: () => { maxQueryTime: number; queryMemory: number };
  /** ms between keepalive progress messages while a fragment waits or runs (the coordinator's silence detector). */
  keepaliveMs?: number;
  /** Shortest ms between two progress messages of one fragment. */
  progressMs?: number;
  logger?: Pick<Console, 'warn'>;
}

/** Fragments one coordinator may have here at once (queued or running); more are answered BUSY. */
export const MAX_FRAGMENTS_PER_PEER = 64;
const KEEPALIVE_MS = 1_000;
const PROGRESS_MS = 200;

interface Running {
  from: NodeId;
  id: string;
  queryId: string;
  ctl: AbortController;
  state: 'checking' | 'queued' | 'running';
  /** Stopped by its deadline (answered TIMEOUT), not cancelled. */
  timedOut: boolean;
  lastSent: number;
  progress: { chunksDone: number; chunksTotal: number; rowsScanned: number };
}

/** Counters for tests, the page and the benchmark. */
export interface FragmentStats {
  received: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
  rejected: number;
  /** Queries of peers with a fragment queued or running here. */
  active: string[];
}

/**
 * The executor side of distributed query: answers `query-fragment` messages from peers. Every
 * fragment is decoded and validated (planCodec.ts; a chunk this node lacks is answered NOT_HELD),
 * queued fairly with this tab's own work (WorkQueue, lane per coordinator), and run in the query
 * worker under this node's deadline and memory limits. Results go back as Arrow IPC in parts on
 * the bulk channel. `query-cancel`, the coordinator leaving the room, or {@link close} stop it.
 *
 * Built by the LakeNode when it is in a room.
 */
export class FragmentServer {
  readonly #o: FragmentServerOptions;
  readonly #log: Pick<Console, 'warn'>;
  readonly #fragments = new Map<string, Running>();
  readonly #off: (() => void)[];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #keepaliveMs: number;
  readonly #progressMs: number;
  readonly #stats = { received: 0, done: 0, failed: 0, cancelled: 0, rejected: 0 };
  #warned = false;
  #closed = false;

  constructor(o: FragmentServerOptions) {
    this.#o = o;
    this.#log = o.logger ?? console;
    this.#keepaliveMs = o.keepaliveMs ?? KEEPALIVE_MS;
    this.#progressMs = o.progressMs ?? PROGRESS_MS;
    this.#off = [
      o.net.onMessage((m) => this.#onMessage(m)),
      o.net.onPeerLeft((peer) => this.#onPeerLeft(peer)),
    ];
    this.#timer = setInterval(() => this.#keepalive(), this.#keepaliveMs);
  }

  stats(): FragmentStats {
    let queued = 0;
    let running = 0;
    for (const f of this.#fragments.values()) {
      if (f.state === 'running') running++;
      else queued++;
    }
    const active = [...new Set([...this.#fragments.values()].map((f) => f.queryId))];
    return { ...this.#stats, queued, running, active };
  }

  /** Stops every fragment (their coordinators are told GONE) and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const off of this.#off) off();
    for (const f of this.#fragments.values()) {
      this.#reply(f, {
        kind: 'error',
        code: 'GONE',
        message: 'the executor is shutting down',
        retryable: true,
      });
      f.ctl.abort(new FragmentError('GONE', 'executor closed'));
    }
  }

  #onMessage(m: QueryMessage): void {
    if (this.#closed) return;
    if (m.type === 'query-fragment') this.#onFragment(m);
    else if (m.type === 'query-cancel') this.#onCancel(m);
  }

  #onFragment(m: QueryMessage): void {
    const key = `${m.from} ${m.id}`;
    if (this.#fragments.has(key)) return; // a duplicate delivery of one attempt
    this.#stats.received++;
    const fail = (code: string, message: string, retryable: boolean) => {
      this.#stats.rejected++;
      this.#send(m.from, m.id, { kind: 'error', code, message, retryable }, 'control');
    };
    let perPeer = 0;
    for (const f of this.#fragments.values()) if (f.from === m.from) perPeer++;
    if (perPeer >= MAX_FRAGMENTS_PER_PEER) {
      return fail('BUSY', `more than ${MAX_FRAGMENTS_PER_PEER} fragments from one node`, true);
    }
    let req: FragmentRequest;
    try {
      req = decodeFragmentRequest(m.payload);
    } catch (e) {
      const code = isFragmentError(e) ? e.code : 'INVALID_FRAGMENT';
      return fail(code, e instanceof Error ? e.message : String(e), RETRYABLE.has(code));
    }
    const f: Running = {
      from: m.from,
      id: m.id,
      queryId: req.queryId,
      ctl: new AbortController(),
      state: 'checking',
      timedOut: false,
      lastSent: 0,
      progress: { chunksDone: 0, chunksTotal: countChunks(req.plan), rowsScanned: 0 },
    };
    this.#fragments.set(key, f);
    // #run reports every failure to the coordinator itself; it never rejects.
    void this.#run(f, req).finally(() => this.#fragments.delete(key));
  }

  async #run(f: Running, req: FragmentRequest): Promise<void> {
    const t0 = performance.now();
    const { maxQueryTime, queryMemory } = this.#o.limits();
    const budget = Math.min(req.timeoutMs, maxQueryTime);
    // The deadline holds even while the fragment waits in the queue or a chunk read hangs.
    const timer = setTimeout(() => {
      if (f.ctl.signal.aborted) return;
      this.#stats.failed++;
      this.#reply(f, {
        kind: 'error',
        code: 'TIMEOUT',
        message: `the fragment passed its deadline of ${budget} ms`,
        retryable: true,
      });
      f.timedOut = true;
      f.ctl.abort(new FragmentError('GONE', 'deadline'));
    }, budget);
    try {
      // Chunks this node lacks are found as the scan reaches them (a chunk fault of ChunkCache,
      // answered NOT_HELD); checking them all up front would cost an IndexedDB transaction per query.
      f.state = 'queued';
      this.#progress(f, true);
      const output = await this.#o.queue.run(
        'remote',
        f.from,
        () => {
          f.state = 'running';
          // The deadline counts from receipt, on this node's clock; never more than our own limit.
          return this.#o.runner.execute(
            req.plan,
            Object.fromEntries(req.broadcasts.map((b) => [b.id, b.parts])),
            {
              deadline: Date.now() + budget - (performance.now() - t0),
              memoryBudget: Math.min(req.memoryBudget, queryMemory),
              signal: f.ctl.signal,
              onProgress: (p) => {
                f.progress = p;
                this.#progress(f, false);
              },
            },
          );
        },
        f.ctl.signal,
      );
      if (f.ctl.signal.aborted) return;
      const ipc = output.ipc;
      const parts = Math.max(1, Math.ceil(ipc.byteLength / PART_BYTES));
      for (let k = 0; k < parts; k++) {
        if (f.ctl.signal.aborted) return;
        const bytes = ipc.subarray(k * PART_BYTES, Math.min(ipc.byteLength, (k + 1) * PART_BYTES));
        await this.#sendAwait(f, { kind: 'part', index: k, bytes }, 'bulk');
      }
      await this.#sendAwait(
        f,
        {
          kind: 'done',
          parts,
          rows: output.rowCount,
          rowsScanned: f.progress.rowsScanned,
          ms: performance.now() - t0,
          queued: this.#load(),
        },
        'bulk',
      );
      this.#stats.done++;
    } catch (e) {
      if (f.ctl.signal.aborted) {
        if (!f.timedOut) this.#stats.cancelled++;
        return;
      }
      this.#stats.failed++;
      const code = failureCode(e);
      const message = e instanceof Error ? e.message : String(e);
      this.#reply(f, { kind: 'error', code, message, retryable: RETRYABLE.has(code) });
    } finally {
      clearTimeout(timer);
    }
  }

  #onCancel(m: QueryMessage): void {
    const f = this.#fragments.get(`${m.from} ${m.id}`);
    if (!f) return;
    let reason: string;
    try {
      reason = decodeCancel(m.payload);
    } catch (e) {
      // A malformed cancel from an authenticated peer still means "stop": its fragment is its own.
      reason = `cancelled (${e instanceof Error ? e.message : String(e)})`;
    }
    f.ctl.abort(new FragmentError('GONE', reason));
  }

  #onPeerLeft(peer: NodeId): void {
    for (const f of this.#fragments.values()) {
      if (f.from === peer) f.ctl.abort(new FragmentError('GONE', 'the coordinator left'));
    }
  }

  #progress(f: Running, force: boolean): void {
    const now = performance.now();
    if (!force && now - f.lastSent < this.#progressMs) return;
    this.#reply(f, { kind: 'progress', ...f.progress, queued: this.#load() });
  }

  #keepalive(): void {
    const now = performance.now();
    for (const f of this.#fragments.values()) {
      if (f.state !== 'checking' && now - f.lastSent >= this.#keepaliveMs) this.#progress(f, true);
    }
  }

  /** Work waiting or running in this node's queue: the load hint coordinators weigh. */
  #load(): number {
    const s = this.#o.queue.stats;
    return s.queued.local + s.queued.remote + s.running.local + s.running.remote;
  }

  #reply(f: Running, r: FragmentResponse): void {
    f.lastSent = performance.now();
    this.#send(f.from, f.id, r, 'control');
  }

  async #sendAwait(f: Running, r: FragmentResponse, channel: 'bulk' | 'control'): Promise<void> {
    f.lastSent = performance.now();
    await this.#o.net.send(f.from, 'query-response', f.id, encodeFragmentResponse(r), channel);
  }

  #send(to: NodeId, id: string, r: FragmentResponse, channel: 'bulk' | 'control'): void {
    this.#o.net.send(to, 'query-response', id, encodeFragmentResponse(r), channel).catch((err: unknown) => {
      // The coordinator left: it no longer waits for this answer. Reported once, not per message.
      if (!this.#warned) this.#log.warn(`peerlake: could not answer a fragment of ${to}`, err);
      this.#warned = true;
    });
  }
}

function countChunks(n: PlanNode): number {
  if (n.kind === 'scan') return n.exchange === undefined ? n.chunks.length : 0;
  if (n.kind === 'join') return countChunks(n.left) + countChunks(n.right);
  if (n.kind === 'values') return 0;
  return countChunks(n.input);
}
