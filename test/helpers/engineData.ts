import * as A from 'apache-arrow';
import type { ChunkSource } from '../../src/engine/ChunkSource.ts';
import { encodeColumn } from '../../src/ingest/encodeColumn.ts';
import type { ColumnType } from '../../src/storage/manifest.ts';
import type { ChunkId, DatasetId } from '../../src/types.ts';

/** A test column: values are JS numbers, bigints, booleans, strings or Dates (DATE/TIMESTAMP). */
export interface ColDef {
  name: string;
  type: ColumnType;
  dictionary?: boolean;
}

export type Value = number | bigint | boolean | string | Date | null;

export interface Dataset {
  name: string;
  schema: ColDef[];
  rows: Value[][];
  chunks: { id: ChunkId; rows: number }[];
}

/**
 * An in-memory ChunkSource over decoded Arrow chunks, built exactly like ingest builds them
 * (encodeColumn per column, one record batch per IPC stream, decoded back with tableFromIPC).
 * Counts loads and can delay or hang them, for the progress, LIMIT and deadline tests.
 */
export class MemSource implements ChunkSource {
  readonly tables = new Map<ChunkId, A.Table>();
  loads = 0;
  delayMs = 0;
  hang = false;

  async load(id: ChunkId): Promise<A.Table> {
    this.loads++;
    if (this.hang) return new Promise<A.Table>(() => undefined);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const t = this.tables.get(id);
    if (!t) throw new Error(`missing chunk ${id}`);
    return t;
  }

  add(name: string, schema: ColDef[], rows: Value[][], chunkRows: number): Dataset {
    const chunks: Dataset['chunks'] = [];
    for (
      let start = 0, c = 0;
      start < rows.length || (rows.length === 0 && c === 0);
      start += chunkRows, c++
    ) {
      const part = rows.slice(start, start + chunkRows);
      const fields = schema.map((col) => new A.Field(col.name, arrowTypeOf(col), true));
      const children = schema.map((col, j) =>
        encodeColumn(
          part.map((r) => r[j] ?? null),
          col.type,
          col.dictionary ?? false,
        ),
      );
      const data = A.makeData({
        type: new A.Struct(fields),
        length: part.length,
        nullCount: 0,
        children: children.map((x) => x.data),
      });
      const arrowSchema = new A.Schema(fields);
      const ipc = A.tableToIPC(new A.Table(arrowSchema, [new A.RecordBatch(arrowSchema, data)]), 'stream');
      const id = `${name}-${c}` as ChunkId;
      this.tables.set(id, A.tableFromIPC(ipc));
      chunks.push({ id, rows: part.length });
      if (rows.length === 0) break;
    }
    return { name, schema, rows, chunks };
  }
}

function arrowTypeOf(c: ColDef): A.DataType {
  switch (c.type) {
    case 'INTEGER':
      return new A.Int32();
    case 'BIGINT':
      return new A.Int64();
    case 'DOUBLE':
      return new A.Float64();
    case 'BOOLEAN':
      return new A.Bool();
    case 'DATE':
      return new A.DateDay();
    case 'TIMESTAMP':
      return new A.TimestampMillisecond();
    case 'VARCHAR':
      return c.dictionary ? new A.Dictionary(new A.Utf8(), new A.Int32()) : new A.Utf8();
  }
}

export const datasetId = (name: string) => `ds-${name}` as DatasetId;

/** CREATE TABLE + INSERT statements giving DuckDB the same values with the same types. */
export function duckTableSql(ds: Dataset): string {
  const cols = ds.schema.map((c) => `"${c.name}" ${c.type}`).join(', ');
  let sql = `CREATE TABLE "${ds.name}" (${cols});\n`;
  for (let i = 0; i < ds.rows.length; i += 500) {
    const rows = ds.rows
      .slice(i, i + 500)
      .map((r) => `(${ds.schema.map((c, j) => sqlLiteral(r[j] ?? null, c.type)).join(', ')})`);
    if (rows.length) sql += `INSERT INTO "${ds.name}" VALUES ${rows.join(',\n')};\n`;
  }
  return sql;
}

export function sqlLiteral(v: Value, type: ColumnType): string {
  if (v === null) return 'NULL';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return type === 'DATE'
      ? `DATE '${iso.slice(0, 10)}'`
      : `TIMESTAMP '${iso.slice(0, 23).replace('T', ' ')}'`;
  }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return `'nan'::DOUBLE`;
    if (!Number.isFinite(v)) return v > 0 ? `'inf'::DOUBLE` : `'-inf'::DOUBLE`;
    if (Object.is(v, -0)) return `'-0.0'::DOUBLE`;
    return type === 'DOUBLE' ? `${String(v)}::DOUBLE` : String(v);
  }
  if (typeof v === 'bigint') return `'${v}'::BIGINT`;
  if (typeof v === 'boolean') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'alpha',
  'Beta',
  'gamma',
  'delta',
  'é',
  'ß',
  'straße',
  'zeta',
  '🦆duck',
  '\uFFFDx',
  'İstanbul',
  'ΣΑΣ',
  '',
  'a_b',
  'a%b',
  "it's",
  'x\ny',
  '  pad  ',
  ' lead',
];
const DEPTS = [
  'eng',
  'Sales',
  'ops',
  'HR',
  'legal',
  'R&D',
  'support',
  'mkt',
  'finance',
  'Ops',
  'ßales',
  'émea',
];

/** Table `t`: every column type, NULLs everywhere but id, a few BIGINTs beyond 2^53 in one chunk. */
export function tableT(n = 2500): { schema: ColDef[]; rows: Value[][] } {
  const r = rng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const maybe = <T>(p: number, v: T): T | null => (r() < p ? null : v);
  const rows: Value[][] = [];
  for (let id = 0; id < n; id++) {
    const chunk = Math.floor(id / 600);
    const big =
      chunk === 2 && id % 97 === 0
        ? BigInt(Math.floor(r() * 2 ** 20)) * 2n ** 37n * (r() < 0.5 ? -1n : 1n)
        : null;
    rows.push([
      id,
      maybe(0.1, Math.floor(r() * 2001) - 1000),
      maybe(0.1, big ?? BigInt(Math.floor(r() * 2e6) - 1e6)),
      maybe(0.1, Math.round((r() * 2000 - 1000) * 100) / 100),
      maybe(0.15, r() < 0.5),
      maybe(0.1, new Date(Math.floor(r() * 25_000 - 3650) * 86_400_000)),
      maybe(0.1, new Date(Math.floor(r() * 2e12 - 1.5e11))),
      maybe(0.1, pick(WORDS) + (r() < 0.3 ? String(Math.floor(r() * 10)) : '')),
      // Chunks see different subsets of departments, so their dictionaries differ.
      maybe(0.05, DEPTS[(Math.floor(r() * 6) + chunk * 2) % DEPTS.length]!),
    ]);
  }
  return {
    schema: [
      { name: 'id', type: 'INTEGER' },
      { name: 'i', type: 'INTEGER' },
      { name: 'b', type: 'BIGINT' },
      { name: 'd', type: 'DOUBLE' },
      { name: 'flag', type: 'BOOLEAN' },
      { name: 'dt', type: 'DATE' },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 's', type: 'VARCHAR' },
      { name: 'dept', type: 'VARCHAR', dictionary: true },
    ],
    rows,
  };
}

/** Table `u`: the join partner of `t`, with duplicate and NULL keys and keys missing from `t`. */
export function tableU(n = 300): { schema: ColDef[]; rows: Value[][] } {
  const r = rng(7);
  const rows: Value[][] = [];
  for (let x = 0; x < n; x++)
    rows.push([
      r() < 0.08 ? null : Math.floor(r() * 400) - 200,
      r() < 0.08 ? null : BigInt(Math.floor(r() * 400) - 200),
      r() < 0.05 ? null : DEPTS[Math.floor(r() * DEPTS.length)]!,
      r() < 0.05 ? null : (DEPTS[Math.floor(r() * (DEPTS.length + 2))] ?? 'nowhere'),
      Math.round(r() * 1000) / 10,
    ]);
  return {
    schema: [
      { name: 'k', type: 'INTEGER' },
      { name: 'kb', type: 'BIGINT' },
      { name: 'ud', type: 'VARCHAR', dictionary: true },
      { name: 'up', type: 'VARCHAR' },
      { name: 'w', type: 'DOUBLE' },
    ],
    rows,
  };
}
