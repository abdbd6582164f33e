import type { ChunkRef, ColumnStats, Manifest, StatValue } from '../storage/manifest.ts';
import { compareStrings } from './fold.ts';
import type { Expr, ScanNode, SqlType } from './plan.ts';

type Column = Extract<Expr, { kind: 'column' }>;
type Cmp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';
const FLIP: Record<Cmp, Cmp> = { eq: 'eq', neq: 'neq', lt: 'gt', lte: 'gte', gt: 'lt', gte: 'lte' };

/**
 * Zone-map pruning: drops the chunks whose min/max/null counts prove the scan predicate is never
 * TRUE on any of their rows. Only certain proofs prune; anything unknown keeps the chunk.
 */
export function pruneChunks(scan: ScanNode, manifest: Manifest): ScanNode {
  if (!scan.predicate) return scan;
  const refs = new Map(manifest.chunks.map((c) => [c.id as string, c]));
  const chunks = scan.chunks.filter((c) => {
    const ref = refs.get(c.id);
    return !ref || !neverTrue(scan.predicate!, new Chunk(ref, scan, manifest));
  });
  return { ...scan, chunks };
}

class Chunk {
  constructor(
    readonly ref: ChunkRef,
    readonly scan: ScanNode,
    readonly manifest: Manifest,
  ) {}

  stats(c: Column): { s: ColumnStats; type: SqlType } | undefined {
    const at = this.scan.columns[c.index];
    const s = at === undefined ? undefined : this.ref.stats[at];
    const type = at === undefined ? undefined : this.manifest.schema[at]?.type;
    return s && type ? { s, type } : undefined;
  }

  allNull(c: Column): boolean {
    const st = this.stats(c);
    return st !== undefined && st.s.nulls >= this.ref.rows;
  }
}

/** True only if `e` is FALSE or NULL on every row of the chunk. */
function neverTrue(e: Expr, chunk: Chunk): boolean {
  if (chunk.ref.rows === 0) return true;
  if (e.kind === 'literal') return e.value !== true;
  if (e.kind === 'column') return e.type === 'BOOLEAN' && boolNever(e, chunk, true);
  if (e.kind === 'in') {
    const c = columnOf(e.arg);
    if (!c || !e.list.every((x) => x.kind === 'literal')) return false;
    if (chunk.allNull(c.col)) return true;
    if (e.negated) return false;
    return e.list.every((x) => x.kind === 'literal' && (x.value === null || compareNever('eq', c, x, chunk)));
  }
  if (e.kind !== 'call') return false;
  const [a, b] = e.args;
  switch (e.fn) {
    case 'and':
      return e.args.some((x) => neverTrue(x, chunk));
    case 'or':
      return e.args.every((x) => neverTrue(x, chunk));
    case 'not':
      return a?.kind === 'column' && a.type === 'BOOLEAN' && boolNever(a, chunk, false);
    case 'is_null': {
      const c = a && columnOf(a);
      const st = c && chunk.stats(c.col);
      return st !== undefined && st.s.nulls === 0;
    }
    case 'is_not_null': {
      const c = a && columnOf(a);
      return c !== undefined && chunk.allNull(c.col);
    }
    case 'eq':
    case 'neq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (!a || !b) return false;
      const [colSide, litSide, op] = b.kind === 'literal' ? [a, b, e.fn] : [b, a, FLIP[e.fn]];
      const c = columnOf(colSide);
      if (!c || litSide.kind !== 'literal') return false;
      return chunk.allNull(c.col) || compareNever(op, c, litSide, chunk);
    }
    case 'like':
    case 'ilike':
    case 'not_like':
    case 'not_ilike': {
      const c = a && columnOf(a);
      return c !== undefined && chunk.allNull(c.col);
    }
    default:
      return false;
  }
}

/** A bare BOOLEAN column (or NOT column) as a condition: never TRUE if the chunk has no such value. */
function boolNever(c: Column, chunk: Chunk, wanted: boolean): boolean {
  const st = chunk.stats(c);
  if (!st) return false;
  if (st.s.nulls >= chunk.ref.rows) return true;
  return wanted ? st.s.max === false : st.s.min === true;
}

/** A column, possibly under a widening cast, which keeps min/max order (INTEGER→DOUBLE, DATE→TIMESTAMP). */
function columnOf(e: Expr): { col: Column; from: SqlType; to: SqlType } | undefined {
  if (e.kind === 'column') return { col: e, from: e.type, to: e.type };
  if (e.kind !== 'cast' || e.arg.kind !== 'column') return undefined;
  const from = e.arg.type;
  const widening =
    (from === 'INTEGER' && (e.type === 'BIGINT' || e.type === 'DOUBLE')) ||
    (from === 'BIGINT' && e.type === 'DOUBLE') ||
    (from === 'DATE' && e.type === 'TIMESTAMP');
  return widening ? { col: e.arg, from, to: e.type } : undefined;
}

type Key = number | bigint | string;

/** A stat bound in the comparison's type, or undefined when it cannot be trusted. */
function statKey(v: StatValue, from: SqlType, to: SqlType): Key | undefined {
  if (v === null) return undefined;
  switch (from) {
    case 'BIGINT': {
      if ((typeof v !== 'string' && typeof v !== 'number') || !/^-?\d+$/.test(String(v))) return undefined;
      return to === 'DOUBLE' ? Number(v) : BigInt(v);
    }
    case 'INTEGER':
    case 'DOUBLE':
    case 'DATE':
    case 'TIMESTAMP':
      if (typeof v !== 'number' || Number.isNaN(v)) return undefined;
      if (to === 'BIGINT') return Number.isInteger(v) ? BigInt(v) : undefined;
      return from === 'DATE' && to === 'TIMESTAMP' ? v * 86_400_000 : v;
    case 'VARCHAR':
      return typeof v === 'string' ? v : undefined;
    case 'BOOLEAN':
      return typeof v === 'boolean' ? Number(v) : undefined;
    default:
      return undefined;
  }
}

function literalKey(v: unknown, type: SqlType): Key | undefined {
  if (type === 'BIGINT') return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : undefined;
  if (type === 'BOOLEAN') return typeof v === 'boolean' ? Number(v) : undefined;
  // Stats strings were ordered by JavaScript (UTF-16), DuckDB orders by code point; the two agree
  // whenever the literal has no character at or above U+D800, so only such literals prune.
  if (type === 'VARCHAR') return typeof v === 'string' && !/[\ud800-\uffff]/.test(v) ? v : undefined;
  return typeof v === 'number' && !Number.isNaN(v) ? v : undefined;
}

function cmp(x: Key, y: Key): number {
  if (typeof x === 'string' && typeof y === 'string') return compareStrings(x, y);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether `column op literal` is never TRUE in the chunk, from its min and max. */
function compareNever(
  op: Cmp,
  c: { col: Column; from: SqlType; to: SqlType },
  l: Expr,
  chunk: Chunk,
): boolean {
  const st = chunk.stats(c.col);
  if (!st || l.kind !== 'literal' || l.value === null) return l.kind === 'literal' && l.value === null;
  const lo = statKey(st.s.min, st.type, c.to);
  const hi = statKey(st.s.max, st.type, c.to);
  const v = literalKey(l.value, c.to);
  if (lo === undefined || hi === undefined || v === undefined) return false;
  // DOUBLE stats skip NaN, which DuckDB orders above everything: a chunk's max says nothing about
  // whether `x > v` (or `x <> v`) holds for some NaN, so only lower-bound proofs are used.
  const upperUnsafe = st.type === 'DOUBLE';
  switch (op) {
    case 'eq':
      return cmp(v, lo) < 0 || cmp(v, hi) > 0;
    case 'neq':
      return !upperUnsafe && cmp(lo, v) === 0 && cmp(hi, v) === 0;
    case 'lt':
      return cmp(lo, v) >= 0;
    case 'lte':
      return cmp(lo, v) > 0;
    case 'gt':
      return !upperUnsafe && cmp(hi, v) <= 0;
    case 'gte':
      return !upperUnsafe && cmp(hi, v) < 0;
  }
}
