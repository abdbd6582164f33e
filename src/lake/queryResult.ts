import { tableFromIPC } from 'apache-arrow';
import type { QueryOutput } from '../query/QueryEngine.ts';
import { toRows } from '../query/toRows.ts';
import type { QueryResult } from './api.ts';

/** The public result object; rows are decoded from the IPC bytes on first access. */
export function queryResult(out: QueryOutput): QueryResult {
  let rows: Record<string, unknown>[] | undefined;
  return {
    columns: out.columns.map((c) => ({ name: c.name, type: c.type })),
    get rows() {
      return (rows ??= toRows(tableFromIPC(out.ipc)));
    },
    rowCount: out.rowCount,
    executionTime: out.executionTime,
    plan: out.plan,
    arrow: () => out.ipc,
  };
}
