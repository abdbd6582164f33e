import { tableFromIPC, util as arrowUtil } from 'apache-arrow';
import { resultArrowType } from '../../engine/arrowOut.ts';
import type { OutputColumn, PlanNode } from '../../sql/plan.ts';
import { isSqlError, SqlError, type SqlErrorCode } from '../../sql/SqlError.ts';
import type { ChunkId, NodeId } from '../../types.ts';
import type { ExchangeInputs, QueryOptions, QueryOutput } from '../QueryEngine.ts';
import { assignChunks, type Assignment, type ChunkTask } from './assignChunks.ts';
import { failureCode, RETRYABLE } from './FragmentServer.ts';
import {
  decodeFragmentResponse,
  encodeCancel,
  encodeFragmentRequest,
  type FragmentResponse,
} from './messages.ts';
import type { QueryNetwork } from './QueryNetwork.ts';
import { exchangesOf, withChunks, type DistributedPlan, type Stage } from './splitPlan.ts';

/** What an execution needs from its coordinator. */
export interface ExecutionHost {
  self: NodeId;
  net: QueryNetwork | undefined;
  /** Live holders of a chunk (locator ∩ membership). */
  holders(chunk: ChunkId): NodeId[];
  hint(node: NodeId): { rttMs?: number; load: number };
  /** Runs a plan on this node's query worker, in the fair queue's `local` class. */
  local(plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions): Promise<QueryOutput>;
  /** Routes `query-response` messages of `id` to `handler` until the returned function is called. */
  route(id: string, handler: (from: NodeId, payload: Uint8Array) => void): () => void;
  /** Calls `handler` when an authenticated peer leaves, until the returned function is called. */
  onPeerLeft(handler: (peer: NodeId) => void): () => void;
  /** In-flight fragment accounting for load hints. */
  busy(node: NodeId, delta: number): void;
  reported(node: NodeId, queued: number): void;
  tuning: { silenceMs: number; fragmentShare: number };
  datasetName(id: string): string;
}

export interface ExecutionOptions {
  queryId: string;
  /**
   * The plan runs whole on one executor (the coordinator's shortcut when one node holds every
   * chunk): a failed attempt is not split over other holders but ends the execution with
   * {@link FragmentLost}, and the coordinator falls back to the split plan.
   */
  whole?: boolean;
  deadline: number;
  memoryBudget: number;
  signal: AbortSignal;
  allowPartial: boolean;
  onProgress?: (p: DistributedProgress) => void;
}

/** `query-progress` of a distributed query (merged into lake's QueryProgress). */
export interface DistributedProgress {
  fragmentsDone: number;
  fragmentsTotal: number;
  chunksDone: number;
  chunksTotal: number;
  rowsScanned: number;
  bytesReceived: number;
}

/** The whole-plan attempt failed in a way another holder could fix (see ExecutionOptions.whole). */
export class FragmentLost extends Error {
  override name = 'FragmentLost';
}

/** A chunk's attempts before it counts as unavailable even if a holder is still alive. */
const MAX_CHUNK_ATTEMPTS = 4;
/** Result parts one fragment may send (4 MiB each: 64 GiB, far past any memory budget). */
const MAX_PARTS = 16_384;
/** Errors that say the node cannot serve these chunks at all (never retried there in this query). */
const HARD = new Set(['NOT_HELD', 'VERSION', 'GONE', 'INVALID_RESPONSE', 'DISCONNECTED']);

interface Attempt {
  id: string;
  stage: StageRun;
  node: NodeId;
  chunks: ChunkTask[];
  ctl: AbortController;
  parts: Uint8Array[];
  partsExpected: number | undefined;
  received: number;
  rows: number;
  rowsScanned: number;
  chunksDone: number;
  lastHeard: number;
  deadline: number;
  unroute: () => void;
  ended: boolean;
  /** performance.now() when started; the executor's own time from receipt to result, when known. */
  startedAt: number;
  executorMs: number | undefined;
}

/** When each fragment of a query ran (the last query's, in Coordinator.stats()): for tuning and benchmarks. */
export interface FragmentTrace {
  stage: string;
  node: NodeId;
  chunks: number;
  /** ms from the query's start: fragment sent (or started here) and its result complete. */
  startMs: number;
  endMs: number;
  /** ms the executor reports from receiving the fragment to its result (remote fragments). */
  executorMs?: number;
  outcome: 'done' | 'failed' | 'cancelled';
}

interface StageRun {
  stage: Stage;
  index: number;
  results: Uint8Array[];
  rows: number;
  outstanding: Set<Attempt>;
  chunksDone: number;
  settle: () => void;
  done: boolean;
  /** Holders that failed, per chunk: hard ones never again, soft ones only when nobody else is left. */
  hard: Map<ChunkId, Set<NodeId>>;
  soft: Map<ChunkId, Set<NodeId>>;
  tries: Map<ChunkId, number>;
}

/**
 * One distributed query in flight on its coordinator: runs the stages (one fragment per chosen
 * executor with its chunk list), the broadcasts and the root plan, in the order splitPlan.ts
 * describes. An executor that disconnects, answers with a retryable error, goes silent for
 * `silenceMs`, or passes its fragment deadline has its chunks reassigned to other live holders
 * (cost model again); answers of abandoned attempts are ignored, so every chunk counts exactly
 * once. A fatal error or the signal cancels every attempt (query-cancel to remote executors).
 */
export class Execution {
  readonly #h: ExecutionHost;
  readonly #o: ExecutionOptions;
  readonly #plan: DistributedPlan;
  readonly #first: ReadonlyMap<string, Assignment>;
  readonly #stages = new Map<string, StageRun>();
  readonly #broadcasts = new Map<string, Uint8Array>();
  readonly #missing = new Map<string, number>();
  readonly #attempts = new Set<Attempt>();
  #seq = 0;
  #fatal: Error | undefined;
  #onFatal: ((e: Error) => void)[] = [];
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #bytes = 0;
  #fragmentsDone = 0;
  #rowsScanned = 0;

  constructor(
    host: ExecutionHost,
    plan: DistributedPlan,
    first: ReadonlyMap<string, Assignment>,
    o: ExecutionOptions,
  ) {
    this.#h = host;
    this.#plan = plan;
    this.#first = first;
    this.#o = o;
  }

  /** Chunks left out of a partial result, by dataset name. */
  get missing(): ReadonlyMap<string, number> {
    return this.#missing;
  }

  get fragments(): number {
    return this.#seq;
  }

  /** Fragments whose chunks were reassigned after their executor failed. */
  retries = 0;

  /** One entry per fragment attempt, in the order they ended. */
  readonly trace: FragmentTrace[] = [];
  readonly #t0 = performance.now();

  async run(): Promise<QueryOutput> {
    const onAbort = () => this.#fail(new SqlError('CANCELLED', 'Query cancelled.'));
    if (this.#o.signal.aborted) onAbort();
    this.#o.signal.addEventListener('abort', onAbort);
    const tick = Math.max(10, Math.min(250, this.#h.tuning.silenceMs / 4));
    this.#watchdog = setInterval(() => this.#watch(), tick);
    const offLeft = this.#h.onPeerLeft((peer) => {
      for (const a of [...this.#attempts]) {
        if (a.node === peer) this.#failed(a, 'DISCONNECTED', new Error(`${peer} left the room`));
      }
    });
    try {
      for (const b of this.#plan.broadcasts) {
        const out = await this.#compute(b.plan);
        this.#broadcasts.set(b.id, out.ipc);
      }
      return await this.#compute(this.#plan.root);
    } finally {
      clearInterval(this.#watchdog);
      offLeft();
      this.#o.signal.removeEventListener('abort', onAbort);
      for (const a of [...this.#attempts]) this.#end(a, 'the query finished');
    }
  }

  /** Runs the stages a coordinator-side plan reads, then the plan itself. */
  async #compute(plan: PlanNode): Promise<QueryOutput> {
    const reads = exchangesOf(plan);
    const stages = this.#plan.stages.filter((s) => reads.includes(s.id));
    await this.#guard(Promise.all(stages.map((s) => this.#runStage(s))));
    // A plan that only reads one fragment's result back (a filter, or a query run whole
    // elsewhere) returns it as it came, without another trip through the query worker.
    const only =
      plan.kind === 'scan' && plan.exchange !== undefined ? this.#stages.get(plan.exchange) : undefined;
    if (only && only.results.length === 1 && matchesSchema(only.results[0]!, plan.schema)) {
      return { ipc: only.results[0]!, columns: plan.schema, rowCount: only.rows, executionTime: 0 };
    }
    const inputs: ExchangeInputs = {};
    for (const id of reads) {
      const b = this.#broadcasts.get(id);
      if (b) inputs[id] = [b.slice()];
      else inputs[id] = this.#stages.get(id)?.results ?? [];
    }
    return this.#guard(
      this.#h.local(plan, inputs, {
        deadline: this.#o.deadline,
        memoryBudget: this.#o.memoryBudget,
        signal: this.#o.signal,
      }),
    );
  }

  #runStage(stage: Stage): Promise<void> {
    const existing = this.#stages.get(stage.id);
    if (existing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const run: StageRun = {
        stage,
        index: this.#plan.stages.indexOf(stage),
        results: [],
        rows: 0,
        outstanding: new Set(),
        chunksDone: 0,
        settle: resolve,
        done: false,
        hard: new Map(),
        soft: new Map(),
        tries: new Map(),
      };
      this.#stages.set(stage.id, run);
      const first = this.#first.get(stage.id);
      if (first) this.#launch(run, first);
      else this.#dispatch(run, this.#tasks(stage));
      this.#maybeDone(run);
    });
  }

  #tasks(stage: Stage): ChunkTask[] {
    return stage.scan.chunks.map((c) => ({ id: c.id, rows: c.rows, bytes: 0 }));
  }

  /** Assigns chunks to usable holders (cost model) and starts one attempt per executor. */
  #dispatch(run: StageRun, chunks: ChunkTask[]): void {
    const usable = (c: ChunkTask): NodeId[] => {
      const live = this.#h.holders(c.id).filter((n) => !run.hard.get(c.id)?.has(n));
      const fresh = live.filter((n) => !run.soft.get(c.id)?.has(n));
      if (fresh.length > 0) return fresh;
      return (run.tries.get(c.id) ?? 0) < MAX_CHUNK_ATTEMPTS ? live : [];
    };
    const holders = new Map(chunks.map((c) => [c.id, usable(c)]));
    const a = assignChunks(
      chunks,
      (id) => holders.get(id) ?? [],
      this.#h.self,
      (n) => this.#h.hint(n),
    );
    this.#launch(run, a);
  }

  #launch(run: StageRun, a: Assignment): void {
    if (this.#fatal) return;
    if (a.unavailable.length > 0) {
      const name = this.#h.datasetName(run.stage.scan.dataset);
      if (!this.#o.allowPartial) {
        const total = run.stage.scan.chunks.length;
        this.#fail(
          new SqlError(
            'UNAVAILABLE',
            `Dataset "${name}" is not fully available: ${a.unavailable.length} of the ${total} chunks this query reads have no live holder ` +
              '(the nodes holding them left the room or failed). Try again when they are back, or ask for a partial result ({ allowPartial: true }).',
          ),
        );
        return;
      }
      this.#missing.set(name, (this.#missing.get(name) ?? 0) + a.unavailable.length);
    }
    for (const [node, chunks] of a.byNode) this.#start(run, node, chunks);
  }

  #start(run: StageRun, node: NodeId, chunks: ChunkTask[]): void {
    for (const c of chunks) run.tries.set(c.id, (run.tries.get(c.id) ?? 0) + 1);
    const now = Date.now();
    const remaining = Math.max(1, this.#o.deadline - now);
    // Leave time for a retry when another holder could take over (DESIGN §10: reassign before the deadline).
    const others = chunks.some((c) => this.#h.holders(c.id).some((n) => n !== node));
    const budget = Math.max(1, Math.floor(others ? remaining * this.#h.tuning.fragmentShare : remaining));
    const id = `${this.#o.queryId}-${run.index}-${++this.#seq}`;
    const attempt: Attempt = {
      id,
      stage: run,
      node,
      chunks,
      ctl: new AbortController(),
      parts: [],
      partsExpected: undefined,
      received: 0,
      rows: 0,
      rowsScanned: 0,
      chunksDone: 0,
      lastHeard: performance.now(),
      startedAt: performance.now(),
      executorMs: undefined,
      deadline: now + budget,
      unroute: () => undefined,
      ended: false,
    };
    run.outstanding.add(attempt);
    this.#attempts.add(attempt);
    this.#h.busy(node, 1);
    const plan = withChunks(run.stage, chunks);
    const broadcasts = run.stage.broadcasts.map((b) => ({ id: b, parts: [this.#broadcasts.get(b)!] }));
    this.#progress();
    if (node === this.#h.self) {
      const inputs: ExchangeInputs = Object.fromEntries(
        broadcasts.map((b) => [b.id, b.parts.map((p) => p.slice())]),
      );
      this.#h
        .local(plan, inputs, {
          deadline: attempt.deadline,
          memoryBudget: this.#o.memoryBudget,
          signal: attempt.ctl.signal,
          onProgress: (p) => {
            attempt.chunksDone = p.chunksDone;
            attempt.rowsScanned = p.rowsScanned;
            this.#progress();
          },
        })
        .then(
          (out) => {
            if (attempt.ended) return;
            attempt.rows = out.rowCount;
            this.#commit(attempt, out.ipc);
          },
          (e: unknown) => {
            if (attempt.ended) return;
            const code = failureCode(e);
            this.#failed(attempt, code, e instanceof Error ? e : new Error(String(e)));
          },
        );
      return;
    }
    const net = this.#h.net;
    if (!net) {
      this.#failed(attempt, 'DISCONNECTED', new Error('not in a room'));
      return;
    }
    attempt.unroute = this.#h.route(id, (from, payload) => {
      if (from === node) this.#onResponse(attempt, payload);
    });
    let payload: Uint8Array;
    try {
      payload = encodeFragmentRequest({
        queryId: this.#o.queryId,
        timeoutMs: budget,
        memoryBudget: this.#o.memoryBudget,
        plan,
        broadcasts,
      });
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    // Broadcast data is bulk; a plain fragment is a small control message.
    const channel = payload.byteLength > 64 * 1024 ? 'bulk' : 'control';
    net.send(node, 'query-fragment', id, payload, channel).catch((e: unknown) => {
      if (!attempt.ended)
        this.#failed(attempt, 'DISCONNECTED', e instanceof Error ? e : new Error(String(e)));
    });
  }

  #onResponse(a: Attempt, payload: Uint8Array): void {
    if (a.ended) return;
    let r: FragmentResponse;
    try {
      r = decodeFragmentResponse(payload);
    } catch (e) {
      this.#failed(a, 'INVALID_RESPONSE', e instanceof Error ? e : new Error(String(e)));
      return;
    }
    a.lastHeard = performance.now();
    switch (r.kind) {
      case 'progress':
        a.chunksDone = Math.min(r.chunksDone, a.chunks.length);
        a.rowsScanned = r.rowsScanned;
        this.#h.reported(a.node, r.queued);
        this.#progress();
        return;
      case 'part': {
        if (r.index >= MAX_PARTS || a.parts[r.index] !== undefined) {
          this.#failed(a, 'INVALID_RESPONSE', new Error(`result part ${r.index} out of range or repeated`));
          return;
        }
        a.parts[r.index] = r.bytes.slice();
        a.received += r.bytes.byteLength;
        this.#bytes += r.bytes.byteLength;
        if (this.#bytes > this.#o.memoryBudget) {
          this.#fail(
            new SqlError(
              'MEMORY',
              `partial results from the executors passed the memory budget of ${Math.round(this.#o.memoryBudget / 2 ** 20)} MiB; add filters or a LIMIT`,
            ),
          );
          return;
        }
        this.#progress();
        break;
      }
      case 'done':
        if (r.parts > MAX_PARTS || r.parts < 1) {
          this.#failed(a, 'INVALID_RESPONSE', new Error(`a result of ${r.parts} parts`));
          return;
        }
        a.partsExpected = r.parts;
        a.rows = r.rows;
        a.rowsScanned = r.rowsScanned;
        a.executorMs = r.ms;
        this.#h.reported(a.node, r.queued);
        break;
      case 'error': {
        const err = RETRYABLE.has(r.code)
          ? new Error(`${a.node}: ${r.message}`)
          : isQueryErrorCode(r.code)
            ? new SqlError(r.code, r.message)
            : new SqlError(
                'EXECUTOR',
                `node ${a.node} could not run its part of the query (${r.code}): ${r.message}`,
              );
        this.#failed(a, r.retryable && RETRYABLE.has(r.code) ? r.code : 'FATAL', err);
        return;
      }
    }
    if (a.partsExpected !== undefined) {
      for (let k = 0; k < a.partsExpected; k++) if (a.parts[k] === undefined) return;
      if (a.parts.length !== a.partsExpected) {
        this.#failed(a, 'INVALID_RESPONSE', new Error('more result parts than announced'));
        return;
      }
      this.#commit(a, concat(a.parts));
    }
  }

  #commit(a: Attempt, ipc: Uint8Array): void {
    const run = a.stage;
    this.#end(a, null, 'done');
    if (run.done) return;
    run.results.push(ipc);
    run.rows += a.rows;
    run.chunksDone += a.chunks.length;
    this.#rowsScanned += a.rowsScanned;
    this.#fragmentsDone++;
    this.#progress();
    // LIMIT without ORDER BY: enough rows arrived; the others may stop (early stop).
    if (run.stage.rowCap !== null && run.rows >= run.stage.rowCap) {
      for (const o of [...run.outstanding]) this.#end(o, 'enough rows');
      run.done = true;
      run.settle();
      return;
    }
    this.#maybeDone(run);
  }

  /** An attempt failed: retry its chunks elsewhere, or end the query for a fatal error. */
  #failed(a: Attempt, code: string, err: Error): void {
    const run = a.stage;
    this.#end(a, a.node === this.#h.self ? null : `attempt failed: ${code}`, 'failed');
    if (run.done || this.#fatal) return;
    if (!RETRYABLE.has(code) && !HARD.has(code) && code !== 'SILENT' && code !== 'TIMEOUT') {
      this.#fail(err);
      return;
    }
    if (this.#o.whole) {
      this.#fail(new FragmentLost(err.message));
      return;
    }
    const into = HARD.has(code) ? run.hard : run.soft;
    for (const c of a.chunks) {
      let s = into.get(c.id);
      if (!s) into.set(c.id, (s = new Set()));
      s.add(a.node);
    }
    this.retries++;
    this.#dispatch(run, a.chunks);
    this.#maybeDone(run);
  }

  /** Stops tracking an attempt; tells a remote executor to stop when `cancel` is given. */
  #end(a: Attempt, cancel: string | null, outcome: FragmentTrace['outcome'] = 'cancelled'): void {
    if (a.ended) return;
    a.ended = true;
    const entry: FragmentTrace = {
      stage: a.stage.stage.id,
      node: a.node,
      chunks: a.chunks.length,
      startMs: a.startedAt - this.#t0,
      endMs: performance.now() - this.#t0,
      outcome,
    };
    if (a.executorMs !== undefined) entry.executorMs = a.executorMs;
    this.trace.push(entry);
    a.unroute();
    a.stage.outstanding.delete(a);
    this.#attempts.delete(a);
    this.#h.busy(a.node, -1);
    if (a.node === this.#h.self) {
      a.ctl.abort();
      return;
    }
    if (cancel !== null) {
      this.#h.net?.send(a.node, 'query-cancel', a.id, encodeCancel(cancel), 'control').catch(() => {
        // The executor is gone already; it stops on its own when it notices the coordinator left.
        return undefined;
      });
    }
  }

  #maybeDone(run: StageRun): void {
    if (run.done || this.#fatal || run.outstanding.size > 0) return;
    run.done = true;
    run.settle();
  }

  /** Every few hundred ms: silent executors and missed fragment deadlines are failures. */
  #watch(): void {
    const now = performance.now();
    const wall = Date.now();
    for (const a of [...this.#attempts]) {
      if (a.node === this.#h.self || a.ended) continue;
      if (now - a.lastHeard > this.#h.tuning.silenceMs) {
        this.#failed(a, 'SILENT', new Error(`${a.node} went silent`));
      } else if (wall > a.deadline + this.#h.tuning.silenceMs) {
        this.#failed(a, 'TIMEOUT', new Error(`${a.node} missed its fragment deadline`));
      }
    }
  }

  #fail(e: Error): void {
    if (this.#fatal) return;
    this.#fatal = e;
    for (const a of [...this.#attempts]) this.#end(a, isSqlError(e) ? e.code.toLowerCase() : 'failed');
    for (const f of this.#onFatal.splice(0)) f(e);
  }

  /** Races `p` against a fatal error of the query. */
  #guard<T>(p: Promise<T>): Promise<T> {
    if (this.#fatal) return Promise.reject(this.#fatal);
    return new Promise<T>((resolve, reject) => {
      this.#onFatal.push(reject);
      p.then(resolve, reject);
    });
  }

  #progress(): void {
    const cb = this.#o.onProgress;
    if (!cb) return;
    let chunksTotal = 0;
    let chunksDone = 0;
    let rowsScanned = this.#rowsScanned;
    for (const s of this.#plan.stages) chunksTotal += s.scan.chunks.length;
    for (const run of this.#stages.values())
      chunksDone += run.done ? run.stage.scan.chunks.length : run.chunksDone;
    for (const a of this.#attempts) {
      chunksDone += a.chunksDone;
      rowsScanned += a.rowsScanned;
    }
    cb({
      fragmentsDone: this.#fragmentsDone,
      fragmentsTotal: this.#seq,
      chunksDone: Math.min(chunksDone, chunksTotal),
      chunksTotal,
      rowsScanned,
      bytesReceived: this.#bytes,
    });
  }
}

/** Errors of the query itself: an executor's is the query's, with the same code as on one node. */
const QUERY_CODES = new Set<SqlErrorCode>([
  'OVERFLOW',
  'DIVISION',
  'TYPE',
  'DATA',
  'MEMORY',
  'NOT_SUPPORTED',
  'CANCELLED',
]);

function isQueryErrorCode(code: string): code is SqlErrorCode {
  return QUERY_CODES.has(code as SqlErrorCode);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * Whether an executor's result has the plan's columns with the expected Arrow types, so it can be
 * returned without the engine's merge step (which would cast or reject it). Untrusted bytes:
 * anything unreadable is simply not passed through.
 */
function matchesSchema(ipc: Uint8Array, schema: readonly OutputColumn[]): boolean {
  try {
    const fields = tableFromIPC(ipc).schema.fields;
    return (
      fields.length === schema.length &&
      fields.every((f, i) => arrowUtil.compareTypes(f.type, resultArrowType(schema[i]!.type)))
    );
  } catch {
    return false; // not Arrow: the merge step will say so with a clear error
  }
}
