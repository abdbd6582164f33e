/**
 * A narrow, checked view of node-sql-parser's AST. Its published typings do not match what the
 * PostgreSQL grammar actually produces (e.g. `distinct` is an object, numbers may be strings), so
 * the front end reads nodes as plain records and checks shapes at run time.
 */
import { SqlError } from './SqlError.ts';

export type AstNode = { type?: unknown; loc?: unknown; [key: string]: unknown };

export interface Loc {
  from: number;
  to: number;
}

export function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function child(n: AstNode, key: string): AstNode | null {
  const v = n[key];
  return isNode(v) ? v : null;
}

export function children(n: AstNode, key: string): AstNode[] {
  const v = n[key];
  return Array.isArray(v) ? v.filter(isNode) : [];
}

export function text(n: AstNode, key: string): string | null {
  const v = n[key];
  return typeof v === 'string' ? v : null;
}

export function nodeType(n: AstNode): string {
  return typeof n.type === 'string' ? n.type : '';
}

/** The node's source range, for the node kinds the grammar annotates. */
export function locOf(n: AstNode): Loc | null {
  const loc = n.loc;
  if (!isNode(loc)) return null;
  const s = child(loc, 'start');
  const e = child(loc, 'end');
  if (!s || !e || typeof s.offset !== 'number' || typeof e.offset !== 'number') return null;
  return { from: s.offset, to: e.offset };
}

/** `{expr: {type:'default', value:'x'}}`, `'*'` or a plain string, as the grammar varies. */
export function identName(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (!isNode(v)) return null;
  if (typeof v.value === 'string') return v.value;
  const e = child(v, 'expr');
  return e && typeof e.value === 'string' ? e.value : null;
}

/** A column reference: `{table, column}`; `column === '*'` for `*` and `t.*`. */
export function columnRef(n: AstNode): { table: string | null; column: string } {
  if (n.schema !== undefined && n.schema !== null) throw notSupported('three-part column names');
  const column = identName(n.column);
  if (column === null) throw notSupported('this kind of column reference');
  return { table: identName(n.table), column };
}

/** The function name of a `function` node (`{name: {name: [{value}]}}`), lower-cased. */
export function functionName(n: AstNode): string {
  const name = child(n, 'name');
  const parts = name ? children(name, 'name') : [];
  if (parts.length !== 1) return parts.map((p) => String(p.value)).join('.');
  return String(parts[0]!.value).toLowerCase();
}

/** Argument list of a `function` or `aggr_func` node. */
export function argList(n: AstNode): AstNode[] {
  const args = child(n, 'args');
  if (!args) return [];
  if (nodeType(args) === 'expr_list') return children(args, 'value');
  const e = child(args, 'expr');
  return e ? [e] : [];
}

export function notSupported(feature: string): SqlError {
  return new SqlError('NOT_SUPPORTED', `not supported yet: ${feature}`);
}

const KEY_FEATURES: Record<string, string> = {
  filter: 'FILTER (WHERE …) on aggregates',
  over: 'window functions',
  collate: 'COLLATE',
  orderby: 'ORDER BY inside an aggregate',
  separator: 'aggregate separators',
  suffix: 'operators after a cast',
  cast_type: 'this EXTRACT form',
};

/**
 * Refuses a node that carries anything beyond the keys the binder reads, so that a clause the
 * grammar accepts but we would ignore (FILTER, COLLATE, …) is an error rather than a wrong answer.
 */
export function checkKeys(n: AstNode, allowed: ReadonlySet<string>): void {
  for (const [key, v] of Object.entries(n)) {
    if (allowed.has(key) || v === null || v === undefined || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    throw notSupported(KEY_FEATURES[key] ?? `${key.toUpperCase()} in this expression`);
  }
}
