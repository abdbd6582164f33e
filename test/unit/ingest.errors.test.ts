import { describe, expect, it } from 'vitest';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import type { LakeConfig } from '../../src/lake/config.ts';

/** Ingests and expects a specific IngestError code; then checks that nothing at all was stored. */
async function rejects(
  input: Parameters<ReturnType<typeof createLakeNode>['ingest']>[0],
  code: string,
  config: Partial<LakeConfig> = {},
) {
  const store = new MemoryChunkStore();
  const lake = createLakeNode({ store, config });
  const err = await lake.ingest(input).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(err, 'ingest should have failed').toBeDefined();
  expect(err!.code).toBe(code);
  expect(await store.usage()).toEqual({ chunks: 0, bytes: 0, manifests: 0 });
  expect(lake.datasets()).toEqual([]);
  return err!.message;
}

describe('bad input gets a clear error and stores nothing', () => {
  it('an empty file', async () => {
    expect(await rejects({ name: 'empty.csv', text: '' }, 'EMPTY_FILE')).toContain('empty.csv');
  });

  it('binary garbage', async () => {
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    expect(await rejects({ name: 'noise.bin', bytes }, 'UNKNOWN_FORMAT')).toMatch(/binary/);
  });

  it('a wrong extension is sniffed from the content', async () => {
    const lake = createLakeNode();
    const info = await lake
      .ingest({ name: 'really-csv.json.txt.json', text: 'a,b\n1,2\n' })
      .catch((e: Error) => e);
    // .json with non-JSON content is refused with a JSON-specific message…
    expect(info).toMatchObject({ code: 'NOT_ARRAY_OF_OBJECTS' });
    // …but CSV named .txt, and JSON named .csv, are read by content.
    expect((await lake.ingest({ name: 'data.txt', text: 'a,b\n1,2\n3,4\n' })).format).toBe('csv');
    expect((await lake.ingest({ name: 'rows.csv', text: '[{"a":1},{"a":2}]' })).format).toBe('json');
  });

  it('ragged CSV rows are rejected with their line numbers', async () => {
    const msg = await rejects(
      { name: 'ragged.csv', text: 'a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n' },
      'RAGGED_ROWS',
    );
    expect(msg).toContain('line(s) 3, 5');
  });

  it('ragged rows can be skipped by setting', async () => {
    const store = new MemoryChunkStore();
    const lake = createLakeNode({ store, config: { raggedRows: 'skip' } });
    const skipped: number[] = [];
    const info = await lake.ingest(
      { name: 'ragged.csv', text: 'a,b,c\n1,2,3\n4,5\n6,7,8\n' },
      { onProgress: (p) => skipped.push(p.skippedRows) },
    );
    expect(info.rows).toBe(2);
    expect(Math.max(...skipped)).toBe(1);
  });

  it('invalid UTF-8', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('a,b\n1,'), 0xc3, 0x28, 0x0a]);
    expect(await rejects({ name: 'latin.csv', bytes }, 'INVALID_UTF8')).toContain('offset 6');
  });

  it('a 10 MB single line', async () => {
    const text = 'x'.repeat(10 * 1024 * 1024);
    expect(await rejects({ name: 'oneline.csv', text }, 'ROW_TOO_LARGE')).toContain('line 1');
  });

  it('JSON that is not an array of objects', async () => {
    await rejects({ name: 'nums.json', text: '[1, 2, 3]' }, 'NOT_ARRAY_OF_OBJECTS');
    await rejects({ name: 'str.json', text: '"hello"' }, 'NOT_ARRAY_OF_OBJECTS');
    await rejects({ name: 'mixed.json', text: '[{"a":1}, [2]]' }, 'NOT_ARRAY_OF_OBJECTS');
    await rejects({ name: 'broken.json', text: '[{"a":1}, {"a":' }, 'INVALID_JSON');
    await rejects({ name: 'bad.ndjson', text: '{"a":1}\n{"a":2\n' }, 'INVALID_JSON');
  });

  it('a duplicate column name', async () => {
    expect(await rejects({ name: 'dup.csv', text: 'id,name,ID\n1,a,2\n' }, 'DUPLICATE_COLUMN')).toContain(
      '"ID"',
    );
  });

  it('a file over maxFileBytes', async () => {
    await rejects({ name: 'big.csv', text: 'a\n1\n2\n' }, 'FILE_TOO_LARGE', { maxFileBytes: 4 });
  });

  it('a header without rows', async () => {
    await rejects({ name: 'head.csv', text: 'a,b,c\n' }, 'EMPTY_FILE');
  });
});

describe('failure, cancellation and quota leave nothing behind', () => {
  const bigCsv = () => {
    const lines = ['id,v'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},${i * 3}`);
    return lines.join('\n');
  };

  it('cancellation mid-ingest', async () => {
    const store = new MemoryChunkStore();
    const lake = createLakeNode({ store, config: { chunkSize: 16 * 1024 } });
    const ctl = new AbortController();
    const p = lake.ingest(
      { name: 'big.csv', text: bigCsv() },
      { signal: ctl.signal, onProgress: (pr) => pr.chunks > 2 && ctl.abort() },
    );
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await store.usage()).toEqual({ chunks: 0, bytes: 0, manifests: 0 });
  });

  it('storage quota exceeded names the dataset', async () => {
    const store = new MemoryChunkStore({ quotaBytes: 200 * 1024 });
    const lake = createLakeNode({ store, config: { chunkSize: 16 * 1024 } });
    const err = await lake.ingest({ name: 'Sales 2024.csv', text: bigCsv() }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect((err as Error).message).toContain('"sales_2024"');
    expect(await store.usage()).toEqual({ chunks: 0, bytes: 0, manifests: 0 });
  });
});
