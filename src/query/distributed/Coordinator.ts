import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { explainText } from '../../sql/explain.ts';
import type { PlanNode } from '../../sql/plan.ts';
import type { Manifest } from '../../storage/manifest.ts';
import type { ChunkId, DatasetId, NodeId } from '../../types.ts';
import type { ExchangeInputs, QueryOptions, QueryOutput } from '../QueryEngine.ts';
import type { QueryRunner } from '../QueryRunner.ts';
import { assignChunks, type Assignment, type ChunkTask } from './assignChunks.ts';
import type { ChunkLocator } from './ChunkLocator.ts';
import {
  Execution,
  FragmentLost,
  type DistributedProgress,
  type ExecutionHost,
  type FragmentTrace,
} from './Execution.ts';
import { explainDistributed } from './explainDistributed.ts';
import { QueryCache } from './QueryCache.ts';
import type { QueryNetwork } from './QueryNetwork.ts';
import { DEFAULT_BROADCAST_LIMIT, exchangeScan, splitPlan, type DistributedPlan } from './splitPlan.ts';
import type { WorkQueue } from './WorkQueue.ts';

export interface CoordinatorTuning {
  /** Join sides whose size bound is at most this many bytes are broadcast (splitPlan.ts). */
  broadcastLimit: number;
  /** An executor silent this long (no progress, keepalive or result) counts as failed. */
  silenceMs: number;
  /** Share of the remaining time a fragment gets when another holder could retry its chunks. */
  fragmentShare: number;
}

export const COORDINATOR_DEFAULTS: Readonly<CoordinatorTuning> = Object.freeze({
  broadcastLimit: DEFAULT_BROADCAST_LIMIT,
  /** Five missed keepalives (FragmentServer sends one a second). */
  silenceMs: 5_000,
  /** Half the remaining time is left for a reassignment and the merge. */
  fragmentShare: 0.5,
});

export interface CoordinatorOptions {
  self: NodeId;
  runner: Pick<QueryRunner, 'plan' | 'execute' | 'run'>;
  /** Read on every query, so the LakeNode may swap it (catalog wiring, test placement hook). */
  locator: () => ChunkLocator;
  /** The room; absent for a node alone (every chunk is then local). */
  net?: QueryNetwork;
  queue: WorkQueue;
  /** Whether results are cached (config `queryCache`); read per query. */
  cacheEnabled: () => boolean;
  tuning?: Partial<CoordinatorTuning>;
}

export interface CoordinatorRunOptions {
  /** Absolute deadline, ms since epoch. */
  deadline: number;
  memoryBudget: number;
  signal: AbortSignal;
  /** Return what the live holders have when some chunks have none (flagged `partial`). */
  allowPartial?: boolean;
  onProgress?: (p: DistributedProgress) => void;
}

export interface CoordinatorStats {
  queries: number;
  local: number;
  distributed: number;
  fragments: number;
  retries: number;
  cache: { entries: number; hits: number; misses: number };
  /** The fragments of the last distributed query: where and when each ran. */
  lastTrace: FragmentTrace[];
}

export interface CoordinatorResult {
  output: QueryOutput;
  /** Set when chunks were left out (only with `allowPartial`): chunks missing per dataset name. */
  partial?: { dataset: string; chunks: number }[];
  cached: boolean;
  /** Fragments started (retries included); 0 for a statement that read no chunks or a cache hit. */
  fragments: number;
}

/**
 * The coordinator of distributed queries (DESIGN §10): the tab where SQL was typed. For each
 * statement it plans in the query worker (bind against the locator's committed datasets, prune
 * with zone maps), splits the plan into stages (splitPlan.ts), assigns every chunk to one live
 * holder with the cost model (assignChunks.ts), and runs it (Execution.ts): fragments as
 * `query-fragment` messages to executors and this node's own share in its query worker, partial
 * results merged with the same engine. A plan whose chunks are all local runs whole, as one local
 * query. Results are cached by normalized plan and dataset snapshots (QueryCache.ts).
 *
 * Called by LakeNode.sql. One coordinator per node; it also routes `query-response` messages.
 */
export class Coordinator {
  readonly #o: CoordinatorOptions;
  readonly #tuning: CoordinatorTuning;
  readonly #cache = new QueryCache();
  readonly #routes = new Map<string, (from: NodeId, payload: Uint8Array) => void>();
  readonly #inflight = new Map<NodeId, number>();
  readonly #reported = new Map<NodeId, number>();
  readonly #off: (() => void)[] = [];
  #locatorOff: (() => void) | undefined;
  #locator: ChunkLocator | undefined;
  #seq = 0;
  readonly #prefix = Math.random().toString(36).slice(2, 8);

  constructor(o: CoordinatorOptions) {
    this.#o = o;
    this.#tuning = { ...COORDINATOR_DEFAULTS, ...o.tuning };
    if (o.net) {
      this.#off.push(
        o.net.onMessage((m) => {
          if (m.type === 'query-response') this.#routes.get(m.id)?.(m.from, m.payload);
        }),
        o.net.onPeerLeft((peer) => {
          this.#reported.delete(peer);
          for (const fail of this.#peerLeft) fail(peer);
        }),
      );
    }
  }

  readonly #peerLeft = new Set<(peer: NodeId) => void>();

  readonly #stats = { queries: 0, local: 0, distributed: 0, fragments: 0, retries: 0 };
  #lastTrace: FragmentTrace[] = [];

  /**
   * Queries coordinated here: run whole on this node (`local`) or as fragments (`distributed`),
   * fragments started, reassignments after executor failures, and the result cache.
   */
  stats(): CoordinatorStats {
    return {
      ...this.#stats,
      cache: { entries: this.#cache.size, hits: this.#cache.hits, misses: this.#cache.misses },
      lastTrace: this.#lastTrace.map((t) => ({ ...t })),
    };
  }

  close(): void {
    for (const off of this.#off) off();
    this.#locatorOff?.();
    this.#cache.clear();
  }

  async run(sql: string, opts: CoordinatorRunOptions): Promise<CoordinatorResult> {
    const t0 = performance.now();
    const locator = this.#watchLocator();
    const stmt = await this.#o.runner.plan(sql);
    // A query that runs whole on this node reports progress as one fragment.
    const local: QueryOptions = {
      deadline: opts.deadline,
      memoryBudget: opts.memoryBudget,
      signal: opts.signal,
      onProgress: (p) => opts.onProgress?.({ ...p, fragmentsDone: 0, fragmentsTotal: 1, bytesReceived: 0 }),
    };
    if (stmt.kind === 'show_tables' || stmt.kind === 'describe') {
      const output = await this.#o.queue.run(
        'local',
        'self',
        () => this.#o.runner.run(sql, local),
        opts.signal,
      );
      return { output, cached: false, fragments: 0 };
    }
    const manifests = new Map<DatasetId, Manifest>(locator.datasets().map((m) => [m.id, m]));
    const split = splitPlan(stmt.plan, { manifests, broadcastLimit: this.#tuning.broadcastLimit });
    const splitFirst = this.#assign(split, manifests);
    // One other node holds every chunk: it runs the query whole, as one fragment, and its result
    // is the answer (no partial states, no merge). Should it fail, the split plan runs instead.
    const single = this.#singleExecutor(splitFirst);
    const whole = single && canShip(stmt.plan) ? wholePlan(stmt.plan, split, single, splitFirst) : undefined;
    const dplan = whole?.plan ?? split;
    const first = whole?.first ?? splitFirst;
    const name = (id: string) => manifests.get(id as DatasetId)?.name ?? id;
    const text = this.#o.net
      ? explainDistributed({ plan: dplan, assignments: first, self: this.#o.self, datasetName: name })
      : explainText(stmt.plan);
    if (stmt.kind === 'explain') {
      const table = tableFromArrays({ plan: text.split('\n') });
      const output: QueryOutput = {
        ipc: tableToIPC(table, 'stream'),
        columns: [{ name: 'plan', type: 'VARCHAR' }],
        rowCount: table.numRows,
        executionTime: performance.now() - t0,
        plan: text,
      };
      return { output, cached: false, fragments: 0 };
    }

    const datasets = new Set(dplan.stages.map((s) => s.scan.dataset));
    const snapshots = new Map<DatasetId, string>();
    for (const d of datasets) {
      const s = locator.snapshot(d);
      if (s !== undefined) snapshots.set(d, s);
    }
    const key = JSON.stringify(stmt.plan);
    const useCache = this.#o.cacheEnabled() && snapshots.size === datasets.size;
    if (useCache) {
      const hit = this.#cache.get(key, (d) => locator.snapshot(d));
      if (hit)
        return {
          output: { ...hit, executionTime: performance.now() - t0, plan: text },
          cached: true,
          fragments: 0,
        };
    }

    let output: QueryOutput;
    let partial: CoordinatorResult['partial'];
    let fragments: number;
    this.#stats.queries++;
    if (this.#allLocal(first)) {
      this.#stats.local++;
      output = await this.#local(stmt.plan, {}, local);
      fragments = dplan.stages.length > 0 ? 1 : 0;
    } else {
      this.#stats.distributed++;
      const execOpts = {
        queryId: `${this.#prefix}${++this.#seq}`,
        deadline: opts.deadline,
        memoryBudget: opts.memoryBudget,
        signal: opts.signal,
        allowPartial: opts.allowPartial ?? false,
        onProgress: opts.onProgress,
      };
      const runs = [
        new Execution(this.#host(name), dplan, first, { ...execOpts, whole: whole !== undefined }),
      ];
      try {
        output = await runs[0]!.run();
      } catch (e) {
        if (!(e instanceof FragmentLost) || !whole) throw e;
        // The whole-query shortcut lost its executor: the split plan reassigns chunk by chunk.
        this.#stats.retries++;
        runs.push(new Execution(this.#host(name), split, this.#assign(split, manifests), execOpts));
        output = await runs[1]!.run();
      } finally {
        for (const r of runs) {
          this.#stats.fragments += r.fragments;
          this.#stats.retries += r.retries;
        }
        this.#lastTrace = runs.flatMap((r) => r.trace);
      }
      fragments = runs.reduce((n, r) => n + r.fragments, 0);
      const missing = runs.at(-1)!.missing;
      if (missing.size > 0) partial = [...missing].map(([dataset, chunks]) => ({ dataset, chunks }));
    }
    output = { ...output, executionTime: performance.now() - t0, plan: text };
    if (useCache && !partial) this.#cache.put(key, snapshots, output);
    return partial ? { output, partial, cached: false, fragments } : { output, cached: false, fragments };
  }

  /** The first assignment of every stage (what EXPLAIN shows and the execution starts with). */
  #assign(dplan: DistributedPlan, manifests: ReadonlyMap<DatasetId, Manifest>): Map<string, Assignment> {
    const out = new Map<string, Assignment>();
    for (const s of dplan.stages) {
      const m = manifests.get(s.scan.dataset);
      const bytes = new Map(m?.chunks.map((c) => [c.id, c.bytes]) ?? []);
      const tasks: ChunkTask[] = s.scan.chunks.map((c) => ({
        id: c.id,
        rows: c.rows,
        bytes: bytes.get(c.id) ?? 0,
      }));
      out.set(
        s.id,
        assignChunks(
          tasks,
          (id) => this.#holders(id),
          this.#o.self,
          (n) => this.#hint(n),
        ),
      );
    }
    return out;
  }

  /** The one node (not this one) the whole first assignment went to, if there is exactly one. */
  #singleExecutor(first: ReadonlyMap<string, Assignment>): NodeId | undefined {
    const nodes = new Set<NodeId>();
    for (const a of first.values()) {
      if (a.unavailable.length > 0) return undefined;
      for (const n of a.byNode.keys()) nodes.add(n);
    }
    const [only] = nodes;
    return nodes.size === 1 && only !== this.#o.self ? only : undefined;
  }

  #allLocal(first: ReadonlyMap<string, Assignment>): boolean {
    for (const a of first.values()) {
      if (a.unavailable.length > 0) return false;
      for (const node of a.byNode.keys()) if (node !== this.#o.self) return false;
    }
    return true;
  }

  /** Live holders: the locator's, restricted to this node and the peers membership reports alive. */
  #holders(id: ChunkId): NodeId[] {
    const live = new Set<NodeId>([this.#o.self, ...(this.#o.net?.peers().map((p) => p.nodeId) ?? [])]);
    return this.#locator!.holders(id).filter((n) => live.has(n));
  }

  #hint(node: NodeId): { rttMs?: number; load: number } {
    if (node === this.#o.self) {
      const s = this.#o.queue.stats;
      return { load: s.running.remote + s.queued.remote };
    }
    const rtt = this.#o.net?.peers().find((p) => p.nodeId === node)?.rttMs;
    const load = (this.#inflight.get(node) ?? 0) + (this.#reported.get(node) ?? 0);
    return rtt === undefined ? { load } : { rttMs: rtt, load };
  }

  #local(plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions): Promise<QueryOutput> {
    return this.#o.queue.run('local', 'self', () => this.#o.runner.execute(plan, inputs, opts), opts.signal);
  }

  #host(name: (id: string) => string): ExecutionHost {
    return {
      self: this.#o.self,
      net: this.#o.net,
      holders: (id: ChunkId) => this.#holders(id),
      hint: (n: NodeId) => this.#hint(n),
      local: (plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions) => this.#local(plan, inputs, opts),
      route: (id: string, handler: (from: NodeId, payload: Uint8Array) => void) => {
        this.#routes.set(id, handler);
        return () => this.#routes.delete(id);
      },
      onPeerLeft: (handler: (peer: NodeId) => void) => {
        this.#peerLeft.add(handler);
        return () => this.#peerLeft.delete(handler);
      },
      busy: (n: NodeId, delta: number) =>
        this.#inflight.set(n, Math.max(0, (this.#inflight.get(n) ?? 0) + delta)),
      reported: (n: NodeId, queued: number) => this.#reported.set(n, queued),
      tuning: { silenceMs: this.#tuning.silenceMs, fragmentShare: this.#tuning.fragmentShare },
      datasetName: name,
    };
  }

  /** The current locator; the cache drops entries whose datasets changed whenever it says so. */
  #watchLocator(): ChunkLocator {
    const l = this.#o.locator();
    if (l !== this.#locator) {
      this.#locatorOff?.();
      this.#locator = l;
      this.#cache.clear();
      this.#locatorOff = l.onChange(() => this.#cache.invalidate((d) => l.snapshot(d)));
    }
    return l;
  }
}

/** Whether a plan can travel as one fragment (planCodec.ts has no VALUES node; no exchanges yet). */
function canShip(n: PlanNode): boolean {
  switch (n.kind) {
    case 'values':
      return false;
    case 'scan':
      return n.exchange === undefined;
    case 'join':
      return canShip(n.left) && canShip(n.right);
    default:
      return canShip(n.input);
  }
}

/**
 * The whole query as one stage on `node`: its fragment is the original plan (every scan keeps its
 * chunks, all held there), and the coordinator reads its result back as it is.
 */
function wholePlan(
  plan: PlanNode,
  split: DistributedPlan,
  node: NodeId,
  first: ReadonlyMap<string, Assignment>,
): { plan: DistributedPlan; first: Map<string, Assignment> } | undefined {
  const stage = split.stages[0];
  if (!stage) return undefined;
  const chunks = [...(first.get(stage.id)?.byNode.get(node) ?? [])];
  return {
    plan: {
      stages: [{ id: 's0', plan, scan: stage.scan, broadcasts: [], rowCap: null, label: 'whole query' }],
      broadcasts: [],
      root: exchangeScan('s0', plan),
    },
    first: new Map([['s0', { byNode: new Map([[node, chunks]]), unavailable: [] }]]),
  };
}
