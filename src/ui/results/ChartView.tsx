import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Empty } from '../components/Empty.tsx';
import type { ResultCells } from './arrowCells.ts';
import { buildChartData, type ChartData } from './chartData.ts';
import { chartFits, chooseChart, type ChartKind, type ChartSpec } from './chooseChart.ts';
import { NUMERIC_TYPES, TEMPORAL_TYPES } from './arrowCells.ts';

/** The chart of a result: chosen from its shape, with a manual choice of kind and columns. */
export function ChartView({ cells }: { cells: ResultCells }) {
  const auto = useMemo(() => chooseChart(cells.types, cells.rowCount, (c) => isSortedAsc(cells, c)), [cells]);
  const [manual, setManual] = useState<Partial<ChartSpec> | undefined>();
  useEffect(() => setManual(undefined), [cells]);
  const kind: ChartKind = manual?.kind ?? auto.kind;
  const fallbackX =
    kind === 'bar'
      ? Math.max(
          0,
          cells.types.findIndex((t) => !NUMERIC_TYPES.has(t)),
        )
      : auto.x;
  const x = manual?.x ?? (kind === auto.kind ? auto.x : fallbackX);
  const numeric = cells.types.flatMap((t, i) => (NUMERIC_TYPES.has(t) && i !== x ? [i] : []));
  const y = manual?.y ?? (kind === auto.kind && auto.y.length ? auto.y : numeric.slice(0, 1));
  const fits = chartFits(kind, cells.types, x, y);
  const data = useMemo(
    () => (fits && kind !== 'none' ? buildChartData(cells, kind, x, y) : undefined),
    [cells, kind, x, y.join(','), fits],
  );

  return (
    <div class="chart-view" data-testid="chart-view" data-chart-kind={fits ? kind : 'none'}>
      <div class="chart-controls">
        <label>
          Chart
          <select
            data-testid="chart-kind"
            value={manual?.kind ?? 'auto'}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setManual(v === 'auto' ? undefined : { kind: v as ChartKind });
            }}
          >
            <option value="auto">Auto ({auto.kind})</option>
            <option value="bar">Bar</option>
            <option value="line">Line</option>
            <option value="none">None</option>
          </select>
        </label>
        {kind !== 'none' ? (
          <>
            <label>
              X
              <select
                value={x}
                onChange={(e) => setManual({ ...manual, kind, x: Number(e.currentTarget.value) })}
              >
                {cells.names.map((n, i) =>
                  kind === 'line' &&
                  !NUMERIC_TYPES.has(cells.types[i]!) &&
                  !TEMPORAL_TYPES.has(cells.types[i]!) ? null : (
                    <option value={i}>{n}</option>
                  ),
                )}
              </select>
            </label>
            <label>
              Y
              <select
                value={y[0]}
                onChange={(e) => setManual({ ...manual, kind, x, y: [Number(e.currentTarget.value)] })}
              >
                {cells.names.map((n, i) =>
                  NUMERIC_TYPES.has(cells.types[i]!) ? <option value={i}>{n}</option> : null,
                )}
              </select>
            </label>
          </>
        ) : null}
        <span class="muted">{manual ? 'Chosen by hand.' : auto.reason}</span>
      </div>
      {!fits ? (
        <Empty title="These columns cannot be drawn as a chart">
          Pick a numeric Y column{kind === 'line' ? ' and a numeric or time X column' : ''}.
        </Empty>
      ) : kind === 'none' || !data ? (
        <Empty title="No chart for this result">{auto.reason}</Empty>
      ) : (
        <Plot data={data} />
      )}
    </div>
  );
}

function isSortedAsc(cells: ResultCells, col: number): boolean {
  let prev = -Infinity;
  const n = Math.min(cells.rowCount, 10_000);
  for (let r = 0; r < n; r++) {
    const v = Number(cells.raw(r, col));
    if (!(v >= prev)) return false;
    prev = v;
  }
  return true;
}

/** uPlot (loaded on first use), sized to its box and redrawn on resize and on a colour-scheme change. */
function Plot({ data }: { data: ChartData }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const el = host.current!;
    let disposed = false;
    let destroy: (() => void) | undefined;
    // Resize and theme changes can ask for a redraw while the module still loads: only the newest draws.
    let generation = 0;
    let width = -1;
    const draw = (force: boolean) => {
      if (!force && el.clientWidth === width) return;
      width = el.clientWidth;
      const mine = ++generation;
      import('./drawChart.ts')
        .then(({ drawChart }) => {
          if (disposed || mine !== generation) return;
          destroy?.();
          destroy = drawChart(el, data);
        })
        .catch((e: Error) => setError(e.message));
    };
    draw(true);
    const ro = new ResizeObserver(() => draw(false));
    ro.observe(el);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const redraw = () => draw(true);
    scheme.addEventListener('change', redraw);
    return () => {
      disposed = true;
      ro.disconnect();
      scheme.removeEventListener('change', redraw);
      destroy?.();
    };
  }, [data]);
  return (
    <figure class="chart" aria-label={data.description} role="img" data-testid="chart">
      <div ref={host} class="chart-host" />
      {data.note ? <figcaption class="muted">{data.note}</figcaption> : null}
      {error ? <p class="error">Chart failed: {error}</p> : null}
    </figure>
  );
}
