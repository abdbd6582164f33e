import * as A from 'apache-arrow';
import { chunkIdOf } from '../storage/hash.ts';
import type { ColumnSchema, ColumnStats } from '../storage/manifest.ts';
import type { ChunkId } from '../types.ts';
import { encodeColumn } from './encodeColumn.ts';
import type { Inferred } from './infer.ts';

export interface EncodedChunk {
  id: ChunkId;
  bytes: Uint8Array;
}

/** A chunk is an Arrow IPC stream: schema, one record batch, end-of-stream marker (DESIGN §4). */
export async function encodeChunk(batch: A.RecordBatch): Promise<EncodedChunk> {
  const bytes = A.RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  return { id: await chunkIdOf(bytes), bytes };
}

export function decodeChunk(bytes: Uint8Array): A.Table {
  return A.tableFromIPC(bytes);
}

/**
 * Re-encodes a chunk written before its columns reached their final types (INTEGER → BIGINT,
 * all-null → any, DATE → TIMESTAMP, a JSON key first seen later → a null column).
 */
export function recastChunk(
  bytes: Uint8Array,
  encodedTypes: readonly Inferred[],
  schema: readonly ColumnSchema[],
  oldStats: readonly ColumnStats[],
): { batch: A.RecordBatch; stats: ColumnStats[] } {
  const table = decodeChunk(bytes);
  const rows = table.numRows;
  const encoded = schema.map((col, i) => {
    const vec = table.getChildAt(i);
    const from = encodedTypes[i] ?? null;
    if (vec && from === col.type) {
      return { data: vec.data[0] as A.Data, stats: oldStats[i]! };
    }
    return encodeColumn(valuesOf(vec, rows, from), col.type, col.dictionary);
  });
  const fields = schema.map((c, i) => new A.Field(c.name, encoded[i]!.data.type, true));
  const struct = A.makeData({
    type: new A.Struct(fields),
    length: rows,
    nullCount: 0,
    children: encoded.map((e) => e.data),
  });
  return {
    batch: new A.RecordBatch(new A.Schema(fields), struct),
    stats: encoded.map((e) => e.stats),
  };
}

/** Column values in the form encodeColumn accepts: Dates for temporal types, bigints for BIGINT. */
function valuesOf(vec: A.Vector | null, rows: number, from: Inferred): unknown[] {
  const out = new Array<unknown>(rows).fill(null);
  if (!vec || from === null) return out;
  for (let i = 0; i < rows; i++) {
    const v: unknown = vec.get(i);
    if (v === null || v === undefined) continue;
    out[i] = from === 'DATE' || from === 'TIMESTAMP' ? new Date(Number(v)) : v;
  }
  return out;
}
