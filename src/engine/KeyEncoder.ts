import type { SqlType } from '../sql/plan.ts';
import { SqlError } from './../sql/SqlError.ts';
import type { Rows } from './Batch.ts';
import { selOf } from './Batch.ts';
import { buildVec } from './buildVec.ts';
import type { Scalar, Vec } from './vec.ts';
import { bigScalar, scalarAt } from './vec.ts';

/** Per-column ids must fit 26 bits so two of them pack exactly into one double key. */
const SHIFT = 67108864;
const ABSENT = -1;
const NOT_COMPUTED = -2;
/** Small-int fast path: a per-batch table over [min, max] instead of a Map lookup per row. */
const SMALL_RANGE = 65536;
/** Approximate bytes per Map entry in V8 (hash table slot + boxed key). */
const ENTRY_BYTES = 64;

/**
 * Maps rows' key tuples to dense ids 0,1,2,… in first-seen order: the hash table behind GROUP BY,
 * DISTINCT, COUNT(DISTINCT) and the join build. Each key column gets its own value → id Map
 * (numbers, strings, exact bigints; a dictionary is looked up once per entry, a small-range
 * INTEGER through a per-batch table); tuples are combined pairwise as (previous id, column id)
 * packed into one number key, so no per-row string keys or arrays are built.
 *
 * NULL is a key like any other when `nullsMatch` (GROUP BY, DISTINCT); for a join it never
 * matches and the row gets id -1.
 */
export class KeyEncoder {
  readonly #cols: ColumnIds[];
  readonly #levels: { map: Map<number, number>; parent: number[]; col: number[] }[] = [];

  constructor(
    readonly types: readonly SqlType[],
    readonly nullsMatch: boolean,
  ) {
    this.#cols = types.map(() => new ColumnIds(nullsMatch));
    for (let j = 1; j < types.length; j++) this.#levels.push({ map: new Map(), parent: [], col: [] });
  }

  /** Number of distinct keys so far. */
  get size(): number {
    if (this.types.length === 0) return this.#zeroKeys;
    const last = this.#levels[this.#levels.length - 1];
    return last ? last.parent.length : this.#cols[0]!.values.length;
  }

  #zeroKeys = 0;

  /**
   * Ids at the physical rows of `r` (length r.n; other positions undefined). Unknown keys get a
   * new id when `insert`, else -1; NULL keys get -1 unless `nullsMatch`.
   */
  encode(keys: readonly Vec[], r: Rows, insert: boolean): Int32Array {
    if (keys.length === 0) {
      if (insert && r.count > 0) this.#zeroKeys = 1;
      return new Int32Array(r.n).fill(this.#zeroKeys > 0 ? 0 : ABSENT);
    }
    let ids = this.#cols[0]!.ids(keys[0]!, r, insert);
    const s = selOf(r);
    for (let j = 1; j < keys.length; j++) {
      const col = this.#cols[j]!.ids(keys[j]!, r, insert);
      const lv = this.#levels[j - 1]!;
      const next = new Int32Array(r.n);
      for (let k = 0; k < r.count; k++) {
        const i = s[k]!;
        const a = ids[i]!;
        const c = col[i]!;
        if (a < 0 || c < 0) {
          next[i] = ABSENT;
          continue;
        }
        const key = a * SHIFT + c;
        let id = lv.map.get(key);
        if (id === undefined) {
          if (!insert) {
            next[i] = ABSENT;
            continue;
          }
          id = lv.parent.length;
          if (id >= SHIFT) throw tooMany();
          lv.map.set(key, id);
          lv.parent.push(a);
          lv.col.push(c);
        }
        next[i] = id;
      }
      ids = next;
    }
    return ids;
  }

  /** Single-key fast paths (dictionary codes, small ints): the id of one key value. */
  idOf(x: Scalar, insert: boolean): number {
    return this.#cols[0]!.id(x, insert);
  }

  /** Key column j of every id, in id order (the group keys of an aggregate's output). */
  keyVec(j: number): Vec {
    const n = this.size;
    const colIds = new Int32Array(n);
    for (let g = 0; g < n; g++) colIds[g] = g;
    // Walk from the last level down to level j to find each group's id in column j.
    for (let lv = this.#levels.length - 1; lv >= Math.max(j - 1, 0); lv--) {
      const level = this.#levels[lv]!;
      const useCol = lv === j - 1;
      for (let g = 0; g < n; g++) colIds[g] = useCol ? level.col[colIds[g]!]! : level.parent[colIds[g]!]!;
      if (useCol) break;
    }
    const values = this.#cols[j]!.values;
    const out = new Array<Scalar>(n);
    for (let g = 0; g < n; g++) out[g] = values[colIds[g]!]!;
    return buildVec(this.types[j]!, out);
  }

  /** Approximate bytes held. */
  bytes(): number {
    let b = 0;
    for (const c of this.#cols) b += c.bytes;
    for (const lv of this.#levels) b += lv.parent.length * (ENTRY_BYTES + 16);
    return b;
  }
}

function tooMany(): SqlError {
  return new SqlError('MEMORY', `too many distinct keys (more than ${SHIFT}) for one hash table`);
}

/** value → id for one key column. */
class ColumnIds {
  readonly map = new Map<Scalar, number>();
  readonly values: Scalar[] = [];
  bytes = 0;
  #null = ABSENT;

  constructor(readonly nullsMatch: boolean) {}

  nullId(insert: boolean): number {
    if (!this.nullsMatch) return ABSENT;
    if (this.#null === ABSENT && insert) this.#null = this.#add(null);
    return this.#null;
  }

  #add(x: Scalar): number {
    const id = this.values.length;
    if (id >= SHIFT) throw tooMany();
    this.map.set(x, id);
    this.values.push(x);
    this.bytes += ENTRY_BYTES + (typeof x === 'string' ? x.length * 2 : 0);
    return id;
  }

  id(x: Scalar, insert: boolean): number {
    if (x === null) return this.nullId(insert);
    const key = typeof x === 'bigint' ? bigScalar(x) : x;
    const id = this.map.get(key);
    if (id !== undefined) return id;
    return insert ? this.#add(key) : ABSENT;
  }

  ids(v: Vec, r: Rows, insert: boolean): Int32Array {
    const out = new Int32Array(r.n);
    const s = selOf(r);
    const m = r.count;
    if (v.kind === 'const') {
      const id = this.id(v.value, insert);
      for (let k = 0; k < m; k++) out[s[k]!] = id;
      return out;
    }
    const nulls = v.nulls;
    // The NULL key gets its id when the first NULL row is reached, so ids stay in row order
    // (DISTINCT relies on that to spot first occurrences).
    let nullId = NOT_COMPUTED;
    const nid = (): number => (nullId === NOT_COMPUTED ? (nullId = this.nullId(insert)) : nullId);
    if (v.kind === 'dict') {
      // Looked up lazily: only dictionary entries that live rows use become keys.
      const t = new Int32Array(v.dict.length).fill(NOT_COMPUTED);
      const codes = v.codes;
      for (let k = 0; k < m; k++) {
        const i = s[k]!;
        if (nulls !== null && nulls[i] === 1) {
          out[i] = nid();
          continue;
        }
        const c = codes[i]!;
        let id = t[c]!;
        if (id === NOT_COMPUTED) id = t[c] = this.id(v.dict[c]!, insert);
        out[i] = id;
      }
      return out;
    }
    if (v.kind === 'num' && v.v instanceof Int32Array && m > 0) {
      const a = v.v;
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < m; k++) {
        const x = a[s[k]!]!;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (hi - lo < SMALL_RANGE) {
        const t = new Int32Array(hi - lo + 1).fill(NOT_COMPUTED);
        for (let k = 0; k < m; k++) {
          const i = s[k]!;
          if (nulls !== null && nulls[i] === 1) {
            out[i] = nid();
            continue;
          }
          const x = a[i]!;
          let id = t[x - lo]!;
          if (id === NOT_COMPUTED) id = t[x - lo] = this.id(x, insert);
          out[i] = id;
        }
        return out;
      }
    }
    if (v.kind === 'num' || v.kind === 'str') {
      const a = v.v;
      const map = this.map;
      for (let k = 0; k < m; k++) {
        const i = s[k]!;
        if (nulls !== null && nulls[i] === 1) {
          out[i] = nid();
          continue;
        }
        const id = map.get(a[i]!);
        out[i] = id !== undefined ? id : insert ? this.#add(a[i]!) : ABSENT;
      }
      return out;
    }
    for (let k = 0; k < m; k++) {
      const i = s[k]!;
      out[i] = this.id(scalarAt(v, i), insert);
    }
    return out;
  }
}
