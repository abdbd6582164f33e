import { expect } from 'chai';
import type { ChunkStore } from '../../src/storage/ChunkStore.ts';
import { chunkIdOf } from '../../src/storage/hash.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import type { ChunkId, DatasetId, NodeId } from '../../src/types.ts';

/**
 * The behaviour every {@link ChunkStore} must have, as named cases over a factory for a fresh,
 * empty store (automerge's runStorageAdapterTests pattern, EXAMPLES §6). The cases use chai, not
 * vitest's globals, so the very same code runs in Node (MemoryChunkStore, IdbChunkStore on
 * fake-indexeddb; see runChunkStoreContract.ts) and bundled into Chromium on real IndexedDB
 * (test/e2e/storage.e2e.test.ts).
 */
export function chunkStoreContract(open: () => Promise<ChunkStore>): Record<string, () => Promise<void>> {
  const cases: Record<string, () => Promise<void>> = {};
  const it = (name: string, fn: () => Promise<void>) => {
    cases[name] = fn;
  };
  {
    const chunk = async (text: string) => {
      const bytes = new TextEncoder().encode(text);
      return { id: await chunkIdOf(bytes), bytes };
    };
    const manifest = (id: string, chunks: { id: ChunkId; bytes: Uint8Array }[]): Manifest => ({
      version: 1,
      id: id as DatasetId,
      name: id,
      format: 'csv',
      source: { name: `${id}.csv`, bytes: 1 },
      schema: [],
      chunks: chunks.map((c) => ({ id: c.id, rows: 1, bytes: c.bytes.byteLength, stats: [] })),
      rows: chunks.length,
      bytes: chunks.reduce((s, c) => s + c.bytes.byteLength, 0),
      root: '',
      createdBy: 'n' as NodeId,
      createdAt: 0,
    });

    it('stores and returns chunk bytes exactly', async () => {
      const s = await open();
      const a = await chunk('alpha');
      await s.writeChunks('i1', [a]);
      expect(await s.getChunk(a.id)).to.deep.equal(a.bytes);
      expect(await s.hasChunk(a.id)).to.equal(true);
      expect(await s.hasChunk('0'.repeat(64) as ChunkId)).to.equal(false);
      expect(await s.getChunk('0'.repeat(64) as ChunkId)).to.equal(undefined);
      await s.close();
    });

    it('commit stores the manifest and keeps its chunks', async () => {
      const s = await open();
      const a = await chunk('a');
      const b = await chunk('b');
      await s.writeChunks('i1', [a]);
      await s.writeChunks('i1', [b]);
      await s.commit('i1', manifest('d1', [a, b]));
      expect(await s.sweepPending()).to.equal(0);
      expect((await s.getManifest('d1' as DatasetId))?.chunks.map((c) => c.id)).to.deep.equal([a.id, b.id]);
      expect((await s.listManifests()).map((m) => m.id)).to.deep.equal(['d1']);
      expect(await s.usage()).to.deep.equal({ chunks: 2, bytes: 2, manifests: 1 });
      await s.close();
    });

    it('abort deletes the chunks of an uncommitted ingest', async () => {
      const s = await open();
      const a = await chunk('aa');
      await s.writeChunks('i1', [a]);
      expect(await s.abort('i1')).to.equal(1);
      expect(await s.hasChunk(a.id)).to.equal(false);
      expect(await s.usage()).to.deep.equal({ chunks: 0, bytes: 0, manifests: 0 });
      await s.close();
    });

    it('abort keeps chunks that a committed manifest shares', async () => {
      const s = await open();
      const shared = await chunk('shared');
      const own = await chunk('own');
      await s.writeChunks('i1', [shared]);
      await s.commit('i1', manifest('d1', [shared]));
      await s.writeChunks('i2', [shared, own]);
      expect(await s.abort('i2')).to.equal(1);
      expect(await s.hasChunk(shared.id)).to.equal(true);
      expect(await s.hasChunk(own.id)).to.equal(false);
      await s.close();
    });

    it('sweepPending removes what a crashed ingest left behind', async () => {
      const s = await open();
      const a = await chunk('left behind');
      await s.writeChunks('crashed', [a]);
      expect(await s.sweepPending()).to.equal(1);
      expect(await s.hasChunk(a.id)).to.equal(false);
      await s.close();
    });

    it('deleteManifest garbage-collects only unreferenced chunks', async () => {
      const s = await open();
      const shared = await chunk('s');
      const only1 = await chunk('1');
      const only2 = await chunk('2');
      await s.writeChunks('i1', [shared, only1]);
      await s.commit('i1', manifest('d1', [shared, only1]));
      await s.writeChunks('i2', [shared, only2]);
      await s.commit('i2', manifest('d2', [shared, only2]));
      expect(await s.deleteManifest('d1' as DatasetId)).to.equal(1);
      expect(await s.hasChunk(only1.id)).to.equal(false);
      expect(await s.hasChunk(shared.id)).to.equal(true);
      expect(await s.getManifest('d1' as DatasetId)).to.equal(undefined);
      expect(await s.deleteManifest('d1' as DatasetId)).to.equal(0);
      expect(await s.deleteManifest('d2' as DatasetId)).to.equal(2);
      expect(await s.usage()).to.deep.equal({ chunks: 0, bytes: 0, manifests: 0 });
      await s.close();
    });

    it('does not collect chunks that a running ingest has written', async () => {
      const s = await open();
      const c = await chunk('same content');
      await s.writeChunks('i1', [c]);
      await s.commit('i1', manifest('d1', [c]));
      await s.writeChunks('running', [c]);
      await s.deleteManifest('d1' as DatasetId);
      expect(await s.hasChunk(c.id)).to.equal(true);
      await s.commit('running', manifest('d2', [c]));
      expect(await s.getChunk(c.id)).to.deep.equal(c.bytes);
      await s.close();
    });

    it('counts a duplicate chunk once', async () => {
      const s = await open();
      const a = await chunk('dup');
      await s.writeChunks('i1', [a, a]);
      await s.putChunks([a]);
      expect((await s.usage()).chunks).to.equal(1);
      expect((await s.usage()).bytes).to.equal(3);
      await s.close();
    });

    it('round-trips metadata', async () => {
      const s = await open();
      expect(await s.getMeta('k')).to.equal(undefined);
      await s.putMeta('k', { a: [1, 2], b: 'x' });
      expect(await s.getMeta('k')).to.deep.equal({ a: [1, 2], b: 'x' });
      await s.close();
    });
  }
  return cases;
}
