// N LakeNodes in one room on a MemoryNetwork (the distributed query's test bed): datasets are
// ingested once elsewhere, then their manifests and chunks are copied to the nodes by a chosen
// layout (with overlaps, so a chunk can have several holders), and every node gets a
// StaticChunkLocator describing that layout, standing in for the catalog of issue #5.
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import type { LakeNode, DistributedTuning } from '../../src/lake/LakeNode.ts';
import { Mesh } from '../../src/lake/Mesh.ts';
import { resolveConfig, type LakeConfig } from '../../src/lake/config.ts';
import { roomLink } from '../../src/lake/room.ts';
import { MemoryNetwork, type MemoryNetworkOptions } from '../../src/net/MemoryNetwork.ts';
import { deriveRoomKeys, newRoomSecret } from '../../src/net/roomCrypto.ts';
import { StaticChunkLocator } from '../../src/query/distributed/ChunkLocator.ts';
import { LocalQueryRunner, type QueryRunner } from '../../src/query/QueryRunner.ts';
import type { ChunkStore } from '../../src/storage/ChunkStore.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import type { ChunkId, DeviceId, NodeId } from '../../src/types.ts';
import { FakeRoom } from './fakeRoom.ts';

/** Which of the n nodes hold chunk `index` of dataset `m` (indexes into the cluster's nodes). */
export type Layout = (m: Manifest, index: number, n: number) => number[];

/** Each chunk on `copies` consecutive nodes, starting at a rotating offset, optionally never on `skip`. */
export function spread(copies: number, skip: number[] = []): Layout {
  return (m, index, n) => {
    const allowed = [...Array(n).keys()].filter((k) => !skip.includes(k));
    const start = (index + m.name.length) % allowed.length;
    return Array.from(
      { length: Math.min(copies, allowed.length) },
      (_, k) => allowed[(start + k) % allowed.length]!,
    );
  };
}

export interface ClusterNode {
  id: NodeId;
  lake: LakeNode;
  store: MemoryChunkStore;
  locator: StaticChunkLocator;
  /** Its room membership, for tests that talk to peers directly. */
  mesh: Mesh;
  /** Chunk ids this node holds. */
  held: Set<ChunkId>;
}

export interface Cluster {
  net: MemoryNetwork;
  nodes: ClusterNode[];
  /** Which nodes hold each chunk. */
  layout: Map<ChunkId, NodeId[]>;
  close(): Promise<void>;
}

/** Heartbeats every 40 ms; distributed-query silence after 600 ms (keepalives every 50 ms). */
export const FAST_MESH: Partial<LakeConfig> = { heartbeatInterval: 50, discoveryInterval: 500 };
export const FAST_QUERY: DistributedTuning = { coordinator: { silenceMs: 600 }, keepaliveMs: 50 };

export interface ClusterOptions {
  config?: Partial<LakeConfig>;
  distributed?: DistributedTuning;
  network?: MemoryNetworkOptions;
  /** Wraps node k's query runner (e.g. a slow or failing executor); default: the engine in-process. */
  runner?: (k: number, engine: QueryRunner) => QueryRunner;
}

/**
 * Builds the cluster, copies `manifests` with their chunks from `source` by `layout`, and waits
 * until every node sees every other alive with an RTT.
 */
export async function cluster(
  n: number,
  source: ChunkStore,
  manifests: Manifest[],
  layout: Layout,
  opts: ClusterOptions = {},
): Promise<Cluster> {
  const secret = newRoomSecret();
  const keys = await deriveRoomKeys(secret);
  const net = new MemoryNetwork(opts.network);
  const room = new FakeRoom();
  const where = new Map<ChunkId, NodeId[]>();
  const ids = Array.from({ length: n }, (_, k) => `node-${k}-${secret.slice(0, 6)}` as NodeId);
  for (const m of manifests) {
    m.chunks.forEach((c, i) =>
      where.set(
        c.id,
        [...new Set(layout(m, i, n))].map((k) => ids[k]!),
      ),
    );
  }
  const nodes: ClusterNode[] = [];
  for (const [k, id] of ids.entries()) {
    const store = new MemoryChunkStore();
    const held = new Set<ChunkId>();
    for (const m of manifests) {
      const mine = m.chunks.filter((c) => where.get(c.id)!.includes(id));
      const chunks = await Promise.all(
        mine.map(async (c) => {
          const bytes = await source.getChunk(c.id);
          if (!bytes) throw new Error(`source lacks chunk ${c.id}`);
          return { id: c.id, bytes };
        }),
      );
      await store.putChunks(chunks);
      for (const c of mine) held.add(c.id);
    }
    const config = resolveConfig({ ...FAST_MESH, ...opts.config });
    const mesh = new Mesh({
      deviceId: `device-${k}` as DeviceId,
      room: { id: keys.roomId, link: roomLink('http://lake.test', keys.roomId, secret) },
      authKey: keys.authKey,
      transport: net.createTransport(id),
      directory: room.join(id),
      config,
      logger: { warn: () => undefined },
    });
    const alive = (peer: NodeId) =>
      peer === id || mesh.membership.peers().some((p) => p.nodeId === peer && p.state !== 'connecting');
    const locator = new StaticChunkLocator(manifests, where, alive);
    const engine = new LocalQueryRunner(store, config.cacheSize);
    const lake = createLakeNode({
      query: opts.runner ? opts.runner(k, engine) : engine,
      nodeId: id,
      deviceId: `device-${k}`,
      store,
      config: { ...FAST_MESH, ...opts.config },
      mesh,
      locator,
      distributed: opts.distributed ?? FAST_QUERY,
    });
    nodes.push({ id, lake, store, locator, mesh, held });
  }
  await Promise.all(nodes.map((x) => x.lake.ready));
  await untilMeshed(nodes);
  return {
    net,
    nodes,
    layout: where,
    async close() {
      await Promise.all(nodes.map((x) => x.lake.close()));
    },
  };
}

/** Waits until every node has every other as an alive peer with a measured RTT. */
export async function untilMeshed(nodes: ClusterNode[], timeoutMs = 10_000): Promise<void> {
  const want = nodes.length - 1;
  const done = () =>
    nodes.every(
      (x) => x.lake.peers().filter((p) => p.state === 'alive' && p.rttMs !== undefined).length === want,
    );
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    // Polled on the heartbeat timescale: peer state changes arrive with heartbeats, and RTTs have no event.
    const timer = setInterval(() => {
      if (done()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(
          new Error(`mesh did not form: ${nodes.map((x) => `${x.id}: ${x.lake.peers().length}`).join(', ')}`),
        );
      }
    }, 20);
  });
}
