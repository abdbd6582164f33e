import type { IngestProgress } from '../ingest/ingestFile.ts';
import type { LakeNode } from '../lake/LakeNode.ts';
import { bytes, count, h } from './dom.ts';

/**
 * Drop zone and file picker (several files at once), with a progress row per file: bytes read,
 * rows and chunks stored, a cancel button, and the specific reason when a file fails.
 */
export function UploadPanel(lake: LakeNode): HTMLElement {
  const input = h('input', { type: 'file', multiple: true, id: 'file-input', class: 'visually-hidden' });
  const list = h('ul', { class: 'uploads', 'aria-live': 'polite' });
  const zone = h(
    'label',
    { class: 'dropzone', for: 'file-input', tabindex: 0, 'data-testid': 'dropzone' },
    h('strong', {}, 'Drop files here'),
    ' or press to choose · CSV, TSV, JSON, NDJSON, TXT, Parquet, Arrow',
  );
  zone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.click();
    }
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    for (const f of e.dataTransfer?.files ?? []) start(f);
  });
  input.addEventListener('change', () => {
    for (const f of input.files ?? []) start(f);
    input.value = '';
  });

  function start(file: File): void {
    const ctl = new AbortController();
    const bar = h('progress', { max: 1, value: 0, 'aria-label': `Progress of ${file.name}` });
    const status = h('span', { class: 'status' }, 'Starting…');
    const cancel = h('button', { type: 'button', class: 'small', onclick: () => ctl.abort() }, 'Cancel');
    const row = h('li', { class: 'upload' }, h('span', { class: 'file' }, file.name), bar, status, cancel);
    list.prepend(row);
    const onProgress = (p: IngestProgress) => {
      bar.value = p.totalBytes ? p.bytesRead / p.totalBytes : 0;
      const phase = p.phase === 'parse' ? 'Parsing' : p.phase === 'finalize' ? 'Finishing' : 'Stored';
      const skipped = p.skippedRows ? ` · ${count(p.skippedRows)} ragged rows skipped` : '';
      status.textContent = `${phase} · ${bytes(p.bytesRead)} of ${bytes(p.totalBytes)} · ${count(p.rows)} rows · ${count(p.chunks)} chunks${skipped}`;
    };
    lake.ingest(file, { signal: ctl.signal, onProgress }).then(
      (info) => {
        bar.value = 1;
        row.classList.add('done');
        status.textContent = `Stored as ${info.name}: ${count(info.rows)} rows in ${count(info.chunks)} chunks (${bytes(info.bytes)})`;
        cancel.remove();
      },
      (e: Error) => {
        row.classList.add('failed');
        bar.value = 0;
        status.textContent = e.message;
        status.setAttribute('role', 'alert');
        cancel.remove();
      },
    );
  }

  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'upload-h' },
    h('h2', { id: 'upload-h' }, 'Add data'),
    input,
    zone,
    list,
  );
}
