import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import { readRows } from '../helpers/dataset.ts';
import { duckRows, tempDir } from '../helpers/duckdb.ts';

const dir = tempDir();

/** Ingests `text` and compares every value with DuckDB's read_csv of the same bytes. */
async function againstDuckDB(file: string, text: string, chunkSize = 1 << 20, duckOpts = '') {
  const store = new MemoryChunkStore();
  const lake = createLakeNode({ store, config: { chunkSize } });
  const info = await lake.ingest({ name: file, text });
  const manifest = (await store.getManifest(info.id)) as Manifest;
  const ours = await readRows(store, manifest);
  const path = join(dir, file);
  writeFileSync(path, text);
  const theirs = await duckRows(`SELECT * FROM read_csv('${path}'${duckOpts})`);
  expect(ours).toEqual(theirs);
  return { manifest, store, lake };
}

describe('CSV ingest against DuckDB', () => {
  it('infers int, double, bool, date, timestamp and string columns', async () => {
    const { manifest } = await againstDuckDB(
      'typed.csv',
      'id,price,ok,day,at,name\n1,2.5,true,2024-01-02,2024-01-02 03:04:05,alpha\n2,-3.25,false,2023-12-31,2024-02-29T23:59:59,beta\n3,,TRUE,,,\n',
    );
    expect(manifest.schema.map((c) => c.type)).toEqual([
      'INTEGER',
      'DOUBLE',
      'BOOLEAN',
      'DATE',
      'TIMESTAMP',
      'VARCHAR',
    ]);
  });

  it('handles quotes, embedded delimiters, embedded newlines, CRLF and a BOM', async () => {
    await againstDuckDB(
      'quoted.csv',
      '\uFEFFa,b,c\r\n1,"x, y","multi\r\nline"\r\n2,"say ""hi""",plain\r\n3,,"z"\r\n',
    );
  });

  it('reads TSV', async () => {
    const { manifest } = await againstDuckDB('t.tsv', 'k\tv\nx\t1\ny\t2\n', 1 << 20, ", delim='\\t'");
    expect(manifest.format).toBe('tsv');
  });

  it('widens INTEGER to BIGINT and DOUBLE across chunks without losing values', async () => {
    const lines = ['n,m'];
    for (let i = 0; i < 5000; i++) lines.push(`${i},${i}`);
    lines.push('9999999999,1.5');
    const { manifest } = await againstDuckDB('widen.csv', lines.join('\n') + '\n', 4096);
    expect(manifest.chunks.length).toBeGreaterThan(3);
    expect(manifest.schema.map((c) => c.type)).toEqual(['BIGINT', 'DOUBLE']);
  });

  it('re-reads the file when a numeric column turns out to be text, keeping the original text', async () => {
    const lines = ['code,v'];
    for (let i = 0; i < 3000; i++) lines.push(`${String(i).padStart(2, '0')}.50,${i}`);
    lines.push('N/A,1');
    const { manifest } = await againstDuckDB('restart.csv', lines.join('\n') + '\n', 4096);
    expect(manifest.schema[0]!.type).toBe('VARCHAR');
  });

  it('names headerless columns column0..N-1, like DuckDB', async () => {
    const { manifest } = await againstDuckDB('nohead.csv', '1,2\n3,4\n');
    expect(manifest.schema.map((c) => c.name)).toEqual(['column0', 'column1']);
  });

  it('stores a low-cardinality string column as an Arrow dictionary', async () => {
    const lines = ['cat,n'];
    for (let i = 0; i < 2000; i++) lines.push(`c${i % 20},${i}`);
    const { manifest } = await againstDuckDB('dict.csv', lines.join('\n') + '\n');
    expect(manifest.schema[0]).toEqual({ name: 'cat', type: 'VARCHAR', dictionary: true });
  });
});

describe('chunks and manifest', () => {
  it('cuts chunks near chunkSize, content-addressed, with zone maps and a root', async () => {
    const lines = ['id,v,s'];
    for (let i = 0; i < 20000; i++) lines.push(`${i},${i * 0.5},row${i}`);
    const store = new MemoryChunkStore();
    const lake = createLakeNode({ store, config: { chunkSize: 64 * 1024 } });
    const info = await lake.ingest({ name: 'big.csv', text: lines.join('\n') });
    const m = (await store.getManifest(info.id))!;
    expect(m.rows).toBe(20000);
    expect(m.chunks.length).toBeGreaterThan(4);
    for (const c of m.chunks.slice(0, -1)) {
      expect(c.bytes).toBeGreaterThan(0.5 * 64 * 1024);
      expect(c.bytes).toBeLessThan(1.6 * 64 * 1024);
    }
    const first = m.chunks[0]!;
    expect(first.stats[0]).toEqual({ min: 0, max: first.rows - 1, nulls: 0 });
    const bytes = (await store.getChunk(first.id))!;
    const digest = Buffer.from(
      await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>),
    ).toString('hex');
    expect(digest).toBe(first.id);
    expect(info.checksum).toBe(m.root);
    expect((await lake.verify('big')).ok).toBe(true);
  });
});
