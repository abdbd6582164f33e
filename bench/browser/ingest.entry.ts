// Injected into the app page by bench/ingest.bench.ts. Measures the parts of ingest separately,
// in the same browser and run as the end-to-end path, so the numbers can be compared directly.
import { readRange } from '../../src/ingest/ByteSource.ts';
import { loadReader } from '../../src/ingest/readers/index.ts';
import { SNIFF_BYTES, sniffFormat } from '../../src/ingest/sniff.ts';
import { TableBuilder } from '../../src/ingest/TableBuilder.ts';
import { RecordBatchStreamWriter } from 'apache-arrow';
import { openDB } from 'idb';

const CHUNK = 1 << 20;

interface Timing {
  ms: number;
  rows: number;
  chunks: number;
  bytes: number;
}

/** Parse + build Arrow chunks + IPC-encode, no hashing and no storage. */
async function parseOnly(file: File): Promise<Timing & { encoded: Uint8Array[] }> {
  const t0 = performance.now();
  const format = sniffFormat(await readRange(file, 0, SNIFF_BYTES), file.name, file.size);
  const read = await loadReader(format);
  const builder = new TableBuilder({ chunkBytes: CHUNK, file: file.name });
  const encoded: Uint8Array[] = [];
  let rows = 0;
  const keep = (built: ReturnType<TableBuilder['push']>) => {
    for (const b of built) {
      rows += b.rows;
      // The same IPC writer as ingest's encodeChunk, without the hash (measured separately).
      encoded.push(RecordBatchStreamWriter.writeAll([b.batch]).toUint8Array(true));
    }
  };
  for await (const batch of read(
    { name: file.name, blob: file },
    { batchRows: 65536, maxRowBytes: 1 << 22, raggedRows: 'reject' },
  )) {
    keep(builder.push(batch));
  }
  keep(builder.finish());
  return {
    ms: performance.now() - t0,
    rows,
    chunks: encoded.length,
    bytes: encoded.reduce((s, e) => s + e.byteLength, 0),
    encoded,
  };
}

/** SHA-256 of every chunk, as ingest does (WebCrypto). */
async function hashOnly(chunks: Uint8Array[]): Promise<number> {
  const t0 = performance.now();
  for (const c of chunks) await crypto.subtle.digest('SHA-256', c as Uint8Array<ArrayBuffer>);
  return performance.now() - t0;
}

/** The limit: the same chunk bytes written to IndexedDB, 8 per transaction, nothing else. */
async function rawIdb(chunks: Uint8Array[]): Promise<number> {
  const name = `bench-raw-${Math.random()}`;
  const db = await openDB(name, 1, { upgrade: (d) => d.createObjectStore('c') });
  const t0 = performance.now();
  for (let i = 0; i < chunks.length; i += 8) {
    const tx = db.transaction('c', 'readwrite');
    await Promise.all([...chunks.slice(i, i + 8).map((c, k) => tx.store.put(c, i + k)), tx.done]);
  }
  const ms = performance.now() - t0;
  db.close();
  await new Promise((r) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = req.onerror = r;
  });
  return ms;
}

declare global {
  interface Window {
    bench: {
      parts(
        input: HTMLInputElement,
        index: number,
      ): Promise<{ parse: Timing; hashMs: number; rawIdbMs: number }>;
      endToEnd(input: HTMLInputElement, index: number): Promise<Timing>;
    };
  }
}

window.bench = {
  async parts(input, index) {
    const file = input.files![index]!;
    const { encoded, ...parse } = await parseOnly(file);
    const hashMs = await hashOnly(encoded);
    const rawIdbMs = await rawIdb(encoded);
    return { parse, hashMs, rawIdbMs };
  },
  async endToEnd(input, index) {
    const file = input.files![index]!;
    const t0 = performance.now();
    const info = await window.lake.ingest(file);
    const ms = performance.now() - t0;
    await window.lake.drop(info.name);
    return { ms, rows: info.rows, chunks: info.chunks, bytes: info.bytes };
  },
};
