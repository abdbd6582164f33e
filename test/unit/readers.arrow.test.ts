import {
  Binary,
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Schema,
  Struct,
  Table,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  tableFromIPC,
  Vector,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ColumnBatch, ReaderOptions } from '../../src/ingest/ColumnBatch.ts';
import { readArrow } from '../../src/ingest/readers/arrow.ts';

const OPTS: ReaderOptions = { batchRows: 1000, maxRowBytes: 1 << 20, raggedRows: 'reject' };
const FLIGHTS = 'node_modules/vega-datasets/data/flights-200k.arrow';
const N = 3000;
const DAY = 86_400_000;

const seq = <T>(f: (i: number) => T): T[] => Array.from({ length: N }, (_, i) => f(i));
const nullEvery = <T>(k: number, f: (i: number) => T) => seq((i) => (i % k === 0 ? null : f(i)));
/** Decimal128 words (little-endian) for an unscaled value. */
const dec = (u: bigint) => new Uint32Array(new BigInt64Array([u, u < 0n ? -1n : 0n]).buffer);

/** Nanoseconds around the epoch, not whole milliseconds: rounding down must be exact. */
const ns = (i: number) => BigInt(i - 1500) * 1_000_001n;

// name → [Arrow type, values (or a vector) to build from, expected hint, expected values as the reader hands them over]
const COLUMNS: Record<string, [DataType, unknown[] | Vector, string, unknown[]]> = {
  i32: [new Int32(), seq((i) => i - 1000), 'INTEGER', seq((i) => i - 1000)],
  i32n: [new Int32(), nullEvery(4, (i) => i), 'INTEGER', nullEvery(4, (i) => i)],
  i8: [new Int8(), seq((i) => (i % 200) - 100), 'INTEGER', seq((i) => (i % 200) - 100)],
  i16: [new Int16(), nullEvery(5, (i) => -i), 'INTEGER', nullEvery(5, (i) => -i)],
  u8: [new Uint8(), seq((i) => i % 256), 'INTEGER', seq((i) => i % 256)],
  u16: [new Uint16(), seq((i) => i * 20), 'INTEGER', seq((i) => i * 20)],
  u32: [new Uint32(), seq((i) => 4e9 - i), 'BIGINT', seq((i) => BigInt(4e9 - i))],
  i64: [
    new Int64(),
    seq((i) => BigInt(i) * 3_000_000_000_007n),
    'BIGINT',
    seq((i) => BigInt(i) * 3_000_000_000_007n),
  ],
  i64n: [new Int64(), nullEvery(3, (i) => -BigInt(i)), 'BIGINT', nullEvery(3, (i) => -BigInt(i))],
  u64: [new Uint64(), seq((i) => BigInt(i) << 40n), 'BIGINT', seq((i) => BigInt(i) << 40n)],
  f64: [new Float64(), seq((i) => i / 7), 'DOUBLE', seq((i) => i / 7)],
  f64n: [new Float64(), nullEvery(6, (i) => -i / 3), 'DOUBLE', nullEvery(6, (i) => -i / 3)],
  f32: [new Float32(), seq((i) => i / 4), 'DOUBLE', seq((i) => i / 4)],
  dec: [
    new Decimal(2, 12, 128),
    seq((i) => dec(BigInt(i * 7 - 9000))),
    'DOUBLE',
    seq((i) => (i * 7 - 9000) / 100),
  ],
  bool: [new Bool(), nullEvery(7, (i) => i % 2 === 0), 'BOOLEAN', nullEvery(7, (i) => i % 2 === 0)],
  day: [
    new DateDay(),
    nullEvery(9, (i) => new Date((i - 500) * DAY)),
    'DATE',
    nullEvery(9, (i) => new Date((i - 500) * DAY)),
  ],
  dms: [new DateMillisecond(), seq((i) => new Date(i * DAY)), 'DATE', seq((i) => new Date(i * DAY))],
  tss: [new TimestampSecond(), seq((i) => i * 1000), 'TIMESTAMP', seq((i) => new Date(i * 1000))],
  tsms: [
    new TimestampMillisecond(),
    nullEvery(8, (i) => i * 1234567 - 5e8),
    'TIMESTAMP',
    nullEvery(8, (i) => new Date(i * 1234567 - 5e8)),
  ],
  tsus: [
    new TimestampMicrosecond(),
    seq((i) => i * 3.5),
    'TIMESTAMP',
    seq((i) => new Date(i * 3.5 - ((i * 3.5) % 1))),
  ],
  // Built from exact int64 nanoseconds: vectorFromArray would scale float milliseconds.
  tsns: [
    new TimestampNanosecond('UTC'),
    makeVector(
      makeData({ type: new TimestampNanosecond('UTC'), length: N, data: BigInt64Array.from(seq(ns)) }),
    ),
    'TIMESTAMP',
    seq((i) => new Date(Math.floor(Number(ns(i)) / 1e6))),
  ],
  s: [new Utf8(), nullEvery(3, (i) => `s${i}`), 'VARCHAR', nullEvery(3, (i) => `s${i}`)],
  digits: [new Utf8(), seq((i) => String(i)), 'VARCHAR', seq((i) => String(i))],
  dict: [
    new Dictionary(new Utf8(), new Int32()),
    nullEvery(5, (i) => `k${i % 4}`),
    'VARCHAR',
    nullEvery(5, (i) => `k${i % 4}`),
  ],
  dictNum: [
    new Dictionary(new Int64(), new Int32()),
    nullEvery(6, (i) => BigInt(i % 3) - 1n),
    'BIGINT',
    nullEvery(6, (i) => BigInt(i % 3) - 1n),
  ],
  dictTs: [
    new Dictionary(new TimestampMillisecond(), new Int32()),
    nullEvery(7, (i) => (i % 4) * 1000 - 1500),
    'TIMESTAMP',
    nullEvery(7, (i) => new Date((i % 4) * 1000 - 1500)),
  ],
  list: [
    new List(new Field('item', new Int64(), true)),
    nullEvery(4, (i) => [BigInt(i), null, 2n ** 60n]),
    'VARCHAR',
    nullEvery(4, (i) => `[${i},null,"1152921504606846976"]`),
  ],
  struct: [
    new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]),
    seq((i) => ({ a: i, b: i % 2 ? 'x' : null })),
    'VARCHAR',
    seq((i) => JSON.stringify({ a: i, b: i % 2 ? 'x' : null })),
  ],
  bin: [
    new Binary(),
    nullEvery(10, (i) => Uint8Array.of(0, 255, i % 256)),
    'VARCHAR',
    nullEvery(10, (i) => `00ff${(i % 256).toString(16).padStart(2, '0')}`),
  ],
  time: [
    new TimeMicrosecond(),
    seq((i) => BigInt(3_723_000_000 + i * 250_000)),
    'VARCHAR',
    seq((i) => timeOfDay(3_723_000 + i * 250)),
  ],
};

/** `01:02:03.25`, as DuckDB prints a TIME. */
function timeOfDay(ms: number): string {
  return new Date(ms)
    .toISOString()
    .slice(11, 23)
    .replace(/\.?0+$/, '');
}

/** A table of COLUMNS, split into record batches of `per` rows (dictionary shared). */
function table(per = N): Table {
  const whole = new Table(
    Object.fromEntries(
      Object.entries(COLUMNS).map(([name, [type, values]]) => [
        name,
        values instanceof Vector ? values : vectorFromArray(values, type),
      ]),
    ),
  );
  const batches = [];
  for (let at = 0; at < N; at += per) batches.push(...whole.slice(at, at + per).batches);
  return new Table(batches);
}

async function readAll(bytes: Uint8Array, opts: Partial<ReaderOptions> = {}): Promise<ColumnBatch[]> {
  const out: ColumnBatch[] = [];
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  for await (const b of readArrow({ name: 'data.arrow', blob }, { ...OPTS, ...opts })) out.push(b);
  return out;
}

function columnsOf(batches: ColumnBatch[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const batch of batches) {
    for (const [name, values] of batch.columns) {
      expect(values.length, name).toBe(batch.rows);
      const list = (out[name] ??= []);
      for (let i = 0; i < values.length; i++) list.push(values[i]);
    }
  }
  return out;
}

describe.each(['stream', 'file'] as const)('readArrow, %s format', (format) => {
  it('round-trips every type: hints and values', async () => {
    const bytes = tableToIPC(table(1000), format);
    const batches = await readAll(bytes);
    expect(batches.map((b) => b.rows)).toEqual([1000, 1000, 1000]);
    const hints = Object.fromEntries(Object.entries(COLUMNS).map(([name, [, , hint]]) => [name, hint]));
    expect(Object.fromEntries(batches[0]!.hints!)).toEqual(hints);
    const got = columnsOf(batches);
    for (const [name, [, , , want]] of Object.entries(COLUMNS)) expect(got[name], name).toEqual(want);
  });

  it('passes null-free columns in canonical storage as typed arrays', async () => {
    const [batch] = await readAll(tableToIPC(table(), format));
    const cols = batch!.columns;
    expect(cols.get('i32')).toBeInstanceOf(Int32Array);
    expect(cols.get('i8')).toBeInstanceOf(Int32Array);
    expect(cols.get('i64')).toBeInstanceOf(BigInt64Array);
    expect(cols.get('f64')).toBeInstanceOf(Float64Array);
    expect(cols.get('f32')).toBeInstanceOf(Float64Array);
    expect(Array.isArray(cols.get('i32n'))).toBe(true); // has nulls
  });

  it('a schema without batches yields one empty batch with the hints', async () => {
    const empty = new Table(new Schema([new Field('a', new Int32()), new Field('s', new Utf8())]));
    const batches = await readAll(tableToIPC(empty, format));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.rows).toBe(0);
    expect(Object.fromEntries(batches[0]!.hints!)).toEqual({ a: 'INTEGER', s: 'VARCHAR' });
  });

  it('NO_COLUMNS for a schema without fields', async () => {
    await expect(readAll(tableToIPC(new Table(new Schema([])), format))).rejects.toMatchObject({
      code: 'NO_COLUMNS',
    });
  });

  it('reports progress that grows to the file size', async () => {
    const bytes = tableToIPC(table(500), format);
    const seen: number[] = [];
    await readAll(bytes, { onProgress: (p) => seen.push(p.bytesRead) });
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it('stops with CANCELLED when the signal aborts', async () => {
    const bytes = tableToIPC(table(500), format);
    const early = new AbortController();
    early.abort();
    await expect(readAll(bytes, { signal: early.signal })).rejects.toMatchObject({ code: 'CANCELLED' });

    const late = new AbortController();
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    const it = readArrow({ name: 'data.arrow', blob }, { ...OPTS, signal: late.signal });
    expect((await it.next()).done).toBe(false);
    late.abort();
    await expect(it.next()).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('EMPTY_FILE for zero bytes', async () => {
    await expect(readAll(new Uint8Array(0))).rejects.toMatchObject({ code: 'EMPTY_FILE' });
  });
});

describe('readArrow on real files', () => {
  it('reads flights-200k.arrow: row count and values as apache-arrow reads them', async () => {
    const bytes = readFileSync(FLIGHTS);
    const table = tableFromIPC(bytes);
    const batches = await readAll(bytes);
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(table.numRows);
    expect(table.numRows).toBe(200_000);
    const got = columnsOf(batches);
    for (const field of table.schema.fields) {
      const v = table.getChild(field.name) as Vector;
      const want = Array.from({ length: v.length }, (_, i) => v.get(i) as unknown);
      expect(got[field.name], field.name).toEqual(want);
    }
  });

  it('reads a file through slices of its blocks, never the whole file', async () => {
    const bytes = tableToIPC(table(300), 'file');
    const slices: number[] = [];
    const whole: string[] = [];
    class SpyBlob extends Blob {
      override slice(start?: number, end?: number, type?: string): Blob {
        slices.push((end ?? this.size) - (start ?? 0));
        return super.slice(start, end, type);
      }
      override arrayBuffer(): Promise<ArrayBuffer> {
        whole.push('arrayBuffer');
        return super.arrayBuffer();
      }
      override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
        whole.push('stream');
        return super.stream();
      }
    }
    let rows = 0;
    for await (const b of readArrow(
      { name: 'data.arrow', blob: new SpyBlob([bytes as Uint8Array<ArrayBuffer>]) },
      OPTS,
    ))
      rows += b.rows;
    expect(rows).toBe(N);
    expect(whole).toEqual([]);
    expect(Math.max(...slices)).toBeLessThan(bytes.length / 5);
  });
});

describe('readArrow rejects damaged input', () => {
  const stream = tableToIPC(table(1000), 'stream');
  const file = tableToIPC(table(1000), 'file');

  it('apache-arrow alone accepts a stream cut at a batch boundary (why we check the framing)', () => {
    const first = tableToIPC(table(1000).slice(0, 1000), 'stream');
    const cut = stream.subarray(0, first.length - 8); // schema, dictionary, one batch; no EOS
    expect(tableFromIPC(cut).numRows).toBe(1000);
  });

  it('TRUNCATED for a stream cut at a batch boundary', async () => {
    const first = tableToIPC(table(1000).slice(0, 1000), 'stream');
    const err = readAll(stream.subarray(0, first.length - 8));
    await expect(err).rejects.toMatchObject({ code: 'TRUNCATED' });
    await expect(err).rejects.toThrow(/data\.arrow is truncated: it ends without the end-of-stream marker/);
  });

  it.each([
    ['half', (n: number) => n >> 1],
    ['length-10', (n: number) => n - 10],
    ['length-1 (inside the end-of-stream marker)', (n: number) => n - 1],
    ['length-8 (just before the end-of-stream marker)', (n: number) => n - 8],
    ['just after the schema prefix', () => 8],
    ['4 bytes', () => 4],
  ])('TRUNCATED for a stream cut at %s', async (_label, cut) => {
    const err = readAll(stream.subarray(0, cut(stream.length)));
    await expect(err).rejects.toMatchObject({ code: 'TRUNCATED', name: 'IngestError' });
    await expect(err).rejects.toThrow(/data\.arrow is truncated/);
  });

  it.each([
    ['half', (n: number) => n >> 1],
    ['length-10', (n: number) => n - 10],
    ['length-1', (n: number) => n - 1],
    ['just after the header', () => 8],
    ['inside the magic', () => 4],
  ])('TRUNCATED for a file cut at %s', async (_label, cut) => {
    const err = readAll(file.subarray(0, cut(file.length)));
    await expect(err).rejects.toMatchObject({ code: 'TRUNCATED' });
    await expect(err).rejects.toThrow(/data\.arrow is truncated/);
  });

  it.each(['stream', 'file'] as const)('TRUNCATED for a %s cut at any of 60 offsets', async (format) => {
    const bytes = format === 'stream' ? stream : file;
    const step = Math.floor(bytes.length / 60);
    for (let cut = 1; cut < bytes.length; cut += step) {
      await expect(readAll(bytes.subarray(0, cut)), `cut at ${cut}`).rejects.toMatchObject({
        code: 'TRUNCATED',
      });
    }
  });

  it('CORRUPT for bytes that are not Arrow', async () => {
    const err = readAll(new TextEncoder().encode('hello, this is not arrow at all'));
    await expect(err).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(err).rejects.toThrow(/data\.arrow is a corrupt Arrow file/);
  });

  it('CORRUPT for a file whose footer is garbage', async () => {
    const b = Uint8Array.from(file);
    const footerLength = new DataView(b.buffer).getInt32(b.length - 10, true);
    b.fill(0x7f, b.length - 10 - footerLength, b.length - 10);
    await expect(readAll(b)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('CORRUPT for a file whose middle is missing (footer points past the data)', async () => {
    const footerLength = new DataView(file.buffer, file.byteOffset).getInt32(file.length - 10, true);
    const spliced = new Uint8Array([
      ...file.subarray(0, file.length >> 1),
      ...file.subarray(file.length - 10 - footerLength),
    ]);
    const err = readAll(spliced);
    await expect(err).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(err).rejects.toThrow(/footer points to bytes/);
  });

  it('CORRUPT for a stream whose message header is garbage', async () => {
    const b = Uint8Array.from(stream);
    b.fill(0xee, 8, 40); // inside the schema flatbuffer
    await expect(readAll(b)).rejects.toMatchObject({ code: 'CORRUPT' });
  });
});
