// App entry (DESIGN §2): the only module besides workers/* that touches browser globals.
import { configFromQuery, resolveConfig } from './lake/config.ts';
import { resolveIdentity } from './lake/identity.ts';
import { joinRoom } from './lake/joinRoom.ts';
import { LakeNode } from './lake/LakeNode.ts';
import { WorkerIngestRunner } from './lake/WorkerIngestRunner.ts';
import { WorkerQueryRunner } from './lake/WorkerQueryRunner.ts';
import { parseRoomFragment, roomFragment } from './lake/room.ts';
import { IdbChunkStore } from './storage/IdbChunkStore.ts';
import { signal } from '@preact/signals';
import { registerServiceWorker } from './pwa/registerServiceWorker.ts';
import { mountApp, showFatal } from './ui/App.tsx';
import type { PwaStatus } from './ui/UpdateToast.tsx';

/** Read by the E2E harness and bench/ui.bench.ts: navigation start → dashboard interactive. */
export const INTERACTIVE_MARK = 'peerlake:interactive';

declare global {
  interface Window {
    lake: LakeNode;
  }
}

const pwa = signal<PwaStatus>({ state: 'none' });

async function boot(root: HTMLElement): Promise<void> {
  const config = resolveConfig(configFromQuery(location.search));
  const identity = await resolveIdentity();
  const store = await IdbChunkStore.open(identity.dbName);
  const ingestWorker = new Worker(new URL('../workers/ingest.worker.ts', import.meta.url), {
    type: 'module',
    name: 'ingest',
  });
  const queryWorker = new Worker(new URL('../workers/query.worker.ts', import.meta.url), {
    type: 'module',
    name: 'query',
  });
  // Asked from the page, not a worker (DESIGN §3); the browser may grant it silently or not at all.
  const persisted = navigator.storage?.persist
    ? navigator.storage.persist().catch(() => false)
    : Promise.resolve(false);
  // Startup step 4 (DESIGN §3): join the link's room, or create one and put it in the URL.
  const room = await joinRoom({
    origin: location.origin,
    nodeId: identity.nodeId,
    deviceId: identity.deviceId,
    fragment: parseRoomFragment(location.hash),
    config,
    capabilities: ['sql', 'store'],
  });
  const fragment = roomFragment(room.roomId, room.secret);
  if (location.hash !== fragment) {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${fragment}`);
  }
  // Another room's link pasted into this tab changes only the fragment: start over in that room.
  addEventListener('hashchange', () => {
    if (location.hash !== fragment) location.reload();
  });
  // Built directly, not through createLakeNode: its in-process defaults would pull the whole
  // query engine and parsers into the page bundle; here they live in the workers.
  const lake = new LakeNode({
    nodeId: identity.nodeId,
    deviceId: identity.deviceId,
    config,
    store,
    ingest: new WorkerIngestRunner(ingestWorker, identity.dbName),
    query: new WorkerQueryRunner(queryWorker, identity.dbName, config.cacheSize),
    storageEstimate: async () => {
      const est = navigator.storage?.estimate ? await navigator.storage.estimate() : {};
      return { usage: est.usage, quota: est.quota, persisted: await persisted };
    },
    mesh: room.mesh,
  });
  window.lake = lake;
  addEventListener('pagehide', () => {
    void lake.close().finally(() => identity.release());
  });
  await lake.ready;
  mountApp(root, lake, { buildId: __BUILD_ID__, pwa, navigate: (url) => location.assign(url) });
  performance.mark(INTERACTIVE_MARK);
}

const root = document.getElementById('app')!;
boot(root)
  .catch((e: unknown) => {
    console.error(e);
    showFatal(root, e instanceof Error ? e.message : String(e));
  })
  .finally(startServiceWorker);

/**
 * After boot, so installing the precache (the whole app) never competes with the first start;
 * also after a failed boot, so a broken version can still be replaced by an update.
 */
function startServiceWorker(): void {
  if (!import.meta.env.PROD) return;
  registerServiceWorker('/sw.js', {
    onUpdateReady: (apply) => (pwa.value = { state: 'update-ready', apply }),
    onOfflineReady: () => (pwa.value = { state: 'offline-ready' }),
    reload: () => location.reload(),
  });
}
