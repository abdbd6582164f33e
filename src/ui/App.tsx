import { render } from 'preact';
import type { ReadonlySignal } from '@preact/signals';
import { Tabs, TabPanel } from './components/Tabs.tsx';
import { DatasetsPane } from './datasets/DatasetsPane.tsx';
import { EventLogPane } from './events/EventLogPane.tsx';
import { HealthPane } from './health/HealthPane.tsx';
import { NetworkPane } from './network/NetworkPane.tsx';
import { ResultsPane } from './results/ResultsPane.tsx';
import { RoomBar } from './room/RoomBar.tsx';
import { SettingsPane } from './settings/SettingsPane.tsx';
import { SqlPane } from './sql/SqlPane.tsx';
import type { LakeApi } from './state/LakeApi.ts';
import { UiStore, type ViewKey } from './state/UiStore.ts';
import { UploadPane } from './upload/UploadPane.tsx';
import { UpdateToast, type PwaStatus } from './UpdateToast.tsx';

export interface AppOptions {
  /** Shown in Settings; differs per build (the PWA update test relies on it). */
  buildId: string;
  pwa: ReadonlySignal<PwaStatus>;
  /** Full navigation (New room, Apply settings); `location.assign` in the app. */
  navigate: (url: string) => void;
}

function App({ store, opts }: { store: UiStore; opts: AppOptions }) {
  const view = store.view.value;
  const alerts = store.alerts.value;
  const critical = alerts.some((a) => a.level === 'critical');
  const peers = store.peers.value.length;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>peerlake</span>
          {!store.online.value ? (
            <span class="pill warn" data-testid="offline">
              offline
            </span>
          ) : null}
        </div>
        <RoomBar
          store={store}
          onNewRoom={() => {
            // No fragment: the page starts over and creates a room (this node and its data stay).
            opts.navigate(`${location.pathname}${location.search}`);
          }}
        />
      </header>
      <nav class="nav" aria-label="Views">
        <Tabs<ViewKey>
          idPrefix="view"
          label="Dashboard views"
          active={view}
          onChange={(k) => (store.view.value = k)}
          tabs={[
            { key: 'workspace', label: 'Workspace' },
            { key: 'network', label: 'Network', badge: peers || undefined },
            { key: 'events', label: 'Events' },
            {
              key: 'health',
              label: 'Health',
              badge: alerts.length ? (
                <span class={critical ? 'critical' : 'warning'}>{alerts.length}</span>
              ) : undefined,
            },
            { key: 'settings', label: 'Settings' },
          ]}
        />
      </nav>
      <main id="main" tabIndex={-1}>
        {/* The workspace stays mounted while other views show, so the editor's text, the result
            and expanded cards survive a look at the network. */}
        <TabPanel idPrefix="view" tab="workspace" hidden={view !== 'workspace'}>
          <div class="workspace">
            <div class="side">
              <UploadPane store={store} />
              <DatasetsPane store={store} />
            </div>
            <div class="work">
              <SqlPane store={store} />
              <ResultsPane store={store} />
            </div>
          </div>
        </TabPanel>
        {view === 'workspace' ? null : (
          <TabPanel idPrefix="view" tab={view}>
            {view === 'network' ? (
              <NetworkPane store={store} />
            ) : view === 'events' ? (
              <EventLogPane store={store} />
            ) : view === 'health' ? (
              <HealthPane store={store} />
            ) : (
              <SettingsPane store={store} buildId={opts.buildId} navigate={opts.navigate} />
            )}
          </TabPanel>
        )}
      </main>
      <UpdateToast status={opts.pwa} />
    </>
  );
}

/** Mounts the dashboard. The UI only uses the public LakeNode API and its events. */
export function mountApp(root: HTMLElement, lake: LakeApi, opts: AppOptions): UiStore {
  const store = new UiStore(lake, {
    storage: safeLocalStorage(),
    online: () => navigator.onLine,
    onOnlineChange: (h) => {
      addEventListener('online', h);
      addEventListener('offline', h);
      return () => {
        removeEventListener('online', h);
        removeEventListener('offline', h);
      };
    },
  });
  store.start();
  root.replaceChildren();
  render(<App store={store} opts={opts} />, root);
  root.removeAttribute('aria-busy');
  return store;
}

/** Shown when the node cannot start (no IndexedDB, a bad ?config=, …). */
export function showFatal(root: HTMLElement, message: string): void {
  root.replaceChildren();
  render(
    <div class="fatal" role="alert">
      <h1>peerlake could not start</h1>
      <p>{message}</p>
      <p>
        <a href="/">Start again without settings</a>
      </p>
    </div>,
    root,
  );
  root.removeAttribute('aria-busy');
}

function safeLocalStorage(): Storage | undefined {
  try {
    return localStorage;
  } catch (err) {
    console.warn('peerlake: localStorage unavailable; query history stays in this tab', err);
    return undefined;
  }
}
