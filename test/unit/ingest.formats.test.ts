import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import { readRows } from '../helpers/dataset.ts';
import { duckRows, tempDir } from '../helpers/duckdb.ts';

const dir = tempDir();

async function ingest(name: string, text: string, chunkSize = 1 << 20) {
  const store = new MemoryChunkStore();
  const lake = createLakeNode({ store, config: { chunkSize } });
  const info = await lake.ingest({ name, text });
  const m = (await store.getManifest(info.id))!;
  return { info, m, rows: await readRows(store, m) };
}

describe('JSON, NDJSON and TXT', () => {
  it('a JSON array of objects matches DuckDB read_json, including keys that appear later', async () => {
    const text = JSON.stringify([
      { a: 1, b: 'x', d: '2024-05-06' },
      { a: 2.5, b: null, d: '2024-05-07' },
      { a: 3, b: 'z', c: true, d: null },
      { a: 4, nested: { k: [1, 2] } },
    ]);
    const { m, rows } = await ingest('objs.json', text);
    writeFileSync(join(dir, 'objs.json'), text);
    const duck = await duckRows(
      `SELECT a, b, d, c, nested::VARCHAR AS nested FROM read_json('${join(dir, 'objs.json')}')`,
    );
    expect(m.schema.map((c) => `${c.name}:${c.type}`)).toEqual([
      'a:DOUBLE',
      'b:VARCHAR',
      'd:DATE',
      'c:BOOLEAN',
      'nested:VARCHAR',
    ]);
    expect(rows.map(({ nested: _n, ...r }) => r)).toEqual(duck.map(({ nested: _n, ...r }) => r));
    expect(rows[3]!.nested).toBe('{"k":[1,2]}');
  });

  it('NDJSON over several chunks with a column that is null at first', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++)
      lines.push(JSON.stringify(i < 2500 ? { id: i } : { id: i, late: `v${i}` }));
    const text = lines.join('\n') + '\n';
    const { m, rows } = await ingest('events.ndjson', text, 4096);
    writeFileSync(join(dir, 'events.ndjson'), text);
    const duck = await duckRows(
      `SELECT * FROM read_json('${join(dir, 'events.ndjson')}', format='newline_delimited')`,
    );
    expect(m.chunks.length).toBeGreaterThan(2);
    expect(rows).toEqual(duck);
  });

  it('TXT: one row per line with line numbers', async () => {
    const { m, rows } = await ingest('notes.txt', 'first line\r\n\r\nthird, with comma\nlast');
    expect(m.schema).toEqual([
      { name: 'line', type: 'BIGINT' },
      { name: 'text', type: 'VARCHAR' },
    ]);
    expect(rows).toEqual([
      { line: '1', text: 'first line' },
      { line: '2', text: '' },
      { line: '3', text: 'third, with comma' },
      { line: '4', text: 'last' },
    ]);
  });
});
