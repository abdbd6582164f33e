import { describe, it } from 'vitest';
import type { ChunkStore } from '../../src/storage/ChunkStore.ts';
import { chunkStoreContract } from './chunkStore.contract.ts';

/** Runs the contract cases as vitest tests for one adapter. */
export function runChunkStoreContract(name: string, open: () => Promise<ChunkStore>): void {
  describe(`ChunkStore contract: ${name}`, () => {
    for (const [title, run] of Object.entries(chunkStoreContract(open))) it(title, run);
  });
}
