import * as A from 'apache-arrow';
import type { ColumnSchema, ColumnStats, ColumnType } from '../storage/manifest.ts';
import type { ColumnBatch } from './ColumnBatch.ts';
import { encodeColumn, NeedsWider, type EncodedColumn } from './encodeColumn.ts';
import { isLosslessWidening, widen, type Inferred } from './infer.ts';
import { IngestError } from './IngestError.ts';

/** A VARCHAR column becomes a dictionary when its first chunk has at most this many distinct values… */
const DICT_MAX_DISTINCT = 4096;
/** …and they repeat: distinct/rows at most this. */
const DICT_MAX_RATIO = 0.5;
/** Rows sampled to estimate a string column's width. */
const WIDTH_SAMPLE = 64;

export interface BuiltChunk {
  batch: A.RecordBatch;
  rows: number;
  stats: ColumnStats[];
  /** The column types this chunk was encoded with (null = all-null column or column absent). */
  types: Inferred[];
}

/** A column whose earlier chunks cannot be converted losslessly; ingest restarts with these types. */
export class RestartWithTypes extends Error {
  override name = 'RestartWithTypes';
  constructor(readonly types: Map<string, ColumnType>) {
    super('schema changed');
  }
}

interface Column {
  name: string;
  type: Inferred;
  dictionary: boolean | undefined;
  /** Declared by the format or forced by a restart: values must fit, or ingest fails. */
  fixed: boolean;
  /** The widest non-null type any emitted chunk was encoded with. */
  emitted: Inferred;
}

/**
 * Turns reader batches into Arrow record batches of about `chunkBytes` each.
 *
 * Types are inferred from the first rows and widened as later rows need it. A chunk already
 * emitted with a narrower type is recast when the dataset is finalised (INTEGER→BIGINT is exact);
 * a change that would lose the original text (a number column that turns out to be VARCHAR)
 * throws {@link RestartWithTypes} so ingest re-reads the file with the final types.
 */
export class TableBuilder {
  #cols: Column[] = [];
  #byName = new Map<string, Column>();
  #pending: ColumnBatch[] = [];
  #pendingRows = 0;
  #pendingBytes = 0;
  #rowBytes = 8;
  readonly #chunkBytes: number;
  readonly #file: string;

  constructor(opts: { chunkBytes: number; file: string; types?: Map<string, ColumnType> }) {
    this.#chunkBytes = opts.chunkBytes;
    this.#file = opts.file;
    // Types from a restart are starting points, not declarations: they may still widen losslessly.
    for (const [name, type] of opts.types ?? []) this.#column(name, type, false);
  }

  /** Adds rows; returns the chunks that are now full. */
  push(batch: ColumnBatch): BuiltChunk[] {
    if (batch.rows === 0) return [];
    for (const name of batch.columns.keys()) {
      const hint = batch.hints?.get(name);
      const col = this.#byName.get(name) ?? this.#column(name, hint ?? null, hint !== undefined);
      if (hint && !col.fixed) {
        col.type = widen(col.type, hint);
        col.fixed = true;
      }
    }
    this.#rowBytes = this.#estimateRowBytes(batch);
    const out: BuiltChunk[] = [];
    let start = 0;
    while (start < batch.rows) {
      const room = Math.max(1, Math.ceil((this.#chunkBytes - this.#pendingBytes) / this.#rowBytes));
      const take = Math.min(room, batch.rows - start);
      this.#pending.push(take === batch.rows ? batch : slice(batch, start, start + take));
      this.#pendingRows += take;
      this.#pendingBytes += take * this.#rowBytes;
      start += take;
      if (this.#pendingBytes >= this.#chunkBytes) out.push(this.#flush());
    }
    return out;
  }

  /** Emits the last, partial chunk. */
  finish(): BuiltChunk[] {
    return this.#pendingRows > 0 ? [this.#flush()] : [];
  }

  /** The final schema. A column that held only nulls is VARCHAR, as in DuckDB. */
  schema(): ColumnSchema[] {
    return this.#cols.map((c) => {
      const type = c.type ?? 'VARCHAR';
      return type === 'VARCHAR' && c.dictionary
        ? { name: c.name, type, dictionary: true }
        : { name: c.name, type };
    });
  }

  get columnCount(): number {
    return this.#cols.length;
  }

  #column(name: string, type: Inferred, fixed: boolean): Column {
    const col: Column = { name, type, dictionary: undefined, fixed, emitted: null };
    this.#cols.push(col);
    this.#byName.set(name, col);
    return col;
  }

  #flush(): BuiltChunk {
    const rows = this.#pendingRows;
    const parts = this.#pending;
    this.#pending = [];
    this.#pendingRows = 0;
    this.#pendingBytes = 0;
    const encoded: EncodedColumn[] = this.#cols.map((col) =>
      this.#encode(col, concat(parts, col.name, rows)),
    );
    const fields = this.#cols.map((c, i) => new A.Field(c.name, encoded[i]!.data.type, true));
    const struct = A.makeData({
      type: new A.Struct(fields),
      length: rows,
      nullCount: 0,
      children: encoded.map((e) => e.data),
    });
    for (const c of this.#cols) if (c.type !== null) c.emitted = widen(c.emitted, c.type);
    return {
      batch: new A.RecordBatch(new A.Schema(fields), struct),
      rows,
      stats: encoded.map((e) => e.stats),
      types: this.#cols.map((c) => c.type),
    };
  }

  #encode(col: Column, values: ArrayLike<unknown>): EncodedColumn {
    for (;;) {
      if (col.type === 'VARCHAR' && col.dictionary === undefined) col.dictionary = shouldDictionary(values);
      try {
        return encodeColumn(values, col.type, col.dictionary);
      } catch (e) {
        if (!(e instanceof NeedsWider)) throw e;
        const next = widen(col.type, e.type) ?? 'VARCHAR';
        if (col.fixed && next !== col.type) {
          throw new IngestError(
            'CORRUPT',
            `"${this.#file}": column "${col.name}" is declared ${col.type ?? 'NULL'} but holds a ${e.type} value. Nothing was stored.`,
          );
        }
        if (col.emitted !== null && !isLosslessWidening(col.emitted, next)) {
          const types = new Map<string, ColumnType>();
          for (const c of this.#cols) if (c.type !== null) types.set(c.name, c.type);
          types.set(col.name, next);
          throw new RestartWithTypes(types);
        }
        col.type = next;
      }
    }
  }

  #estimateRowBytes(batch: ColumnBatch): number {
    let total = 0;
    for (const col of this.#cols) {
      const values = batch.columns.get(col.name);
      total += values ? width(col, values) : 1;
    }
    return Math.max(1, total);
  }
}

function width(col: Column, values: ArrayLike<unknown>): number {
  switch (col.type) {
    case 'INTEGER':
    case 'DATE':
      return 4;
    case 'BIGINT':
    case 'DOUBLE':
    case 'TIMESTAMP':
      return 8;
    case 'BOOLEAN':
      return 1;
    default: {
      if (col.dictionary) return 4;
      let chars = 0;
      const n = Math.min(values.length, WIDTH_SAMPLE);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        chars += typeof v === 'string' ? v.length : 8;
      }
      return 4 + (n ? chars / n : 8);
    }
  }
}

function shouldDictionary(values: ArrayLike<unknown>): boolean {
  const seen = new Set<unknown>();
  let nonNull = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    nonNull++;
    seen.add(v);
    if (seen.size > DICT_MAX_DISTINCT) return false;
  }
  return nonNull > 0 && seen.size <= nonNull * DICT_MAX_RATIO;
}

function slice(batch: ColumnBatch, start: number, end: number): ColumnBatch {
  const columns = new Map<string, ArrayLike<unknown>>();
  for (const [name, values] of batch.columns) columns.set(name, sliceValues(values, start, end));
  return { rows: end - start, columns, hints: batch.hints };
}

function sliceValues(values: ArrayLike<unknown>, start: number, end: number): ArrayLike<unknown> {
  if (Array.isArray(values)) return (values as unknown[]).slice(start, end);
  if (ArrayBuffer.isView(values)) return (values as unknown as Int32Array).subarray(start, end);
  return Array.prototype.slice.call(values, start, end) as unknown[];
}

/** One column's values across the pending parts; a part without the column contributes nulls. */
function concat(parts: ColumnBatch[], name: string, rows: number): ArrayLike<unknown> {
  if (parts.length === 1) return parts[0]!.columns.get(name) ?? new Array<null>(rows).fill(null);
  const first = parts[0]!.columns.get(name);
  if (first && ArrayBuffer.isView(first) && parts.every((p) => sameKind(p.columns.get(name), first))) {
    const Ctor = (first as unknown as Int32Array).constructor as Int32ArrayConstructor;
    const out = new Ctor(rows);
    let o = 0;
    for (const p of parts) {
      const v = p.columns.get(name) as unknown as Int32Array;
      out.set(v, o);
      o += v.length;
    }
    return out;
  }
  const out = new Array<unknown>(rows);
  let o = 0;
  for (const p of parts) {
    const v = p.columns.get(name);
    if (v) for (let i = 0; i < p.rows; i++) out[o++] = v[i];
    else for (let i = 0; i < p.rows; i++) out[o++] = null;
  }
  return out;
}

function sameKind(a: ArrayLike<unknown> | undefined, b: ArrayLike<unknown>): boolean {
  return a !== undefined && ArrayBuffer.isView(a) && a.constructor === b.constructor;
}
