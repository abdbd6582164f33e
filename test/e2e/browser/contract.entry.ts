// Bundled by test/e2e/bundle.ts and injected into the app's origin, so the ChunkStore contract
// runs against Chromium's real IndexedDB with the very cases the Node suites run.
import { IdbChunkStore } from '../../../src/storage/IdbChunkStore.ts';
import { chunkStoreContract } from '../../contracts/chunkStore.contract.ts';

declare global {
  interface Window {
    runChunkStoreContract(): Promise<{ name: string; error?: string }[]>;
  }
}

let n = 0;
window.runChunkStoreContract = async () => {
  const results: { name: string; error?: string }[] = [];
  const cases = chunkStoreContract(() => IdbChunkStore.open(`contract-e2e-${n++}`));
  for (const [name, run] of Object.entries(cases)) {
    try {
      await run();
      results.push({ name });
    } catch (e) {
      results.push({ name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return results;
};
