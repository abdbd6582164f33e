import { Workbox } from 'workbox-window';

/** A deployed update is looked for this often while the app stays open (and on every load). */
export const UPDATE_CHECK_MS = 60 * 60_000;

export interface ServiceWorkerHooks {
  /** A new version is installed and waiting; `apply` activates it and reloads the page. */
  onUpdateReady(apply: () => void): void;
  /** The app is cached and will start offline (first install). */
  onOfflineReady?(): void;
  /** Registration failed (unsupported browser, insecure origin, a broken sw.js). */
  onError?(err: unknown): void;
  /** How the page reloads once the new worker controls it (location.reload in the app). */
  reload(): void;
}

/**
 * Registers the Workbox-generated service worker (vite-plugin-pwa, `registerType: 'prompt'`)
 * with workbox-window. The first install precaches the whole app and takes the page at once;
 * later versions wait until the user accepts the prompt, so a running query or upload is never
 * cut off by a surprise reload. Called once by src/main.ts in production builds.
 */
export function registerServiceWorker(url: string, hooks: ServiceWorkerHooks): Workbox | undefined {
  if (!('serviceWorker' in navigator)) return undefined;
  const wb = new Workbox(url);
  const prompt = () =>
    hooks.onUpdateReady(() => {
      wb.addEventListener('controlling', () => hooks.reload());
      wb.messageSkipWaiting();
    });
  wb.addEventListener('waiting', prompt);
  wb.addEventListener('installed', (e) => {
    if (!e.isUpdate) hooks.onOfflineReady?.();
  });
  wb.register().then(
    () =>
      setInterval(
        () => void wb.update().catch((err: unknown) => console.warn('peerlake: update check failed', err)),
        UPDATE_CHECK_MS,
      ),
    (err: unknown) =>
      (hooks.onError ?? ((e) => console.error('peerlake: service worker registration failed', e)))(err),
  );
  return wb;
}
