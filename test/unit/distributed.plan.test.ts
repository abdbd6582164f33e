// The distributed planner's pure parts (issue #6): splitting plans into stages, assigning chunks
// with the cost model, and the compact fragment encoding with its validation of untrusted input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignChunks, COST, type ChunkTask } from '../../src/query/distributed/assignChunks.ts';
import { FragmentError, isFragmentError } from '../../src/query/distributed/FragmentError.ts';
import {
  decodeFragmentRequest,
  decodeFragmentResponse,
  encodeFragmentRequest,
  encodeFragmentResponse,
} from '../../src/query/distributed/messages.ts';
import { decodePlan, encodePlan } from '../../src/query/distributed/planCodec.ts';
import { splitPlan, withChunks, type DistributedPlan } from '../../src/query/distributed/splitPlan.ts';
import { explainText } from '../../src/sql/explain.ts';
import type { PlanNode } from '../../src/sql/plan.ts';
import { planQuery } from '../../src/sql/planQuery.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import type { ChunkId, NodeId } from '../../src/types.ts';
import { dept, emp } from './sql.fixtures.ts';

/** The fixture tables with SHA-256-shaped chunk ids (the wire carries ids as 32 raw bytes). */
const hexId = (name: string, i: number) =>
  (name === 'emp' ? 'a' : 'b').repeat(62) + String(i).padStart(2, '0');
const withHex = (m: Manifest): Manifest => ({
  ...m,
  chunks: m.chunks.map((c, i) => ({ ...c, id: hexId(m.name, i) as ChunkId, bytes: 1000 * (i + 1) })),
});
const tables = [withHex(emp), withHex(dept)];
const catalog = { tables: () => tables };
const manifests = new Map(tables.map((m) => [m.id, m]));

function split(sql: string, broadcastLimit = 16 * 2 ** 20): DistributedPlan {
  const s = planQuery(sql, catalog);
  if (s.kind !== 'query') throw new Error('not a query');
  return splitPlan(s.plan, { manifests, broadcastLimit });
}

const lines = (p: PlanNode) => explainText(p).replace(/ \(estRows: \d+\)/g, '');

describe('splitPlan', () => {
  it('scan + filter + project run in fragments; the coordinator just reads the exchange', () => {
    const d = split('SELECT id, upper(name) AS n FROM emp WHERE age > 25');
    expect(d.stages).toHaveLength(1);
    expect(lines(d.root)).toBe('Exchange s0 columns: [id, n]');
    expect(lines(d.stages[0]!.plan)).toMatch(/^Project id, upper\(name\) AS n\n {2}Scan emp/);
  });

  it('aggregates split into partial states and a final merge; HAVING and expressions over aggregates stay above', () => {
    const d = split(
      'SELECT dept, COUNT(*) AS n, AVG(salary) + 1 AS a, SUM(big) AS s FROM emp GROUP BY dept HAVING MIN(age) > 20',
    );
    const stage = d.stages[0]!;
    expect(stage.label).toBe('partial aggregate');
    // AVG of DOUBLE: sum + count; SUM of BIGINT: lo + hi; COUNT: one column; MIN: the value.
    expect(stage.plan.schema.map((c) => c.type)).toEqual([
      'VARCHAR',
      'BIGINT',
      'DOUBLE',
      'BIGINT',
      'BIGINT',
      'BIGINT',
      'INTEGER',
    ]);
    expect(lines(d.root)).toMatch(/Filter .*\n\s+Aggregate final groups: \[dept\]/);
  });

  it('COUNT(DISTINCT x) groups the fragments by x too; several distinct arguments gather the input', () => {
    const one = split('SELECT dept, COUNT(DISTINCT age) AS d, SUM(salary) AS s FROM emp GROUP BY dept');
    expect(one.stages[0]!.label).toBe('partial aggregate, distinct keys');
    expect(lines(one.stages[0]!.plan)).toMatch(
      /^Aggregate partial groups: \[dept, age\] aggregates: \[sum\(salary\)\]/,
    );
    const two = split('SELECT COUNT(DISTINCT age) AS a, COUNT(DISTINCT dept) AS b FROM emp');
    expect(two.stages[0]!.label).toBe('scan');
    expect(lines(two.root)).toMatch(/Aggregate aggregates: .*\n\s+Exchange s0/);
  });

  it('ORDER BY … LIMIT: a TopN of limit + offset per fragment, merged by a TopN; LIMIT alone stops early', () => {
    const top = split('SELECT id FROM emp ORDER BY salary DESC LIMIT 5 OFFSET 3');
    expect(lines(top.stages[0]!.plan)).toMatch(/^TopN 8 by/);
    expect(lines(top.root)).toMatch(/^Project id\n {2}TopN 5 offset 3 by/);
    const lim = split('SELECT id FROM emp LIMIT 4 OFFSET 2');
    expect(lim.stages[0]!.rowCap).toBe(6);
    expect(lines(lim.stages[0]!.plan)).toMatch(/^Limit 6/);
    expect(lines(lim.root)).toMatch(/^Limit 4 offset 2/);
    expect(split('SELECT DISTINCT dept FROM emp').stages[0]!.label).toBe('distinct');
  });

  it('joins broadcast the small side (only the right of a LEFT join), or gather both', () => {
    const inner = split('SELECT e.id, d.name FROM emp e JOIN dept d ON e.dept = d.name');
    expect(inner.broadcasts).toHaveLength(1);
    expect(inner.stages.find((s) => s.broadcasts.length > 0)?.scan.table).toBe('emp');
    const left = split('SELECT d.name, e.id FROM dept d LEFT JOIN emp e ON e.dept = d.name');
    // dept is smaller but must keep every row once: it is the partitioned side, emp is broadcast.
    const probe = left.stages.find((s) => s.broadcasts.length > 0)!;
    expect(probe.scan.table).toBe('dept');
    const gathered = split('SELECT e.id, d.name FROM emp e JOIN dept d ON e.dept = d.name', 0);
    expect(gathered.broadcasts).toHaveLength(0);
    expect(gathered.stages).toHaveLength(2);
    expect(lines(gathered.root)).toMatch(/HashJoin INNER .*\n {4}Exchange s0.*\n {4}Exchange s1/);
  });

  it('withChunks swaps the chunk list of the partitioned scan only', () => {
    const d = split('SELECT e.id FROM emp e JOIN emp f ON e.id = f.id', 0);
    const s = d.stages[0]!;
    const p = withChunks(s, [s.scan.chunks[0]!]);
    const scans: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      if (n.kind === 'scan') scans.push(n);
      else if (n.kind === 'join') [n.left, n.right].forEach(walk);
      else if (n.kind !== 'values') walk(n.input);
    };
    walk(p);
    expect(scans.map((x) => (x.kind === 'scan' ? x.chunks.length : -1))).toEqual([1]);
  });
});

describe('assignChunks (cost model)', () => {
  const self = 'node-self' as NodeId;
  const b = 'node-b' as NodeId;
  const c = 'node-c' as NodeId;
  const chunk = (i: number, rows: number): ChunkTask => ({
    id: hexId('emp', i) as ChunkId,
    rows,
    bytes: rows * 10,
  });

  it('a small query stays local; a chunk only a peer holds goes to it', () => {
    const a = assignChunks(
      [chunk(0, 1000), chunk(1, 1000)],
      (id) => (id.endsWith('00') ? [b, self] : [c]),
      self,
      () => ({ load: 0 }),
    );
    expect([...a.byNode].map(([n, l]) => [n, l.length])).toEqual([
      [self, 1],
      [c, 1],
    ]);
  });

  it('a big query spreads over every holder, each chunk to exactly one', () => {
    const chunks = Array.from({ length: 30 }, (_, i) => chunk(i, 1_000_000));
    const a = assignChunks(
      chunks,
      () => [self, b, c],
      self,
      () => ({ rttMs: 1, load: 0 }),
    );
    expect([...a.byNode.values()].map((l) => l.length).sort()).toEqual([10, 10, 10]);
    const all = [...a.byNode.values()].flat().map((x) => x.id);
    expect(new Set(all).size).toBe(30);
  });

  it('prefers low RTT and low load, and executors already chosen (few fragments) for small chunks', () => {
    const chunks = Array.from({ length: 6 }, (_, i) => chunk(i, 100));
    const rtt = assignChunks(
      chunks,
      () => [b, c],
      self,
      (n) => ({ rttMs: n === b ? 40 : 2, load: 0 }),
    );
    expect([...rtt.byNode.keys()]).toEqual([c]);
    const load = assignChunks(
      chunks,
      () => [b, c],
      self,
      (n) => ({ rttMs: 2, load: n === c ? 5 : 0 }),
    );
    expect([...load.byNode.keys()]).toEqual([b]);
  });

  it('chunks without a holder are unavailable', () => {
    const a = assignChunks(
      [chunk(0, 1), chunk(1, 1)],
      (id) => (id.endsWith('01') ? [] : [b]),
      self,
      () => undefined,
    );
    expect(a.unavailable.map((x) => x.id)).toEqual([hexId('emp', 1)]);
  });

  it('property: every chunk with a holder is assigned exactly once, to one of its holders', () => {
    const nodes = ['node-self', 'node-b', 'node-c', 'node-d'] as NodeId[];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000_000 }), fc.subarray(nodes)), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 4, maxLength: 4 }),
        (spec, rtts) => {
          const chunks = spec.map(([rows], i) => chunk(i, rows));
          const holders = new Map(chunks.map((ch, i) => [ch.id, spec[i]![1]]));
          const a = assignChunks(
            chunks,
            (id) => holders.get(id)!,
            self,
            (n) => ({ rttMs: rtts[nodes.indexOf(n)], load: 0 }),
          );
          const seen = new Map<string, NodeId>();
          for (const [n, list] of a.byNode)
            for (const ch of list) {
              expect(seen.has(ch.id)).toBe(false);
              expect(holders.get(ch.id)).toContain(n);
              seen.set(ch.id, n);
            }
          expect(seen.size + a.unavailable.length).toBe(chunks.length);
          for (const u of a.unavailable) expect(holders.get(u.id)).toEqual([]);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
    expect(COST.rowsPerMs).toBeGreaterThan(0);
  });
});

describe('fragment encoding', () => {
  const stagesOf = (sql: string, limit?: number) => split(sql, limit).stages;
  const SQL = [
    "SELECT id, upper(name) AS n, age * 2 AS a FROM emp WHERE age > 25 AND name LIKE '%a%'",
    'SELECT dept, COUNT(*) AS n, AVG(salary) AS a, SUM(big) AS s, MIN(hired) AS h FROM emp GROUP BY dept',
    'SELECT COUNT(DISTINCT age) AS d, MAX(name) AS m FROM emp WHERE age IN (21, 22) OR salary BETWEEN 1 AND 2',
    'SELECT id FROM emp ORDER BY salary DESC NULLS FIRST, id LIMIT 5 OFFSET 3',
    "SELECT CASE WHEN age > 30 THEN 'old' ELSE 'young' END AS c, coalesce(big, 7) AS b, CAST(id AS VARCHAR) AS s FROM emp LIMIT 9",
    "SELECT date_trunc('month', updated) AS m, extract(year FROM hired) AS y FROM emp",
    'SELECT DISTINCT dept FROM emp',
  ];
  // Column references' names are derived from the input schema when decoding: compared without them.
  it.each(SQL)('round trip: %s', (sql) => {
    for (const s of stagesOf(sql)) {
      const back = decodePlan(
        JSON.parse(
          JSON.stringify(encodePlan(s.plan), (_, v: unknown) =>
            v instanceof Uint8Array ? { __b: [...v] } : v,
          ),
          (_, v: { __b?: number[] }) => (v && typeof v === 'object' && v.__b ? new Uint8Array(v.__b) : v),
        ) as unknown,
        { broadcasts: new Set(s.broadcasts) },
      );
      expect(lines(back)).toBe(lines(s.plan));
      expect(back.schema).toEqual(s.plan.schema);
      expect(stripColumnNames(back)).toEqual(stripColumnNames(s.plan));
    }
  });

  it('a whole request and the responses round-trip through msgpack; chunk ids travel as 32 bytes', () => {
    const s =
      stagesOf('SELECT e.id, d.name FROM emp e JOIN dept d ON e.dept = d.name')[1] ??
      stagesOf('SELECT e.id, d.name FROM emp e JOIN dept d ON e.dept = d.name')[0]!;
    const req = {
      queryId: 'q1',
      timeoutMs: 5000,
      memoryBudget: 2 ** 20,
      plan: s.plan,
      broadcasts: s.broadcasts.map((id) => ({ id, parts: [new Uint8Array([1, 2, 3])] })),
    };
    const bytes = encodeFragmentRequest(req);
    const back = decodeFragmentRequest(bytes);
    expect(lines(back.plan)).toBe(lines(s.plan));
    expect(back.broadcasts).toEqual(req.broadcasts);
    expect(bytes.byteLength).toBeLessThan(JSON.stringify(s.plan).length);
    for (const r of [
      { kind: 'progress', chunksDone: 1, chunksTotal: 3, rowsScanned: 99, queued: 2 },
      { kind: 'part', index: 0, bytes: new Uint8Array([9, 8]) },
      { kind: 'done', parts: 1, rows: 5, rowsScanned: 99, ms: 1.5, queued: 0 },
      { kind: 'error', code: 'BUSY', message: 'full', retryable: true },
    ] as const) {
      expect(decodeFragmentResponse(encodeFragmentResponse(r))).toEqual(r);
    }
  });

  const scanPlan = () => stagesOf('SELECT id FROM emp WHERE age > 25')[0]!.plan;
  const enc = () => encodePlan(scanPlan());
  const bad =
    (mutate: (a: unknown[]) => unknown, ctx = new Set<string>()) =>
    () =>
      decodePlan(mutate(structuredClone(enc())), { broadcasts: ctx });
  const scanOf = (a: unknown[]) => a[1] as unknown[];

  it.each([
    ['an unknown node tag', (a: unknown[]) => [99, ...a.slice(1)], /unknown or disallowed plan node tag/],
    ['not an array', () => ({ kind: 'scan' }), /is not an array/],
    [
      'a column beyond its input',
      (a: unknown[]) => [a[0], a[1], [[0, 7]], a[3], a[4]],
      /column 7 is not among the 2 input columns/,
    ],
    [
      'a predicate that is not BOOLEAN',
      (a: unknown[]) => {
        scanOf(a)[5] = [1, 5, 0];
        return a;
      },
      /predicate must be BOOLEAN/,
    ],
    [
      'a function with the wrong arity',
      (a: unknown[]) => {
        scanOf(a)[5] = [2, 6, [[0, 0]], 3];
        return a;
      },
      /eq takes 2\.\.2 arguments, got 1/,
    ],
    [
      'an INTEGER literal that is a string',
      (a: unknown[]) => {
        scanOf(a)[5] = [
          2,
          10,
          [
            [0, 0],
            [1, 'x', 0],
          ],
          3,
        ];
        return a;
      },
      /INTEGER literal of the wrong form/,
    ],
    [
      'operands of different types',
      (a: unknown[]) => {
        scanOf(a)[5] = [
          2,
          10,
          [
            [0, 0],
            [1, 'a', 6],
          ],
          3,
        ];
        return a;
      },
      /operands differ in type/,
    ],
    [
      'chunk ids that are not 32 bytes',
      (a: unknown[]) => {
        scanOf(a)[6] = new Uint8Array(31);
        return a;
      },
      /not 32-byte ids/,
    ],
    [
      'chunk rows that do not match the ids',
      (a: unknown[]) => {
        scanOf(a)[7] = [];
        return a;
      },
      /differ in length/,
    ],
    ['a negative LIMIT', () => [6, enc(), -1, 0, 1], /count out of range/],
    ['a VALUES node (never in a fragment)', () => [9, [[1]], 1], /unknown or disallowed plan node tag 9/],
    [
      'an exchange the fragment does not carry',
      (a: unknown[]) => {
        scanOf(a)[10] = 'b0';
        scanOf(a)[6] = new Uint8Array(0);
        scanOf(a)[7] = [];
        return a;
      },
      /does not carry/,
    ],
    [
      'nesting past the depth limit',
      () => {
        let n: unknown = enc();
        for (let i = 0; i < 200; i++) n = [7, n, 1];
        return n;
      },
      /nested deeper than 128/,
    ],
  ] as const)('rejects %s with INVALID_FRAGMENT', (_what, mutate, reason) => {
    let err: unknown;
    try {
      bad(mutate)();
    } catch (e) {
      err = e;
    }
    expect(isFragmentError(err) && err.code, String(err)).toBe('INVALID_FRAGMENT');
    expect((err as Error).message).toMatch(reason);
  });

  it('rejects a final aggregate, and another format version with VERSION', () => {
    const d = split('SELECT dept, COUNT(*) AS n FROM emp GROUP BY dept');
    // The coordinator's merge, sent as if it were a fragment reading a broadcast "s0".
    expect(() => decodePlan(encodePlan(d.root), { broadcasts: new Set(['s0']) })).toThrow(
      /final aggregate never runs in a fragment/,
    );
    expect(() => encodePlan(split('SELECT 1 AS one').root)).toThrow(FragmentError);
    const ok = encodeFragmentRequest({
      queryId: 'q',
      timeoutMs: 1000,
      memoryBudget: 1,
      plan: scanPlan(),
      broadcasts: [],
    });
    const other = ok.slice();
    other[1] = 2; // msgpack fixarray header, then the version as a positive fixint
    expect(() => decodeFragmentRequest(other)).toThrow(expect.objectContaining({ code: 'VERSION' }) as Error);
  });

  it('fuzz: any byte damage to a fragment yields a FragmentError or a valid plan, never a crash', () => {
    const good = encodeFragmentRequest({
      queryId: 'q',
      timeoutMs: 1000,
      memoryBudget: 1,
      plan: stagesOf(SQL[1]!)[0]!.plan,
      broadcasts: [],
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .array(fc.tuple(fc.nat(good.byteLength - 1), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 8,
            })
            .map((flips) => {
              const b = good.slice();
              for (const [at, v] of flips) b[at] = v;
              return b;
            }),
          fc.nat(good.byteLength).map((n) => good.slice(0, n)),
          fc.uint8Array({ maxLength: 300 }),
        ),
        (bytes) => {
          try {
            const r = decodeFragmentRequest(bytes);
            expect(r.plan.schema.length).toBeGreaterThanOrEqual(0);
          } catch (e) {
            expect(isFragmentError(e), String(e)).toBe(true);
          }
        },
      ),
      { seed: 7, numRuns: 3000 },
    );
  });
});

function stripColumnNames(p: PlanNode): unknown {
  return JSON.parse(
    JSON.stringify(p, function (this: Record<string, unknown>, k, v: unknown) {
      if (k === 'name' && this.kind === 'column') return undefined;
      return v;
    }),
  ) as unknown;
}
