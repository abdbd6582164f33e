import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import { resolveConfig } from '../../src/lake/config.ts';
import { tableNameFromFile, uniqueName } from '../../src/lake/naming.ts';
import { IdbChunkStore } from '../../src/storage/IdbChunkStore.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';

describe('dataset names', () => {
  it('sanitises file names into SQL identifiers', () => {
    expect(tableNameFromFile('Sales 2024 (Q1).csv')).toBe('sales_2024_q1');
    expect(tableNameFromFile('2024-data.parquet')).toBe('t_2024_data');
    expect(tableNameFromFile('Café Menü.json')).toBe('cafe_menu');
    expect(tableNameFromFile('select.csv')).toBe('select_data');
    expect(tableNameFromFile('.csv')).toBe('dataset');
    expect(uniqueName('a', new Set(['a', 'a_2']))).toBe('a_3');
  });

  it('makes names unique, also for concurrent ingests, and honours an explicit table name', async () => {
    const lake = createLakeNode();
    const [a, b] = await Promise.all([
      lake.ingest({ name: 'x.csv', text: 'v\n1\n' }),
      lake.ingest({ name: 'x.csv', text: 'v\n2\n' }),
    ]);
    expect([a.name, b.name].sort()).toEqual(['x', 'x_2']);
    expect((await lake.ingest({ name: 'x.csv', text: 'v\n3\n' }, { table: 'mine' })).name).toBe('mine');
    await expect(lake.ingest({ name: 'y.csv', text: 'v\n1\n' }, { table: 'mine' })).rejects.toMatchObject({
      code: 'INVALID_NAME',
    });
    await expect(lake.ingest({ name: 'y.csv', text: 'v\n1\n' }, { table: 'Bad Name' })).rejects.toMatchObject(
      { code: 'INVALID_NAME' },
    );
  });
});

describe('LakeNode API', () => {
  it('datasets(), drop() with garbage collection, and events', async () => {
    const store = new MemoryChunkStore();
    const lake = createLakeNode({ store });
    const added: string[] = [];
    const removed: string[] = [];
    lake.on('dataset-added', (d) => added.push(d.name));
    lake.on('dataset-removed', (d) => removed.push(d.name));
    const info = await lake.ingest({ name: 'a.csv', text: 'k,v\nx,1\ny,2\n' });
    expect(lake.datasets()).toEqual([info]);
    expect(info).toMatchObject({ name: 'a', rows: 2, chunks: 1, status: 'committed', format: 'csv' });
    expect(info.replication).toEqual({ target: 3, holders: 1, state: 'healthy' });
    expect((await store.usage()).chunks).toBe(1);
    await lake.drop('a');
    expect(lake.datasets()).toEqual([]);
    expect(await store.usage()).toEqual({ chunks: 0, bytes: 0, manifests: 0 });
    expect(added).toEqual(['a']);
    expect(removed).toEqual(['a']);
    await expect(lake.drop('a')).rejects.toThrow('No dataset named "a"');
  });

  it('sql(): SHOW TABLES, DESCRIBE, SELECT with rows, plan and Arrow; honest errors', async () => {
    const lake = createLakeNode();
    await lake.ingest({ name: 'people.csv', text: 'name,age,born\nann,31,1993-04-01\nbob,42,1982-11-30\n' });
    expect((await lake.sql('SHOW TABLES')).rows).toEqual([{ name: 'people' }]);
    const d = await lake.sql('describe people;');
    expect(d.rows.map((r) => `${String(r.column_name)} ${String(r.column_type)}`)).toEqual([
      'name VARCHAR',
      'age INTEGER',
      'born DATE',
    ]);
    const r = await lake.sql('SELECT name, age * 2 AS twice, born FROM people WHERE age > 35');
    expect(r.rows).toEqual([{ name: 'bob', twice: 84, born: '1982-11-30' }]);
    expect(r.rowCount).toBe(1);
    expect(r.columns).toEqual([
      { name: 'name', type: 'VARCHAR' },
      { name: 'twice', type: 'INTEGER' },
      { name: 'born', type: 'DATE' },
    ]);
    expect(r.plan).toMatch(/scan/i);
    expect(tableFromIPC(r.arrow()).numRows).toBe(1);
    const counted = await lake.sql('SELECT COUNT(*) AS n FROM people');
    expect(counted.rows).toEqual([{ n: 2 }]);
    await expect(lake.sql('DESCRIBE nope')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
    await expect(lake.sql('SELECT nme FROM people')).rejects.toThrow(/did you mean "name"/i);
    await expect(lake.sql('')).rejects.toMatchObject({ code: 'EMPTY' });
  });

  it('sql() honours timeoutMs and AbortSignal', async () => {
    const lake = createLakeNode();
    await lake.ingest({
      name: 'n.csv',
      text: 'v\n' + Array.from({ length: 50_000 }, (_, i) => i).join('\n'),
    });
    const ctl = new AbortController();
    ctl.abort();
    await expect(lake.sql('SELECT COUNT(*) FROM n', { signal: ctl.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    await expect(lake.sql('SELECT v FROM n ORDER BY v DESC', { timeoutMs: 0 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('verify() finds a tampered chunk and a missing chunk in IndexedDB', async () => {
    const store = await IdbChunkStore.open('verify-test');
    const lake = createLakeNode({ store, config: { chunkSize: 4096 } });
    const lines = ['id,name'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},name-${i}`);
    const info = await lake.ingest({ name: 'v.csv', text: lines.join('\n') });
    expect((await lake.verify('v')).ok).toBe(true);
    const m = (await store.getManifest(info.id))!;
    const raw = await openDB('verify-test');
    const bytes = (await raw.get('chunks', m.chunks[1]!.id)) as Uint8Array;
    bytes[bytes.length - 20]! ^= 0xff;
    await raw.put('chunks', bytes, m.chunks[1]!.id);
    await raw.delete('chunks', m.chunks[2]!.id);
    raw.close();
    const report = await lake.verify('v');
    expect(report.ok).toBe(false);
    expect(report.root.ok).toBe(true);
    expect(report.bad.map((b) => [b.index, b.problem])).toEqual([
      [1, 'hash-mismatch'],
      [2, 'missing'],
    ]);
    await lake.close();
  });

  it('a node reopened on the same database resumes its datasets and sweeps a crashed ingest', async () => {
    const a = createLakeNode({ store: await IdbChunkStore.open('resume-test') });
    await a.ingest({ name: 'keep.csv', text: 'v\n1\n2\n' });
    await a.close();
    const crashed = await IdbChunkStore.open('resume-test');
    await crashed.writeChunks('dead-ingest', [
      { id: 'f'.repeat(64) as never, bytes: new Uint8Array([1, 2, 3]) },
    ]);
    await crashed.close();
    const b = createLakeNode({ store: await IdbChunkStore.open('resume-test') });
    await b.ready;
    expect(b.datasets().map((d) => d.name)).toEqual(['keep']);
    expect((await b.storage()).chunks).toBe(1);
    await b.close();
  });
});

describe('config', () => {
  it('validates overrides', () => {
    expect(resolveConfig({ chunkSize: 65536 }).chunkSize).toBe(65536);
    expect(resolveConfig({}).replicationFactor).toBe(3);
    expect(() => resolveConfig({ chunkSize: 'big' })).toThrow(/chunkSize/);
    expect(() => resolveConfig({ nope: 1 })).toThrow(/unknown config key "nope"/);
  });
});
