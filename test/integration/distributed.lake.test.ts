// Distributed query through lake.sql (issue #6): DuckDB's SUM semantics survive partial sums that
// leave int64, EXPLAIN shows the distributed plan, and executors treat fragments as untrusted input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import type { LakeNode } from '../../src/lake/LakeNode.ts';
import { decodeFragmentResponse, encodeFragmentRequest } from '../../src/query/distributed/messages.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import type { ChunkId } from '../../src/types.ts';
import { cluster, type Cluster } from '../helpers/cluster.ts';
import { DuckOracle } from '../helpers/tables.ts';
import { differential, type SqlFixture } from '../helpers/sqlFixture.ts';

/** 9e18 ≈ 0.98 · 2^63: two of them already leave int64. First half positive, second half negative. */
const HUGE = 9_000_000_000_000_000_000n;
const ROWS = 2_000;

let source: LakeNode;
let store: MemoryChunkStore;
let oracle: DuckOracle;
let manifests: Manifest[];
let c: Cluster;
let fx: SqlFixture;

beforeAll(async () => {
  store = new MemoryChunkStore();
  source = createLakeNode({ store, config: { chunkSize: 8192 } });
  const lines = ['id,x,g'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${i < ROWS / 2 ? HUGE : -HUGE + BigInt(i % 7)},${i % 3}`);
  const text = lines.join('\n') + '\n';
  const info = await source.ingest({ name: 'h.csv', text });
  oracle = await DuckOracle.create();
  await oracle.loadText(info.name, info.schema, { name: 'h.csv', text, format: 'csv' });
  manifests = await store.listManifests();
  const h = manifests[0]!;
  const firstNegative = h.chunks.findIndex(
    (_, i) => h.chunks.slice(0, i + 1).reduce((s, ch) => s + ch.rows, 0) > ROWS / 2,
  );
  // Positive chunks only on node 1, negative ones only on node 2 (the chunk with both on both).
  c = await cluster(3, store, manifests, (_m, i) =>
    i < firstNegative ? [1] : i > firstNegative ? [2] : [1, 2],
  );
  fx = {
    lake: c.nodes[0]!.lake,
    store,
    oracle,
    tables: new Map([['h', info]]),
    close: () => Promise.resolve(),
  };
}, 60_000);

afterAll(async () => {
  await c?.close();
  await source?.close();
  oracle?.close();
});

describe('SUM keeps DuckDB semantics across nodes', () => {
  it('partial sums far beyond int64 whose total fits: exact, as on one node and in DuckDB (HUGEINT)', async () => {
    for (const sql of [
      'SELECT SUM(x) AS s, AVG(x) AS a, COUNT(x) AS n FROM h',
      'SELECT g, SUM(x) AS s, AVG(x) AS a FROM h GROUP BY g',
      'SELECT SUM(x) AS s FROM h WHERE id >= 10 AND id < 1990',
    ]) {
      const one = await source.sql(sql);
      const many = await c.nodes[0]!.lake.sql(sql);
      expect(many.rows, sql).toEqual(one.rows);
      const problem = await differential(fx, { sql, types: true, names: 'identifiers' });
      expect(problem, problem ?? '').toBeNull();
    }
    // The executors really summed halves that leave int64: each holds one sign only.
    expect(c.nodes[1]!.lake.fragments().done).toBeGreaterThan(0);
    expect(c.nodes[2]!.lake.fragments().done).toBeGreaterThan(0);
  });

  it('a total beyond int64 is OVERFLOW on N nodes exactly as on one node', async () => {
    const sql = 'SELECT SUM(x) AS s FROM h WHERE id < 1000';
    await expect(source.sql(sql)).rejects.toMatchObject({ code: 'OVERFLOW' });
    await expect(c.nodes[0]!.lake.sql(sql)).rejects.toMatchObject({ code: 'OVERFLOW' });
  });
});

describe('EXPLAIN of a distributed query', () => {
  it('shows fragments, their executors, chunk counts, estimated rows and bytes, and pruned chunks', async () => {
    const r = await c.nodes[0]!.lake.sql(
      'EXPLAIN SELECT g, COUNT(*) AS n FROM h WHERE id >= 1500 GROUP BY g',
    );
    const text = r.rows.map((x) => x.plan).join('\n');
    expect(text).toBe(r.plan);
    const h = manifests[0]!;
    expect(text).toMatch(
      new RegExp(
        `^Distributed plan: 1 fragment in 1 stage on 1 node; (\\d+) of ${h.chunks.length} chunks read, (\\d+) pruned by zone maps`,
      ),
    );
    const [, read, pruned] = /(\d+) of \d+ chunks read, (\d+) pruned/.exec(text)!;
    expect(Number(read) + Number(pruned)).toBe(h.chunks.length);
    expect(Number(pruned)).toBeGreaterThan(0);
    expect(text).toContain(`Coordinator ${c.nodes[0]!.id} (this node):`);
    expect(text).toMatch(
      new RegExp(
        `Fragment s0\\.1 on ${c.nodes[2]!.id}: ${read} chunks, \\d+ rows scanned, estRows out: \\d+, estBytes read: [\\d.]+ KiB`,
      ),
    );
    // Node 2 holds every chunk left after pruning: it runs the query whole, no partial states.
    expect(text).toContain('Stage s0: whole query over h');
    expect(text).toMatch(/Fragment plan:\n {4}Project g, count_star\(\) AS n.*\n {6}Aggregate groups: \[g\]/);
    // Spread over both holders, the aggregate splits into partial states and a final merge.
    const spread = await c.nodes[0]!.lake.sql('EXPLAIN SELECT g, COUNT(*) AS n FROM h GROUP BY g');
    expect(spread.plan).toMatch(/Aggregate final groups: \[g\]/);
    expect(spread.plan).toMatch(/Aggregate partial groups: \[g\]/);
    expect(spread.plan).toMatch(/^Distributed plan: 2 fragments in 1 stage on 2 nodes/);
  });
});

describe('executors treat fragments as untrusted input', () => {
  /** Sends a raw query-fragment from node 1 to node 2 (as a hostile or buggy peer) and returns node 2's answer. */
  async function ask(payload: Uint8Array, id: string) {
    const membership = c.nodes[1]!.mesh.membership;
    const answer = new Promise<ReturnType<typeof decodeFragmentResponse>>((resolve) => {
      const off = membership.on('message', ({ message }) => {
        if (message.type !== 'query-response' || message.id !== id) return;
        const r = decodeFragmentResponse(message.payload);
        if (r.kind === 'progress') return; // "accepted", before the answer
        off();
        resolve(r);
      });
    });
    await membership.send(c.nodes[2]!.id, 'query-fragment', { id }, payload);
    return answer;
  }

  it('garbage is answered INVALID_FRAGMENT, chunks it does not hold NOT_HELD, and the node keeps working', async () => {
    const before = c.nodes[2]!.lake.fragments().rejected;
    const junk = await ask(new Uint8Array([0x93, 1, 2, 3]), 'junk-1');
    expect(junk).toMatchObject({ kind: 'error', code: 'INVALID_FRAGMENT', retryable: false });
    const h = manifests[0]!;
    const plan = {
      kind: 'scan' as const,
      table: 'h',
      dataset: h.id,
      columns: [0],
      schema: [{ name: 'id', type: 'INTEGER' as const }],
      predicate: null,
      chunks: [{ id: 'ab'.repeat(32) as ChunkId, rows: 1 }],
      totalChunks: 1,
      estRows: 1,
    };
    const missing = await ask(
      encodeFragmentRequest({ queryId: 'x', timeoutMs: 1000, memoryBudget: 2 ** 20, plan, broadcasts: [] }),
      'missing-1',
    );
    expect(missing).toMatchObject({ kind: 'error', code: 'NOT_HELD', retryable: true });
    expect(c.nodes[2]!.lake.fragments().rejected).toBe(before + 1);
    expect((await c.nodes[0]!.lake.sql('SELECT COUNT(*) AS n FROM h')).rows).toEqual([{ n: ROWS }]);
  });
});
