import type { DatasetInfo } from '../lake/api.ts';
import type { LakeNode } from '../lake/LakeNode.ts';
import { bytes, count, h, ms } from './dom.ts';

/** The datasets this node holds, with schema on expand and verify / query / drop actions. */
export function DatasetsPanel(lake: LakeNode, onQuery: (sql: string) => void): HTMLElement {
  const body = h('div', { 'data-testid': 'datasets' });
  const render = () => {
    const list = lake.datasets();
    body.replaceChildren(
      list.length === 0
        ? h(
            'p',
            { class: 'empty' },
            'No datasets yet. Drop a file above: it is parsed in a worker and stored in this browser.',
          )
        : table(list),
    );
  };
  const table = (list: DatasetInfo[]) =>
    h(
      'table',
      { class: 'datasets' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Name', 'Rows', 'Size', 'Chunks', 'Checksum', 'Status', 'Actions'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h('tbody', {}, ...list.map(row)),
    );
  const row = (d: DatasetInfo) => {
    const result = h('span', { class: 'verify-result', 'aria-live': 'polite' });
    const verify = h('button', { type: 'button', class: 'small' }, 'Verify');
    verify.addEventListener('click', () => {
      verify.disabled = true;
      result.textContent = 'Verifying…';
      lake.verify(d.name).then(
        (r) => {
          result.className = `verify-result ${r.ok ? 'ok' : 'bad'}`;
          result.textContent = r.ok
            ? `OK: ${r.chunks} chunks, ${bytes(r.bytes)} re-hashed in ${ms(r.ms)}`
            : `${r.bad.length} bad chunk(s): ${r.bad.map((b) => `#${b.index} ${b.problem}`).join(', ')}${r.root.ok ? '' : '; root mismatch'}`;
          verify.disabled = false;
        },
        (e: Error) => {
          result.className = 'verify-result bad';
          result.textContent = e.message;
          verify.disabled = false;
        },
      );
    });
    const drop = h('button', { type: 'button', class: 'small danger' }, 'Drop');
    drop.addEventListener('click', () => {
      if (
        !confirm(
          `Drop dataset "${d.name}" (${count(d.rows)} rows)? Its chunks are deleted from this browser.`,
        )
      )
        return;
      lake.drop(d.name).catch((e: Error) => (result.textContent = e.message));
    });
    const query = h(
      'button',
      { type: 'button', class: 'small', onclick: () => onQuery(`SELECT * FROM ${d.name} LIMIT 100`) },
      'Query',
    );
    const copy = h(
      'button',
      { type: 'button', class: 'link', title: `Copy ${d.checksum}` },
      d.checksum.slice(0, 12) + '…',
    );
    copy.addEventListener('click', () => {
      navigator.clipboard.writeText(d.checksum).then(
        () => (copy.textContent = 'copied'),
        () => (copy.textContent = d.checksum),
      );
    });
    const schema = h(
      'details',
      {},
      h('summary', {}, d.name),
      h(
        'ul',
        { class: 'schema' },
        ...d.schema.map((c) =>
          h('li', {}, h('code', {}, c.name), ` ${c.type}${c.dictionary ? ' (dictionary)' : ''}`),
        ),
      ),
      h('small', {}, `from ${d.source.name} (${d.format}, ${bytes(d.source.bytes)})`),
    );
    return h(
      'tr',
      { 'data-dataset': d.name },
      h('td', {}, schema),
      h('td', { class: 'num' }, count(d.rows)),
      h('td', { class: 'num' }, bytes(d.bytes)),
      h('td', { class: 'num' }, count(d.chunks)),
      h('td', {}, copy),
      h(
        'td',
        {},
        h('span', { class: `badge ${d.replication.state}` }, `${d.status} · ${d.replication.state}`),
      ),
      h('td', { class: 'actions' }, query, verify, drop, result),
    );
  };
  lake.on('dataset-added', render);
  lake.on('dataset-removed', render);
  render();
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'datasets-h' },
    h('h2', { id: 'datasets-h' }, 'Datasets'),
    body,
  );
}
