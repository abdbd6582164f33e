// Thin entry (EXAMPLES §1): the ingest engine lives in src/ingest and is tested without a Worker.
import { expose } from 'comlink';
import { IngestWorkerApi } from '../src/ingest/IngestWorkerApi.ts';
import { IdbChunkStore } from '../src/storage/IdbChunkStore.ts';

expose(new IngestWorkerApi((name) => IdbChunkStore.open(name)));
