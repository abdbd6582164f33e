import type { ChunkId, NodeId } from '../../types.ts';

/** A chunk to read, with what the cost model needs. */
export interface ChunkTask {
  id: ChunkId;
  rows: number;
  bytes: number;
}

/** What the coordinator knows about a possible executor. */
export interface ExecutorHint {
  /** Smoothed heartbeat round trip (membership); undefined until measured. */
  rttMs?: number;
  /** Fragments this coordinator has in flight there plus the queue depth it last reported. */
  load: number;
}

export interface Assignment {
  /** Executor → its chunks, in the order given. */
  byNode: Map<NodeId, ChunkTask[]>;
  /** Chunks with no live, usable holder. */
  unavailable: ChunkTask[];
}

/**
 * Cost model tunables (DESIGN §10: prefer local chunks, executors that cover many chunks, low
 * RTT, low load). Times are estimates in ms; only their ratios matter.
 */
export const COST = Object.freeze({
  /** Engine throughput assumed per executor: a conservative figure for a scan with a group-by in the worker (the bench measures 100–400k rows/ms). */
  rowsPerMs: 50_000,
  /** Fixed cost of a remote fragment besides the RTT: encode, send, worker hop, result decode. */
  remoteMs: 2,
  /** RTT assumed for a peer not measured yet. */
  unknownRttMs: 10,
  /** Each fragment queued or running on an executor delays a new one by about this much. */
  loadMs: 20,
});

/**
 * Assigns every chunk to exactly one of its usable holders, greedily minimising the time the
 * slowest executor finishes (LPT scheduling with a start-up cost per executor):
 * - an executor's start-up is 0 for this node, and RTT + {@link COST.remoteMs} for a peer, plus
 *   its load; it is paid once, so an executor already chosen (covering many chunks) is cheaper
 *   than a new one, and a small query stays local;
 * - work is rows / throughput, so a big query spreads over every holder;
 * - the most constrained chunks (fewest holders) go first, larger before smaller;
 * - ties go to this node, then an executor already used, then lower RTT, then node id, so the
 *   plan is deterministic.
 */
export function assignChunks(
  chunks: readonly ChunkTask[],
  holdersOf: (id: ChunkId) => readonly NodeId[],
  self: NodeId,
  hints: (node: NodeId) => ExecutorHint | undefined,
): Assignment {
  const byNode = new Map<NodeId, ChunkTask[]>();
  const unavailable: ChunkTask[] = [];
  const finish = new Map<NodeId, number>();
  const startup = (n: NodeId): number => {
    if (n === self) return (hints(n)?.load ?? 0) * COST.loadMs;
    const h = hints(n);
    return (h?.rttMs ?? COST.unknownRttMs) + COST.remoteMs + (h?.load ?? 0) * COST.loadMs;
  };
  const order = chunks
    .map((c, i) => ({ c, i, holders: [...new Set(holdersOf(c.id))] }))
    .sort((a, b) => a.holders.length - b.holders.length || b.c.rows - a.c.rows || a.i - b.i);
  const picked = new Map<number, NodeId>();
  for (const { c, i, holders } of order) {
    if (holders.length === 0) {
      unavailable.push(c);
      continue;
    }
    let best: NodeId | undefined;
    let bestCost = Infinity;
    for (const h of holders) {
      const cost = (finish.get(h) ?? startup(h)) + c.rows / COST.rowsPerMs;
      if (
        best === undefined ||
        cost < bestCost - 1e-9 ||
        (Math.abs(cost - bestCost) <= 1e-9 && better(h, best))
      ) {
        best = h;
        bestCost = cost;
      }
    }
    finish.set(best!, bestCost);
    picked.set(i, best!);
  }
  function better(a: NodeId, b: NodeId): boolean {
    if ((a === self) !== (b === self)) return a === self;
    if (finish.has(a) !== finish.has(b)) return finish.has(a);
    const ra = hints(a)?.rttMs ?? COST.unknownRttMs;
    const rb = hints(b)?.rttMs ?? COST.unknownRttMs;
    return ra !== rb ? ra < rb : a < b;
  }
  // Chunks keep manifest order within each executor's list.
  chunks.forEach((c, i) => {
    const node = picked.get(i);
    if (node === undefined) return;
    let list = byNode.get(node);
    if (!list) byNode.set(node, (list = []));
    list.push(c);
  });
  unavailable.sort((a, b) => chunks.indexOf(a) - chunks.indexOf(b));
  return { byNode, unavailable };
}
