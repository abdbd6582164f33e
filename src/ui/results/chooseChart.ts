import { NUMERIC_TYPES, TEMPORAL_TYPES } from './arrowCells.ts';

export type ChartKind = 'bar' | 'line' | 'none';

export interface ChartSpec {
  kind: ChartKind;
  /** Column index of the x axis (categories for bars). */
  x: number;
  /** Column indexes of the plotted series. */
  y: number[];
  /** Why this chart (or none): shown under the chart selector. */
  reason: string;
}

/** More series than this make a chart unreadable. */
const MAX_SERIES = 4;

/**
 * The chart a result's shape asks for (issue #7): a time column and numbers → lines over time;
 * a category and numbers → bars; an ascending number and numbers → lines; else none.
 */
export function chooseChart(
  types: string[],
  rowCount: number,
  isSortedAsc: (col: number) => boolean,
): ChartSpec {
  const numeric = types.flatMap((t, i) => (NUMERIC_TYPES.has(t) ? [i] : []));
  const none = (reason: string): ChartSpec => ({ kind: 'none', x: 0, y: [], reason });
  if (rowCount < 2) return none(rowCount === 0 ? 'No rows to chart.' : 'One row: nothing to compare.');
  const time = types.findIndex((t) => TEMPORAL_TYPES.has(t));
  if (time >= 0 && numeric.length > 0) {
    return {
      kind: 'line',
      x: time,
      y: numeric.slice(0, MAX_SERIES),
      reason: 'A time column and numbers: a line over time.',
    };
  }
  const category = types.findIndex((t) => t === 'VARCHAR' || t === 'BOOLEAN');
  if (category >= 0 && numeric.length > 0) {
    // One series: side-by-side bars of unrelated measures mislead more than they show.
    return { kind: 'bar', x: category, y: numeric.slice(0, 1), reason: 'A category and a number: bars.' };
  }
  if (numeric.length >= 2 && isSortedAsc(numeric[0]!)) {
    return {
      kind: 'line',
      x: numeric[0]!,
      y: numeric.slice(1, 1 + MAX_SERIES),
      reason: 'An ascending number and numbers: a line.',
    };
  }
  return none('No category or time column with numbers: choose the chart by hand.');
}

/** Whether the kind can draw these columns at all (manual choices are checked with this). */
export function chartFits(kind: ChartKind, types: string[], x: number, y: number[]): boolean {
  if (kind === 'none') return true;
  if (y.length === 0 || y.some((i) => !NUMERIC_TYPES.has(types[i] ?? ''))) return false;
  if (kind === 'line') return NUMERIC_TYPES.has(types[x] ?? '') || TEMPORAL_TYPES.has(types[x] ?? '');
  return types[x] !== undefined;
}
