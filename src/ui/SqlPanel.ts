import type { QueryResult } from '../lake/api.ts';
import type { LakeNode } from '../lake/LakeNode.ts';
import { bytes, count, display, h, ms } from './dom.ts';

/** Rows the results table renders; the full result stays available through the API. */
const MAX_RENDERED_ROWS = 1000;

/**
 * A SQL box (Ctrl/Cmd+Enter runs), a Stop button, a progress bar fed by query progress, and the
 * result with row count, execution time and the plan. An error with a position selects it.
 */
export function SqlPanel(lake: LakeNode): { el: HTMLElement; setQuery(sql: string): void } {
  const box = h('textarea', {
    id: 'sql',
    rows: 4,
    spellcheck: false,
    'aria-label': 'SQL query',
    placeholder: 'SHOW TABLES',
  });
  const run = h('button', { type: 'button', class: 'primary' }, 'Run');
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Query progress' });
  const meta = h('p', { class: 'meta', 'aria-live': 'polite' });
  const out = h('div', { class: 'results', 'data-testid': 'results' });
  let running: AbortController | undefined;
  const exec = () => {
    const q = box.value.trim() || box.placeholder;
    running?.abort();
    const ctl = new AbortController();
    running = ctl;
    run.disabled = true;
    stop.disabled = false;
    progress.hidden = false;
    progress.removeAttribute('value');
    meta.textContent = 'Running…';
    const finish = () => {
      if (running !== ctl) return false;
      running = undefined;
      run.disabled = false;
      stop.disabled = true;
      progress.hidden = true;
      return true;
    };
    lake
      .sql(q, {
        signal: ctl.signal,
        onProgress: (p) => {
          if (p.chunksTotal) progress.value = p.chunksDone / p.chunksTotal;
          // Distributed queries: fragments on other tabs, and what came back from them.
          const parts = [
            `${count(p.chunksDone)}/${count(p.chunksTotal)} chunks`,
            `${count(p.rowsScanned)} rows scanned`,
          ];
          if (p.fragmentsTotal > 1) parts.unshift(`${p.fragmentsDone}/${p.fragmentsTotal} fragments`);
          if (p.bytesReceived > 0) parts.push(`${bytes(p.bytesReceived)} received`);
          meta.textContent = `Running… ${parts.join(', ')}`;
        },
      })
      .then(
        (r) => {
          if (!finish()) return;
          meta.textContent =
            `${count(r.rowCount)} row(s) in ${ms(r.executionTime)}${r.cached ? ' (cached)' : ''}` +
            (r.partial
              ? ` — PARTIAL: missing ${r.partial.map((m) => `${m.chunks} chunk(s) of ${m.dataset}`).join(', ')}`
              : '');
          out.replaceChildren(render(r));
        },
        (e: Error & { position?: { line: number; column: number } }) => {
          if (!finish()) return;
          meta.textContent = '';
          const where = e.position ? ` (line ${e.position.line}, column ${e.position.column})` : '';
          out.replaceChildren(
            h('p', { class: 'error', role: 'alert' }, e.message + (e.message.includes('line') ? '' : where)),
          );
          if (e.position) selectPosition(box, e.position.line, e.position.column);
        },
      );
  };
  run.addEventListener('click', exec);
  stop.addEventListener('click', () => running?.abort());
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      exec();
    }
  });
  const el = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'sql-h' },
    h('h2', { id: 'sql-h' }, 'SQL'),
    h(
      'p',
      { class: 'hint' },
      'SELECT with WHERE, GROUP BY, HAVING, ORDER BY, LIMIT and joins; SHOW TABLES; DESCRIBE t; EXPLAIN. Ctrl/Cmd+Enter runs.',
    ),
    box,
    h('div', { class: 'row' }, run, stop, progress, meta),
    out,
  );
  return {
    el,
    setQuery(sql: string) {
      box.value = sql;
      box.focus();
      exec();
    },
  };
}

function selectPosition(box: HTMLTextAreaElement, line: number, column: number): void {
  const lines = box.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
  offset += Math.max(0, column - 1);
  box.focus();
  box.setSelectionRange(offset, Math.min(box.value.length, offset + 1));
}

function render(r: QueryResult): HTMLElement {
  if (r.rowCount === 0) {
    return h(
      'div',
      {},
      h('p', { class: 'empty' }, 'No rows.'),
      r.plan ? h('details', { class: 'plan' }, h('summary', {}, 'Plan'), h('pre', {}, r.plan)) : null,
    );
  }
  const shown = r.rows.slice(0, MAX_RENDERED_ROWS);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...r.columns.map((c) => h('th', { scope: 'col', title: c.type }, c.name)))),
      h('tbody', {}, ...shown.map((row) => h('tr', {}, ...r.columns.map((c) => cell(row[c.name]))))),
    ),
    r.rowCount > shown.length
      ? h('p', { class: 'meta' }, `Showing ${count(shown.length)} of ${count(r.rowCount)} rows.`)
      : null,
  );
}

function cell(v: unknown): HTMLElement {
  if (v === null || v === undefined) return h('td', { class: 'null' }, 'NULL');
  return h('td', { class: typeof v === 'number' ? 'num' : undefined }, display(v));
}
