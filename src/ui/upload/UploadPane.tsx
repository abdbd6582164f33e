import { useEffect, useRef, useState } from 'preact/hooks';
import { Bar } from '../components/Meter.tsx';
import { bytes, count } from '../format.ts';
import type { UploadTask } from '../state/UploadQueue.ts';
import type { UiStore } from '../state/UiStore.ts';

const FORMATS = 'CSV, TSV, JSON, NDJSON, TXT, Parquet, Arrow';

/**
 * Drop zone and file picker (several files at once). Files dropped anywhere on the page land here
 * too, so a miss never makes the browser navigate away to the file.
 */
export function UploadPane({ store }: { store: UiStore }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const tasks = store.uploads.tasks.value;
  useEffect(() => {
    const onDragOver = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setOver(true);
    };
    const onDrop = (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      setOver(false);
      store.uploads.add(e.dataTransfer.files);
    };
    const onLeave = (e: DragEvent) => {
      if (e.relatedTarget === null) setOver(false);
    };
    addEventListener('dragover', onDragOver);
    addEventListener('drop', onDrop);
    addEventListener('dragleave', onLeave);
    return () => {
      removeEventListener('dragover', onDragOver);
      removeEventListener('drop', onDrop);
      removeEventListener('dragleave', onLeave);
    };
  }, [store]);
  const finished = tasks.filter((t) => t.phase === 'done' || t.phase === 'failed' || t.phase === 'cancelled');
  return (
    <section class="panel" aria-labelledby="upload-h">
      <header class="panel-head">
        <h2 id="upload-h">Add data</h2>
        {finished.length ? (
          <button type="button" class="link" onClick={() => store.uploads.clearFinished()}>
            Clear finished
          </button>
        ) : null}
      </header>
      <input
        ref={input}
        type="file"
        multiple
        id="file-input"
        class="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const el = e.currentTarget;
          if (el.files) store.uploads.add(el.files);
          el.value = '';
        }}
      />
      <button
        type="button"
        class={`dropzone ${over ? 'over' : ''}`}
        data-testid="dropzone"
        onClick={() => input.current?.click()}
      >
        <span class="dropzone-icon" aria-hidden="true">
          ⇪
        </span>
        <strong>Drop files here or choose</strong>
        <span class="muted">{FORMATS} · several at once</span>
      </button>
      {tasks.length ? (
        <ul class="uploads" aria-label="Uploads">
          {tasks.map((t) => (
            <UploadRow key={t.id} t={t} onCancel={() => store.uploads.cancel(t.id)} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

const PHASE_LABEL: Record<UploadTask['phase'], string> = {
  parse: 'Parsing',
  store: 'Storing',
  replicate: 'Replicating',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function UploadRow({ t, onCancel }: { t: UploadTask; onCancel: () => void }) {
  const cls =
    t.phase === 'done' ? 'done' : t.phase === 'failed' || t.phase === 'cancelled' ? 'failed' : 'running';
  const tone = t.phase === 'failed' ? 'bad' : t.phase === 'cancelled' ? 'warn' : undefined;
  const skipped = t.skippedRows ? ` · ${count(t.skippedRows)} ragged rows skipped` : '';
  let status: string;
  if (t.phase === 'failed' || t.phase === 'cancelled') status = t.error?.message ?? 'Failed';
  else if (t.phase === 'done' && t.dataset)
    status = `Stored as ${t.dataset.name}: ${count(t.dataset.rows)} rows in ${count(t.dataset.chunks)} chunks (${bytes(t.dataset.bytes)})${skipped}`;
  else if (t.phase === 'replicate' && t.holders)
    status = `Stored as ${t.dataset?.name}: ${count(t.rows)} rows. Replicating: ${t.holders.have} of ${t.holders.want} copies`;
  else
    status = `${PHASE_LABEL[t.phase]} · ${bytes(t.parse * t.size)} of ${bytes(t.size)} · ${count(t.rows)} rows · ${count(t.chunks)} chunks${skipped}`;
  return (
    <li class={`upload ${cls}`} data-upload={t.file}>
      <div class="upload-head">
        <span class="file" title={t.file}>
          {t.file}
        </span>
        <span class="muted">{bytes(t.size)}</span>
        {t.error?.code && t.phase === 'failed' ? <span class="badge bad-code">{t.error.code}</span> : null}
        {t.phase === 'parse' || t.phase === 'store' ? (
          <button type="button" class="small" onClick={onCancel} aria-label={`Cancel upload of ${t.file}`}>
            Cancel
          </button>
        ) : null}
      </div>
      <div class="stages" aria-label={`Progress of ${t.file}`}>
        <Stage label="Parse" value={t.parse} tone={tone} file={t.file} />
        <Stage label="Store" value={t.store} tone={tone} file={t.file} />
        <Stage label="Replicate" value={t.replicate} tone={tone} file={t.file} />
      </div>
      <p class="status" role={t.phase === 'failed' ? 'alert' : undefined}>
        {status}
      </p>
    </li>
  );
}

function Stage({
  label,
  value,
  tone,
  file,
}: {
  label: string;
  value: number;
  tone?: 'bad' | 'warn';
  file: string;
}) {
  return (
    <div class="stage">
      <span class="stage-label">{label}</span>
      <Bar value={value} label={`${label} ${file}`} tone={tone ?? (value >= 1 ? 'ok' : undefined)} />
    </div>
  );
}
