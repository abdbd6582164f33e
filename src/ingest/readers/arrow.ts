import { DataType, Message, RecordBatchReader, TimeUnit, Type, util } from 'apache-arrow';
import type { Field, RecordBatch, Vector } from 'apache-arrow';
import type { ColumnType } from '../../storage/manifest.ts';
import type { ByteSource } from '../ByteSource.ts';
import { readRange } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { IngestError, isIngestError } from '../IngestError.ts';
import { timeText, toText } from './fallbackText.ts';

/**
 * Arrow IPC, file or stream format, streamed from `blob.stream()`. A file is `ARROW1` + 2 bytes
 * padding + a complete IPC stream + footer + `ARROW1`; we read its embedded stream from byte 8 to
 * the footer rather than let apache-arrow buffer the whole file for random access.
 *
 * apache-arrow (21) ends a stream quietly when the input stops at a message boundary or inside
 * the 8-byte message prefix, so a cut-off file would import silently short. The bytes therefore
 * pass through `Framing`, which walks the message framing and tells how the input really ended.
 * Error codes: TRUNCATED when the input ends early (no end-of-stream marker, a message cut off, a
 * file without its footer); CORRUPT when the bytes are all there but do not decode.
 */
export async function* readArrow(source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
  const { name, blob } = source;
  if (blob.size === 0) throw new IngestError('EMPTY_FILE', `${name} is empty. ${NOTHING_STORED}`);
  const head = new TextDecoder().decode(await readRange(blob, 0, 8));
  const isFile = head.startsWith(MAGIC);
  if (MAGIC.startsWith(head)) throw truncated(name, 'it ends inside the "ARROW1" header');
  const streamStart = isFile ? 8 : 0;
  const streamEnd = isFile ? await fileStreamEnd(name, blob) : blob.size;
  const framing = new Framing();

  try {
    const bytes = framing.pass(blob.slice(streamStart, streamEnd).stream(), opts.signal);
    const reader = await (await RecordBatchReader.from(bytes)).open();
    const schema = reader.schema as typeof reader.schema | undefined;
    if (!schema) {
      if (framing.ended && framing.state === 'partial') throw framingError(name, framing, isFile);
      throw new IngestError('CORRUPT', `${name} is not an Arrow IPC file: it has no schema. ${NOTHING_STORED}`);
    }
    const fields = planFields(name, schema.fields);
    const hints = new Map(fields.map((f) => [f.name, f.hint]));
    let rows = 0;
    for await (const batch of reader) {
      throwIfCancelled(name, opts.signal);
      const columns = new Map(fields.map((f, i) => [f.name, convert(name, batch.getChildAt(i), f)]));
      yield { rows: batch.numRows, columns, hints };
      rows += batch.numRows;
      opts.onProgress?.({ bytesRead: streamStart + framing.bytes });
    }
    throwIfCancelled(name, opts.signal);
    if (framing.state !== 'eos' && !(isFile && framing.state === 'boundary')) {
      throw framingError(name, framing, isFile);
    }
    // A schema without rows is an empty table; the builder still needs its columns.
    if (rows === 0) yield { rows: 0, columns: new Map(fields.map((f) => [f.name, []])), hints };
  } catch (e) {
    if (isIngestError(e)) throw e;
    if (opts.signal?.aborted) throw cancelled(name);
    // apache-arrow's own errors ("Expected to read 8128 bytes for message body…") are named after
    // what the framing saw: input that stopped mid-message is TRUNCATED, anything else CORRUPT.
    if (framing.ended && framing.state === 'partial' && !isFile) throw framingError(name, framing, isFile);
    throw new IngestError(
      'CORRUPT',
      `${name} is a corrupt Arrow file: ${e instanceof Error ? e.message : String(e)}. ${NOTHING_STORED}`,
    );
  }
  opts.onProgress?.({ bytesRead: blob.size });
}

const MAGIC = 'ARROW1';
const NOTHING_STORED = 'Nothing was stored.';

/** Where a file's embedded stream ends: the footer, located by the trailing length + magic. */
async function fileStreamEnd(name: string, blob: Blob): Promise<number> {
  const tail = blob.size >= 18 ? await readRange(blob, blob.size - 10, blob.size) : new Uint8Array(0);
  if (new TextDecoder().decode(tail.subarray(4)) !== MAGIC) {
    throw truncated(name, 'it starts like an Arrow file but its footer (ending in "ARROW1") is missing');
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset).getInt32(0, true);
  const end = blob.size - 10 - footerLength;
  if (footerLength <= 0 || end < 8) {
    throw new IngestError(
      'CORRUPT',
      `${name} is a corrupt Arrow file: its footer length (${footerLength}) does not fit the file. ${NOTHING_STORED}`,
    );
  }
  return end;
}

type FramingState = 'boundary' | 'partial' | 'eos' | 'garbage';

/**
 * Passes IPC stream bytes through unchanged while following the framing: `0xFFFFFFFF`, int32
 * metadata length, flatbuffer Message (which holds the body length), body; a zero length is the
 * end-of-stream marker. Pre-1.0 streams lack the `0xFFFFFFFF` and are handled too. It never
 * throws: apache-arrow reports decode errors, and `state` says afterwards how the input ended.
 */
class Framing {
  state: FramingState = 'boundary';
  /** Bytes handed to apache-arrow so far. */
  bytes = 0;
  /** The input ran out (as opposed to apache-arrow stopping at the end-of-stream marker). */
  ended = false;
  private header = new Uint8Array(8);
  private fill = 0;
  private need = 4; // bytes still needed for the current step
  private step: 'prefix' | 'length' | 'metadata' | 'body' = 'prefix';
  private metadata = new Uint8Array(0);

  async *pass(stream: ReadableStream<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    const reader = stream.getReader();
    try {
      for (;;) {
        // Ending early on cancel looks like EOF to apache-arrow; the caller checks the signal.
        if (signal?.aborted) return;
        const { done, value } = await reader.read();
        if (done) return void (this.ended = true);
        const end = this.walk(value);
        this.bytes += end;
        yield end === value.length ? value : value.subarray(0, end);
        if (this.state === 'eos' || this.state === 'garbage') return;
      }
    } finally {
      await reader.cancel(); // stop reading the blob if apache-arrow stopped early
    }
  }

  /** Advances over `chunk`; returns how much of it belongs to the stream (all, unless EOS). */
  private walk(chunk: Uint8Array): number {
    let at = 0;
    while (at < chunk.length && this.state !== 'eos' && this.state !== 'garbage') {
      this.state = 'partial';
      const take = Math.min(this.need, chunk.length - at);
      if (this.step === 'body') {
        at += take;
        this.need -= take;
      } else {
        const target = this.step === 'metadata' ? this.metadata : this.header;
        target.set(chunk.subarray(at, at + take), this.fill);
        this.fill += take;
        at += take;
        this.need -= take;
      }
      if (this.need === 0) this.advance();
    }
    return at;
  }

  private advance(): void {
    const view = new DataView(this.header.buffer);
    if (this.step === 'prefix' || this.step === 'length') {
      const value = view.getInt32(this.step === 'prefix' ? 0 : 4, true);
      if (this.step === 'prefix' && value === -1) return this.expect('length', 4, false);
      if (value === 0) return void (this.state = 'eos');
      if (value < 0 || value > MAX_METADATA) return void (this.state = 'garbage');
      this.metadata = new Uint8Array(value);
      return this.expect('metadata', value, true);
    }
    if (this.step === 'metadata') {
      let bodyLength: number;
      try {
        bodyLength = Number(Message.decode(this.metadata).bodyLength);
      } catch {
        return void (this.state = 'garbage');
      }
      if (bodyLength > 0) return this.expect('body', bodyLength, true);
    }
    this.expect('prefix', 4, true);
    this.state = 'boundary';
  }

  private expect(step: Framing['step'], need: number, reset: boolean): void {
    this.step = step;
    this.need = need;
    if (reset) this.fill = 0;
  }
}
/** Schema and batch headers are small; a larger length means the bytes are not Arrow. */
const MAX_METADATA = 64 << 20;

function framingError(name: string, framing: Framing, isFile: boolean): IngestError {
  if (framing.state === 'garbage') {
    return new IngestError('CORRUPT', `${name} is a corrupt Arrow file: a message header is invalid. ${NOTHING_STORED}`);
  }
  if (isFile) {
    return new IngestError(
      'CORRUPT',
      `${name} is a corrupt Arrow file: its last message is cut off before the footer. ${NOTHING_STORED}`,
    );
  }
  return framing.state === 'partial'
    ? truncated(name, `it ends in the middle of a message (after ${framing.bytes} bytes)`)
    : truncated(name, 'it ends without the end-of-stream marker');
}

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
      throw new IngestError('DUPLICATE_COLUMN', `${name} has two columns named "${field.name}". ${NOTHING_STORED}`);
    }
    seen.add(field.name);
    return { name: field.name, ...planFor(field.type) };
  });
}

interface Plan {
  hint: ColumnType;
  /** Maps one non-null value from `vector.get`. */
  value: (x: unknown) => unknown;
  /** For a column without nulls: the whole column in the builder's storage layout, if cheap. */
  whole?: (values: ArrayLike<unknown>) => ArrayLike<unknown>;
}

const same = (x: unknown) => x;
const int32 = (v: ArrayLike<unknown>) => (v instanceof Int32Array ? v : Int32Array.from(v as ArrayLike<number>));
const float64 = (v: ArrayLike<unknown>) =>
  v instanceof Float64Array ? v : Float64Array.from(v as ArrayLike<number>);
const INT64_MAX = 2n ** 63n - 1n;
const PER_SECOND = { [TimeUnit.SECOND]: 1, [TimeUnit.MILLISECOND]: 1e3, [TimeUnit.MICROSECOND]: 1e6, [TimeUnit.NANOSECOND]: 1e9 };

function planFor(type: DataType): Plan {
  switch (type.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = type as DataType<Type.Int> & { bitWidth: number; isSigned: boolean };
      if (bitWidth < 32 || (bitWidth === 32 && isSigned)) return { hint: 'INTEGER', value: same, whole: int32 };
      if (bitWidth === 32) return { hint: 'BIGINT', value: (x) => BigInt(x as number) };
      if (isSigned) return { hint: 'BIGINT', value: same, whole: (v) => v };
      return { hint: 'BIGINT', value: checkUint64 };
    }
    case Type.Float: {
      // Float16's toArray() is the raw bits, so it goes through get().
      const half = (type as DataType<Type.Float> & { precision: number }).precision === 0;
      return { hint: 'DOUBLE', value: same, whole: half ? undefined : float64 };
    }
    case Type.Decimal: {
      const { scale } = type as DataType<Type.Decimal> & { scale: number };
      return { hint: 'DOUBLE', value: (x) => util.bigNumToNumber(x as Parameters<typeof util.bigNumToNumber>[0], scale) };
    }
    case Type.Bool:
      return { hint: 'BOOLEAN', value: same };
    case Type.Date: // get() is epoch milliseconds for both units; Dates are UTC midnight
      return { hint: 'DATE', value: (x) => new Date(x as number) };
    case Type.Timestamp: // get() is epoch milliseconds, fractional below ms: keep ms precision
      return { hint: 'TIMESTAMP', value: (x) => new Date(Math.floor(x as number)) };
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return { hint: 'VARCHAR', value: same };
    case Type.Dictionary: // get() decodes through the dictionary
      return { ...planFor((type as DataType<Type.Dictionary> & { dictionary: DataType }).dictionary), whole: undefined };
    case Type.Time: {
      const perSecond = PER_SECOND[(type as DataType<Type.Time> & { unit: TimeUnit }).unit];
      return { hint: 'VARCHAR', value: (x) => timeText(x as number | bigint, perSecond) };
    }
    default: // binary, lists, structs, maps, intervals, …: text (JSON for nested values)
      return { hint: 'VARCHAR', value: toText };
  }
}

function convert(name: string, vector: Vector | null, plan: Plan): ArrayLike<unknown> {
  if (!vector) throw new IngestError('CORRUPT', `${name} is a corrupt Arrow file: a record batch lacks a column. ${NOTHING_STORED}`);
  try {
    if (plan.whole && vector.nullCount === 0) return plan.whole(vector.toArray() as ArrayLike<unknown>);
    const out = new Array<unknown>(vector.length);
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
function truncated(name: string, how: string): IngestError {
  return new IngestError(
    'TRUNCATED',
    `${name} is truncated: ${how}, so the file was probably cut off while copying or downloading. ${NOTHING_STORED}`,
  );
}
