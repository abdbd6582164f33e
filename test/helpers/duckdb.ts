import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalise } from './dataset.ts';

/** Native DuckDB as the oracle (DESIGN §6). Extensions stay in a temp dir: no network, no $HOME writes. */
export async function duckRows(sql: string): Promise<Record<string, string | null>[]> {
  const db = await DuckDBInstance.create(':memory:', {
    extension_directory: mkdtempSync(join(tmpdir(), 'duck-ext-')),
  });
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    return reader
      .getRowsJson()
      .map((r) => Object.fromEntries(names.map((n, i) => [n, normalise(r[i], types[i]!)])));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export function tempDir(prefix = 'peerlake-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
