import type { ReadonlySignal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';

/** "Works offline now" is news once; it goes by itself. The update prompt stays until answered. */
const OFFLINE_READY_MS = 8_000;

export type PwaStatus =
  { state: 'none' } | { state: 'offline-ready' } | { state: 'update-ready'; apply: () => void };

/** The PWA's messages: "ready to work offline" once, and the update prompt when a new version waits. */
export function UpdateToast({ status }: { status: ReadonlySignal<PwaStatus> }) {
  const s = status.value;
  const [dismissed, setDismissed] = useState<string | undefined>();
  useEffect(() => {
    if (s.state !== 'offline-ready') return;
    const t = setTimeout(() => setDismissed('offline-ready'), OFFLINE_READY_MS);
    return () => clearTimeout(t);
  }, [s.state]);
  if (s.state === 'none' || dismissed === s.state) return null;
  return (
    <div
      class="toast"
      role="status"
      data-testid={s.state === 'update-ready' ? 'update-prompt' : 'offline-ready'}
    >
      {s.state === 'update-ready' ? (
        <>
          <span>A new version of peerlake is ready.</span>
          <button type="button" class="primary" data-testid="update-reload" onClick={() => s.apply()}>
            Reload to update
          </button>
          <button type="button" onClick={() => setDismissed(s.state)}>
            Later
          </button>
        </>
      ) : (
        <>
          <span>peerlake is installed: it now starts offline.</span>
          <button type="button" onClick={() => setDismissed(s.state)}>
            OK
          </button>
        </>
      )}
    </div>
  );
}
