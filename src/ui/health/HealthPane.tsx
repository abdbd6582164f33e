import { Empty } from '../components/Empty.tsx';
import { Bar } from '../components/Meter.tsx';
import { bytes, count, duration, ms, percent, shortId } from '../format.ts';
import type { UiStore } from '../state/UiStore.ts';

/** Storage, cache, queues and heartbeats, with alerts on top. */
export function HealthPane({ store }: { store: UiStore }) {
  const alerts = store.alerts.value;
  const s = store.storage.value;
  const cache = store.cache.value;
  const peers = store.peers.value;
  const cfg = store.lake.config;
  const uploads = store.uploads.tasks.value;
  const ingesting = uploads.filter((t) => t.phase === 'parse' || t.phase === 'store').length;
  const replicating = store.datasets.value.filter(
    (d) => d.status === 'pending' || d.replication.state !== 'healthy',
  ).length;
  const quotaUsed = s?.quota && s.usage !== undefined ? s.usage / s.quota : undefined;
  const hits = cache ? cache.hits + cache.misses : 0;
  return (
    <div class="view-grid health">
      <section class="panel wide" aria-labelledby="alerts-h">
        <header class="panel-head">
          <h2 id="alerts-h">Alerts</h2>
        </header>
        {alerts.length === 0 ? (
          <p class="all-clear" data-testid="alerts">
            ✓ All clear: every dataset has its copies, storage has room, and every peer answers.
          </p>
        ) : (
          <ul class="alerts" data-testid="alerts">
            {alerts.map((a) => (
              <li
                class={`alert ${a.level}`}
                data-alert={a.id}
                role={a.level === 'critical' ? 'alert' : undefined}
              >
                <strong>{a.title}</strong>
                <span>{a.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="panel" aria-labelledby="storage-h">
        <header class="panel-head">
          <h2 id="storage-h">Storage</h2>
        </header>
        {store.storageError.value ? (
          <Empty kind="error" title="Storage unavailable">
            {store.storageError.value}
          </Empty>
        ) : !s ? (
          <Empty kind="loading" title="Measuring…" />
        ) : (
          <>
            <Bar
              value={quotaUsed ?? 0}
              label="Browser storage used of quota"
              tone={quotaUsed !== undefined && quotaUsed >= 0.8 ? 'bad' : undefined}
            />
            <dl class="facts" data-testid="storage">
              <dt>This node</dt>
              <dd>
                {bytes(s.bytes)} in {count(s.chunks)} chunks · {count(s.datasets)} datasets
              </dd>
              <dt>Browser</dt>
              <dd>
                {s.quota
                  ? `${bytes(s.usage)} of ${bytes(s.quota)} (${percent(quotaUsed ?? 0)})`
                  : 'quota unknown'}
              </dd>
              <dt>Persistence</dt>
              <dd>
                {s.persisted === undefined
                  ? 'unknown'
                  : s.persisted
                    ? 'persistent'
                    : 'best-effort (the browser may evict it)'}
              </dd>
            </dl>
          </>
        )}
      </section>
      <section class="panel" aria-labelledby="cache-h">
        <header class="panel-head">
          <h2 id="cache-h">Cache and queues</h2>
        </header>
        <Bar value={cache ? cache.bytes / cfg.cacheSize : 0} label="Decoded-chunk cache used" />
        <dl class="facts" data-testid="cache">
          <dt>Chunk cache</dt>
          <dd>
            {cache
              ? `${bytes(cache.bytes)} of ${bytes(cfg.cacheSize)} · ${count(cache.entries)} chunks`
              : '…'}
          </dd>
          <dt>Hit rate</dt>
          <dd>{cache && hits ? `${percent(cache.hits / hits)} of ${count(hits)} reads` : 'no reads yet'}</dd>
          <dt>Ingest queue</dt>
          <dd>{ingesting ? `${ingesting} file(s) being read` : 'idle'}</dd>
          <dt>Replication queue</dt>
          <dd>{replicating ? `${replicating} dataset(s) below target` : 'nothing to copy'}</dd>
          <dt>Queries</dt>
          <dd>{store.query.state.value.status === 'running' ? '1 running' : 'idle'}</dd>
        </dl>
      </section>
      <section class="panel" aria-labelledby="hb-h">
        <header class="panel-head">
          <h2 id="hb-h">Heartbeats</h2>
          <span class="muted">every {duration(cfg.heartbeatInterval)}</span>
        </header>
        {peers.length === 0 ? (
          <Empty title="No peers to hear from" />
        ) : (
          <table class="heartbeats">
            <thead>
              <tr>
                <th scope="col">Peer</th>
                <th scope="col">State</th>
                <th scope="col">RTT</th>
              </tr>
            </thead>
            <tbody>
              {peers.map((p) => (
                <tr>
                  <td>
                    <code>{shortId(p.nodeId)}</code>
                  </td>
                  <td>
                    <span class={`dot ${p.state}`} aria-hidden="true" /> {p.state}
                  </td>
                  <td class="num">{p.rttMs === undefined ? '–' : ms(p.rttMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="hint">A peer is suspect after one missed heartbeat and dropped after three.</p>
      </section>
    </div>
  );
}
