import type { ResultCells } from '../arrowCells.ts';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * RFC 4180 CSV with a header. NULL is an empty field and an empty string is `""`, so the two
 * stay distinct; timestamps are written `YYYY-MM-DD HH:MM:SS.sss` (UTC), which DuckDB and
 * spreadsheets read as a timestamp rather than text.
 */
export function toCsv(cells: ResultCells): string {
  const n = cells.names.length;
  const fmt = cells.types.map(csvFormatter);
  const lines: string[] = [cells.names.map(quote).join(',')];
  for (let r = 0; r < cells.rowCount; r++) {
    const fields = new Array<string>(n);
    for (let c = 0; c < n; c++) {
      const v = cells.raw(r, c);
      fields[c] = v === null ? '' : fmt[c]!(v);
    }
    lines.push(fields.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

function quote(s: string): string {
  return s === '' || NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvFormatter(type: string): (v: unknown) => string {
  switch (type) {
    case 'DATE':
      return (v) => new Date(v as number).toISOString().slice(0, 10);
    case 'TIMESTAMP':
      return (v) => new Date(Number(v)).toISOString().replace('T', ' ').replace('Z', '');
    case 'VARCHAR':
      return (v) => quote(String(v));
    default:
      return (v) => String(v);
  }
}
