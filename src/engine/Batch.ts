import type { Vec } from './vec.ts';

/**
 * Which physical rows of a batch are live: all of `0..n-1` when `sel` is null, else the first
 * `count` entries of `sel`, ascending. Every kernel takes a Rows and touches only those rows.
 */
export interface Rows {
  readonly n: number;
  readonly sel: Uint32Array | null;
  readonly count: number;
}

/**
 * A record batch flowing between operators: columns of physical length `n` plus a selection.
 * Scan columns are converted from Arrow lazily (`col(i)` on first use), so a column that only a
 * later operator reads is never decoded for rows the predicate already dropped.
 */
export class Batch implements Rows {
  readonly #cols: (Vec | undefined)[];
  readonly #make: ((i: number) => Vec) | undefined;

  constructor(
    readonly n: number,
    cols: (Vec | undefined)[],
    readonly sel: Uint32Array | null,
    readonly count: number,
    make?: (i: number) => Vec,
  ) {
    this.#cols = cols;
    this.#make = make;
  }

  get width(): number {
    return this.#cols.length;
  }

  col(i: number): Vec {
    let v = this.#cols[i];
    if (v === undefined) {
      if (!this.#make) throw new Error(`engine bug: batch has no column ${i}`);
      v = this.#make(i);
      this.#cols[i] = v;
    }
    return v;
  }

  /** All columns, converting lazy ones. */
  cols(): Vec[] {
    const out: Vec[] = [];
    for (let i = 0; i < this.#cols.length; i++) out.push(this.col(i));
    return out;
  }

  /** The same columns under another selection (a subset of this one). */
  select(rows: Rows): Batch {
    return new Batch(this.n, this.#cols, rows.sel, rows.count, this.#make);
  }
}

export function rows(n: number, sel: Uint32Array | null, count: number): Rows {
  return { n, sel, count };
}

let identity = new Uint32Array(0);

/** The selection as an explicit index array (a shared identity array when nothing is filtered). */
export function selOf(r: Rows): Uint32Array {
  if (r.sel !== null) return r.sel;
  if (identity.length < r.n) {
    identity = new Uint32Array(Math.max(r.n, identity.length * 2, 1024));
    for (let i = 0; i < identity.length; i++) identity[i] = i;
  }
  return identity.subarray(0, r.n);
}

/** Rows of `all` that are not in `part` (both ascending; `part` ⊆ `all`). */
export function minus(all: Rows, part: Rows): Rows {
  if (part.count === 0) return all;
  const a = selOf(all);
  const p = selOf(part);
  const out = new Uint32Array(all.count - part.count);
  let j = 0;
  let k = 0;
  for (let x = 0; x < all.count; x++) {
    const i = a[x]!;
    if (j < part.count && p[j] === i) j++;
    else out[k++] = i;
  }
  return { n: all.n, sel: out, count: k };
}

/** Union of two disjoint ascending selections over the same batch. */
export function union(a: Rows, b: Rows): Rows {
  if (b.count === 0) return a;
  if (a.count === 0) return b;
  const x = selOf(a);
  const y = selOf(b);
  const out = new Uint32Array(a.count + b.count);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.count && j < b.count) out[k++] = x[i]! < y[j]! ? x[i++]! : y[j++]!;
  while (i < a.count) out[k++] = x[i++]!;
  while (j < b.count) out[k++] = y[j++]!;
  return { n: a.n, sel: out, count: k };
}
