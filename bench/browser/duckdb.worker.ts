// The DuckDB-Wasm baseline of bench/query.bench.ts: the blocking (synchronous) eh build, inside a
// dedicated worker, as issue #3 asks. Bundled to one script by the bench and started from a blob
// URL; the wasm file comes from the bench's own static server. Times are measured here, in the
// worker, so they hold DuckDB's work only (no message passing).
import type * as Blocking from '../../node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser-blocking';
// @ts-expect-error -- the package's exports map has no browser entry for the blocking build; its
// types are the .d.ts imported above.
import * as blockingModule from '../../node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';

const { BROWSER_RUNTIME, createDuckDB, VoidLogger } = blockingModule as typeof Blocking;
type DuckDBBindings = Blocking.DuckDBBindings;
type DuckDBConnection = Blocking.DuckDBConnection;

export type DuckRequest =
  | { type: 'init'; base: string }
  | { type: 'insert'; table: string; chunks: Uint8Array[] }
  | { type: 'query'; sql: string };

export type DuckReply =
  | { ok: true; ms: number; rows?: number; result?: unknown[][]; version?: string }
  | { ok: false; error: string };

let db: DuckDBBindings | undefined;
let conn: DuckDBConnection | undefined;

/** Plain JSON-safe values of the first rows (bigint → number), to cross-check results. */
function sample(table: {
  numRows: number;
  numCols: number;
  getChildAt(i: number): { get(r: number): unknown } | null;
}) {
  const out: unknown[][] = [];
  for (let r = 0; r < Math.min(table.numRows, 50); r++) {
    const row: unknown[] = [];
    for (let c = 0; c < table.numCols; c++) {
      const v = table.getChildAt(c)?.get(r);
      row.push(typeof v === 'bigint' ? Number(v) : v);
    }
    out.push(row);
  }
  return out;
}

async function handle(msg: DuckRequest): Promise<DuckReply> {
  const t0 = performance.now();
  switch (msg.type) {
    case 'init': {
      const bundles = {
        mvp: { mainModule: `${msg.base}duckdb-mvp.wasm`, mainWorker: '' },
        eh: { mainModule: `${msg.base}duckdb-eh.wasm`, mainWorker: '' },
      };
      db = await createDuckDB(bundles, new VoidLogger(), BROWSER_RUNTIME);
      await db.instantiate(() => undefined);
      db.open({});
      conn = db.connect();
      return { ok: true, ms: performance.now() - t0, version: db.getVersion() };
    }
    case 'insert': {
      if (!conn) throw new Error('init first');
      msg.chunks.forEach((bytes, i) =>
        conn!.insertArrowFromIPCStream(bytes, { name: msg.table, create: i === 0 }),
      );
      return { ok: true, ms: performance.now() - t0 };
    }
    case 'query': {
      if (!conn) throw new Error('init first');
      const table = conn.query(msg.sql);
      const ms = performance.now() - t0;
      return { ok: true, ms, rows: table.numRows, result: sample(table) };
    }
  }
}

self.onmessage = (ev: MessageEvent<DuckRequest>) => {
  handle(ev.data).then(
    (reply) => self.postMessage(reply),
    (e: unknown) =>
      self.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) } satisfies DuckReply),
  );
};
