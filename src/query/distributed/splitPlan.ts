import { aggregateSchema, aggStateTypes } from '../../sql/aggState.ts';
import { col, exprKey } from '../../sql/exprUtil.ts';
import type { Aggregate, Expr, OutputColumn, PlanNode, ScanNode } from '../../sql/plan.ts';
import type { Manifest } from '../../storage/manifest.ts';
import type { DatasetId } from '../../types.ts';

/**
 * One stage of a distributed query: a plan fragment that runs once per executor over that
 * executor's share of one dataset's chunks. The union of the fragments' outputs is the stage's
 * output, which the coordinator reads back as the exchange `id`.
 */
export interface Stage {
  /** Exchange id the coordinator's plan reads the gathered output as: `s0`, `s1`, … */
  id: string;
  /** The fragment template. */
  plan: PlanNode;
  /** The scan inside {@link plan} whose chunks are split across executors (by identity). */
  scan: ScanNode;
  /** Broadcast exchanges the fragment reads (shipped with every fragment). */
  broadcasts: string[];
  /** LIMIT without ORDER BY: once this many rows arrived, the other fragments may stop. */
  rowCap: number | null;
  /** What a fragment computes, for EXPLAIN. */
  label: string;
}

/** The small side of a broadcast join: computed on the coordinator, shipped to every fragment. */
export interface Broadcast {
  id: string;
  /** Coordinator-side plan; may read stage exchanges. */
  plan: PlanNode;
  /** Upper bound of its size in Arrow bytes, as planned. */
  estBytes: number;
}

/**
 * A query split for distributed execution (DESIGN §10): stages run on executors, broadcasts and
 * the root run on the coordinator with the same engine. Run order: the stages each broadcast
 * reads, then the broadcast; then the remaining stages; then the root.
 */
export interface DistributedPlan {
  stages: Stage[];
  /** In dependency order. */
  broadcasts: Broadcast[];
  /** The coordinator's plan, over exchange scans. */
  root: PlanNode;
}

export interface SplitOptions {
  /** Datasets by id: chunk sizes for the broadcast decision. */
  manifests: ReadonlyMap<DatasetId, Manifest>;
  /** A join side estimated (as an upper bound) at most this many Arrow bytes is broadcast. */
  broadcastLimit: number;
}

/** Join sides below this are broadcast by default: shipped to every executor of the other side. */
export const DEFAULT_BROADCAST_LIMIT = 16 * 1024 * 1024;

/** A subtree computed on the coordinator, or a stream still partitioned over executors. */
type Dist =
  | { kind: 'local'; plan: PlanNode }
  | { kind: 'stream'; plan: PlanNode; scan: ScanNode; broadcasts: string[] };

/**
 * Splits an optimized plan into stages, broadcasts and a coordinator plan, so that running it on
 * N nodes gives the single-node answer:
 * - scan + filter + project run in fragments; their union is the result;
 * - aggregates split into a partial phase (fragments) and a final phase (coordinator) merging the
 *   partial states (COUNT → sum of counts, AVG → sums and counts, MIN/MAX, exact integer SUM);
 *   COUNT/SUM/AVG(DISTINCT x) group the fragments by x as well, and the coordinator counts
 *   distinct x (several distinct arguments: the input is gathered instead);
 * - ORDER BY … LIMIT: a local TopN of limit + offset per fragment, merged by a TopN;
 * - LIMIT without ORDER BY: limit + offset per fragment, with early stop; DISTINCT per fragment;
 * - joins: the smaller side is broadcast when its size bound is below `broadcastLimit` (only the
 *   right side of a LEFT join), otherwise both sides are gathered and joined on the coordinator;
 * - anything above a gathered result (HAVING, final projections, DISTINCT, OFFSET, sorts) runs on
 *   the coordinator.
 */
export function splitPlan(plan: PlanNode, opts: SplitOptions): DistributedPlan {
  return new Splitter(opts).run(plan);
}

class Splitter {
  readonly #opts: SplitOptions;
  readonly #stages: Stage[] = [];
  readonly #broadcasts: Broadcast[] = [];
  /** Size bounds of exchanges, for broadcast decisions above them. */
  readonly #exchangeBytes = new Map<string, number>();

  constructor(opts: SplitOptions) {
    this.#opts = opts;
  }

  run(plan: PlanNode): DistributedPlan {
    const d = this.#split(plan);
    const root = d.kind === 'local' ? d.plan : this.#gather(d, 'scan', null);
    return { stages: this.#stages, broadcasts: this.#broadcasts, root };
  }

  #split(n: PlanNode): Dist {
    switch (n.kind) {
      case 'scan':
        return { kind: 'stream', plan: n, scan: n, broadcasts: [] };
      case 'values':
        return { kind: 'local', plan: n };
      case 'filter':
      case 'project': {
        const d = this.#split(n.input);
        return { ...d, plan: { ...n, input: d.plan } };
      }
      case 'aggregate': {
        const d = this.#split(n.input);
        if (d.kind === 'local') return { kind: 'local', plan: { ...n, input: d.plan } };
        return { kind: 'local', plan: this.#aggregate(n, d) };
      }
      case 'topn': {
        const d = this.#split(n.input);
        if (d.kind === 'local') return { kind: 'local', plan: { ...n, input: d.plan } };
        const local: PlanNode = { ...n, input: d.plan, limit: n.limit + n.offset, offset: 0 };
        return { kind: 'local', plan: { ...n, input: this.#gather({ ...d, plan: local }, 'top-n', null) } };
      }
      case 'limit': {
        const d = this.#split(n.input);
        if (d.kind === 'local') return { kind: 'local', plan: { ...n, input: d.plan } };
        if (n.limit === null) return { kind: 'local', plan: { ...n, input: this.#gather(d, 'scan', null) } };
        const cap = n.limit + n.offset;
        const local: PlanNode = { ...n, input: d.plan, limit: cap, offset: 0 };
        return { kind: 'local', plan: { ...n, input: this.#gather({ ...d, plan: local }, 'limit', cap) } };
      }
      case 'distinct': {
        const d = this.#split(n.input);
        if (d.kind === 'local') return { kind: 'local', plan: { ...n, input: d.plan } };
        const local: PlanNode = { ...n, input: d.plan };
        return {
          kind: 'local',
          plan: { ...n, input: this.#gather({ ...d, plan: local }, 'distinct', null) },
        };
      }
      case 'sort': {
        const d = this.#split(n.input);
        return {
          kind: 'local',
          plan: { ...n, input: d.kind === 'local' ? d.plan : this.#gather(d, 'scan', null) },
        };
      }
      case 'join':
        return this.#join(n);
    }
  }

  /** Two-phase aggregation over a stream (see splitPlan). */
  #aggregate(n: Extract<PlanNode, { kind: 'aggregate' }>, d: Extract<Dist, { kind: 'stream' }>): PlanNode {
    // MIN/MAX(DISTINCT x) equal MIN/MAX(x).
    const isDistinct = (a: Aggregate) => a.distinct && a.fn !== 'min' && a.fn !== 'max';
    const distinctArgs = new Map<string, Expr>();
    for (const a of n.aggregates) if (isDistinct(a) && a.arg) distinctArgs.set(exprKey(a.arg), a.arg);
    if (distinctArgs.size > 1) return { ...n, input: this.#gather(d, 'scan', null) };
    const x = [...distinctArgs.values()][0];
    const groups = x ? [...n.groups, x] : [...n.groups];
    const names = [...n.schema.slice(0, n.groups.length).map((c) => c.name), ...(x ? ['#distinct'] : [])];
    const plain = n.aggregates.filter((a) => !isDistinct(a));
    const partialAggs: Aggregate[] = plain.map((a) => ({ ...a, distinct: false, phase: 'partial' }));
    const partial: PlanNode = {
      kind: 'aggregate',
      input: d.plan,
      groups,
      aggregates: partialAggs,
      schema: aggregateSchema(groups, names, partialAggs),
      estRows: n.estRows,
    };
    const ex = this.#gather(
      { ...d, plan: partial },
      x ? 'partial aggregate, distinct keys' : 'partial aggregate',
      null,
    );
    const g = n.groups.length;
    let at = groups.length;
    const finals: Aggregate[] = n.aggregates.map((a) => {
      if (isDistinct(a))
        return { fn: a.fn, arg: col(g, x!.type, '#distinct'), distinct: true, type: a.type, name: a.name };
      const argType = a.arg?.type ?? 'NULL';
      const state = aggStateTypes(a, argType).map((type, k) => col(at + k, type, ex.schema[at + k]!.name));
      at += state.length;
      return { fn: a.fn, distinct: false, type: a.type, name: a.name, phase: 'final', argType, state };
    });
    return {
      kind: 'aggregate',
      input: ex,
      groups: n.schema.slice(0, g).map((c, i) => col(i, c.type, c.name)),
      aggregates: finals,
      schema: n.schema,
      estRows: n.estRows,
    };
  }

  #join(n: Extract<PlanNode, { kind: 'join' }>): Dist {
    const l = this.#split(n.left);
    const r = this.#split(n.right);
    if (l.kind === 'local' && r.kind === 'local')
      return { kind: 'local', plan: { ...n, left: l.plan, right: r.plan } };
    const limit = this.#opts.broadcastLimit;
    const lBytes = this.#bytes(l.plan);
    const rBytes = this.#bytes(r.plan);
    const right = l.kind === 'stream' && rBytes <= limit;
    // A LEFT join keeps every left row once: only its right side may go to every executor.
    const left = n.joinType === 'inner' && r.kind === 'stream' && lBytes <= limit;
    if (right && (!left || rBytes <= lBytes)) {
      const id = this.#broadcast(r, rBytes);
      return {
        kind: 'stream',
        plan: { ...n, left: l.plan, right: exchangeScan(id, r.plan) },
        scan: l.scan,
        broadcasts: [...l.broadcasts, id],
      };
    }
    if (left) {
      const id = this.#broadcast(l, lBytes);
      return {
        kind: 'stream',
        plan: { ...n, left: exchangeScan(id, l.plan), right: r.plan },
        scan: r.scan,
        broadcasts: [...r.broadcasts, id],
      };
    }
    const side = (d: Dist) => (d.kind === 'local' ? d.plan : this.#gather(d, 'scan', null));
    return { kind: 'local', plan: { ...n, left: side(l), right: side(r) } };
  }

  #broadcast(d: Dist, estBytes: number): string {
    const plan = d.kind === 'local' ? d.plan : this.#gather(d, 'scan', null);
    const id = `b${this.#broadcasts.length}`;
    this.#broadcasts.push({ id, plan, estBytes });
    this.#exchangeBytes.set(id, estBytes);
    return id;
  }

  /** Turns a stream into a stage and returns the exchange scan that reads its gathered output. */
  #gather(d: Extract<Dist, { kind: 'stream' }>, label: string, rowCap: number | null): ScanNode {
    const id = `s${this.#stages.length}`;
    this.#stages.push({ id, plan: d.plan, scan: d.scan, broadcasts: d.broadcasts, rowCap, label });
    this.#exchangeBytes.set(id, this.#bytes(d.plan));
    return exchangeScan(id, d.plan);
  }

  /**
   * An upper bound of the Arrow bytes a subtree produces: what its scans read of their chunks
   * (their share of the columns), since filters, projections and aggregates only shrink that.
   * A join's output has no such bound, so it is never broadcast.
   */
  #bytes(n: PlanNode): number {
    switch (n.kind) {
      case 'scan': {
        if (n.exchange !== undefined) return this.#exchangeBytes.get(n.exchange) ?? Infinity;
        const m = this.#opts.manifests.get(n.dataset);
        if (!m) return Infinity;
        const size = new Map(m.chunks.map((c) => [c.id, c.bytes]));
        const share = m.schema.length === 0 ? 1 : n.columns.length / m.schema.length;
        return n.chunks.reduce((s, c) => s + (size.get(c.id) ?? Infinity), 0) * share + 64 * n.chunks.length;
      }
      case 'values':
        return 64 * (n.rows.length + 1);
      case 'join':
        return Infinity;
      default:
        return this.#bytes(n.input);
    }
  }
}

/** A scan of an exchange (a stage's gathered output or a broadcast) with `source`'s schema. */
export function exchangeScan(id: string, source: PlanNode): ScanNode {
  const schema: OutputColumn[] = source.schema.map((c) => ({ ...c }));
  return {
    kind: 'scan',
    table: `#${id}`,
    dataset: `#${id}` as DatasetId,
    columns: schema.map((_, i) => i),
    schema,
    predicate: null,
    chunks: [],
    totalChunks: 0,
    estRows: source.estRows,
    exchange: id,
  };
}

/** Exchange ids a plan reads, in plan order. */
export function exchangesOf(n: PlanNode, out: string[] = []): string[] {
  if (n.kind === 'scan') {
    if (n.exchange !== undefined && !out.includes(n.exchange)) out.push(n.exchange);
  } else if (n.kind === 'join') {
    exchangesOf(n.left, out);
    exchangesOf(n.right, out);
  } else if (n.kind !== 'values') exchangesOf(n.input, out);
  return out;
}

/** The stage plan with its partitioned scan reading `chunks` instead. */
export function withChunks(stage: Stage, chunks: ScanNode['chunks']): PlanNode {
  const swap = (n: PlanNode): PlanNode => {
    if (n === stage.scan) return { ...stage.scan, chunks };
    switch (n.kind) {
      case 'scan':
      case 'values':
        return n;
      case 'join':
        return { ...n, left: swap(n.left), right: swap(n.right) };
      default:
        return { ...n, input: swap(n.input) };
    }
  };
  return swap(stage.plan);
}
