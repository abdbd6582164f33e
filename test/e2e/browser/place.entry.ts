// TEST-ONLY placement hook, injected into app pages by test/e2e/distributed.e2e.test.ts and
// bench/distributed.bench.ts. Until the catalog and replication (issue #5) tell each tab which
// datasets exist and who holds their chunks, these tests move chunks between tabs themselves:
// export a dataset's manifest and chunk bytes from one tab, store the bytes in another tab's own
// IndexedDB, and give every tab a StaticChunkLocator describing the layout
// (`lake.setChunkLocator`, documented as test-only). Nothing here ships in the app bundle.
import { StaticChunkLocator } from '../../../src/query/distributed/ChunkLocator.ts';
import { IdbChunkStore, NODE_DB_PREFIX } from '../../../src/storage/IdbChunkStore.ts';
import type { Manifest } from '../../../src/storage/manifest.ts';
import type { ChunkId, NodeId } from '../../../src/types.ts';
import { fromB64, toB64 } from './b64.ts';

let store: Promise<IdbChunkStore> | undefined;
const own = () => (store ??= IdbChunkStore.open(NODE_DB_PREFIX + window.lake.nodeId));

declare global {
  interface Window {
    placement: {
      /** This tab's manifest of `name` and the bytes of the given chunk indexes (all by default). */
      exportDataset(
        name: string,
        indexes?: number[],
      ): Promise<{ manifest: Manifest; chunks: { id: string; b64: string }[] }>;
      /** Stores chunk bytes in this tab's own IndexedDB (as replication would). */
      importChunks(chunks: { id: string; b64: string }[]): Promise<number>;
      /** Chunk bytes from a server URL (the benchmark serves its generated chunks). */
      fetchChunks(base: string, ids: string[]): Promise<number>;
      /** Installs the layout: these manifests, these holders per chunk id; liveness from the mesh. */
      install(manifests: Manifest[], layout: Record<string, string[]>): void;
    };
  }
}

window.placement = {
  async exportDataset(name, indexes) {
    const s = await own();
    const manifest = (await s.listManifests()).find((m) => m.name === name);
    if (!manifest) throw new Error(`no dataset ${name} on this tab`);
    const pick = indexes ?? manifest.chunks.map((_, i) => i);
    const chunks = [];
    for (const i of pick) {
      const id = manifest.chunks[i]!.id;
      const bytes = await s.getChunk(id);
      if (!bytes) throw new Error(`chunk ${id} missing`);
      chunks.push({ id, b64: toB64(bytes) });
    }
    return { manifest, chunks };
  },
  async importChunks(chunks) {
    const s = await own();
    await s.putChunks(chunks.map((c) => ({ id: c.id as ChunkId, bytes: fromB64(c.b64) })));
    return chunks.length;
  },
  async fetchChunks(base, ids) {
    const s = await own();
    // A few at a time, each written as it arrives (chunks are ~1 MiB).
    for (let i = 0; i < ids.length; i += 8) {
      const part = await Promise.all(
        ids.slice(i, i + 8).map(async (id) => {
          const res = await fetch(`${base}${id}`);
          if (!res.ok) throw new Error(`chunk ${id}: HTTP ${res.status}`);
          return { id: id as ChunkId, bytes: new Uint8Array(await res.arrayBuffer()) };
        }),
      );
      await s.putChunks(part);
    }
    return ids.length;
  },
  install(manifests, layout) {
    const lake = window.lake;
    const where = new Map(Object.entries(layout).map(([id, nodes]) => [id as ChunkId, nodes as NodeId[]]));
    const live = (n: NodeId) =>
      n === lake.nodeId || lake.peers().some((p) => p.nodeId === n && p.state !== 'connecting');
    lake.setChunkLocator(new StaticChunkLocator(manifests, where, live));
  },
};
