import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './chartData.ts';

const PALETTE_VARS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];
const HEIGHT = 300;

/**
 * Draws a chart with uPlot (canvas: fast at tens of thousands of points, small, no DOM per
 * point). Colours come from CSS variables, so it follows the light/dark theme. Returns a cleanup.
 */
export function drawChart(el: HTMLElement, data: ChartData): () => void {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim() || '#888';
  const text = v('--muted');
  const grid = v('--border');
  const axis = {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: '12px system-ui, sans-serif',
  };
  const bars = data.kind === 'bar';
  const n = data.series.length;
  const opts: uPlot.Options = {
    width: Math.max(240, el.clientWidth),
    height: HEIGHT,
    legend: { show: n > 1 || !bars },
    cursor: { points: { show: !bars } },
    scales: bars
      ? {
          x: { time: false, range: [-0.5, data.x.length - 0.5] },
          // Bars are read by their length: the axis must start at zero.
          y: { range: (_u, min, max) => [Math.min(0, min), Math.max(0, max) * 1.08 || 1] },
        }
      : { x: { time: data.time } },
    axes: [
      bars
        ? {
            ...axis,
            splits: () => Array.from(data.x),
            values: (_u, splits) => splits.map((i) => truncate(data.labels?.[i] ?? '', 14)),
            rotate: data.x.length > 8 ? -45 : 0,
            size: data.x.length > 8 ? 80 : 40,
          }
        : axis,
      { ...axis, size: 64 },
    ],
    series: [
      {
        label: data.xName,
        value: bars ? (_u, i) => (i === null ? '' : (data.labels?.[i] ?? '')) : undefined,
      },
      ...data.series.map((s, i) => {
        const color = v(PALETTE_VARS[i % PALETTE_VARS.length]!);
        return bars
          ? {
              label: s.name,
              stroke: color,
              fill: color,
              width: 0,
              points: { show: false },
              paths: uPlot.paths.bars!({ size: [0.7, 80], gap: 2 }),
            }
          : { label: s.name, stroke: color, width: 2, points: { show: data.x.length <= 60 } };
      }),
    ],
  };
  const plot = new uPlot(opts, [data.x, ...data.series.map((s) => s.values)] as uPlot.AlignedData, el);
  return () => plot.destroy();
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
