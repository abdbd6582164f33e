// The "practical limit" baseline of bench/query.bench.ts: each benchmark query written by hand as
// loops over the typed arrays of the stored Arrow chunks (issue #3). Every loop has a tight path
// for pieces without NULLs (the benchmark data has none) and a correct path for pieces with NULLs.
import type { Data, Table } from 'apache-arrow';

export type QueryId = 'q1' | 'q2' | 'q3' | 'q4' | 'q5';
/** Decoded chunks per table name. */
export type Tables = Map<string, Table[]>;

function chunks(tables: Tables, name: string): Table[] {
  const t = tables.get(name);
  if (!t) throw new Error(`table ${name} not loaded`);
  return t;
}

/** The typed-array pieces of a column across a table's record batches. */
function pieces(table: Table, name: string): readonly Data[] {
  // A Table of unknown schema types its columns as Data<any>; narrow once, here.
  const vec = table.getChild(name);
  if (!vec) throw new Error(`no column ${name}`);
  return vec.data as readonly Data[];
}

function isValid(d: Data, i: number): boolean {
  const bit = d.offset + i;
  return ((d.nullBitmap[bit >> 3]! >> (bit & 7)) & 1) === 1;
}

interface Acc {
  n: number;
  sum: number;
  cnt: number;
}

function merge(acc: Map<string | null, Acc>, key: string | null, n: number, sum: number, cnt: number): void {
  const a = acc.get(key);
  if (a) {
    a.n += n;
    a.sum += sum;
    a.cnt += cnt;
  } else acc.set(key, { n, sum, cnt });
}

const rows = (acc: Map<string | null, Acc>) =>
  [...acc].map(([k, a]) => [k, a.n, a.cnt ? a.sum / a.cnt : null]);

function q1(tables: Tables): unknown[][] {
  let n = 0;
  for (const t of chunks(tables, 't')) {
    for (const d of pieces(t, 'age')) {
      const v = d.values as Int32Array;
      const len = d.length;
      // Branch-free: the comparison's 0/1 is added (about 3× faster than `if (…) n++` here).
      if (d.nullCount === 0) {
        for (let i = 0; i < len; i++) n += +(v[i]! > 30);
      } else for (let i = 0; i < len; i++) if (isValid(d, i) && v[i]! > 30) n++;
    }
  }
  return [[n]];
}

function q2(tables: Tables): unknown[][] {
  let sum = 0;
  let any = false;
  for (const t of chunks(tables, 't')) {
    const sal = pieces(t, 'salary');
    const ages = pieces(t, 'age');
    for (let b = 0; b < ages.length; b++) {
      const da = ages[b]!;
      const ds = sal[b]!;
      const a = da.values as Int32Array;
      const s = ds.values as Float64Array;
      const len = da.length;
      if (da.nullCount === 0 && ds.nullCount === 0) {
        // Branch-free (the 0/1 of the comparison times the value): exact for finite salaries.
        let n = 0;
        for (let i = 0; i < len; i++) {
          const hit = +(a[i]! > 30);
          sum += hit * s[i]!;
          n += hit;
        }
        if (n > 0) any = true;
      } else {
        for (let i = 0; i < len; i++) {
          if (isValid(da, i) && isValid(ds, i) && a[i]! > 30) {
            sum += s[i]!;
            any = true;
          }
        }
      }
    }
  }
  return [[any ? sum : null]];
}

/** GROUP BY dept with COUNT(*) and AVG(salary): accumulate by dictionary code, then by name. */
function q3(tables: Tables): unknown[][] {
  const acc = new Map<string | null, Acc>();
  for (const t of chunks(tables, 't')) {
    const sal = pieces(t, 'salary');
    const depts = pieces(t, 'dept');
    for (let b = 0; b < depts.length; b++) {
      const dd = depts[b]!;
      const ds = sal[b]!;
      const dict = dd.dictionary!;
      const size = dict.length + 1; // the last slot is the NULL group
      const counts = new Float64Array(size);
      const sums = new Float64Array(size);
      const nonNull = new Float64Array(size);
      const codes = dd.values as Int32Array;
      const s = ds.values as Float64Array;
      const len = dd.length;
      if (dd.nullCount === 0 && ds.nullCount === 0) {
        for (let i = 0; i < len; i++) {
          const c = codes[i]!;
          counts[c]!++;
          sums[c]! += s[i]!;
        }
        nonNull.set(counts);
      } else {
        for (let i = 0; i < len; i++) {
          const c = isValid(dd, i) ? codes[i]! : size - 1;
          counts[c]!++;
          if (isValid(ds, i)) {
            sums[c]! += s[i]!;
            nonNull[c]!++;
          }
        }
      }
      for (let c = 0; c < size; c++) {
        if (counts[c] !== 0)
          merge(acc, c === size - 1 ? null : (dict.get(c) as string), counts[c]!, sums[c]!, nonNull[c]!);
      }
    }
  }
  return rows(acc);
}

/** ORDER BY salary DESC LIMIT 10: one pass keeping a sorted top 10 (NULLs sort last, never kept). */
function q4(tables: Tables): unknown[][] {
  const K = 10;
  const topV: number[] = [];
  const topAt: { t: Table; i: number }[] = [];
  let floor = -Infinity;
  const offer = (v: number, t: Table, i: number) => {
    let at = topV.length;
    while (at > 0 && topV[at - 1]! < v) at--;
    topV.splice(at, 0, v);
    topAt.splice(at, 0, { t, i });
    if (topV.length > K) {
      topV.pop();
      topAt.pop();
    }
    if (topV.length === K) floor = topV[K - 1]!;
  };
  for (const t of chunks(tables, 't')) {
    let base = 0;
    for (const d of pieces(t, 'salary')) {
      const s = d.values as Float64Array;
      const len = d.length;
      if (d.nullCount === 0) {
        for (let i = 0; i < len; i++) if (s[i]! > floor) offer(s[i]!, t, base + i);
      } else for (let i = 0; i < len; i++) if (s[i]! > floor && isValid(d, i)) offer(s[i]!, t, base + i);
      base += len;
    }
  }
  return topAt.map(({ t, i }) => t.schema.fields.map((f) => t.getChild(f.name)!.get(i) as unknown));
}

/** t JOIN depts ON dept, GROUP BY region: the 1k-row side becomes a code → region slot table per dictionary. */
function q5(tables: Tables): unknown[][] {
  const region = new Map<string, string>();
  for (const t of chunks(tables, 'depts')) {
    const dept = t.getChild('dept')!;
    const reg = t.getChild('region')!;
    for (let i = 0; i < t.numRows; i++) {
      const k = dept.get(i) as string | null;
      if (k !== null) region.set(k, reg.get(i) as string);
    }
  }
  const acc = new Map<string | null, Acc>();
  for (const t of chunks(tables, 't')) {
    const sal = pieces(t, 'salary');
    const depts = pieces(t, 'dept');
    for (let b = 0; b < depts.length; b++) {
      const dd = depts[b]!;
      const ds = sal[b]!;
      const dict = dd.dictionary!;
      const names: string[] = [];
      const slot = new Int32Array(dict.length);
      for (let c = 0; c < dict.length; c++) {
        const r = region.get(dict.get(c) as string);
        if (r === undefined) slot[c] = -1;
        else {
          let k = names.indexOf(r);
          if (k < 0) k = names.push(r) - 1;
          slot[c] = k;
        }
      }
      const counts = new Float64Array(names.length);
      const sums = new Float64Array(names.length);
      const nonNull = new Float64Array(names.length);
      const codes = dd.values as Int32Array;
      const s = ds.values as Float64Array;
      const len = dd.length;
      if (dd.nullCount === 0 && ds.nullCount === 0) {
        for (let i = 0; i < len; i++) {
          const k = slot[codes[i]!]!;
          if (k >= 0) {
            counts[k]!++;
            sums[k]! += s[i]!;
          }
        }
        nonNull.set(counts);
      } else {
        for (let i = 0; i < len; i++) {
          if (!isValid(dd, i)) continue;
          const k = slot[codes[i]!]!;
          if (k < 0) continue;
          counts[k]!++;
          if (isValid(ds, i)) {
            sums[k]! += s[i]!;
            nonNull[k]!++;
          }
        }
      }
      names.forEach((r, k) => merge(acc, r, counts[k]!, sums[k]!, nonNull[k]!));
    }
  }
  return rows(acc);
}

export const LOOPS: Record<QueryId, (tables: Tables) => unknown[][]> = { q1, q2, q3, q4, q5 };
