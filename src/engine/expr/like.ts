import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { BoolVec, Vec } from '../vec.ts';
import { isNullAt, scalarAt } from '../vec.ts';
import { byCode, mergeNulls, selBuffer } from './compare.ts';
import { duckLower } from './strings.ts';

type Matcher = (s: string) => boolean;

const cache = new Map<string, Matcher>();
const CACHE_MAX = 256;

/**
 * Compiles a LIKE pattern once: `%` any run, `_` one character (a code point, across newlines),
 * no escape character (DuckDB has none by default: 'a_b' LIKE 'a\_b' is false). Prefix, suffix,
 * infix and exact patterns skip the RegExp. ILIKE lowercases both sides like DuckDB's lower().
 */
export function compileLike(pattern: string, ci: boolean): Matcher {
  const key = (ci ? 'i:' : 's:') + pattern;
  let m = cache.get(key);
  if (m) return m;
  m = build(ci ? duckLower(pattern) : pattern);
  if (ci) {
    const inner = m;
    m = (s) => inner(duckLower(s));
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, m);
  return m;
}

function build(p: string): Matcher {
  if (!p.includes('_')) {
    const parts = p.split('%');
    if (parts.length === 1) return (s) => s === p;
    const inner = parts.slice(1, -1);
    if (parts.length === 2 && parts[1] === '') return (s) => s.startsWith(parts[0]!);
    if (parts.length === 2 && parts[0] === '') return (s) => s.endsWith(parts[1]!);
    if (parts.length === 3 && parts[0] === '' && parts[2] === '') return (s) => s.includes(inner[0]!);
  }
  let src = '^';
  for (const ch of p) {
    if (ch === '%') src += '.*';
    else if (ch === '_') src += '.';
    else src += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  const re = new RegExp(`${src}$`, 'su');
  return (s) => re.test(s);
}

/** The rows where `value LIKE pattern` is TRUE (for filters). */
export function likeSel(v: Vec, pat: Vec, ci: boolean, negated: boolean, r: Rows, buf?: Uint32Array): Rows {
  if (pat.kind === 'const' && typeof pat.value === 'string' && v.kind === 'dict') {
    const m = compileLike(pat.value, ci);
    const table = new Uint8Array(v.dict.length);
    for (let c = 0; c < v.dict.length; c++) table[c] = m(v.dict[c]!) !== negated ? 1 : 0;
    return byCode(v.codes, table, v.nulls, r, buf);
  }
  const b = like(v, pat, ci, negated, r);
  const s = selOf(r);
  const out = selBuffer(r, buf);
  let k = 0;
  for (let j = 0; j < r.count; j++) {
    const i = s[j]!;
    if (b.v[i] === 1 && (b.nulls === null || b.nulls[i] === 0)) out[k++] = i;
  }
  return { n: r.n, sel: out, count: k };
}

/** `value [NOT] [I]LIKE pattern` as a BOOLEAN vector. */
export function like(v: Vec, pat: Vec, ci: boolean, negated: boolean, r: Rows): BoolVec {
  const out = new Uint8Array(r.n);
  const nulls = mergeNulls(v, pat, r);
  const s = selOf(r);
  if (pat.kind === 'const') {
    if (pat.value === null) return { kind: 'bool', type: 'BOOLEAN', v: out, nulls };
    const m = compileLike(String(pat.value), ci);
    if (v.kind === 'dict') {
      const table = new Uint8Array(v.dict.length);
      for (let c = 0; c < v.dict.length; c++) table[c] = m(v.dict[c]!) !== negated ? 1 : 0;
      for (let k = 0; k < r.count; k++) out[s[k]!] = table[v.codes[s[k]!]!]!;
    } else
      for (let k = 0; k < r.count; k++) {
        const i = s[k]!;
        if (!isNullAt(v, i)) out[i] = m(String(scalarAt(v, i))) !== negated ? 1 : 0;
      }
    return { kind: 'bool', type: 'BOOLEAN', v: out, nulls };
  }
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    if (isNullAt(v, i) || isNullAt(pat, i)) continue;
    out[i] = compileLike(String(scalarAt(pat, i)), ci)(String(scalarAt(v, i))) !== negated ? 1 : 0;
  }
  return { kind: 'bool', type: 'BOOLEAN', v: out, nulls };
}
