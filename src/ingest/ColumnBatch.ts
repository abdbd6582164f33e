import type { ColumnType } from '../storage/manifest.ts';

/**
 * What every reader yields: a slice of rows as columns of plain JS values. The table builder
 * infers and widens types, builds Arrow vectors and cuts chunks; readers only decode their format.
 *
 * Accepted values in a column: null/undefined (SQL NULL), string (typed by inference unless a
 * hint says otherwise), number, bigint, boolean, Date, and anything else (stored as JSON text).
 * Typed arrays are accepted as-is and are the fast path for columnar formats.
 */
export interface ColumnBatch {
  rows: number;
  /** Column name → values; every column has exactly `rows` entries. */
  columns: Map<string, ArrayLike<unknown>>;
  /**
   * Declared types from self-describing formats (Arrow, Parquet). A hinted column skips
   * inference: strings in a VARCHAR column stay strings even if they look like numbers.
   */
  hints?: Map<string, ColumnType>;
}

/** Progress a reader reports as it consumes its input. */
export interface ReaderProgress {
  bytesRead: number;
}

/** Reader options shared by all formats. */
export interface ReaderOptions {
  /** Approximate rows per yielded batch; the table builder re-cuts by bytes anyway. */
  batchRows: number;
  /** A single row (line) longer than this is rejected with ROW_TOO_LARGE. */
  maxRowBytes: number;
  /** CSV/TSV: what to do with rows whose field count differs from the header. */
  raggedRows: 'reject' | 'skip';
  signal?: AbortSignal;
  onProgress?: (p: ReaderProgress) => void;
  /** Called once per skipped ragged row (1-based line numbers). */
  onSkipped?: (line: number) => void;
}

export type Reader = (
  source: import('./ByteSource.ts').ByteSource,
  opts: ReaderOptions,
) => AsyncGenerator<ColumnBatch>;
