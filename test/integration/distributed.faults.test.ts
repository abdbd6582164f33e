// Distributed query under failure (issue #6): executors that disconnect mid-fragment, miss their
// deadline or answer with errors have their chunks reassigned and the answer stays right; chunks
// without a live holder fail the query naming the dataset (or give a flagged partial result when
// asked); cancellation reaches every executor; progress and the result cache. Then the generated
// differential queries again, on a network that delays, reorders and drops messages, with
// executors partitioned away during queries and killed for good along the way.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryProgress } from '../../src/lake/api.ts';
import type { LakeNode } from '../../src/lake/LakeNode.ts';
import { FragmentError } from '../../src/query/distributed/FragmentError.ts';
import type { ExchangeInputs, QueryOptions, QueryOutput } from '../../src/query/QueryEngine.ts';
import type { QueryRunner } from '../../src/query/QueryRunner.ts';
import type { PlanNode } from '../../src/sql/plan.ts';
import { isSqlError, SqlError } from '../../src/sql/SqlError.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import { cluster, spread, type Cluster, type ClusterOptions, type Layout } from '../helpers/cluster.ts';
import { prng } from '../helpers/tables.ts';
import { queryArbitraries, schemaOf, type GenQuery } from '../helpers/queryGen.ts';
import { differential, sqlFixture, type SqlFixture } from '../helpers/sqlFixture.ts';

const DATA_SEED = 20_260_301;
const FUZZ_SEED = Number(process.env.SQL_FUZZ_SEED ?? 7_070_707);
const FAULT_RUNS = Number(process.env.SQL_FAULT_RUNS ?? 14);

let fx: SqlFixture;
let manifests: Manifest[];

beforeAll(async () => {
  fx = await sqlFixture(DATA_SEED);
  manifests = await fx.store.listManifests();
}, 120_000);
afterAll(async () => {
  await fx?.close();
});

type Mode = 'pass' | 'hold' | 'busy-once';

/**
 * An executor whose engine can be held (a fragment that takes as long as the test wants, still
 * stopping on abort like the real engine) or that answers BUSY: the real in-process engine
 * otherwise. `entered` resolves when a fragment reaches it.
 */
class GatedRunner implements QueryRunner {
  mode: Mode = 'pass';
  held = 0;
  aborted = 0;
  #waiters: (() => void)[] = [];
  constructor(readonly inner: QueryRunner) {}

  entered(): Promise<void> {
    return this.held > 0 ? Promise.resolve() : new Promise((r) => this.#waiters.push(r));
  }
  setCatalog(m: Manifest[]): Promise<void> {
    return this.inner.setCatalog(m);
  }
  run(sql: string, opts: QueryOptions): Promise<QueryOutput> {
    return this.inner.run(sql, opts);
  }
  plan(sql: string) {
    return this.inner.plan(sql);
  }
  cacheStats() {
    return this.inner.cacheStats();
  }
  async execute(plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions): Promise<QueryOutput> {
    if (this.mode === 'busy-once') {
      this.mode = 'pass';
      throw new FragmentError('BUSY', 'test: this executor is busy');
    }
    if (this.mode === 'hold') {
      this.held++;
      for (const w of this.#waiters.splice(0)) w();
      await new Promise<void>((_, reject) => {
        const stop = () => {
          this.aborted++;
          reject(new SqlError('CANCELLED', 'query cancelled'));
        };
        if (opts.signal?.aborted) stop();
        opts.signal?.addEventListener('abort', stop, { once: true });
      });
    }
    return this.inner.execute(plan, inputs, opts);
  }
}

/** A cluster whose nodes run GatedRunners; node 0 is the coordinator and holds nothing. */
async function gated(n: number, layout: Layout, opts: ClusterOptions = {}) {
  const gates: GatedRunner[] = [];
  const c = await cluster(n, fx.store, manifests, layout, {
    ...opts,
    runner: (k, engine) => (gates[k] = new GatedRunner(engine)),
  });
  return { c, gates, coordinator: c.nodes[0]!.lake };
}

/** Resolves once `done()` holds; checked on every query-progress of `lake` and on a short poll (stats change without events). */
async function until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const t0 = Date.now();
  while (!done()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5)); // a poll: executor stats have no event
  }
}

const GROUP = 'SELECT cat, COUNT(*) AS n, SUM(big) AS s, AVG(f) AS a FROM t GROUP BY cat';

async function expectOracle(lake: LakeNode, sql: string): Promise<void> {
  const problem = await differential({ ...fx, lake }, { sql, types: true });
  expect(problem, problem ?? '').toBeNull();
}

describe('executor failures', () => {
  it('an executor that disconnects mid-fragment: its chunks move to other holders, the answer is right', async () => {
    const { c, gates, coordinator } = await gated(4, spread(2, [0]));
    try {
      gates[1]!.mode = 'hold';
      const victim = c.nodes[1]!.lake;
      const killer = {
        sql: async (q: string) => {
          const p = coordinator.sql(q);
          await gates[1]!.entered();
          await victim.close();
          return p;
        },
      } as unknown as LakeNode;
      await expectOracle(killer, GROUP);
    } finally {
      await c.close();
    }
  });

  it('the one node running the whole query dies: the split plan takes over on the other holder', async () => {
    // Both 1 and 2 hold every chunk; u is one chunk, so one of them gets the whole query.
    const { c, gates, coordinator } = await gated(3, () => [1, 2]);
    try {
      gates[1]!.mode = gates[2]!.mode = 'hold';
      const killer = {
        sql: async (q: string) => {
          const p = coordinator.sql(q);
          await Promise.race([gates[1]!.entered(), gates[2]!.entered()]);
          const victim = gates[1]!.held > 0 ? 1 : 2;
          gates[3 - victim]!.mode = 'pass';
          await c.nodes[victim]!.lake.close();
          return p;
        },
      } as unknown as LakeNode;
      const sql = 'SELECT grp, COUNT(*) AS n, AVG(w) AS a, MAX(name) AS m FROM u GROUP BY grp';
      const plan = (await c.nodes[0]!.lake.sql(`EXPLAIN ${sql}`)).plan ?? '';
      expect(plan).toContain('Stage s0: whole query over u');
      await expectOracle(killer, sql);
      expect(coordinator.queryStats().retries).toBeGreaterThanOrEqual(1);
    } finally {
      await c.close();
    }
  });

  it('an executor that misses its deadline: reassigned before the query deadline, the answer is right in time', async () => {
    const { c, gates, coordinator } = await gated(4, spread(2, [0]));
    try {
      gates[2]!.mode = 'hold';
      const t0 = Date.now();
      const r = await coordinator.sql(GROUP, { timeoutMs: 4_000 });
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(r.rowCount).toBe(10);
      const one = await fx.lake.sql(GROUP);
      expect(r.rows.map((x) => [x.cat, x.n, x.s])).toEqual(
        expect.arrayContaining(one.rows.map((x) => [x.cat, x.n, x.s])) as unknown[],
      );
      // Its own deadline stopped the held fragment, and it said so (TIMEOUT, counted as failed).
      await until(() => c.nodes[2]!.lake.fragments().failed >= 1, 'the TIMEOUT answer');
      expect(gates[2]!.aborted).toBeGreaterThanOrEqual(1);
    } finally {
      await c.close();
    }
  });

  it('executors that answer with a retryable error (BUSY): their chunks go to the other holders', async () => {
    // Every chunk on all three executors, each refusing its first fragment: whichever the cost
    // model picks fails first, and the chunks move on until a holder takes them.
    const { c, gates, coordinator } = await gated(4, spread(3, [0]));
    try {
      for (const g of gates.slice(1)) g.mode = 'busy-once';
      await expectOracle(coordinator, GROUP);
      expect(coordinator.queryStats().retries).toBeGreaterThanOrEqual(1);
      expect(c.nodes.reduce((n, x) => n + x.lake.fragments().failed, 0)).toBeGreaterThanOrEqual(1);
      await expectOracle(coordinator, 'SELECT id, f FROM t ORDER BY f DESC NULLS LAST, id LIMIT 7');
    } finally {
      await c.close();
    }
  });

  it('no live holder: the error names the dataset and the chunks missing; allowPartial gives a flagged partial result', async () => {
    // Chunks of t on exactly one of nodes 1..3; node 3 leaves with its share.
    const { c, coordinator } = await gated(4, spread(1, [0]));
    try {
      const lost = [...c.layout].filter(([, h]) => h.includes(c.nodes[3]!.id)).map(([id]) => id);
      const t = manifests.find((m) => m.name === 't')!;
      const lostT = t.chunks.filter((ch) => lost.includes(ch.id));
      expect(lostT.length).toBeGreaterThan(0);
      const left = new Promise<void>((r) => coordinator.on('peer-left', () => r()));
      await c.nodes[3]!.lake.close();
      await left;
      const err = await coordinator.sql('SELECT COUNT(*) AS n FROM t').then(
        () => null,
        (e: unknown) => e,
      );
      expect(isSqlError(err) && err.code).toBe('UNAVAILABLE');
      expect((err as Error).message).toContain(`Dataset "t"`);
      expect((err as Error).message).toContain(`${lostT.length} of the ${t.chunks.length} chunks`);
      const r = await coordinator.sql('SELECT COUNT(*) AS n FROM t', { allowPartial: true });
      expect(r.partial).toEqual([{ dataset: 't', chunks: lostT.length }]);
      expect(r.rows).toEqual([{ n: t.rows - lostT.reduce((s, ch) => s + ch.rows, 0) }]);
      // A partial result is never cached: asking again without allowPartial fails again.
      await expect(coordinator.sql('SELECT COUNT(*) AS n FROM t')).rejects.toThrow(/not fully available/);
    } finally {
      await c.close();
    }
  });
});

describe('cancellation, progress, cache', () => {
  let c: Cluster;
  let gates: GatedRunner[];
  let coordinator: LakeNode;
  beforeAll(async () => {
    ({ c, gates, coordinator } = await gated(4, spread(2, [0])));
  });
  afterAll(async () => c?.close());

  it('Stop (AbortSignal) reaches every executor and their work stops', async () => {
    for (const g of gates.slice(1)) g.mode = 'hold';
    const ctl = new AbortController();
    const q = coordinator.sql('SELECT cat, MAX(f) AS m FROM t GROUP BY cat', { signal: ctl.signal });
    await Promise.all(gates.slice(1).map((g) => g.entered()));
    await until(
      () => c.nodes.slice(1).every((n) => n.lake.fragments().running >= 1),
      'every executor running',
    );
    ctl.abort();
    await expect(q).rejects.toMatchObject({ code: 'CANCELLED' });
    await until(
      () =>
        c.nodes.slice(1).every((n, i) => {
          const f = n.lake.fragments();
          return f.cancelled >= 1 && f.running === 0 && f.queued === 0 && gates[i + 1]!.aborted >= 1;
        }),
      'every executor to stop its fragment',
    );
    for (const g of gates) g.mode = 'pass';
  });

  it('progress: fragments done/total, chunks, rows scanned and bytes received, ending complete', async () => {
    const seen: QueryProgress[] = [];
    const r = await coordinator.sql('SELECT cat, COUNT(*) AS n FROM t GROUP BY cat', {
      onProgress: (p) => seen.push(p),
    });
    expect(r.rowCount).toBe(10);
    expect(seen.length).toBeGreaterThan(1);
    const last = seen.at(-1)!;
    expect(last.fragmentsDone).toBe(last.fragmentsTotal);
    expect(last.fragmentsTotal).toBeGreaterThanOrEqual(2);
    expect(last.chunksDone).toBe(last.chunksTotal);
    expect(last.rowsScanned).toBe(manifests.find((m) => m.name === 't')!.rows);
    expect(last.bytesReceived).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.chunksDone).toBeGreaterThanOrEqual(seen[i - 1]!.chunksDone);
  });

  it('the query cache: the same query (spelled differently) is served from it until the dataset changes', async () => {
    const sql = 'SELECT COUNT(*) AS n, SUM(i) AS s FROM t WHERE k < 500';
    const first = await coordinator.sql(sql);
    expect(first.cached).toBeUndefined();
    const again = await coordinator.sql('select count(*) as n,  sum(i) AS s from T where k < 500');
    expect(again.cached).toBe(true);
    expect(coordinator.queryStats().cache.hits).toBeGreaterThanOrEqual(1);
    expect(again.rows).toEqual(first.rows);
    // A new committed snapshot of t (here: a version with fewer chunks) invalidates it.
    const node = c.nodes[0]!;
    const t = manifests.find((m) => m.name === 't')!;
    const chunks = t.chunks.slice(0, 4);
    const smaller: Manifest = {
      ...t,
      chunks,
      rows: chunks.reduce((s, ch) => s + ch.rows, 0),
      root: 'f'.repeat(64),
    };
    node.locator.setDatasets(manifests.map((m) => (m.id === t.id ? smaller : m)));
    const after = await coordinator.sql(sql);
    expect(after.cached).toBeUndefined();
    expect(Number(after.rows[0]!.n)).toBeLessThan(Number(first.rows[0]!.n));
    node.locator.setDatasets(manifests);
  });
});

describe('generated queries under faults: delays, reordering, drops, executors partitioned and killed mid-query', () => {
  it('every answer matches DuckDB within maxQueryTime', async () => {
    // Every chunk on 4 of the 5 executors: after two kills and during one partition, each chunk
    // still has a live holder, so every query must succeed.
    const c = await cluster(6, fx.store, manifests, spread(4, [0]), {
      network: { faults: { delayMs: [0, 3], reorder: 0.05, dropRate: 0.01 }, seed: 99 },
      config: { maxQueryTime: 20_000 },
    });
    try {
      const coordinator = c.nodes[0]!.lake;
      const random = prng(FUZZ_SEED);
      const alive = new Set(c.nodes.slice(1).map((n) => n.id));
      let count = 0;
      let partitions = 0;
      const faulty = {
        sql: async (q: string) => {
          count++;
          const ids = [...alive];
          const victim = ids[Math.floor(random() * ids.length)]!;
          // Each chunk is on 4 of the 5 executors, so it keeps a live holder while at most 3 are
          // away: killed, or partitioned and not yet back (a healed node rejoins after
          // membership's backoff). A new fault only while that still holds.
          const away =
            5 -
            alive.size +
            ids.filter((id) => !coordinator.peers().some((p) => p.nodeId === id && p.state === 'alive'))
              .length;
          const kill = away < 3 && count >= 25 * (6 - alive.size) && alive.size > 3;
          const partition = away < 3 && !kill && random() < 0.35;
          if (partition) partitions++;
          // A fault at a random moment of the query: a kill for good, or a partition healed after it.
          const timer = setTimeout(() => {
            if (kill) {
              alive.delete(victim);
              void c.nodes.find((n) => n.id === victim)!.lake.close();
            } else if (partition) c.net.partition([c.nodes[0]!.id], [victim]);
          }, random() * 6);
          try {
            return await coordinator.sql(q);
          } finally {
            clearTimeout(timer);
            if (partition) c.net.heal();
          }
        },
      } as unknown as LakeNode;
      const properties = ['filter', 'project', 'aggregate', 'order', 'join'] as const;
      for (const kind of properties) {
        const arb = queryArbitraries(schemaOf(fx.tables))[kind];
        const result = await fc.check(
          fc.asyncProperty(arb, async (g: GenQuery) => {
            const oracle = await fx.oracle.query(g.sql);
            if ('error' in oracle && /^(Binder|Parser|Catalog) Error/.test(oracle.error)) fc.pre(false);
            const problem = await differential(
              { ...fx, lake: faulty },
              { sql: g.sql, orderKeys: g.orderKeys, names: 'identifiers', types: true },
            );
            if (problem) throw new Error(problem);
          }),
          { seed: FUZZ_SEED, numRuns: FAULT_RUNS, endOnFailure: true },
        );
        if (result.failed) {
          throw new Error(
            `property "${kind}" failed under faults: ${result.counterexample?.[0]?.sql ?? ''}\n${String(result.errorInstance)}`,
          );
        }
      }
      expect(count).toBeGreaterThanOrEqual(5 * FAULT_RUNS * 0.95);
      expect(alive.size).toBeLessThan(5);
      // The faults really hit queries: fragments were reassigned after executors failed.
      expect(partitions).toBeGreaterThan(3);
      expect(coordinator.queryStats().retries).toBeGreaterThan(0);
      expect(c.net.stats().dropped).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  }, 240_000);
});
