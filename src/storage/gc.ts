import type { ChunkId } from '../types.ts';
import type { Manifest } from './manifest.ts';

/**
 * The chunks among `candidates` that no manifest and no pending ingest still references.
 * Shared by both stores so their garbage collection cannot drift apart.
 */
export function unreferenced(
  candidates: Iterable<ChunkId>,
  manifests: Iterable<Manifest>,
  pending: Iterable<readonly ChunkId[]>,
): ChunkId[] {
  const live = new Set<ChunkId>();
  for (const m of manifests) for (const c of m.chunks) live.add(c.id);
  for (const ids of pending) for (const id of ids) live.add(id);
  const out = new Set<ChunkId>();
  for (const id of candidates) if (!live.has(id)) out.add(id);
  return [...out];
}
