import { useState } from 'preact/hooks';
import { Empty } from '../components/Empty.tsx';
import { clock } from '../format.ts';
import { LOG_KINDS, type LogKind } from '../state/EventLogState.ts';
import type { UiStore } from '../state/UiStore.ts';

/** The live event log, filterable by kind and text. */
export function EventLogPane({ store }: { store: UiStore }) {
  const entries = store.log.entries.value;
  const [hidden, setHidden] = useState<Set<LogKind>>(new Set());
  const [text, setText] = useState('');
  const needle = text.trim().toLowerCase();
  const shown = entries.filter(
    (e) => !hidden.has(e.kind) && (!needle || e.text.toLowerCase().includes(needle)),
  );
  return (
    <section class="panel" aria-labelledby="events-h">
      <header class="panel-head">
        <h2 id="events-h">Events</h2>
        <span class="muted">
          {shown.length} of {entries.length}
        </span>
      </header>
      <div class="filters" role="group" aria-label="Filter events">
        <input
          type="search"
          placeholder="Filter…"
          aria-label="Filter events by text"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          data-testid="event-filter"
        />
        {LOG_KINDS.map((k) => (
          <label class="chip">
            <input
              type="checkbox"
              checked={!hidden.has(k)}
              onChange={() => {
                const next = new Set(hidden);
                if (next.has(k)) next.delete(k);
                else next.add(k);
                setHidden(next);
              }}
            />
            {k}
          </label>
        ))}
      </div>
      {shown.length === 0 ? (
        <Empty title={entries.length ? 'No events match the filter' : 'Nothing has happened yet'} />
      ) : (
        <ol class="events" data-testid="events">
          {shown.map((e) => (
            <li class={`event ${e.level}`} data-kind={e.kind}>
              <time>{clock(e.at)}</time>
              <span class={`kind k-${e.kind}`}>{e.kind}</span>
              <span class="text">
                {e.text}
                {e.repeat > 1 ? <span class="muted"> ×{e.repeat}</span> : null}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
