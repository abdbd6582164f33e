import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ResultCells } from '../arrowCells.ts';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

/** Parquet physical and logical types for our SQL types (DuckDB reads each back as the same type). */
function element(name: string, type: string): SchemaElement {
  const optional = { name, repetition_type: 'OPTIONAL' as const };
  switch (type) {
    case 'INTEGER':
      return { ...optional, type: 'INT32' };
    case 'BIGINT':
      return { ...optional, type: 'INT64' };
    case 'DOUBLE':
      return { ...optional, type: 'DOUBLE' };
    case 'BOOLEAN':
      return { ...optional, type: 'BOOLEAN' };
    case 'DATE':
      return { ...optional, type: 'INT32', converted_type: 'DATE' };
    case 'TIMESTAMP':
      return { ...optional, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
    default:
      return { ...optional, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  }
}

const DAY_MS = 86_400_000;

/** The result as a Parquet file (Snappy, hyparquet-writer: pure JS, bundled, works offline). */
export function toParquet(cells: ResultCells): Uint8Array {
  const columnData = cells.names.map((name, c) => {
    const type = cells.types[c]!;
    const data = new Array<unknown>(cells.rowCount);
    for (let r = 0; r < cells.rowCount; r++) {
      const v = cells.raw(r, c);
      data[r] =
        v === null
          ? null
          : type === 'DATE'
            ? Math.round((v as number) / DAY_MS)
            : type === 'TIMESTAMP'
              ? BigInt(v as number)
              : v;
    }
    return { name, data };
  });
  const schema: SchemaElement[] = [
    { name: 'root', num_children: cells.names.length },
    ...cells.names.map((n, c) => element(n, cells.types[c]!)),
  ];
  const buf = parquetWriteBuffer({
    columnData: columnData,
    schema,
    createdBy: 'peerlake',
  });
  return new Uint8Array(buf);
}
