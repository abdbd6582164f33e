import { useRef } from 'preact/hooks';
import { clock } from '../format.ts';
import type { UiStore } from '../state/UiStore.ts';

/** The persisted query history as a disclosure menu; picking one puts it in the editor. */
export function HistoryMenu({ store, onPick }: { store: UiStore; onPick: (sql: string) => void }) {
  const entries = store.history.entries.value;
  const details = useRef<HTMLDetailsElement>(null);
  return (
    <details class="menu" ref={details} data-testid="history">
      <summary>History{entries.length ? ` (${entries.length})` : ''}</summary>
      <div class="menu-body">
        {entries.length === 0 ? (
          <p class="muted">Queries you run appear here, kept in this browser.</p>
        ) : (
          <>
            <ul class="history">
              {entries.slice(0, 30).map((e) => (
                <li>
                  <button
                    type="button"
                    class={`history-item ${e.ok ? '' : 'failed'}`}
                    title={e.sql}
                    onClick={() => {
                      onPick(e.sql);
                      details.current?.removeAttribute('open');
                    }}
                  >
                    <code>{e.sql.replace(/\s+/g, ' ')}</code>
                    <span class="muted">
                      {clock(e.at)}
                      {e.ok ? '' : ' · failed'}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
            <button type="button" class="link" onClick={() => store.history.clear()}>
              Clear history
            </button>
          </>
        )}
      </div>
    </details>
  );
}
