import type { PlanNode } from '../../sql/plan.ts';
import { compileScanAggregate } from '../compiled/compileScanAggregate.ts';
import { fusedAggregate } from '../compiled/fusedAggregate.ts';
import type { ExecContext } from '../ExecContext.ts';
import { aggregate } from './aggregate.ts';
import { distinct } from './distinct.ts';
import { filter } from './filter.ts';
import { hashJoin } from './join.ts';
import { limit } from './limit.ts';
import { project } from './project.ts';
import { scan } from './scan.ts';
import { sort } from './sort.ts';
import type { BatchStream } from './stream.ts';
import { topN } from './topn.ts';
import { values } from './values.ts';

/** The operator tree for a plan: one async generator per node, pulling from its inputs. */
export function buildOperator(node: PlanNode, ctx: ExecContext): BatchStream {
  switch (node.kind) {
    case 'scan':
      return scan(node, ctx);
    case 'filter':
      return filter(buildOperator(node.input, ctx), node.predicate);
    case 'project':
      return project(buildOperator(node.input, ctx), node.exprs);
    case 'aggregate': {
      const fused = compileScanAggregate(node);
      if (fused) return fusedAggregate(node.aggregates, fused, ctx);
      return aggregate(buildOperator(node.input, ctx), node, ctx);
    }
    case 'join':
      return hashJoin(
        buildOperator(node.left, ctx),
        buildOperator(node.right, ctx),
        {
          joinType: node.joinType,
          leftKeys: node.leftKeys,
          rightKeys: node.rightKeys,
          residual: node.residual,
          rightWidth: node.right.schema.length,
        },
        ctx,
      );
    case 'sort':
      return sort(buildOperator(node.input, ctx), node.keys, node.schema.length, ctx);
    case 'topn':
      return topN(buildOperator(node.input, ctx), node.keys, node.limit, node.offset, node.schema, ctx);
    case 'limit':
      return limit(buildOperator(node.input, ctx), node.limit, node.offset);
    case 'distinct':
      return distinct(buildOperator(node.input, ctx), node.schema, ctx);
    case 'values':
      return values(node.rows, node.schema);
  }
}
