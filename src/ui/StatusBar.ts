import type { LakeNode } from '../lake/LakeNode.ts';
import { bytes, h } from './dom.ts';

/** How often storage usage is refreshed without an event. */
const REFRESH_MS = 10_000;

/** Node identity and storage: what this node stores, browser usage and quota, persistence. */
export function StatusBar(lake: LakeNode, origin: string): HTMLElement {
  const storage = h('span', { 'data-testid': 'storage' }, 'Storage: …');
  const meter = h('meter', { min: 0, max: 1, value: 0, 'aria-label': 'Storage used of quota' });
  const refresh = () => {
    lake.storage().then(
      (s) => {
        const quota = s.quota ? ` · browser ${bytes(s.usage)} of ${bytes(s.quota)}` : '';
        const persisted =
          s.persisted === undefined ? '' : s.persisted ? ' · persistent' : ' · best-effort (may be evicted)';
        storage.textContent = `Stored: ${bytes(s.bytes)} in ${s.chunks} chunks${quota}${persisted}`;
        if (s.quota && s.usage !== undefined) meter.value = s.usage / s.quota;
      },
      (e: Error) => (storage.textContent = `Storage unavailable: ${e.message}`),
    );
  };
  lake.on('dataset-added', refresh);
  lake.on('dataset-removed', refresh);
  setInterval(refresh, REFRESH_MS);
  refresh();
  return h(
    'header',
    { class: 'status' },
    h('h1', {}, 'peerlake'),
    h(
      'span',
      { class: 'node', title: `deviceId ${lake.deviceId}` },
      `node ${lake.nodeId.slice(0, 8)} (${origin})`,
    ),
    storage,
    meter,
  );
}
