// Injected into the app page by bench/query.bench.ts. Runs the three contenders of the query
// benchmark on the same stored Arrow chunks: our engine (window.lake.sql, in the query worker),
// hand-written JS loops over the chunks' typed arrays (here, on the page), and DuckDB-Wasm (the
// blocking eh build in its own worker, fed the same chunks as Arrow IPC).
import { tableFromIPC, type Table } from 'apache-arrow';
import { IdbChunkStore, NODE_DB_PREFIX } from '../../src/storage/IdbChunkStore.ts';
import type { DuckReply, DuckRequest } from './duckdb.worker.ts';
import { LOOPS, type QueryId } from './queryLoops.ts';

export type { QueryId };

export interface Timed {
  ms: number;
  rows: number;
  /** Up to 50 result rows as arrays, for cross-checking the contenders. */
  result: unknown[][];
}

interface Loaded {
  /** IPC bytes of each stored chunk, per table. */
  bytes: Map<string, Uint8Array[]>;
  /** The same chunks decoded (zero-copy over the bytes). */
  tables: Map<string, Table[]>;
}

let loaded: Loaded | undefined;
let duck: Worker | undefined;

function duckCall(req: DuckRequest): Promise<DuckReply & { ok: true }> {
  const worker = duck;
  if (!worker) return Promise.reject(new Error('DuckDB worker not started'));
  return new Promise((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent<DuckReply>) => {
      if (ev.data.ok) resolve(ev.data);
      else reject(new Error(`DuckDB-Wasm: ${ev.data.error}`));
    };
    worker.onerror = (ev) => reject(new Error(`DuckDB worker error: ${ev.message}`));
    worker.postMessage(req);
  });
}

declare global {
  interface Window {
    qbench: {
      ours(sql: string): Promise<Timed & { executionTime: number }>;
      loadArrow(tables: string[]): Promise<{ ms: number; bytes: number; chunks: number; rows: number }>;
      jsLoop(q: QueryId): Timed;
      duckInit(workerSource: string, base: string): Promise<{ ms: number; version: string }>;
      duckInsert(tables: string[]): Promise<{ ms: number }>;
      duckQuery(sql: string): Promise<Timed>;
      heap(): { used: number; total: number } | null;
    };
  }
}

window.qbench = {
  async ours(sql) {
    const t0 = performance.now();
    const r = await window.lake.sql(sql);
    const ms = performance.now() - t0;
    const rows = r.rows.slice(0, 50).map((row) => r.columns.map((c) => row[c.name]));
    return { ms, executionTime: r.executionTime, rows: r.rowCount, result: rows };
  },

  async loadArrow(tables) {
    const t0 = performance.now();
    const store = await IdbChunkStore.open(`${NODE_DB_PREFIX}${window.lake.nodeId}`);
    const manifests = await store.listManifests();
    const bytes = new Map<string, Uint8Array[]>();
    const decoded = new Map<string, Table[]>();
    let total = 0;
    let chunks = 0;
    let rows = 0;
    for (const name of tables) {
      const m = manifests.find((x) => x.name === name);
      if (!m) throw new Error(`no dataset ${name}`);
      const list: Uint8Array[] = [];
      for (const ref of m.chunks) {
        const b = await store.getChunk(ref.id);
        if (!b) throw new Error(`missing chunk ${ref.id}`);
        list.push(b);
        total += b.byteLength;
      }
      chunks += list.length;
      rows += m.rows;
      bytes.set(name, list);
      decoded.set(
        name,
        list.map((b) => tableFromIPC(b)),
      );
    }
    await store.close();
    loaded = { bytes, tables: decoded };
    return { ms: performance.now() - t0, bytes: total, chunks, rows };
  },

  jsLoop(q) {
    const t0 = performance.now();
    if (!loaded) throw new Error('loadArrow first');
    const result = LOOPS[q](loaded.tables);
    return { ms: performance.now() - t0, rows: result.length, result: result.slice(0, 50) };
  },

  async duckInit(workerSource, base) {
    duck = new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
    const r = await duckCall({ type: 'init', base });
    return { ms: r.ms, version: r.version ?? '?' };
  },

  async duckInsert(tables) {
    let ms = 0;
    for (const name of tables) {
      // Copies (structured clone), so the page keeps its own for the JS loops.
      const chunks = loaded?.bytes.get(name);
      if (!chunks) throw new Error(`table ${name} not loaded`);
      ms += (await duckCall({ type: 'insert', table: name, chunks })).ms;
    }
    return { ms };
  },

  async duckQuery(sql) {
    const r = await duckCall({ type: 'query', sql });
    return { ms: r.ms, rows: r.rows ?? 0, result: r.result ?? [] };
  },

  heap() {
    const m = (performance as Performance & { memory?: { usedJSHeapSize: number; totalJSHeapSize: number } })
      .memory;
    return m ? { used: m.usedJSHeapSize, total: m.totalJSHeapSize } : null;
  },
};
