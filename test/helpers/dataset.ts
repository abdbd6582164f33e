import { tableFromIPC } from 'apache-arrow';
import type { ChunkStore } from '../../src/storage/ChunkStore.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import { display } from '../../src/ui/format.ts';

/** Every row of a stored dataset, values normalised by {@link normalise}. */
export async function readRows(store: ChunkStore, m: Manifest): Promise<Record<string, string | null>[]> {
  const out: Record<string, string | null>[] = [];
  for (const ref of m.chunks) {
    const bytes = await store.getChunk(ref.id);
    if (!bytes) throw new Error(`missing chunk ${ref.id}`);
    const t = tableFromIPC(bytes);
    for (let r = 0; r < t.numRows; r++) {
      const row: Record<string, string | null> = {};
      m.schema.forEach((col, c) => {
        row[col.name] = normalise(t.getChildAt(c)?.get(r), col.type);
      });
      out.push(row);
    }
  }
  return out;
}

/** One comparable text form for our values and DuckDB's JSON values. */
/** `type` is ours (ColumnType) or DuckDB's type name. */
export function normalise(v: unknown, type: string): string | null {
  if (v === null || v === undefined) return null;
  const text = () => display(v);
  if (type === 'DATE') return typeof v === 'number' ? new Date(v).toISOString().slice(0, 10) : text();
  if (type.startsWith('TIMESTAMP')) {
    if (typeof v === 'number' || typeof v === 'bigint')
      return new Date(Number(v))
        .toISOString()
        .replace('T', ' ')
        .replace(/\.000Z$|Z$/, '');
    return text().replace(/\.000$/, '');
  }
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(12)));
  if (typeof v === 'string' && /^-?\d+\.\d+(e[+-]?\d+)?$/i.test(v) && type !== 'VARCHAR')
    return String(Number(Number(v).toPrecision(12)));
  return text();
}
