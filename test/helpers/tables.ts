// Test tables for the SQL differential suite: generated CSV/NDJSON files that go through our real
// ingest, and native DuckDB (the oracle, DESIGN §6) holding the very same values.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnSchema } from '../../src/storage/manifest.ts';
import { tempDir } from './duckdb.ts';

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same files on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedFile {
  /** File name; our ingest derives the table name from it (`t.csv` → `t`). */
  name: string;
  text: string;
  format: 'csv' | 'ndjson';
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAY = 86_400_000;
/** 1960-01-01 … 2030-12-31: before and after the epoch, so floor-vs-trunc mistakes show. */
const T_MIN = Date.UTC(1960, 0, 1);
const T_MAX = Date.UTC(2030, 11, 31);

function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function isoTimestamp(ms: number, withMs: boolean): string {
  const d = new Date(ms);
  const base = `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withMs ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/**
 * Dictionary-friendly category values: mixed case (binary string order: 'Beta' < 'alpha'),
 * surrounding spaces (trim), non-ASCII (lower/upper/length), and LIKE's own wildcard characters.
 */
export const CATEGORIES = ['alpha', 'Beta', 'GAMMA', 'delta', 'epsilon', ' zeta ', 'Éta', 'theta_1', 'iota%'];
export const GROUPS = ['alpha', 'Beta', 'kappa', 'lambda', 'mu'];
export const TAGS = ['red', 'green', 'blue', 'Red', 'yellow', 'black'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'zu', 'Ba', 'Ko', 'é', 'ü'];

function word(r: () => number): string {
  let s = '';
  const n = 2 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) s += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
  return s;
}

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `t`: the main table. Rows are shuffled by id so nothing arrives sorted.
 * id INTEGER unique · i INTEGER -50..50 (NULLs) · big BIGINT (NULLs; a few beyond 2^53, sums stay
 * inside int64) · f DOUBLE, 2 decimals (NULLs, including exact .5 halves) · cat dictionary VARCHAR
 * (NULLs) · s high-cardinality VARCHAR (NULLs, commas, é/ü, an emoji) · d DATE (NULLs) ·
 * ts TIMESTAMP, some with milliseconds (NULLs) · b BOOLEAN (NULLs) · k INTEGER join key 0..999 (NULLs).
 */
export function mainTable(rows: number, seed: number): GeneratedFile {
  const r = prng(seed);
  const ids = Array.from({ length: rows }, (_, i) => i);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const nul = (p: number) => r() < p;
  const lines = ['id,i,big,f,cat,s,d,ts,b,k'];
  for (const id of ids) {
    const i = nul(0.1) ? null : Math.floor(r() * 101) - 50;
    const bigRoll = r();
    const big = nul(0.05)
      ? null
      : bigRoll < 0.002
        ? (bigRoll < 0.001 ? '-' : '') + String(9_007_199_254_740_993n + BigInt(Math.floor(r() * 1e9)))
        : String(Math.floor(r() * 2e12) - 1e12);
    const f = nul(0.1) ? null : (Math.floor(r() * 200_000) - 100_000) / 100;
    const cat = nul(0.05) ? null : CATEGORIES[Math.floor(r() * CATEGORIES.length)]!;
    const sRoll = r();
    const s =
      sRoll < 0.03
        ? null
        : sRoll < 0.04
          ? `${word(r)}, ${word(r)}`
          : sRoll < 0.045
            ? `${word(r)}🦆${id}`
            : `${word(r)}${id}`;
    const d = nul(0.05) ? null : isoDate(T_MIN + Math.floor(r() * ((T_MAX - T_MIN) / DAY)) * DAY);
    const ts = nul(0.05) ? null : isoTimestamp(T_MIN + Math.floor(r() * (T_MAX - T_MIN)), r() < 0.3);
    const b = nul(0.1) ? null : r() < 0.5;
    const k = nul(0.03) ? null : Math.floor(r() * 1000);
    lines.push([id, i, big, f, cat, s, d, ts, b, k].map(csvField).join(','));
  }
  return { name: 't.csv', text: lines.join('\n') + '\n', format: 'csv' };
}

/**
 * `u`: a dimension table for joins. k INTEGER 0..1199, unique but with gaps (some t.k find no
 * match) and a few NULL keys · name VARCHAR · grp dictionary VARCHAR (overlaps t.cat) · w DOUBLE (NULLs).
 */
export function dimTable(seed: number): GeneratedFile {
  const r = prng(seed);
  const lines = ['k,name,grp,w'];
  for (let k = 0; k < 1200; k++) {
    if (k % 7 === 3) continue;
    const w = r() < 0.1 ? null : Math.round(r() * 10_000) / 100;
    lines.push([k, `name_${k}`, GROUPS[k % GROUPS.length]!, w].map(csvField).join(','));
  }
  for (let n = 0; n < 10; n++)
    lines.push([null, `nokey_${n}`, GROUPS[n % GROUPS.length]!, n].map(csvField).join(','));
  return { name: 'u.csv', text: lines.join('\n') + '\n', format: 'csv' };
}

/**
 * `e`: NDJSON events, many per key (many-to-many joins with t). eid INTEGER · k INTEGER 0..1499
 * (NULLs) · amount DOUBLE (JSON integers and fractions mixed, NULLs) · tag dictionary VARCHAR
 * (NULLs, empty strings) · flag BOOLEAN · seen_at TIMESTAMP · day DATE.
 */
export function eventsTable(rows: number, seed: number): GeneratedFile {
  const r = prng(seed);
  const lines: string[] = [];
  for (let eid = 0; eid < rows; eid++) {
    const at = T_MIN + Math.floor(r() * (T_MAX - T_MIN));
    const roll = r();
    lines.push(
      JSON.stringify({
        eid,
        k: r() < 0.05 ? null : Math.floor(r() * 1500),
        amount: roll < 0.1 ? null : roll < 0.4 ? Math.floor(r() * 500) : Math.round(r() * 50_000) / 100,
        tag: r() < 0.05 ? null : r() < 0.03 ? '' : TAGS[Math.floor(r() * TAGS.length)],
        flag: r() < 0.5,
        seen_at: isoTimestamp(at, false),
        day: isoDate(Math.floor(at / DAY) * DAY),
      }),
    );
  }
  return { name: 'e.ndjson', text: lines.join('\n') + '\n', format: 'ndjson' };
}

const quoteIdent = (n: string) => `"${n.replace(/"/g, '""')}"`;
const quoteString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A DuckDB result: column names and DuckDB type names, rows as `getRowsJS()` values. */
export interface DuckResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/**
 * Native DuckDB with the same tables as the lake: each table is created with exactly the column
 * types our ingest inferred (from the manifest schema), then filled from the same file, so both
 * sides hold identical values. Extensions stay in a temp dir (no network, no $HOME writes).
 */
export class DuckOracle {
  readonly #dir: string;
  readonly #db: DuckDBInstance;
  readonly #conn: DuckDBConnection;

  private constructor(dir: string, db: DuckDBInstance, conn: DuckDBConnection) {
    this.#dir = dir;
    this.#db = db;
    this.#conn = conn;
  }

  static async create(): Promise<DuckOracle> {
    const dir = tempDir('sql-oracle-');
    const db = await DuckDBInstance.create(':memory:', { extension_directory: join(dir, 'ext') });
    return new DuckOracle(dir, db, await db.connect());
  }

  /** Writes `text` to a temp file and loads it as `table` with our inferred `schema`. */
  async loadText(table: string, schema: ColumnSchema[], file: GeneratedFile): Promise<void> {
    const path = join(this.#dir, file.name);
    writeFileSync(path, file.text);
    await this.loadFile(table, schema, path, file.format === 'csv' ? 'csv' : 'ndjson');
  }

  /** Loads a file on disk as `table`, with the column types our ingest inferred. */
  async loadFile(
    table: string,
    schema: ColumnSchema[],
    path: string,
    format: 'csv' | 'ndjson' | 'json' | 'parquet',
  ): Promise<void> {
    const cols = schema.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    await this.#conn.run(`CREATE TABLE ${quoteIdent(table)} (${cols})`);
    const struct = `{${schema.map((c) => `${quoteString(c.name)}: '${c.type}'`).join(', ')}}`;
    const p = quoteString(path);
    const source =
      format === 'csv'
        ? `read_csv(${p}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${struct})`
        : format === 'parquet'
          ? `(SELECT ${schema.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type})`).join(', ')} FROM read_parquet(${p}))`
          : `read_json(${p}, format = '${format === 'ndjson' ? 'newline_delimited' : 'array'}', columns = ${struct})`;
    await this.#conn.run(`INSERT INTO ${quoteIdent(table)} SELECT * FROM ${source}`);
  }

  /**
   * Runs SQL; DuckDB errors are returned, not thrown, since they are an expected outcome.
   * `optimizer: false` runs the plan as bound: the second opinion when DuckDB's optimizer is the
   * suspect (see `differential`).
   */
  async query(sql: string, opts: { optimizer?: boolean } = {}): Promise<DuckResult | { error: string }> {
    const unoptimized = opts.optimizer === false;
    try {
      if (unoptimized) await this.#conn.run('PRAGMA disable_optimizer');
      const reader = await this.#conn.runAndReadAll(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes().map((t) => t.toString());
      return {
        columns: names.map((name, i) => ({ name, type: types[i]! })),
        rows: reader.getRowsJS(),
      };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    } finally {
      if (unoptimized) await this.#conn.run('PRAGMA enable_optimizer');
    }
  }

  close(): void {
    this.#conn.closeSync();
    this.#db.closeSync();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
