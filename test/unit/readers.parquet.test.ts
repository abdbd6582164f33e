import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnBatch, ReaderOptions } from '../../src/ingest/ColumnBatch.ts';
import { readParquet } from '../../src/ingest/readers/parquet.ts';

// DuckDB writes the files and is the oracle for their contents.
const ROWS = 10_000;
const SELECT = `
  SELECT i::INTEGER AS i32,
    (i * 1000000007 - 5000000000)::BIGINT AS i64,
    CASE WHEN i % 11 = 0 THEN NULL ELSE i / 7 END::DOUBLE AS d,
    CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
    DATE '1960-01-01' + (i * 3)::INTEGER AS dt,
    TIMESTAMP '1969-12-31 23:00:00' + to_microseconds(i * 1234567) AS ts,
    CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || (i % 97) END AS s,
    CASE WHEN i % 4 = 0 THEN NULL ELSE i END::INTEGER AS ni,
    CASE WHEN i % 7 = 0 THEN NULL WHEN i % 7 = 1 THEN [] ELSE [i, NULL, i + 1] END AS l,
    {'a': i, 'b': CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' END} AS st,
    (i % 100 - 50)::TINYINT AS t8, (i % 60000)::USMALLINT AS u16, (i * 400000)::UINTEGER AS u32,
    i::UBIGINT AS u64, ((i * 7) % 100000 / 100)::DECIMAL(10, 2) AS dc, (i / 3)::FLOAT AS f,
    ('\\x00\\xff' || i::VARCHAR)::BLOB AS bl, TIME '01:02:03' + i * INTERVAL 1 millisecond AS tm,
    ('{"k":' || i || '}')::JSON AS js
  FROM range(${ROWS}) t(i)`;
// The same columns as the reader should hand them over (nested values as JSON text, bytes as hex).
const ORACLE = `
  SELECT i32, i64, d, b, (dt - DATE '1970-01-01') * 86400000.0 AS dt,
    floor(epoch_us(ts) / 1000)::DOUBLE AS ts, s, ni, to_json(l)::VARCHAR AS l, to_json(st)::VARCHAR AS st,
    t8, u16, u32::BIGINT AS u32, u64::BIGINT AS u64, dc::DOUBLE AS dc, f::DOUBLE AS f,
    lower(hex(bl)) AS bl, tm::VARCHAR AS tm, js::VARCHAR AS js
  FROM read_parquet($path) ORDER BY i32`;
const HINTS = {
  i32: 'INTEGER',
  i64: 'BIGINT',
  d: 'DOUBLE',
  b: 'BOOLEAN',
  dt: 'DATE',
  ts: 'TIMESTAMP',
  s: 'VARCHAR',
  ni: 'INTEGER',
  l: 'VARCHAR',
  st: 'VARCHAR',
  t8: 'INTEGER',
  u16: 'INTEGER',
  u32: 'BIGINT',
  u64: 'BIGINT',
  dc: 'DOUBLE',
  f: 'DOUBLE',
  bl: 'VARCHAR',
  tm: 'VARCHAR',
  js: 'VARCHAR',
};
const FLIGHTS = 'node_modules/vega-datasets/data/flights-3m.parquet';

let dir: string;
let db: DuckDBInstance;
let con: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'readers-parquet-'));
  db = await DuckDBInstance.create(':memory:', { extension_directory: join(dir, 'ext') });
  con = await db.connect();
  for (const codec of ['zstd', 'snappy', 'gzip']) {
    await con.run(
      `COPY (${SELECT}) TO '${join(dir, `${codec}.parquet`)}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2048)`,
    );
  }
  await con.run(`COPY (SELECT * FROM range(0) t(i)) TO '${join(dir, 'empty.parquet')}' (FORMAT parquet)`);
});

afterAll(() => {
  con.closeSync();
  db.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const OPTS: ReaderOptions = { batchRows: 1000, maxRowBytes: 1 << 20, raggedRows: 'reject' };

function fileBlob(path: string): Blob {
  return new Blob([readFileSync(path)]);
}

async function readAll(blob: Blob, opts: Partial<ReaderOptions> = {}): Promise<ColumnBatch[]> {
  const batches: ColumnBatch[] = [];
  for await (const b of readParquet({ name: 'data.parquet', blob }, { ...OPTS, ...opts })) batches.push(b);
  return batches;
}

/** Column name → all values in order; Dates as epoch ms, undefined as null. */
function columnsOf(batches: ColumnBatch[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const batch of batches) {
    for (const [name, values] of batch.columns) {
      expect(values.length, name).toBe(batch.rows);
      const list = (out[name] ??= []);
      for (const v of Array.from(values)) list.push(v instanceof Date ? v.getTime() : (v ?? null));
    }
  }
  return out;
}

async function oracle(path: string): Promise<Record<string, unknown[]>> {
  const reader = await con.runAndReadAll(ORACLE, { path });
  const rows = reader.getRowObjectsJS();
  return Object.fromEntries(reader.columnNames().map((n) => [n, rows.map((r) => r[n])]));
}

describe('readParquet matches DuckDB', () => {
  it.each(['zstd', 'snappy', 'gzip'])('%s: every value and type hint', async (codec) => {
    const path = join(dir, `${codec}.parquet`);
    const batches = await readAll(fileBlob(path));
    // Row groups of ≤2048 rows, each cut into batches of ≤1000 rows.
    const groups = parquetMetadata(readFileSync(path)).row_groups.map((g) => Number(g.num_rows));
    expect(groups.length).toBeGreaterThan(1);
    expect(batches.map((b) => b.rows)).toEqual(
      groups.flatMap((n) =>
        [1000, 1000, 1000].slice(0, Math.floor(n / 1000)).concat(n % 1000 ? [n % 1000] : []),
      ),
    );
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(ROWS);
    expect(Object.fromEntries(batches[0]!.hints!)).toEqual(HINTS);
    const got = columnsOf(batches);
    const want = await oracle(path);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const name of Object.keys(want)) expect(got[name], name).toEqual(want[name]);
  });

  it('an empty file yields its schema as one batch without rows', async () => {
    const batches = await readAll(fileBlob(join(dir, 'empty.parquet')));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.rows).toBe(0);
    expect(Object.fromEntries(batches[0]!.hints!)).toEqual({ i: 'BIGINT' });
  });

  it('reads flights-3m.parquet with the row count and sums DuckDB gives', async () => {
    const reader = await con.runAndReadAll(
      `SELECT count(*) AS n, sum(delay) AS delay, count(origin) AS origins, max(date) AS last FROM '${FLIGHTS}'`,
    );
    const want = reader.getRowObjectsJS()[0]!;
    let rows = 0;
    let delay = 0n;
    let origins = 0;
    let last = -Infinity;
    for await (const b of readParquet({ name: 'flights-3m.parquet', blob: fileBlob(FLIGHTS) }, OPTS)) {
      rows += b.rows;
      for (const v of Array.from(b.columns.get('delay')!)) delay += (v as bigint | null) ?? 0n;
      for (const v of Array.from(b.columns.get('origin')!)) if (v != null) origins++;
      for (const v of Array.from(b.columns.get('date')!)) last = Math.max(last, (v as Date).getTime());
    }
    expect(rows).toBe(Number(want.n));
    expect(rows).toBe(3_000_000);
    expect(delay).toBe(BigInt(want.delay as number | bigint));
    expect(origins).toBe(Number(want.origins));
    expect(last).toBe((want.last as Date).getTime());
  });
});

describe('readParquet reads by range, never the whole file', () => {
  it('only slices the blob, each slice well under the file size', async () => {
    const bytes = readFileSync(FLIGHTS);
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
    const blob = new SpyBlob([bytes]);
    let rows = 0;
    for await (const b of readParquet({ name: 'flights-3m.parquet', blob }, OPTS)) rows += b.rows;
    expect(rows).toBe(3_000_000);
    expect(whole).toEqual([]);
    expect(Math.max(...slices)).toBeLessThan(bytes.length / 4);
  });

  it('reports progress that grows to the file size', async () => {
    const blob = fileBlob(join(dir, 'zstd.parquet'));
    const seen: number[] = [];
    await readAll(blob, { onProgress: (p) => seen.push(p.bytesRead) });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(blob.size);
  });

  it('stops with CANCELLED when the signal aborts', async () => {
    const blob = fileBlob(join(dir, 'zstd.parquet'));
    const early = new AbortController();
    early.abort();
    await expect(readAll(blob, { signal: early.signal })).rejects.toMatchObject({ code: 'CANCELLED' });

    const late = new AbortController();
    const it = readParquet({ name: 'data.parquet', blob }, { ...OPTS, signal: late.signal });
    expect((await it.next()).done).toBe(false);
    late.abort();
    await expect(it.next()).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('readParquet rejects damaged files with a code and the file name', () => {
  const bytes = (codec = 'zstd') => readFileSync(join(dir, `${codec}.parquet`));
  const footerLength = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(b.length - 8, true);
  const read = (b: Uint8Array) => readAll(new Blob([b as Uint8Array<ArrayBuffer>]));

  it.each([
    ['half', (n: number) => n >> 1],
    ['length-10', (n: number) => n - 10],
    ['length-1', (n: number) => n - 1],
    ['just after the header magic', () => 4],
    ['inside the header magic', () => 2],
    ['12 bytes', () => 12],
  ])('TRUNCATED when cut at %s', async (_label, cut) => {
    const b = bytes();
    const err = read(b.subarray(0, cut(b.length)));
    await expect(err).rejects.toMatchObject({ code: 'TRUNCATED', name: 'IngestError' });
    await expect(err).rejects.toThrow(/data\.parquet is truncated/);
  });

  it('TRUNCATED when cut at any of 60 offsets', async () => {
    const b = bytes();
    const step = Math.floor(b.length / 60);
    for (let cut = 1; cut < b.length; cut += step) {
      await expect(read(b.subarray(0, cut)), `cut at ${cut}`).rejects.toMatchObject({ code: 'TRUNCATED' });
    }
  });

  it('CORRUPT when the bytes are not Parquet at all', async () => {
    const err = read(new TextEncoder().encode('a,b\n1,2\n'));
    await expect(err).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(err).rejects.toThrow(/data\.parquet is not a Parquet file/);
  });

  it('CORRUPT when the footer claims more metadata than the file holds', async () => {
    const b = Uint8Array.from(bytes());
    new DataView(b.buffer).setUint32(b.length - 8, b.length, true);
    await expect(read(b)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('CORRUPT when the metadata is garbage', async () => {
    const b = Uint8Array.from(bytes());
    b.fill(0xff, b.length - 8 - footerLength(b), b.length - 8);
    const err = read(b);
    await expect(err).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(err).rejects.toThrow(/metadata could not be decoded/);
  });

  it('CORRUPT when row groups point past the end of the data (middle cut out, footer kept)', async () => {
    const b = bytes();
    const footer = b.subarray(b.length - 8 - footerLength(b));
    const spliced = new Uint8Array([...b.subarray(0, b.length >> 1), ...footer]);
    const err = read(spliced);
    await expect(err).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(err).rejects.toThrow(/row group \d+ of \d+, column "\w+" points to bytes/);
  });

  it.each(['zstd', 'snappy', 'gzip'])('CORRUPT when %s page data does not decompress', async (codec) => {
    const b = Uint8Array.from(bytes(codec));
    const meta = parquetMetadata(b).row_groups[1]!.columns[6]!.meta_data!; // row group 2, column "s"
    const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    // Keep the page headers' first bytes, wreck the rest of the column chunk.
    b.fill(0xa5, start + 24, start + Number(meta.total_compressed_size));
    const err = read(b);
    await expect(err).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(err).rejects.toThrow(/data\.parquet is a corrupt Parquet file: row group 2 of \d+/);
  });

  it('EMPTY_FILE for zero bytes', async () => {
    await expect(read(new Uint8Array(0))).rejects.toMatchObject({ code: 'EMPTY_FILE' });
  });

  it('NO_COLUMNS for a valid file whose schema has no columns', async () => {
    // Thrift compact FileMetaData {1: version=1, 2: schema=[{4: name="schema", 5: num_children=0}],
    // 3: num_rows=0, 4: row_groups=[]}; DuckDB refuses to write such a file.
    const name = new TextEncoder().encode('schema');
    const meta = [
      0x15,
      0x02,
      0x19,
      0x1c,
      0x48,
      name.length,
      ...name,
      0x15,
      0x00,
      0x00,
      0x16,
      0x00,
      0x19,
      0x0c,
      0x00,
    ];
    const magic = [...new TextEncoder().encode('PAR1')];
    const file = new Uint8Array([...magic, ...meta, meta.length, 0, 0, 0, ...magic]);
    await expect(read(file)).rejects.toMatchObject({ code: 'NO_COLUMNS' });
  });
});
