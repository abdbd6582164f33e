import type { ChunkStore, StoredChunk } from '../storage/ChunkStore.ts';
import { rootOf } from '../storage/hash.ts';
import type { ChunkRef, Manifest, SourceFormat } from '../storage/manifest.ts';
import type { DatasetId, NodeId } from '../types.ts';
import { readRange, type ByteSource } from './ByteSource.ts';
import { encodeChunk, recastChunk } from './chunkCodec.ts';
import { cancelled } from './decodeText.ts';
import type { Inferred } from './infer.ts';
import { IngestError, isIngestError } from './IngestError.ts';
import { loadReader } from './readers/index.ts';
import { SNIFF_BYTES, sniffFormat } from './sniff.ts';
import { RestartWithTypes, TableBuilder, type BuiltChunk } from './TableBuilder.ts';
import type { ColumnType } from '../storage/manifest.ts';

export interface IngestSettings {
  chunkBytes: number;
  maxRowBytes: number;
  maxFileBytes: number;
  raggedRows: 'reject' | 'skip';
}

export interface IngestProgress {
  phase: 'parse' | 'finalize' | 'done';
  bytesRead: number;
  totalBytes: number;
  rows: number;
  chunks: number;
  /** Ragged rows skipped so far (raggedRows: 'skip'). */
  skippedRows: number;
}

export interface IngestRequest extends IngestSettings {
  datasetId: DatasetId;
  /** The dataset name, already made unique by the caller. */
  name: string;
  format?: SourceFormat;
  nodeId: NodeId;
  signal?: AbortSignal;
  onProgress?: (p: IngestProgress) => void;
}

/** Rows per reader batch: large enough to amortise per-batch work, small enough to cut ~1 MiB chunks. */
const BATCH_ROWS = 65_536;
/** Chunks per IndexedDB transaction: batching is ~2× faster than a transaction per chunk. */
const CHUNKS_PER_WRITE = 8;
/** Progress events at most this often. */
const PROGRESS_MS = 100;

/**
 * Reads one file into content-addressed Arrow chunks and commits its manifest.
 *
 * Chunks are written as they are produced, under a pending ingest id, while the next ones are
 * parsed (one write in flight). On any failure or cancellation the pending chunks are deleted,
 * so nothing partial is left; the manifest is stored only when every chunk is.
 */
export async function ingestFile(
  store: ChunkStore,
  source: ByteSource,
  req: IngestRequest,
): Promise<Manifest> {
  const size = source.blob.size;
  if (size === 0) throw new IngestError('EMPTY_FILE', `"${source.name}" is empty. Nothing was stored.`);
  if (size > req.maxFileBytes) {
    throw new IngestError(
      'FILE_TOO_LARGE',
      `"${source.name}" is ${mib(size)}; the limit is ${mib(req.maxFileBytes)} (setting maxFileBytes). Nothing was stored.`,
    );
  }
  const format = req.format ?? sniffFormat(await readRange(source.blob, 0, SNIFF_BYTES), source.name, size);
  let types: Map<string, ColumnType> | undefined;
  // Each restart fixes at least one more column as VARCHAR, so this ends.
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptIngest(store, source, req, format, types, attempt);
    } catch (e) {
      if (!(e instanceof RestartWithTypes) || attempt > 64) throw e;
      types = e.types;
    }
  }
}

async function attemptIngest(
  store: ChunkStore,
  source: ByteSource,
  req: IngestRequest,
  format: SourceFormat,
  types: Map<string, ColumnType> | undefined,
  attempt: number,
): Promise<Manifest> {
  const ingestId = `${req.datasetId}/${attempt}`;
  const finalId = `${ingestId}/final`;
  const builder = new TableBuilder({ chunkBytes: req.chunkBytes, file: source.name, types });
  const refs: (ChunkRef & { types: Inferred[] })[] = [];
  const progress = new ProgressReporter(req, source.blob.size);
  const writer = new ChunkWriter(store, ingestId);
  try {
    const add = async (built: BuiltChunk[]) => {
      for (const b of built) {
        const { id, bytes } = await encodeChunk(b.batch);
        refs.push({ id, rows: b.rows, bytes: bytes.byteLength, stats: b.stats, types: b.types });
        progress.rows += b.rows;
        await writer.add({ id, bytes });
      }
      progress.chunks = refs.length;
      progress.emit('parse');
    };
    const read = await loadReader(format);
    const batches = read(source, {
      batchRows: BATCH_ROWS,
      // A JSON array may legitimately be one long line (minified); its elements are bounded instead.
      maxRowBytes: format === 'json' ? Infinity : req.maxRowBytes,
      raggedRows: req.raggedRows,
      signal: req.signal,
      onProgress: (p) => {
        progress.bytesRead = p.bytesRead;
        progress.emit('parse');
      },
      onSkipped: () => progress.skippedRows++,
    });
    for await (const batch of batches) {
      if (req.signal?.aborted) throw cancelled();
      await add(builder.push(batch));
    }
    await add(builder.finish());
    await writer.flush();
    if (progress.rows === 0) {
      throw new IngestError('EMPTY_FILE', `"${source.name}" has no data rows. Nothing was stored.`);
    }
    progress.emit('finalize', true);
    const schema = builder.schema();
    const finalWriter = new ChunkWriter(store, finalId);
    const chunks: ChunkRef[] = [];
    for (const ref of refs) {
      if (req.signal?.aborted) throw cancelled();
      const { types: encodedTypes, ...plain } = ref;
      if (encodedTypes.length === schema.length && encodedTypes.every((t, i) => t === schema[i]!.type)) {
        chunks.push(plain);
        continue;
      }
      // Written before a column reached its final type: recast losslessly.
      const old = await store.getChunk(ref.id);
      if (!old) throw new Error(`chunk ${ref.id} vanished during ingest`);
      const { batch, stats } = recastChunk(old, encodedTypes, schema, ref.stats);
      const { id, bytes } = await encodeChunk(batch);
      chunks.push({ id, rows: ref.rows, bytes: bytes.byteLength, stats });
      await finalWriter.add({ id, bytes });
    }
    await finalWriter.flush();
    const manifest: Manifest = {
      version: 1,
      id: req.datasetId,
      name: req.name,
      format,
      source: { name: source.name, bytes: source.blob.size },
      schema,
      chunks,
      rows: chunks.reduce((s, c) => s + c.rows, 0),
      bytes: chunks.reduce((s, c) => s + c.bytes, 0),
      root: await rootOf(chunks.map((c) => c.id)),
      createdBy: req.nodeId,
      createdAt: Date.now(),
    };
    await store.commit(finalId, manifest);
    // Drops the pre-recast originals; chunks the manifest references are kept.
    await store.abort(ingestId);
    progress.emit('done', true);
    return manifest;
  } catch (e) {
    await writer.settle();
    await store.abort(finalId);
    await store.abort(ingestId);
    throw translate(e, req.name, source.name);
  }
}

/** Groups chunks into transactions and keeps one write in flight while parsing continues. */
class ChunkWriter {
  #batch: StoredChunk[] = [];
  #inflight: Promise<void> | undefined;

  constructor(
    readonly store: ChunkStore,
    readonly ingestId: string,
  ) {}

  async add(chunk: StoredChunk): Promise<void> {
    this.#batch.push(chunk);
    if (this.#batch.length >= CHUNKS_PER_WRITE) await this.#send();
  }

  async flush(): Promise<void> {
    await this.#send();
    await this.#inflight;
    this.#inflight = undefined;
  }

  /** Waits for the write in flight, ignoring its error (the caller is already failing). */
  async settle(): Promise<void> {
    await this.#inflight?.catch(() => undefined);
  }

  async #send(): Promise<void> {
    await this.#inflight;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    const write = this.store.writeChunks(this.ingestId, batch);
    // Awaited by the next send or flush; until then a rejection is held, not reported as unhandled.
    write.catch(() => undefined);
    this.#inflight = write;
  }
}

class ProgressReporter {
  bytesRead = 0;
  rows = 0;
  chunks = 0;
  skippedRows = 0;
  #last = 0;

  constructor(
    readonly req: IngestRequest,
    readonly totalBytes: number,
  ) {}

  emit(phase: IngestProgress['phase'], force = false): void {
    const now = Date.now();
    if (!force && now - this.#last < PROGRESS_MS) return;
    this.#last = now;
    this.req.onProgress?.({
      phase,
      bytesRead: phase === 'parse' ? this.bytesRead : this.totalBytes,
      totalBytes: this.totalBytes,
      rows: this.rows,
      chunks: this.chunks,
      skippedRows: this.skippedRows,
    });
  }
}

function translate(e: unknown, dataset: string, file: string): Error {
  if (isIngestError(e) || e instanceof RestartWithTypes) return e;
  if (e instanceof Error && e.name === 'QuotaExceededError') {
    return new IngestError(
      'QUOTA_EXCEEDED',
      `Not enough storage for dataset "${dataset}" (from "${file}"): the browser's storage quota is exceeded. Drop datasets or free disk space and try again. Nothing was stored.`,
    );
  }
  if (e instanceof Error && e.name === 'AbortError') return cancelled();
  const msg = e instanceof Error ? e.message : String(e);
  return new IngestError('CORRUPT', `Could not read "${file}": ${msg}. Nothing was stored.`);
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}
