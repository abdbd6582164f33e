import { DataType, tableFromIPC, type Table, type Vector } from 'apache-arrow';
import type { QueryResult } from '../../lake/api.ts';

/**
 * Reads single cells of a result straight from its Arrow IPC, so the grid, the chart and the
 * exports touch only the rows they need: materialising `result.rows` for 1M rows would cost
 * seconds and hundreds of MB before anything is on screen.
 */
export class ResultCells {
  readonly table: Table;
  readonly names: string[];
  /** SQL type names as `QueryResult.columns` gives them (INTEGER, BIGINT, DOUBLE, …). */
  readonly types: string[];
  readonly rowCount: number;
  readonly #vectors: (Vector | null)[];
  readonly #convert: ((v: unknown) => unknown)[];

  constructor(result: Pick<QueryResult, 'columns' | 'arrow'>) {
    this.table = tableFromIPC(result.arrow());
    this.names = result.columns.map((c) => c.name);
    this.types = result.columns.map((c) => c.type);
    this.rowCount = this.table.numRows;
    this.#vectors = this.names.map((_, i) => this.table.getChildAt(i));
    this.#convert = this.table.schema.fields.map((f) => jsonSafe(f.type as DataType));
  }

  /** The JSON-safe value (DESIGN §13): BIGINT as number when safe, DATE/TIMESTAMP as ISO text, null for NULL. */
  get(row: number, col: number): unknown {
    const v: unknown = this.#vectors[col]?.get(row);
    return v === null || v === undefined ? null : this.#convert[col]!(v);
  }

  /** The raw Arrow value: bigint for BIGINT, epoch ms for DATE and TIMESTAMP. */
  raw(row: number, col: number): unknown {
    const v: unknown = this.#vectors[col]?.get(row);
    return v === undefined ? null : v;
  }
}

function jsonSafe(type: DataType): (v: unknown) => unknown {
  if (DataType.isInt(type) && type.bitWidth === 64) {
    return (v) => {
      const b = v as bigint;
      return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b.toString();
    };
  }
  if (DataType.isDate(type)) return (v) => new Date(v as number).toISOString().slice(0, 10);
  if (DataType.isTimestamp(type)) return (v) => new Date(Number(v)).toISOString();
  return (v) => v;
}

export const NUMERIC_TYPES = new Set([
  'INTEGER',
  'BIGINT',
  'DOUBLE',
  'HUGEINT',
  'SMALLINT',
  'TINYINT',
  'FLOAT',
]);
export const TEMPORAL_TYPES = new Set(['DATE', 'TIMESTAMP']);
