import { DataType, Precision, RecordBatchReader, TimeUnit, util } from 'apache-arrow';
import type { Field, Vector } from 'apache-arrow';
import type { ColumnType } from '../../storage/manifest.ts';
import type { ByteSource } from '../ByteSource.ts';
import { readRange } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { IngestError, isIngestError } from '../IngestError.ts';
import type { ArrowInput } from './arrowInput.ts';
import { ARROW_MAGIC, FileInput, StreamInput, truncated } from './arrowInput.ts';
import { timeText, toText } from './fallbackText.ts';

/**
 * Arrow IPC, file or stream format, read a slice or chunk at a time and decoded by apache-arrow's
 * stream reader; `arrowInput.ts` supplies the bytes and judges whether the input ended where it
 * should (apache-arrow alone would accept a cut-off stream as complete).
 * Error codes: TRUNCATED when the input ends early (no end-of-stream marker, a message cut off, a
 * file without its footer); CORRUPT when the bytes are all there but do not decode.
 */
export async function* readArrow(source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
  const { name, blob } = source;
  if (blob.size === 0) throw new IngestError('EMPTY_FILE', `${name} is empty. ${NOTHING_STORED}`);
  const head = new TextDecoder().decode(await readRange(blob, 0, 8));
  if (ARROW_MAGIC.startsWith(head)) throw truncated(name, 'it ends inside the "ARROW1" header');
  const input: ArrowInput = head.startsWith(ARROW_MAGIC)
    ? await FileInput.open(name, blob)
    : new StreamInput(name, blob);

  try {
    const reader = await (await RecordBatchReader.from(input.bytes(opts.signal))).open();
    const schema = reader.schema as typeof reader.schema | undefined;
    throwIfCancelled(name, opts.signal);
    if (!schema) throw input.explain('it has no schema');
    const fields = planFields(name, schema.fields);
    const hints = new Map(fields.map((f) => [f.name, f.hint]));
    let batches = 0;
    for await (const batch of reader) {
      throwIfCancelled(name, opts.signal);
      const columns = new Map(fields.map((f, i) => [f.name, convert(name, batch.getChildAt(i), f)]));
      yield { rows: batch.numRows, columns, hints };
      batches++;
      opts.onProgress?.({ bytesRead: input.bytesRead });
    }
    throwIfCancelled(name, opts.signal);
    input.checkEnd(batches);
    // A schema without batches is an empty table; the builder still needs its columns.
    if (batches === 0) yield { rows: 0, columns: new Map(fields.map((f) => [f.name, []])), hints };
  } catch (e) {
    if (isIngestError(e)) throw e;
    if (opts.signal?.aborted) throw cancelled(name);
    throw input.explain(e instanceof Error ? e.message : String(e));
  }
  opts.onProgress?.({ bytesRead: blob.size });
}

const NOTHING_STORED = 'Nothing was stored.';

interface FieldPlan extends Plan {
  name: string;
}

function planFields(name: string, fields: Field[]): FieldPlan[] {
  if (fields.length === 0) {
    throw new IngestError('NO_COLUMNS', `${name} is an Arrow file without columns. ${NOTHING_STORED}`);
  }
  const seen = new Set<string>();
  return fields.map((field) => {
    if (seen.has(field.name)) {
      throw new IngestError(
        'DUPLICATE_COLUMN',
        `${name} has two columns named "${field.name}". ${NOTHING_STORED}`,
      );
    }
    seen.add(field.name);
    return { name: field.name, ...planFor(field.type as DataType) };
  });
}

interface Plan {
  hint: ColumnType;
  /** Maps one non-null value from `vector.get` (or from `vector.toArray()` when `raw`). */
  value: (x: unknown) => unknown;
  raw?: boolean;
  /** For a column without nulls: the whole column in the builder's storage layout, if cheap. */
  whole?: (values: ArrayLike<unknown>) => ArrayLike<unknown>;
}

const same = (x: unknown) => x;
const int32 = (v: ArrayLike<unknown>) =>
  v instanceof Int32Array ? v : Int32Array.from(v as ArrayLike<number>);
const float64 = (v: ArrayLike<unknown>) =>
  v instanceof Float64Array ? v : Float64Array.from(v as ArrayLike<number>);
const INT64_MAX = 2n ** 63n - 1n;
type BigNum = Parameters<typeof util.bigNumToNumber>[0];
/** Epoch milliseconds, rounded down, from a raw timestamp in each unit. */
const TO_MS = {
  [TimeUnit.SECOND]: (t: bigint) => t * 1000n,
  [TimeUnit.MILLISECOND]: (t: bigint) => t,
  [TimeUnit.MICROSECOND]: (t: bigint) => floorDiv(t, 1000n),
  [TimeUnit.NANOSECOND]: (t: bigint) => floorDiv(t, 1_000_000n),
};
const PER_SECOND = {
  [TimeUnit.SECOND]: 1,
  [TimeUnit.MILLISECOND]: 1e3,
  [TimeUnit.MICROSECOND]: 1e6,
  [TimeUnit.NANOSECOND]: 1e9,
};

function planFor(type: DataType): Plan {
  if (DataType.isInt(type)) {
    const { bitWidth, isSigned } = type;
    if (bitWidth < 32 || (bitWidth === 32 && isSigned)) return { hint: 'INTEGER', value: same, whole: int32 };
    if (bitWidth === 32) return { hint: 'BIGINT', value: (x) => BigInt(x as number) };
    if (isSigned) return { hint: 'BIGINT', value: same, whole: (v) => v };
    return { hint: 'BIGINT', value: checkUint64 };
  }
  if (DataType.isFloat(type)) {
    // Float16's toArray() is the raw bits, so it goes through get().
    return { hint: 'DOUBLE', value: same, whole: type.precision === Precision.HALF ? undefined : float64 };
  }
  if (DataType.isDecimal(type)) {
    const { scale } = type;
    return { hint: 'DOUBLE', value: (x) => util.bigNumToNumber(x as BigNum, scale) };
  }
  if (DataType.isBool(type)) return { hint: 'BOOLEAN', value: same };
  // get() gives epoch milliseconds for both date units: UTC midnight.
  if (DataType.isDate(type)) return { hint: 'DATE', value: (x) => new Date(x as number) };
  if (DataType.isTimestamp(type)) {
    // get() is a float of milliseconds (…969.9998 for …970 ms in ns), so convert the raw int64.
    const toMs = TO_MS[type.unit];
    const value = (t: unknown) => new Date(typeof t === 'bigint' ? Number(toMs(t)) : Math.floor(t as number));
    return { hint: 'TIMESTAMP', value, raw: true };
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) {
    return { hint: 'VARCHAR', value: same };
  }
  // get() decodes through the dictionary, so the value type decides (toArray() would be the keys).
  if (DataType.isDictionary(type)) {
    return { ...planFor(type.dictionary as DataType), whole: undefined, raw: false };
  }
  if (DataType.isTime(type)) {
    const perSecond = PER_SECOND[type.unit];
    return { hint: 'VARCHAR', value: (x) => timeText(x as number | bigint, perSecond) };
  }
  // Binary, lists, structs, maps, intervals, …: text (JSON for nested values).
  return { hint: 'VARCHAR', value: toText };
}

function convert(name: string, vector: Vector | null, plan: Plan): ArrayLike<unknown> {
  if (!vector) {
    throw new IngestError(
      'CORRUPT',
      `${name} is a corrupt Arrow file: a record batch lacks a column. ${NOTHING_STORED}`,
    );
  }
  try {
    if (plan.whole && vector.nullCount === 0) return plan.whole(vector.toArray() as ArrayLike<unknown>);
    const out = new Array<unknown>(vector.length);
    if (plan.raw) {
      const raw = vector.toArray() as ArrayLike<unknown>;
      for (let i = 0; i < vector.length; i++) out[i] = vector.isValid(i) ? plan.value(raw[i]) : null;
      return out;
    }
    for (let i = 0; i < vector.length; i++) {
      const x: unknown = vector.get(i);
      out[i] = x === null || x === undefined ? null : plan.value(x);
    }
    return out;
  } catch (e) {
    if (isIngestError(e)) throw new IngestError(e.code, `${name}: ${e.message}. ${NOTHING_STORED}`);
    throw e;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function checkUint64(x: unknown): bigint {
  if ((x as bigint) > INT64_MAX) {
    throw new IngestError('UNSUPPORTED', `an unsigned 64-bit value (${String(x)}) does not fit in BIGINT`);
  }
  return x as bigint;
}

function throwIfCancelled(name: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(name);
}
function cancelled(name: string): IngestError {
  return new IngestError('CANCELLED', `Reading ${name} was cancelled. ${NOTHING_STORED}`);
}
