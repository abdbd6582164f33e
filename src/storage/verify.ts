import type { ChunkProblem, VerifyReport } from '../lake/api.ts';
import type { ChunkStore } from './ChunkStore.ts';
import { chunkIdOf, rootOf } from './hash.ts';
import type { Manifest } from './manifest.ts';
import { tableFromIPC } from 'apache-arrow';

/**
 * Re-hashes every chunk of a dataset from storage, checks each decodes to the row count the
 * manifest says, and recomputes the root. Reports every problem, not just the first.
 */
export async function verifyDataset(store: ChunkStore, manifest: Manifest): Promise<VerifyReport> {
  const t0 = performance.now();
  const bad: ChunkProblem[] = [];
  let bytes = 0;
  for (const [index, ref] of manifest.chunks.entries()) {
    const data = await store.getChunk(ref.id);
    if (!data) {
      bad.push({ index, id: ref.id, problem: 'missing' });
      continue;
    }
    bytes += data.byteLength;
    const actual = await chunkIdOf(data);
    if (actual !== ref.id) {
      bad.push({ index, id: ref.id, problem: 'hash-mismatch', detail: `stored bytes hash to ${actual}` });
      continue;
    }
    try {
      const rows = tableFromIPC(data).numRows;
      if (rows !== ref.rows)
        bad.push({
          index,
          id: ref.id,
          problem: 'row-count',
          detail: `${rows} rows, manifest says ${ref.rows}`,
        });
    } catch (e) {
      bad.push({ index, id: ref.id, problem: 'unreadable', detail: (e as Error).message });
    }
  }
  const actualRoot = await rootOf(manifest.chunks.map((c) => c.id));
  const rootOk = actualRoot === manifest.root;
  return {
    dataset: manifest.name,
    ok: bad.length === 0 && rootOk,
    chunks: manifest.chunks.length,
    bytes,
    bad,
    root: { expected: manifest.root, actual: actualRoot, ok: rootOk },
    ms: performance.now() - t0,
  };
}
