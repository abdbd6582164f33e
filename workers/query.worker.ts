// Thin entry (EXAMPLES §1): the query engine lives in src/query, src/sql and src/engine.
import { expose } from 'comlink';
import { QueryWorkerApi } from '../src/query/QueryWorkerApi.ts';
import { IdbChunkStore } from '../src/storage/IdbChunkStore.ts';

expose(new QueryWorkerApi((name) => IdbChunkStore.open(name)));
