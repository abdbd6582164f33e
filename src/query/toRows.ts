import { DataType, type Table } from 'apache-arrow';

/**
 * A result table as plain JSON-safe objects (DESIGN §13): BIGINT becomes a number when it is a
 * safe integer and a decimal string otherwise; DATE becomes `YYYY-MM-DD` and TIMESTAMP an ISO
 * string; everything else stays a JS primitive or null.
 */
export function toRows(table: Table): Record<string, unknown>[] {
  const fields = table.schema.fields;
  const convert = fields.map((f) => converter(f.type as DataType));
  const cols = fields.map((_, i) => table.getChildAt(i));
  const out = new Array<Record<string, unknown>>(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < fields.length; c++) {
      const v: unknown = cols[c]?.get(r);
      row[fields[c]!.name] = v === null || v === undefined ? null : convert[c]!(v);
    }
    out[r] = row;
  }
  return out;
}

function converter(type: DataType): (v: unknown) => unknown {
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
