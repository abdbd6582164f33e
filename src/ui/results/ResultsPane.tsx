import { useMemo, useState } from 'preact/hooks';
import { Empty } from '../components/Empty.tsx';
import { Tabs, TabPanel } from '../components/Tabs.tsx';
import { count, ms } from '../format.ts';
import type { UiStore } from '../state/UiStore.ts';
import { ResultCells } from './arrowCells.ts';
import { ChartView } from './ChartView.tsx';
import { download } from './download.ts';
import { EXPORT_FORMATS, exportTable, type ExportFormat } from './export/exportTable.ts';
import { VirtualGrid } from './VirtualGrid.tsx';

type ResultTab = 'table' | 'chart' | 'plan';

/** The last query's outcome: grid, chart and plan, with row count, time and exports. */
export function ResultsPane({ store }: { store: UiStore }) {
  const q = store.query.state.value;
  const [tab, setTab] = useState<ResultTab>('table');
  const [exportState, setExportState] = useState<string | undefined>();
  const result = q.status === 'done' ? q.result : undefined;
  const cells = useMemo(() => (result ? new ResultCells(result) : undefined), [result]);

  let body;
  if (q.status === 'idle') {
    body = (
      <Empty title="Run a query to see results here">
        Try <code>SHOW TABLES</code>, or press <strong>Query</strong> on a dataset.
      </Empty>
    );
  } else if (q.status === 'running') {
    body = <Empty kind="loading" title="Running…" />;
  } else if (q.status === 'cancelled') {
    body = <Empty title="Query stopped">Nothing was returned. Run it again when you are ready.</Empty>;
  } else if (q.status === 'error') {
    const where = q.error.position
      ? ` (line ${q.error.position.line}, column ${q.error.position.column})`
      : '';
    body = (
      <div class="error-box" role="alert">
        <p class="error">
          {q.error.code ? <span class="badge bad-code">{q.error.code}</span> : null} {q.error.message}
          {q.error.message.includes('line') ? '' : where}
        </p>
      </div>
    );
  } else if (cells && result) {
    const doExport = (format: ExportFormat) => {
      const f = EXPORT_FORMATS.find((x) => x.format === format)!;
      setExportState(`Writing ${f.label}…`);
      exportTable(cells, format).then(
        (data) => {
          download(data, `result.${f.ext}`, f.mime);
          setExportState(`Saved result.${f.ext}`);
        },
        (e: Error) => setExportState(`Export failed: ${e.message}`),
      );
    };
    body = (
      <>
        <div class="results-bar">
          <p class="result-meta" data-testid="result-meta">
            <strong>{count(result.rowCount)}</strong> row(s) in {ms(result.executionTime)}
            <span class="muted"> · {ms(q.wallMs)} end to end</span>
            {result.cached ? <span class="badge"> cached</span> : null}
          </p>
          {result.partial ? (
            <p class="alert" role="alert" data-testid="result-partial">
              Partial result: missing{' '}
              {result.partial.map((m) => `${count(m.chunks)} chunk(s) of ${m.dataset}`).join(', ')} (no live
              holder).
            </p>
          ) : null}
          <div class="export" role="group" aria-label="Export result">
            <span class="muted">Export</span>
            {EXPORT_FORMATS.map((f) => (
              <button type="button" class="small" data-export={f.format} onClick={() => doExport(f.format)}>
                {f.label}
              </button>
            ))}
            <span class="muted" aria-live="polite" data-testid="export-status">
              {exportState}
            </span>
          </div>
        </div>
        <Tabs<ResultTab>
          idPrefix="result"
          label="Result views"
          active={tab}
          onChange={setTab}
          tabs={[
            { key: 'table', label: 'Table' },
            { key: 'chart', label: 'Chart' },
            { key: 'plan', label: 'Plan' },
          ]}
        />
        <TabPanel idPrefix="result" tab={tab}>
          {tab === 'table' ? (
            result.rowCount === 0 ? (
              <Empty title="No rows">The query ran and matched nothing.</Empty>
            ) : (
              <VirtualGrid cells={cells} />
            )
          ) : tab === 'chart' ? (
            <ChartView cells={cells} />
          ) : result.plan ? (
            <pre class="plan" data-testid="plan" tabIndex={0} aria-label="Query plan">
              {result.plan}
            </pre>
          ) : (
            <Empty title="No plan for this statement" />
          )}
        </TabPanel>
      </>
    );
  }
  return (
    <section class="panel results" aria-labelledby="results-h">
      <header class="panel-head">
        <h2 id="results-h">Results</h2>
      </header>
      <div data-testid="results" aria-busy={q.status === 'running'}>
        {body}
      </div>
    </section>
  );
}
