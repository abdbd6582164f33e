import { display } from '../format.ts';
import type { ResultCells } from './arrowCells.ts';
import type { ChartKind } from './chooseChart.ts';

/** More bars than this are unreadable; the first ones (in result order) are drawn. */
export const MAX_BARS = 60;
/** Line charts are thinned to about this many points (every n-th row). */
export const MAX_POINTS = 20_000;

export interface ChartData {
  kind: Exclude<ChartKind, 'none'>;
  /** x values: seconds since epoch for time, indexes for bars, numbers otherwise. */
  x: Float64Array;
  time: boolean;
  /** Bar labels (categories), by index. */
  labels?: string[];
  xName: string;
  series: { name: string; values: (number | null)[] }[];
  /** Said under the chart when rows were left out. */
  note?: string;
  /** Alt text. */
  description: string;
}

/** The arrays uPlot draws, read from Arrow for the chosen columns only. */
export function buildChartData(cells: ResultCells, kind: 'bar' | 'line', x: number, y: number[]): ChartData {
  const rows = cells.rowCount;
  const xType = cells.types[x]!;
  const time = kind === 'line' && (xType === 'DATE' || xType === 'TIMESTAMP');
  const picked: number[] = [];
  if (kind === 'bar') for (let r = 0; r < Math.min(rows, MAX_BARS); r++) picked.push(r);
  else {
    const step = Math.max(1, Math.ceil(rows / MAX_POINTS));
    for (let r = 0; r < rows; r += step) picked.push(r);
  }
  const xs = new Float64Array(picked.length);
  const labels = kind === 'bar' ? new Array<string>(picked.length) : undefined;
  picked.forEach((r, i) => {
    if (labels) {
      const v = cells.get(r, x);
      labels[i] = v === null ? 'NULL' : display(v);
      xs[i] = i;
    } else {
      const v = cells.raw(r, x);
      xs[i] = v === null ? NaN : time ? Number(v) / 1000 : Number(v);
    }
  });
  const series = y.map((c) => ({
    name: cells.names[c]!,
    values: picked.map((r) => {
      const v = cells.raw(r, c);
      return v === null ? null : Number(v);
    }),
  }));
  const shown = picked.length;
  const note =
    kind === 'bar' && rows > MAX_BARS
      ? `Showing the first ${MAX_BARS} of ${rows.toLocaleString('en-US')} rows.`
      : kind === 'line' && shown < rows
        ? `Every ${Math.ceil(rows / MAX_POINTS)}th of ${rows.toLocaleString('en-US')} rows drawn.`
        : undefined;
  const names = series.map((s) => s.name).join(', ');
  const description = `${kind === 'bar' ? 'Bar' : 'Line'} chart of ${names} by ${cells.names[x]}, ${shown} ${kind === 'bar' ? 'bars' : 'points'}`;
  const out: ChartData = { kind, x: xs, time, xName: cells.names[x]!, series, description };
  if (labels) out.labels = labels;
  if (note) out.note = note;
  return out;
}
