import { useState } from 'preact/hooks';
import type { DatasetInfo, VerifyReport } from '../../lake/api.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { bytes, count, ms } from '../format.ts';
import { ResultCells } from '../results/arrowCells.ts';
import { download } from '../results/download.ts';
import { EXPORT_FORMATS, exportTable, type ExportFormat } from '../results/export/exportTable.ts';
import type { UiStore } from '../state/UiStore.ts';
import { ReplicationBadge, StatusBadge } from './badges.tsx';

type Verify =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; report: VerifyReport }
  | { state: 'error'; message: string };

/** One dataset: summary line, expandable schema, and query / verify / export / drop. */
export function DatasetCard({ store, d }: { store: UiStore; d: DatasetInfo }) {
  const [open, setOpen] = useState(false);
  const [verify, setVerify] = useState<Verify>({ state: 'idle' });
  const [exporting, setExporting] = useState<string | undefined>();
  const [confirmDrop, setConfirmDrop] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>();
  const lake = store.lake;
  const schemaId = `schema-${d.id}`;

  const runVerify = () => {
    setVerify({ state: 'running' });
    lake.verify(d.name).then(
      (report) => setVerify({ state: 'done', report }),
      (e: Error) => setVerify({ state: 'error', message: e.message }),
    );
  };
  const runExport = (format: ExportFormat) => {
    const f = EXPORT_FORMATS.find((x) => x.format === format)!;
    setExporting(`Exporting ${f.label}…`);
    setActionError(undefined);
    lake
      .sql(`SELECT * FROM ${d.name}`)
      .then((r) => exportTable(new ResultCells(r), format))
      .then(
        (data) => {
          download(data, `${d.name}.${f.ext}`, f.mime);
          setExporting(undefined);
        },
        (e: Error) => {
          setExporting(undefined);
          setActionError(`Export failed: ${e.message}`);
        },
      );
  };

  return (
    <li class="dataset" data-dataset={d.name}>
      <div class="dataset-head">
        <button
          type="button"
          class="dataset-name"
          aria-expanded={open}
          aria-controls={schemaId}
          onClick={() => setOpen(!open)}
        >
          <span class="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {d.name}
        </button>
        <StatusBadge status={d.status} />
        <ReplicationBadge r={d.replication} />
      </div>
      <dl class="dataset-meta">
        <div>
          <dt>Rows</dt>
          <dd>{count(d.rows)}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{bytes(d.bytes)}</dd>
        </div>
        <div>
          <dt>Chunks</dt>
          <dd>{count(d.chunks)}</dd>
        </div>
        <div>
          <dt>Checksum</dt>
          <dd>
            <code class="checksum" title={d.checksum}>
              {d.checksum.slice(0, 12)}
            </code>{' '}
            <CopyButton text={d.checksum} label={`Copy checksum of ${d.name}`} class="link">
              copy
            </CopyButton>
          </dd>
        </div>
      </dl>
      {open ? (
        <div id={schemaId} class="schema">
          <table>
            <caption class="visually-hidden">Schema of {d.name}</caption>
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Type</th>
              </tr>
            </thead>
            <tbody>
              {d.schema.map((c) => (
                <tr>
                  <td>
                    <code>{c.name}</code>
                  </td>
                  <td>
                    {c.type}
                    {c.dictionary ? <span class="muted"> · dictionary</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="hint">
            From {d.source.name} ({d.format}, {bytes(d.source.bytes)}) · added{' '}
            {new Date(d.createdAt).toLocaleString()}
          </p>
        </div>
      ) : null}
      <div class="actions">
        <button
          type="button"
          class="small"
          onClick={() => store.openQuery(`SELECT * FROM ${d.name} LIMIT 100`)}
        >
          Query
        </button>
        <button type="button" class="small" disabled={verify.state === 'running'} onClick={runVerify}>
          Verify
        </button>
        <label class="select-small">
          <span class="visually-hidden">Export {d.name} as</span>
          <select
            disabled={exporting !== undefined}
            onChange={(e) => {
              const v = e.currentTarget.value as ExportFormat | '';
              e.currentTarget.value = '';
              if (v) runExport(v);
            }}
          >
            <option value="">Export…</option>
            {EXPORT_FORMATS.map((f) => (
              <option value={f.format}>{f.label}</option>
            ))}
          </select>
        </label>
        <button type="button" class="small danger" onClick={() => setConfirmDrop(true)}>
          Drop
        </button>
      </div>
      <div aria-live="polite" class="dataset-status">
        {verify.state === 'running' ? <span class="verify-result">Verifying…</span> : null}
        {verify.state === 'done' ? <VerifyLine r={verify.report} /> : null}
        {verify.state === 'error' ? <span class="verify-result bad">{verify.message}</span> : null}
        {exporting ? <span class="muted">{exporting}</span> : null}
        {actionError ? <span class="error">{actionError}</span> : null}
      </div>
      <ConfirmDialog
        open={confirmDrop}
        title={`Drop ${d.name}?`}
        confirmLabel="Drop dataset"
        testId="confirm-drop"
        danger
        onCancel={() => setConfirmDrop(false)}
        onConfirm={() => {
          setConfirmDrop(false);
          lake.drop(d.name).catch((e: Error) => setActionError(`Drop failed: ${e.message}`));
        }}
      >
        <p>
          {count(d.rows)} rows in {count(d.chunks)} chunks ({bytes(d.bytes)}) are deleted from this browser.
          Copies on other peers are removed by the room's catalog.
        </p>
      </ConfirmDialog>
    </li>
  );
}

function VerifyLine({ r }: { r: VerifyReport }) {
  if (r.ok) {
    return (
      <span class="verify-result ok">
        ✓ Verified: {r.chunks} chunks, {bytes(r.bytes)} re-hashed in {ms(r.ms)}
      </span>
    );
  }
  return (
    <span class="verify-result bad">
      ✗ {r.bad.length} bad chunk(s): {r.bad.map((b) => `#${b.index} ${b.problem}`).join(', ')}
      {r.root.ok ? '' : '; root mismatch'}
    </span>
  );
}
