import type { SqlType } from './plan.ts';
import { notSupported } from './ast.ts';
import { SqlError } from './SqlError.ts';

export const NUMERIC_RANK: Partial<Record<SqlType, number>> = { INTEGER: 1, BIGINT: 2, DOUBLE: 3 };

export function isNumeric(t: SqlType): boolean {
  return NUMERIC_RANK[t] !== undefined;
}

export function isInteger(t: SqlType): boolean {
  return t === 'INTEGER' || t === 'BIGINT';
}

export function isTemporal(t: SqlType): boolean {
  return t === 'DATE' || t === 'TIMESTAMP';
}

/** The wider of two numeric types (INTEGER < BIGINT < DOUBLE), as DuckDB's implicit casts. */
export function widerNumeric(a: SqlType, b: SqlType): SqlType {
  return (NUMERIC_RANK[a] ?? 0) >= (NUMERIC_RANK[b] ?? 0) ? a : b;
}

/**
 * A cast target from the grammar's `{dataType, length}` to our types. FLOAT/REAL are 32-bit in
 * DuckDB; we have one floating type, so they map to DOUBLE (values differ only past ~7 digits).
 * DECIMAL/NUMERIC round to their scale in DuckDB (default 3 places), which DOUBLE cannot mimic, so
 * they are refused rather than answered differently.
 */
export function castTarget(dataType: string, length: unknown): SqlType {
  const t = dataType.toUpperCase().replace(/\s+/g, ' ');
  switch (t) {
    case 'INT':
      if (length === 2) throw notSupported('type SMALLINT');
      return length === 8 ? 'BIGINT' : 'INTEGER';
    case 'INTEGER':
    case 'INT4':
    case 'SIGNED':
      return 'INTEGER';
    case 'BIGINT':
    case 'INT8':
    case 'LONG':
      return 'BIGINT';
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'FLOAT8':
    case 'FLOAT':
    case 'FLOAT4':
    case 'REAL':
      return 'DOUBLE';
    case 'VARCHAR':
    case 'TEXT':
    case 'STRING':
    case 'CHAR':
    case 'BPCHAR':
      return 'VARCHAR';
    case 'BOOLEAN':
    case 'BOOL':
      return 'BOOLEAN';
    case 'DATE':
      return 'DATE';
    case 'TIMESTAMP':
    case 'DATETIME':
      return 'TIMESTAMP';
    case 'DECIMAL':
    case 'NUMERIC':
      throw notSupported(`type ${t} (exact decimals; cast to DOUBLE instead)`);
    default:
      throw notSupported(`type ${t}`);
  }
}

/** DuckDB's spelling of a type in generated column names (`CAST(x AS "DOUBLE")`). */
export function typeNameInSql(t: SqlType): string {
  return t === 'DOUBLE' || t === 'DATE' ? `"${t}"` : t;
}

export function typeError(message: string, position?: { line: number; column: number }): SqlError {
  return new SqlError('TYPE', message, position);
}
