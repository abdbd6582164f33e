import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { display } from '../format.ts';
import { NUMERIC_TYPES, type ResultCells } from './arrowCells.ts';

export const ROW_HEIGHT = 28;
/** Rows drawn beyond the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 8;
/**
 * Tallest scroll area we create. Browsers cap element heights (Firefox near 17.9M px), and 1M
 * rows × 28 px is 28M px; above this the scroll position is scaled onto the row range.
 */
const MAX_SCROLL_PX = 8_000_000;
const MIN_COL = 72;
const MAX_COL = 360;
const CHAR_PX = 8;

/**
 * A virtualized, keyboard-scrollable grid over a result (issue #7: smooth at 1M rows). Only the
 * visible rows exist in the DOM, and each cell is read from Arrow when drawn.
 */
export function VirtualGrid({ cells }: { cells: ResultCells }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const rows = cells.rowCount;
  const widths = useMemo(() => columnWidths(cells), [cells]);
  const totalWidth = widths.reduce((a, b) => a + b, 0) + 64;
  const fullPx = rows * ROW_HEIGHT;
  const scrollPx = Math.min(fullPx, MAX_SCROLL_PX);
  const viewPx = Math.max(ROW_HEIGHT, height - ROW_HEIGHT);
  // Maps the scrollbar onto the virtual (unscaled) offset: 1 unless the result is huge.
  const ratio = scrollPx > viewPx ? Math.max(1, (fullPx - viewPx) / (scrollPx - viewPx)) : 1;
  const virtualTop = scrollTop * ratio;
  const first = Math.max(0, Math.floor(virtualTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows, Math.ceil((virtualTop + viewPx) / ROW_HEIGHT) + OVERSCAN);
  const shift = first * ROW_HEIGHT - virtualTop;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
    setScrollTop(0);
  }, [cells]);

  const cols = cells.names.map((n, i) => ({ name: n, type: cells.types[i]!, width: widths[i]! }));
  const template = `64px ${widths.map((w) => `${w}px`).join(' ')}`;
  const body = [];
  for (let r = first; r < last; r++) {
    body.push(
      <div
        role="row"
        class="grid-row"
        aria-rowindex={r + 2}
        style={{
          transform: `translateY(${shift + (r - first) * ROW_HEIGHT}px)`,
          gridTemplateColumns: template,
        }}
      >
        <span role="rowheader" class="grid-rownum">
          {r + 1}
        </span>
        {cols.map((c, ci) => {
          const v = cells.get(r, ci);
          return (
            <span role="gridcell" class={v === null ? 'null' : NUMERIC_TYPES.has(c.type) ? 'num' : undefined}>
              {v === null ? 'NULL' : display(v)}
            </span>
          );
        })}
      </div>,
    );
  }
  return (
    <div
      ref={scroller}
      style={{ height: `min(60vh, ${Math.min(520, (rows + 1) * ROW_HEIGHT + 18)}px)` }}
      class="grid-scroll"
      tabIndex={0}
      role="grid"
      aria-label={`Result: ${rows.toLocaleString('en-US')} rows, ${cols.length} columns`}
      aria-rowcount={rows + 1}
      aria-colcount={cols.length + 1}
      data-testid="grid"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={(e) => {
        const el = scroller.current!;
        const page = viewPx / ratio;
        const step: Record<string, number> = {
          ArrowDown: ROW_HEIGHT / ratio,
          ArrowUp: -ROW_HEIGHT / ratio,
          PageDown: page,
          PageUp: -page,
        };
        if (e.key in step) el.scrollBy({ top: step[e.key]! });
        else if (e.key === 'Home' && e.ctrlKey) el.scrollTo({ top: 0 });
        else if (e.key === 'End' && e.ctrlKey) el.scrollTo({ top: el.scrollHeight });
        else return;
        e.preventDefault();
      }}
    >
      <div class="grid-window" style={{ width: `${totalWidth}px`, height: `${height}px` }}>
        <div role="row" class="grid-head" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          <span role="columnheader" class="grid-rownum">
            #
          </span>
          {cols.map((c) => (
            <span role="columnheader" title={`${c.name} · ${c.type}`}>
              {c.name}
              <small>{c.type}</small>
            </span>
          ))}
        </div>
        <div class="grid-body" role="rowgroup">
          {body}
        </div>
      </div>
      <div style={{ height: `${Math.max(0, scrollPx - viewPx)}px`, width: '1px' }} aria-hidden="true" />
    </div>
  );
}

/** Widths from the header and the first 200 rows' text, clamped; monospace-ish estimate. */
function columnWidths(cells: ResultCells): number[] {
  const sample = Math.min(cells.rowCount, 200);
  return cells.names.map((name, c) => {
    let chars = Math.max(name.length, cells.types[c]!.length + 2);
    for (let r = 0; r < sample; r++) chars = Math.max(chars, display(cells.get(r, c) ?? 'NULL').length);
    return Math.max(MIN_COL, Math.min(MAX_COL, chars * CHAR_PX + 24));
  });
}
