import { expect, it } from 'vitest';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import { runChunkStoreContract } from './runChunkStoreContract.ts';
import { chunkIdOf } from '../../src/storage/hash.ts';

runChunkStoreContract('MemoryChunkStore', () => Promise.resolve(new MemoryChunkStore()));

it('MemoryChunkStore rejects a batch over its quota as a whole, like IndexedDB', async () => {
  const s = new MemoryChunkStore({ quotaBytes: 10 });
  const bytes = new Uint8Array(8);
  const small = { id: await chunkIdOf(bytes), bytes };
  const big = { id: await chunkIdOf(new Uint8Array(9)), bytes: new Uint8Array(9) };
  await s.writeChunks('i', [small]);
  await expect(s.writeChunks('i', [big])).rejects.toMatchObject({ name: 'QuotaExceededError' });
  expect(await s.usage()).toEqual({ chunks: 1, bytes: 8, manifests: 0 });
});
