import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet';
import type {
  AsyncBuffer,
  ColumnData,
  DecodedArray,
  FileMetaData,
  ParquetParsers,
  SchemaTree,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ColumnType } from '../../storage/manifest.ts';
import type { ByteSource } from '../ByteSource.ts';
import { readRange } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { IngestError, isIngestError } from '../IngestError.ts';
import { timeText, toText } from './fallbackText.ts';

/**
 * Parquet through hyparquet. The footer is read and checked first, then one row group at a time
 * through an AsyncBuffer over `blob.slice`, so memory holds one decoded row group, never the file.
 * Row groups are decoded whole and then cut into `batchRows` slices: without an offset index,
 * hyparquet would re-decode a column chunk from its first page for every sub-range.
 *
 * Error codes: TRUNCATED when the file starts like Parquet but its footer is gone (a cut-off
 * copy); CORRUPT when a footer is there but it, or the data it points to, does not decode.
 */
export async function* readParquet(source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
  try {
    yield* read(source, opts);
  } catch (e) {
    throw asIngestError(e, source.name, opts.signal);
  }
}

const MAGIC = 'PAR1';
const NOTHING_STORED = 'Nothing was stored.';

async function* read({ name, blob }: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
  throwIfCancelled(name, opts.signal);
  const { metadata, dataEnd } = await readFooter(name, blob);
  let columns: ColumnPlan[];
  try {
    columns = planColumns(name, parquetSchema(metadata));
    checkChunkBounds(name, metadata, dataEnd);
  } catch (e) {
    // Garbage that still parses as thrift surfaces here as TypeErrors from missing fields.
    throw isIngestError(e) ? e : corrupt(name, `its metadata is inconsistent (${errorText(e)})`);
  }
  const hints = new Map(columns.map((c) => [c.name, c.hint]));

  const file: AsyncBuffer = {
    byteLength: blob.size,
    slice: (start, end = blob.size) => {
      throwIfCancelled(name, opts.signal);
      // Footer offsets were checked above; this also covers page and offset indexes.
      if (start < 0 || end > blob.size || start > end) {
        throw corrupt(name, `a read of bytes ${start}–${end} points past the end of the file`);
      }
      return blob.slice(start, end).arrayBuffer();
    },
  };

  let bytesRead = blob.size - dataEnd + MAGIC.length;
  opts.onProgress?.({ bytesRead });
  if (Number(metadata.num_rows) === 0) {
    // Still tell the builder the schema: an empty table is a valid dataset.
    yield { rows: 0, columns: new Map(columns.map((c) => [c.name, []])), hints };
  }

  const groups = metadata.row_groups;
  let groupStart = 0;
  for (const [index, group] of groups.entries()) {
    const rows = Number(group.num_rows);
    const where = `row group ${index + 1} of ${groups.length}`;
    throwIfCancelled(name, opts.signal);
    let parts: Map<string, ColumnData[]>;
    try {
      parts = await decodeRowGroup(file, metadata, groupStart, rows);
    } catch (e) {
      // Unsupported features and cancellation are reported as such by asIngestError.
      if (isIngestError(e) || opts.signal?.aborted || /not supported/i.test(errorText(e))) throw e;
      throw corrupt(name, `${where} could not be decoded (${errorText(e)})`);
    }
    const values = columns.map((c) => c.convert(joinChunks(name, where, c.name, parts, groupStart, rows)));

    bytesRead += group.columns.reduce((n, c) => n + Number(c.meta_data?.total_compressed_size ?? 0), 0);
    opts.onProgress?.({ bytesRead: Math.min(bytesRead, blob.size) });
    for (let from = 0; from < rows; from += opts.batchRows) {
      throwIfCancelled(name, opts.signal);
      const to = Math.min(rows, from + opts.batchRows);
      const batch = new Map<string, ArrayLike<unknown>>();
      columns.forEach((c, i) => batch.set(c.name, slice(values[i] ?? [], from, to)));
      yield { rows: to - from, columns: batch, hints };
    }
    groupStart += rows;
  }
  opts.onProgress?.({ bytesRead: blob.size });
}

/** Reads and parses the footer: `PAR1 … <metadata> <u32 length> PAR1`. */
async function readFooter(name: string, blob: Blob): Promise<{ metadata: FileMetaData; dataEnd: number }> {
  const size = blob.size;
  if (size === 0) throw new IngestError('EMPTY_FILE', `${name} is empty. ${NOTHING_STORED}`);
  const head = new TextDecoder().decode(await readRange(blob, 0, 4));
  if (!MAGIC.startsWith(head)) {
    throw new IngestError(
      'CORRUPT',
      `${name} is not a Parquet file: it does not start with the "PAR1" magic bytes. ${NOTHING_STORED}`,
    );
  }
  const tail = size >= 12 ? await readRange(blob, size - 8, size) : new Uint8Array(0);
  if (new TextDecoder().decode(tail.subarray(4)) !== MAGIC) {
    throw new IngestError(
      'TRUNCATED',
      `${name} is truncated: it starts like a Parquet file but its footer (ending in "PAR1") is missing, ` +
        `so the file was probably cut off while copying or downloading. ${NOTHING_STORED}`,
    );
  }
  const metadataLength = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
  const dataEnd = size - 8 - metadataLength;
  if (dataEnd < 4) {
    throw corrupt(name, `its footer says the metadata is ${metadataLength} bytes, but the file has ${size}`);
  }
  try {
    return { metadata: parquetMetadata(await readRange(blob, dataEnd, size)), dataEnd };
  } catch (e) {
    throw corrupt(name, `its metadata could not be decoded (${errorText(e)})`);
  }
}

/** Every column chunk must lie between the header magic and the metadata. */
function checkChunkBounds(name: string, metadata: FileMetaData, dataEnd: number): void {
  metadata.row_groups.forEach((group, g) => {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      const column = meta?.path_in_schema.join('.') ?? '?';
      const where = `row group ${g + 1} of ${metadata.row_groups.length}, column "${column}"`;
      if (chunk.file_path) {
        throw new IngestError(
          'UNSUPPORTED',
          `${name}: ${where} is stored in another file (${chunk.file_path}), which peerlake cannot read. ${NOTHING_STORED}`,
        );
      }
      if (!meta) throw corrupt(name, `${where} has no column metadata`);
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (!(start >= 4 && end <= dataEnd)) {
        throw corrupt(
          name,
          `${where} points to bytes ${start}–${end}, past the end of the data (${dataEnd})`,
        );
      }
    }
  });
}

/** Decodes one whole row group; values arrive column-wise through onChunk. */
async function decodeRowGroup(
  file: AsyncBuffer,
  metadata: FileMetaData,
  rowStart: number,
  rows: number,
): Promise<Map<string, ColumnData[]>> {
  const parts = new Map<string, ColumnData[]>();
  if (rows === 0) return parts;
  await parquetRead({
    file,
    metadata,
    compressors,
    parsers: PARSERS,
    utf8: false, // un-annotated BYTE_ARRAY is binary (as in DuckDB): shown as hex, not guessed as text
    rowStart,
    rowEnd: rowStart + rows,
    // Only collect here: hyparquet calls onChunk inside a promise callback, where a throw would
    // become an unhandled rejection instead of failing the read.
    onChunk: (chunk) => {
      const list = parts.get(chunk.columnName);
      if (list) list.push(chunk);
      else parts.set(chunk.columnName, [chunk]);
    },
  });
  return parts;
}

/** Joins a column's chunks into exactly `rows` values for the group starting at `start`. */
function joinChunks(
  name: string,
  where: string,
  column: string,
  parts: Map<string, ColumnData[]>,
  start: number,
  rows: number,
): DecodedArray {
  const chunks = parts.get(column) ?? [];
  const first = chunks[0];
  if (rows === 0) return [];
  if (chunks.length === 1 && first?.rowStart === start && first.columnData.length === rows) {
    return first.columnData;
  }
  const out: unknown[] = new Array<unknown>(rows);
  let filled = 0;
  for (const { columnData, rowStart } of chunks) {
    for (let i = Math.max(0, start - rowStart); i < columnData.length && rowStart + i < start + rows; i++) {
      out[rowStart + i - start] = columnData[i];
      filled++;
    }
  }
  if (filled !== rows) {
    throw corrupt(
      name,
      `${where}, column "${column}", has ${filled} values but the row group has ${rows} rows`,
    );
  }
  return out;
}

interface ColumnPlan {
  name: string;
  hint: ColumnType;
  /** Brings a decoded row group into the value shapes the builder expects for `hint`. */
  convert: (values: DecodedArray) => ArrayLike<unknown>;
}

function planColumns(name: string, schema: SchemaTree): ColumnPlan[] {
  if (schema.children.length === 0) {
    throw new IngestError('NO_COLUMNS', `${name} is a Parquet file without columns. ${NOTHING_STORED}`);
  }
  const seen = new Set<string>();
  return schema.children.map((node) => {
    const column = node.element.name;
    if (seen.has(column)) {
      throw new IngestError(
        'DUPLICATE_COLUMN',
        `${name} has two columns named "${column}". ${NOTHING_STORED}`,
      );
    }
    seen.add(column);
    return { name: column, ...typeOf(node) };
  });
}

const same = (v: DecodedArray): ArrayLike<unknown> => v;
const text = (v: DecodedArray): ArrayLike<unknown> => Array.from(v as ArrayLike<unknown>, toText);
const time = (perSecond: number) => (v: DecodedArray) =>
  Array.from(v as ArrayLike<number | bigint | null>, (t) => (t == null ? null : timeText(t, perSecond)));
const PER_SECOND = { MILLIS: 1e3, MICROS: 1e6, NANOS: 1e9 };

/** Parquet logical / converted / physical type → canonical type, most specific first. */
function typeOf(node: SchemaTree): Omit<ColumnPlan, 'name'> {
  const el = node.element;
  const as = (hint: ColumnType, convert = same) => ({ hint, convert });
  // Lists, structs, maps (and legacy repeated fields): JSON text.
  if (node.children.length > 0 || el.repetition_type === 'REPEATED') return as('VARCHAR', text);
  const lt = el.logical_type;
  switch (lt?.type) {
    case 'STRING':
    case 'ENUM':
    case 'JSON':
    case 'UUID':
      return as('VARCHAR');
    case 'INTEGER':
      if (lt.bitWidth < 32 || (lt.bitWidth === 32 && lt.isSigned)) return as('INTEGER', toInt32);
      if (lt.isSigned) return as('BIGINT');
      return as('BIGINT', lt.bitWidth === 32 ? toBigInt : checkUint64);
    case 'DECIMAL':
      return as('DOUBLE', decimal(lt.scale));
    case 'FLOAT16':
      return as('DOUBLE');
    case 'DATE':
      return as('DATE');
    case 'TIMESTAMP':
      return as('TIMESTAMP');
    case 'TIME':
      return as('VARCHAR', time(PER_SECOND[lt.unit]));
    case undefined:
      break;
    default:
      return as('VARCHAR', text);
  }
  switch (el.converted_type) {
    case 'UTF8':
    case 'ENUM':
    case 'JSON':
      return as('VARCHAR');
    case 'INT_8':
    case 'INT_16':
    case 'INT_32':
    case 'UINT_8':
    case 'UINT_16':
      return as('INTEGER', toInt32);
    case 'INT_64':
      return as('BIGINT');
    case 'UINT_32':
      return as('BIGINT', toBigInt);
    case 'UINT_64':
      return as('BIGINT', checkUint64);
    case 'DECIMAL':
      return as('DOUBLE', decimal(el.scale ?? 0));
    case 'DATE':
      return as('DATE');
    case 'TIMESTAMP_MILLIS':
    case 'TIMESTAMP_MICROS':
      return as('TIMESTAMP');
    case 'TIME_MILLIS':
      return as('VARCHAR', time(PER_SECOND.MILLIS));
    case 'TIME_MICROS':
      return as('VARCHAR', time(PER_SECOND.MICROS));
    case undefined:
      break;
    default:
      return as('VARCHAR', text);
  }
  switch (el.type) {
    case 'BOOLEAN':
      return as('BOOLEAN');
    case 'INT32':
      return as('INTEGER', toInt32);
    case 'INT64':
      return as('BIGINT');
    case 'INT96': // legacy Impala/Spark timestamps; hyparquet and DuckDB both read them as such
      return as('TIMESTAMP');
    case 'FLOAT':
    case 'DOUBLE':
      return as('DOUBLE', toFloat64);
    default: // binary without a string annotation: hex
      return as('VARCHAR', text);
  }
}

// Typed arrays from required columns are passed on only in the builder's own storage layout.
function toInt32(v: DecodedArray): ArrayLike<unknown> {
  return Array.isArray(v) || v instanceof Int32Array ? v : Int32Array.from(v as ArrayLike<number>);
}
function toFloat64(v: DecodedArray): ArrayLike<unknown> {
  return Array.isArray(v) || v instanceof Float64Array ? v : Float64Array.from(v as ArrayLike<number>);
}
/**
 * hyparquet scales decimals by multiplying with 10^-scale (69706 → 697.0600000000001); recover the
 * unscaled integer and divide instead, which rounds correctly, as DuckDB does.
 */
function decimal(scale: number) {
  const p = 10 ** scale;
  return (v: DecodedArray): ArrayLike<unknown> => {
    if (scale <= 0 || scale > 22) return v;
    return Array.from(v as ArrayLike<number | null>, (x) => {
      if (x == null) return null;
      const unscaled = Math.round(x * p);
      return Number.isSafeInteger(unscaled) ? unscaled / p : x;
    });
  };
}
function toBigInt(v: DecodedArray): ArrayLike<unknown> {
  return Array.from(v as ArrayLike<number | null>, (x) => (x == null ? null : BigInt(x)));
}
const INT64_MAX = 2n ** 63n - 1n;
function checkUint64(v: DecodedArray): ArrayLike<unknown> {
  for (const x of v as Iterable<bigint | null>) {
    if (x != null && x > INT64_MAX) {
      throw new IngestError('UNSUPPORTED', `an unsigned 64-bit value (${x}) does not fit in BIGINT`);
    }
  }
  return v instanceof BigUint64Array ? BigInt64Array.from(v) : v;
}

function slice(values: ArrayLike<unknown>, from: number, to: number): ArrayLike<unknown> {
  if (from === 0 && to === values.length) return values;
  if (Array.isArray(values)) return (values as unknown[]).slice(from, to);
  return (values as Int32Array).subarray(from, to); // every typed array has subarray
}

const utf8 = new TextDecoder();
/** Millisecond precision, rounded down (hyparquet's defaults round toward zero before 1970). */
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMicroseconds: (us) => new Date(Number(floorDiv(us, 1000n))),
  timestampFromNanoseconds: (ns) => new Date(Number(floorDiv(ns, 1_000_000n))),
  // A JSON column is VARCHAR: keep the text exactly as stored instead of parsing it.
  jsonFromBytes: (bytes) => (bytes ? utf8.decode(bytes) : bytes),
};
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function throwIfCancelled(name: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(name);
}
function cancelled(name: string): IngestError {
  return new IngestError('CANCELLED', `Reading ${name} was cancelled. ${NOTHING_STORED}`);
}
function corrupt(name: string, what: string): IngestError {
  return new IngestError('CORRUPT', `${name} is a corrupt Parquet file: ${what}. ${NOTHING_STORED}`);
}
function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whatever escaped (a hyparquet error, a RangeError from a bad length) becomes an IngestError. */
function asIngestError(e: unknown, name: string, signal: AbortSignal | undefined): IngestError {
  if (signal?.aborted) return cancelled(name);
  if (isIngestError(e)) {
    if (e.code !== 'UNSUPPORTED' || e.message.startsWith(name)) return e;
    return new IngestError('UNSUPPORTED', `${name}: ${e.message}. ${NOTHING_STORED}`);
  }
  const message = errorText(e);
  if (/not supported/i.test(message)) {
    return new IngestError(
      'UNSUPPORTED',
      `${name} uses a Parquet feature peerlake cannot read (${message}). ${NOTHING_STORED}`,
    );
  }
  return corrupt(name, message);
}
