import type { Manifest } from '../storage/manifest.ts';
import type { CatalogView } from './CatalogView.ts';
import { estimate } from './estimate.ts';
import { fold } from './fold.ts';
import type { PlanNode } from './plan.ts';
import { mapExprs, transformPlan } from './planWalk.ts';
import { pruneColumns } from './prune.ts';
import { pushFilters } from './pushdown.ts';
import { topN } from './topN.ts';
import { pruneChunks } from './zoneMap.ts';

/**
 * The rewrite passes, in an order where each one helps the next: folding first (so `x = 1 + 1`
 * and always-true conditions are plain), then filter pushdown into scans, projection pushdown,
 * zone-map pruning on the pushed predicates, TopN, and finally row estimates.
 */
export function optimize(plan: PlanNode, catalog: CatalogView): PlanNode {
  const manifests = new Map<string, Manifest>(catalog.tables().map((m) => [m.id, m]));
  let p = transformPlan(plan, (n) => dropTrueFilter(mapExprs(n, fold)));
  p = pushFilters(p);
  p = transformPlan(p, dropTrueFilter);
  p = pruneColumns(p);
  p = transformPlan(p, (n) => {
    if (n.kind === 'scan') {
      const m = manifests.get(n.dataset);
      return m ? pruneChunks(n, m) : n;
    }
    return topN(dropIdentityProject(n));
  });
  return estimate(p, manifests);
}

function dropTrueFilter(n: PlanNode): PlanNode {
  if (n.kind === 'filter' && n.predicate.kind === 'literal' && n.predicate.value === true) return n.input;
  if (n.kind === 'scan' && n.predicate?.kind === 'literal' && n.predicate.value === true)
    return { ...n, predicate: null };
  return n;
}

/** A projection that passes its input through unchanged (same columns, order and names). */
function dropIdentityProject(n: PlanNode): PlanNode {
  if (n.kind !== 'project' || n.exprs.length !== n.input.schema.length) return n;
  const same = n.exprs.every(
    (e, i) => e.kind === 'column' && e.index === i && n.schema[i]!.name === n.input.schema[i]!.name,
  );
  return same ? n.input : n;
}
