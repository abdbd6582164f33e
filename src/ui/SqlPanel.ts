import type { QueryResult } from '../lake/api.ts';
import type { LakeNode } from '../lake/LakeNode.ts';
import { count, display, h, ms } from './dom.ts';

/** Rows the results table renders; the full result stays available through the API. */
const MAX_RENDERED_ROWS = 1000;

/** A SQL box (Ctrl/Cmd+Enter runs) and a results table with row count and time. */
export function SqlPanel(lake: LakeNode): { el: HTMLElement; setQuery(sql: string): void } {
  const box = h('textarea', {
    id: 'sql',
    rows: 3,
    spellcheck: false,
    'aria-label': 'SQL query',
    placeholder: 'SHOW TABLES',
  });
  const run = h('button', { type: 'button', class: 'primary' }, 'Run');
  const meta = h('p', { class: 'meta', 'aria-live': 'polite' });
  const out = h('div', { class: 'results', 'data-testid': 'results' });
  const exec = () => {
    const q = box.value.trim() || box.placeholder;
    run.disabled = true;
    meta.textContent = 'Running…';
    lake.sql(q).then(
      (r) => {
        meta.textContent = `${count(r.rowCount)} row(s) in ${ms(r.executionTime)}`;
        out.replaceChildren(render(r));
        run.disabled = false;
      },
      (e: Error) => {
        meta.textContent = '';
        out.replaceChildren(h('p', { class: 'error', role: 'alert' }, e.message));
        run.disabled = false;
      },
    );
  };
  run.addEventListener('click', exec);
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
      'This build answers SHOW TABLES and DESCRIBE <table>; SELECT arrives with the SQL engine. Ctrl/Cmd+Enter runs.',
    ),
    box,
    h('div', { class: 'row' }, run, meta),
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

function render(r: QueryResult): HTMLElement {
  if (r.rowCount === 0) return h('p', { class: 'empty' }, 'No rows.');
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
