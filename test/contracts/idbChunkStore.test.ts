import 'fake-indexeddb/auto';
import { IdbChunkStore } from '../../src/storage/IdbChunkStore.ts';
import { runChunkStoreContract } from './runChunkStoreContract.ts';

let n = 0;
runChunkStoreContract('IdbChunkStore (fake-indexeddb)', () => IdbChunkStore.open(`contract-${n++}`));
