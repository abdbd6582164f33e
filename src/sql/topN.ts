import type { PlanNode } from './plan.ts';

/** ORDER BY … LIMIT n: a heap of the top n + offset rows instead of a full sort. */
export function topN(n: PlanNode): PlanNode {
  if (n.kind !== 'limit' || n.limit === null || n.input.kind !== 'sort') return n;
  const sort = n.input;
  return {
    kind: 'topn',
    input: sort.input,
    keys: sort.keys,
    limit: n.limit,
    offset: n.offset,
    schema: n.schema,
    estRows: 0,
  };
}
