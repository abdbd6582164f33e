import { Empty } from '../components/Empty.tsx';
import { count, ms, shortId } from '../format.ts';
import type { UiStore } from '../state/UiStore.ts';
import { Topology } from './Topology.tsx';

/** Recently departed peers stay on the graph this long. */
const GHOST_MS = 10_000;

/** The live topology and, per peer, its state, RTT and what it holds. */
export function NetworkPane({ store }: { store: UiStore }) {
  const peers = store.peers.value;
  const room = store.room.value;
  const now = (store.tick.value, Date.now());
  const present = new Set(peers.map((p) => p.nodeId));
  const ghosts = [
    ...new Set(
      store.departed.value
        .filter((d) => now - d.at < GHOST_MS && !present.has(d.nodeId))
        .map((d) => d.nodeId),
    ),
  ];
  const lake = store.lake;
  return (
    <div class="view-grid network">
      <section class="panel" aria-labelledby="topology-h">
        <header class="panel-head">
          <h2 id="topology-h">Topology</h2>
          <span class="muted">
            {room ? `${room.members} member${room.members === 1 ? '' : 's'}` : 'no room'}
          </span>
        </header>
        <Topology selfId={lake.nodeId} deviceId={lake.deviceId} peers={peers} ghosts={ghosts} />
        <p class="legend muted">
          <span class="key alive" /> alive <span class="key connecting" /> connecting{' '}
          <span class="key suspect" /> missed a heartbeat · hover a link for its round trip
        </p>
      </section>
      <section class="panel" aria-labelledby="peers-h">
        <header class="panel-head">
          <h2 id="peers-h">Peers</h2>
          <span class="muted">this node {shortId(lake.nodeId)}</span>
        </header>
        {peers.length === 0 ? (
          <Empty title="No peers yet">
            Press <strong>Share room</strong> and open the link in another tab, browser or device.
          </Empty>
        ) : null}
        <ul class="peers" data-testid="peers">
          {peers.map((p) => (
            <li class={`peer ${p.state}`} data-peer={p.nodeId}>
              <span class={`dot ${p.state}`} aria-hidden="true" />
              <code title={p.nodeId}>{shortId(p.nodeId)}</code>
              <span>
                {' '}
                {p.state}
                {p.rttMs === undefined ? '' : ` · RTT ${ms(p.rttMs)}`}
              </span>
              <span class="muted">
                {' '}
                · {count(p.chunks)} chunks held
                {p.deviceId && p.deviceId === lake.deviceId ? ' · this browser' : ''}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
