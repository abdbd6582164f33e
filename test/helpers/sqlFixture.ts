// The lake and the oracle side by side, holding the same tables, and one differential check.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { DatasetInfo, QueryResult } from '../../src/lake/api.ts';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import type { LakeNode } from '../../src/lake/LakeNode.ts';
import { isSqlError, type SqlErrorCode } from '../../src/sql/SqlError.ts';
import type { ChunkStore } from '../../src/storage/ChunkStore.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import {
  canonDuck,
  canonEqual,
  canonOurs,
  compareResults,
  showCanon,
  type CompareOptions,
} from './sqlCompare.ts';
import {
  DuckOracle,
  dimTable,
  eventsTable,
  mainTable,
  type DuckResult,
  type GeneratedFile,
} from './tables.ts';

export const VEGA = join(process.cwd(), 'node_modules/vega-datasets/data');

/** Rows of the generated tables; 64 KiB chunks make `t` about 20 chunks and `e` several. */
export const MAIN_ROWS = 15_000;
export const EVENT_ROWS = 6_000;
export const CHUNK_SIZE = 64 * 1024;

export interface SqlFixture {
  lake: LakeNode;
  store: ChunkStore;
  oracle: DuckOracle;
  /** By table name. */
  tables: Map<string, DatasetInfo>;
  close(): Promise<void>;
}

export interface VegaFile {
  file: string;
  format: 'csv' | 'json' | 'parquet';
}

/**
 * A lake (in-memory store, 64 KiB chunks) and DuckDB, both loaded with the generated tables
 * `t`, `u`, `e` (seeded) and the given vega-datasets files.
 */
export async function sqlFixture(seed: number, vega: VegaFile[] = []): Promise<SqlFixture> {
  const store = new MemoryChunkStore();
  const lake = createLakeNode({ store, config: { chunkSize: CHUNK_SIZE } });
  const oracle = await DuckOracle.create();
  const tables = new Map<string, DatasetInfo>();
  const generated: GeneratedFile[] = [
    mainTable(MAIN_ROWS, seed),
    dimTable(seed + 1),
    eventsTable(EVENT_ROWS, seed + 2),
  ];
  for (const f of generated) {
    const info = await lake.ingest({ name: f.name, text: f.text });
    await oracle.loadText(info.name, info.schema, f);
    tables.set(info.name, info);
  }
  for (const v of vega) {
    const path = join(VEGA, v.file);
    const info = await lake.ingest({ name: v.file, bytes: new Uint8Array(readFileSync(path)) });
    await oracle.loadFile(info.name, info.schema, path, v.format);
    tables.set(info.name, info);
  }
  return {
    lake,
    store,
    oracle,
    tables,
    async close() {
      await lake.close();
      oracle.close();
    },
  };
}

/** Above this many rows, the stored-data check compares an even sample of chunks (time budget). */
const FULL_CHECK_ROWS = 500_000;
const SAMPLE_CHUNKS = 48;

/**
 * Compares the stored values of a dataset (read straight from its chunks, no SQL) with DuckDB's
 * copy of the table, row by row in file order (both keep insertion order): every row, or for big
 * tables every row of an even sample of chunks. Returns null when identical. This checks the
 * harness itself: both engines must start from the same data for a differential test to mean
 * anything.
 */
export async function compareStoredData(fx: SqlFixture, table: string): Promise<string | null> {
  const info = fx.tables.get(table);
  if (!info) throw new Error(`no table ${table}`);
  const manifest = await fx.store.getManifest(info.id);
  if (!manifest) throw new Error(`no manifest for ${table}`);
  const count = await fx.oracle.query(`SELECT COUNT(*) AS n FROM "${table}"`);
  if ('error' in count) return count.error;
  if (Number(count.rows[0]![0]) !== manifest.rows)
    return `${manifest.rows} rows stored, DuckDB has ${String(count.rows[0]![0])}`;
  const step = manifest.rows > FULL_CHECK_ROWS ? Math.ceil(manifest.chunks.length / SAMPLE_CHUNKS) : 1;
  let offset = 0;
  for (const [index, ref] of manifest.chunks.entries()) {
    const first = offset;
    offset += ref.rows;
    if (index % step !== 0) continue;
    const bytes = await fx.store.getChunk(ref.id);
    if (!bytes) throw new Error(`missing chunk ${ref.id}`);
    const t = tableFromIPC(bytes);
    const cols = info.schema.map((_, c) => t.getChildAt(c));
    const theirs = await fx.oracle.query(`SELECT * FROM "${table}" LIMIT ${t.numRows} OFFSET ${first}`);
    if ('error' in theirs) return theirs.error;
    for (let r = 0; r < t.numRows; r++) {
      const ours = info.schema.map((c, i) => canonOurs(cols[i]?.get(r), c.type, true));
      const row = theirs.rows[r];
      const duck = row ? theirs.columns.map((c, i) => canonDuck(row[i], c.type)) : [];
      if (!ours.every((v, i) => canonEqual(v, duck[i] ?? null)) || ours.length !== duck.length) {
        return `row ${first + r + 1} differs:\n  ours:   ${ours.map(showCanon).join(' | ')}\n  duckdb: ${duck.map(showCanon).join(' | ')}`;
      }
    }
  }
  return null;
}

export interface DiffQuery extends CompareOptions {
  sql: string;
  /**
   * The output order is fully determined by the ORDER BY: compare in order (rows whose columns
   * all tie may still swap). Shorthand for `orderKeys` = every output column.
   */
  ordered?: boolean;
  /**
   * Outside the issue's required scope: a correct answer passes, and so does a SqlError with one of
   * these codes (an honest "not supported yet" is fine, a wrong answer never is).
   */
  orError?: SqlErrorCode[];
  /** When DuckDB rejects the query, we must reject it too, with one of these codes (default: any). */
  errorCodes?: SqlErrorCode[];
  /** Only the number of rows is deterministic (LIMIT without a total ORDER BY). */
  countOnly?: boolean;
}

function describeError(e: unknown): string {
  if (isSqlError(e)) return `SqlError ${e.code}: ${e.message}`;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Queries where DuckDB's optimizer gave a wrong answer and its unoptimized plan agreed with us
 * (oracle bugs, e.g. DuckDB 1.5 folds `date_trunc('year', ts) <> <unaligned constant>` to TRUE,
 * which keeps rows where ts is NULL). Reported by the suite, never counted as our failure.
 */
export const ORACLE_BUGS: string[] = [];

/**
 * Runs `q.sql` through `lake.sql` and DuckDB and returns null when the results agree, else a
 * message with the query, what each side returned, and where they differ. On a disagreement the
 * oracle gets a second opinion from its own unoptimized plan: if that agrees with us, the query is
 * recorded in {@link ORACLE_BUGS} and passes.
 */
export async function differential(fx: SqlFixture, q: DiffQuery): Promise<string | null> {
  let ours: Outcome;
  try {
    ours = { result: await fx.lake.sql(q.sql) };
  } catch (error) {
    ours = { error };
  }
  const problem = judge(q, ours, await fx.oracle.query(q.sql));
  if (problem === null) return null;
  if (judge(q, ours, await fx.oracle.query(q.sql, { optimizer: false })) !== null) return problem;
  ORACLE_BUGS.push(q.sql);
  return null;
}

type Outcome = { result: QueryResult } | { error: unknown };

function judge(q: DiffQuery, outcome: Outcome, theirs: DuckResult | { error: string }): string | null {
  if ('error' in outcome) {
    const e = outcome.error;
    if ('error' in theirs) {
      if (!isSqlError(e))
        return `${q.sql}\nDuckDB rejects it and so do we, but not with a SqlError: ${describeError(e)}`;
      if (q.errorCodes && !q.errorCodes.includes(e.code))
        return `${q.sql}\nexpected a SqlError with code ${q.errorCodes.join(' or ')}, got ${describeError(e)}\nDuckDB: ${theirs.error}`;
      return null;
    }
    if (q.orError && isSqlError(e) && q.orError.includes(e.code)) return null;
    return `${q.sql}\nours failed: ${describeError(e)}\nDuckDB returned ${theirs.rows.length} rows`;
  }
  const ours = outcome.result;
  if ('error' in theirs) {
    return `${q.sql}\nDuckDB rejects it (${theirs.error.split('\n')[0]}) but we returned ${ours.rowCount} rows${q.errorCodes ? ` (expected SqlError ${q.errorCodes.join(' or ')})` : ''}`;
  }
  if (q.countOnly) {
    return ours.rowCount === theirs.rows.length && ours.rows.length === theirs.rows.length
      ? null
      : `${q.sql}\n${ours.rowCount} rows, DuckDB: ${theirs.rows.length}`;
  }
  const opts: CompareOptions = {
    names: q.names,
    types: q.types,
    orderKeys: q.ordered ? theirs.columns.map((_, i) => i) : q.orderKeys,
  };
  const diff = compareResults(ours, theirs, opts);
  return diff === null ? null : `${q.sql}\n${diff}`;
}
