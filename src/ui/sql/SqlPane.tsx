import { useEffect, useRef, useState } from 'preact/hooks';
import { Bar } from '../components/Meter.tsx';
import { bytes, count } from '../format.ts';
import type { UiStore } from '../state/UiStore.ts';
import { HistoryMenu } from './HistoryMenu.tsx';
import { SqlEditor, type EditorHandle } from './SqlEditor.tsx';

const FIRST_QUERY = 'SHOW TABLES';

/** The editor with Run / Stop, history, and the progress of the running query. */
export function SqlPane({ store }: { store: UiStore }) {
  const editor = useRef<EditorHandle | undefined>(undefined);
  const q = store.query.state.value;
  const [mac] = useState(() => /Mac|iPhone|iPad/.test(navigator.platform));
  const run = () => {
    const text = editor.current?.getText().trim() || FIRST_QUERY;
    editor.current?.markError();
    void store.query.run(text);
  };
  // Mark errors in the text when a query fails.
  useEffect(() => {
    if (q.status === 'error') editor.current?.markError(q.error);
  }, [q]);
  // Queries sent from other panes (a dataset's Query button, the history).
  const req = store.editorRequest.value;
  useEffect(() => {
    if (!req || !editor.current) return;
    editor.current.setText(req.sql);
    editor.current.focus();
    if (req.run) run();
  }, [req?.n]);

  const running = q.status === 'running';
  const p = running ? q.progress : undefined;
  const fraction = p && p.chunksTotal ? p.chunksDone / p.chunksTotal : undefined;
  return (
    <section class="panel sql" aria-labelledby="sql-h">
      <header class="panel-head">
        <h2 id="sql-h">SQL</h2>
        <HistoryMenu store={store} onPick={(sql) => store.openQuery(sql, false)} />
      </header>
      <SqlEditor
        datasets={store.datasets.value}
        initial=""
        onRun={run}
        onReady={(h) => {
          editor.current = h;
          if (req) {
            h.setText(req.sql);
            if (req.run) run();
          }
        }}
      />
      <div class="sql-bar">
        <button type="button" class="primary" data-testid="run" onClick={run} disabled={running}>
          Run <kbd>{mac ? '⌘' : 'Ctrl'}+Enter</kbd>
        </button>
        <button type="button" data-testid="stop" onClick={() => store.query.stop()} disabled={!running}>
          Stop
        </button>
        {running ? (
          <div class="query-progress" data-testid="query-progress">
            <Bar value={fraction} label="Query progress" />
            <span class="muted">
              {p
                ? [
                    `${count(p.chunksDone)}/${count(p.chunksTotal)} chunks`,
                    `${count(p.rowsScanned)} rows scanned`,
                    p.fragmentsTotal !== undefined
                      ? `${p.fragmentsDone ?? 0}/${p.fragmentsTotal} fragments`
                      : '',
                    p.bytesReceived !== undefined ? `${bytes(p.bytesReceived)} received` : '',
                  ]
                    .filter(Boolean)
                    .join(' · ')
                : 'Planning…'}
            </span>
          </div>
        ) : (
          <span class="muted hint">
            SELECT · WHERE · GROUP BY · HAVING · ORDER BY · LIMIT · JOIN · SHOW TABLES · DESCRIBE t · EXPLAIN
          </span>
        )}
      </div>
    </section>
  );
}
