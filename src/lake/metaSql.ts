import { tableFromArrays, tableToIPC } from 'apache-arrow';
import type { DatasetInfo, QueryResult } from './api.ts';

/** Thrown for SQL this build cannot run yet; the message says so honestly. */
export class SqlError extends Error {
  override name = 'SqlError';
}

const SHOW_TABLES = /^\s*show\s+tables\s*;?\s*$/i;
const DESCRIBE = /^\s*(?:describe|desc)\s+(?:table\s+)?("?)([A-Za-z_][A-Za-z0-9_]*)\1\s*;?\s*$/i;

/**
 * The two catalog commands the page answers before the SQL engine lands (engine issue):
 * `SHOW TABLES` and `DESCRIBE <table>`. Anything else is refused with a clear message rather
 * than guessed at. These are fixed command shapes, not a SQL parser.
 */
export function runMetaSql(query: string, datasets: DatasetInfo[]): QueryResult {
  const t0 = performance.now();
  if (SHOW_TABLES.test(query)) {
    const sorted = [...datasets].sort((a, b) => a.name.localeCompare(b.name));
    return result(t0, {
      name: sorted.map((d) => d.name),
      rows: sorted.map((d) => d.rows),
      chunks: sorted.map((d) => d.chunks),
      status: sorted.map((d) => d.status),
    });
  }
  const m = DESCRIBE.exec(query);
  if (m) {
    const name = m[2]!;
    const d = datasets.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!d) {
      const names = datasets.map((x) => x.name);
      throw new SqlError(
        `Table "${name}" does not exist.${names.length ? ` Tables: ${names.join(', ')}` : ' No tables yet: drop a file to create one.'}`,
      );
    }
    return result(t0, {
      column_name: d.schema.map((c) => c.name),
      column_type: d.schema.map((c) => c.type),
      dictionary: d.schema.map((c) => (c.dictionary ? 'yes' : 'no')),
    });
  }
  throw new SqlError(
    'Not supported yet: this build answers only SHOW TABLES and DESCRIBE <table>. SELECT queries come with the SQL engine.',
  );
}

function result(t0: number, cols: Record<string, (string | number)[]>): QueryResult {
  const names = Object.keys(cols);
  const n = cols[names[0]!]!.length;
  const rows = Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((k) => [k, cols[k]![i]])));
  const table = tableFromArrays(
    Object.fromEntries(
      names.map((k) => {
        const v = cols[k]!;
        return [k, typeof v[0] === 'number' ? Float64Array.from(v as number[]) : (v as string[])];
      }),
    ),
  );
  return {
    columns: table.schema.fields.map((f) => ({
      name: f.name,
      type: typeof cols[f.name]![0] === 'number' ? 'BIGINT' : 'VARCHAR',
    })),
    rows,
    rowCount: n,
    executionTime: performance.now() - t0,
    arrow: () => tableToIPC(table, 'stream'),
  };
}
