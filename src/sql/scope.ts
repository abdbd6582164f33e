import type { SqlType } from './plan.ts';

export interface ScopeColumn {
  name: string;
  type: SqlType;
  /** The alias (or table name) that qualifies this column; '' for derived relations. */
  table: string;
}

export type Lookup =
  | { kind: 'found'; index: number }
  | { kind: 'missing'; candidates: string[] }
  | { kind: 'no_table'; tables: string[] }
  | { kind: 'ambiguous'; tables: string[] };

/** The columns visible to an expression, in input order: for a join, left then right. */
export class Scope {
  constructor(readonly columns: ScopeColumn[]) {}

  get tables(): string[] {
    return [...new Set(this.columns.map((c) => c.table).filter((t) => t !== ''))];
  }

  concat(other: Scope): Scope {
    return new Scope([...this.columns, ...other.columns]);
  }

  /** Resolves `qualifier.name` or `name`, case-insensitively as DuckDB does. */
  lookup(qualifier: string | null, name: string): Lookup {
    const q = qualifier?.toLowerCase();
    const n = name.toLowerCase();
    if (q !== undefined && !this.columns.some((c) => c.table.toLowerCase() === q))
      return { kind: 'no_table', tables: this.tables };
    const inTable = this.columns
      .map((c, index) => ({ c, index }))
      .filter(({ c }) => q === undefined || c.table.toLowerCase() === q);
    const hits = inTable.filter(({ c }) => c.name.toLowerCase() === n);
    if (hits.length === 0)
      return { kind: 'missing', candidates: [...new Set(inTable.map(({ c }) => c.name))] };
    const tables = [...new Set(hits.map(({ c }) => c.table))];
    if (tables.length > 1) return { kind: 'ambiguous', tables };
    return { kind: 'found', index: hits[0]!.index };
  }
}
