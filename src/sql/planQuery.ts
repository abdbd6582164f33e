import type { CatalogView } from './CatalogView.ts';
import { explainText } from './explain.ts';
import { optimize } from './optimize.ts';
import { parseStatement } from './parse.ts';
import type { PlannedStatement } from './plan.ts';
import { planSelect } from './planSelect.ts';
import { SqlError } from './SqlError.ts';
import { didYouMean } from './suggest.ts';

/**
 * The SQL front end: parse (node-sql-parser) → bind and plan → optimize. Throws SqlError:
 * SYNTAX and UNKNOWN_* errors carry the line and column they point at (TYPE errors too, mostly).
 *
 * What the plans guarantee beyond plan.ts, for the engine:
 * - comparison, arithmetic, IN and COALESCE operands have one type (casts are explicit nodes);
 *   `divide` operands are DOUBLE; `and`/`or` have exactly two arguments;
 * - floor/ceil take DOUBLE; round's digits and substr's positions are INTEGER or BIGINT;
 * - date_trunc/date_part parts are lower-case literals from a fixed list (see bindFunction.ts),
 *   date_part('epoch') is DOUBLE, other parts BIGINT;
 * - a scan may read no columns (COUNT(*)), an aggregate may have no aggregates (GROUP BY only);
 * - literals are already in the column's domain (DATE days, TIMESTAMP integer ms, BIGINT strings);
 *   casts of string literals that could not be folded exactly remain `cast` nodes.
 */
export function planQuery(sql: string, catalog: CatalogView): PlannedStatement {
  const stmt = parseStatement(sql);
  switch (stmt.kind) {
    case 'show_tables':
      return { kind: 'show_tables' };
    case 'describe': {
      const tables = catalog.tables();
      const m = tables.find((t) => t.name.toLowerCase() === stmt.table.toLowerCase());
      if (!m) {
        throw new SqlError(
          'UNKNOWN_TABLE',
          `Table "${stmt.table}" does not exist.${didYouMean(
            stmt.table,
            tables.map((t) => t.name),
          )}`,
          stmt.src.locateTable(stmt.table),
        );
      }
      return { kind: 'describe', table: m.name };
    }
    case 'select': {
      const plan = optimize(planSelect(stmt, catalog), catalog);
      return stmt.explain ? { kind: 'explain', plan, text: explainText(plan) } : { kind: 'query', plan };
    }
  }
}
