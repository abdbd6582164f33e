import type { ResultCells } from '../arrowCells.ts';

/**
 * A JSON array of row objects, as `QueryResult.rows` has them (DESIGN §13): BIGINT as a number
 * when it is safe and a string otherwise, DATE and TIMESTAMP as ISO text. Built row by row
 * from Arrow, never as one object graph for the whole result.
 */
export function toJson(cells: ResultCells): string {
  const keys = cells.names.map((k) => JSON.stringify(k));
  const parts: string[] = [];
  for (let r = 0; r < cells.rowCount; r++) {
    let s = '{';
    for (let c = 0; c < keys.length; c++) {
      if (c) s += ',';
      s += `${keys[c]}:${JSON.stringify(cells.get(r, c)) ?? 'null'}`;
    }
    parts.push(s + '}');
  }
  return `[${parts.join(',\n')}]\n`;
}
