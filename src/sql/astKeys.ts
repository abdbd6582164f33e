import { checkKeys, child, children, nodeType, type AstNode } from './ast.ts';

const COMMON = ['type', 'loc', 'parentheses'];
const LITERAL_KEYS = new Set([...COMMON, 'value']);
/** The keys the binder reads, per node type (see checkKeys). */
const KEYS: Record<string, ReadonlySet<string>> = {
  column_ref: new Set([...COMMON, 'table', 'column', 'schema']),
  unary_expr: new Set([...COMMON, 'operator', 'expr']),
  binary_expr: new Set([...COMMON, 'operator', 'left', 'right']),
  expr_list: LITERAL_KEYS,
  number: LITERAL_KEYS,
  bigint: LITERAL_KEYS,
  single_quote_string: LITERAL_KEYS,
  bool: LITERAL_KEYS,
  null: LITERAL_KEYS,
  date: LITERAL_KEYS,
  timestamp: LITERAL_KEYS,
  star: LITERAL_KEYS,
  aggr_func: new Set([...COMMON, 'name', 'args']),
  function: new Set([...COMMON, 'name', 'args']),
  cast: new Set([...COMMON, 'keyword', 'expr', 'symbol', 'target']),
  extract: new Set([...COMMON, 'args']),
  case: new Set([...COMMON, 'expr', 'args']),
};
const AGG_ARG_KEYS = new Set(['expr', 'distinct']);
const FN_ARG_KEYS = new Set(['type', 'value']);
const EXTRACT_ARG_KEYS = new Set(['field', 'source']);
const CAST_TARGET_KEYS = new Set(['dataType', 'length', 'scale', 'parentheses']);

/** Refuses AST nodes with clauses the binder would otherwise ignore (FILTER, OVER, COLLATE, …). */
export function checkNodeKeys(n: AstNode): void {
  const type = nodeType(n);
  const keys = KEYS[type];
  if (keys) checkKeys(n, keys);
  const args = child(n, 'args');
  if (args && type !== 'case')
    checkKeys(args, { aggr_func: AGG_ARG_KEYS, extract: EXTRACT_ARG_KEYS }[type] ?? FN_ARG_KEYS);
  for (const t of children(n, 'target')) checkKeys(t, CAST_TARGET_KEYS);
}
