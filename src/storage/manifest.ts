import type { ChunkId, DatasetId, NodeId } from '../types.ts';

/**
 * The column types peerlake stores. Every input format is normalised to these, so the engine has
 * one small set of kernels. Names follow DuckDB, which is also our test oracle.
 * Arrow layout: INTEGER=Int32, BIGINT=Int64, DOUBLE=Float64, BOOLEAN=Bool, DATE=DateDay,
 * TIMESTAMP=TimestampMillisecond (UTC), VARCHAR=Utf8 or Dictionary<Int32, Utf8>.
 */
export type ColumnType = 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP' | 'VARCHAR';

export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /** VARCHAR only: stored as an Arrow dictionary (low-cardinality strings; fast group-by). */
  dictionary?: boolean;
}

/**
 * A zone-map bound. Numbers for INTEGER/DOUBLE, decimal strings for BIGINT (exact), days since
 * epoch for DATE, epoch milliseconds for TIMESTAMP, strings for VARCHAR, booleans for BOOLEAN.
 */
export type StatValue = number | string | boolean | null;

export interface ColumnStats {
  /** Smallest non-null value, or null when the column has only nulls in this chunk. */
  min: StatValue;
  max: StatValue;
  nulls: number;
}

export interface ChunkRef {
  id: ChunkId;
  rows: number;
  bytes: number;
  /** One entry per schema column, in schema order. */
  stats: ColumnStats[];
}

export type SourceFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'txt' | 'arrow' | 'parquet';

export interface Manifest {
  version: 1;
  id: DatasetId;
  name: string;
  format: SourceFormat;
  /** The uploaded file. No whole-file hash: see README design notes (root is the checksum). */
  source: { name: string; bytes: number };
  schema: ColumnSchema[];
  chunks: ChunkRef[];
  rows: number;
  /** Sum of chunk bytes (stored size). */
  bytes: number;
  /** Dataset checksum: hex SHA-256 over the concatenated 32-byte chunk digests, in order. */
  root: string;
  createdBy: NodeId;
  createdAt: number;
}
