import type { ByteSource } from './ByteSource.ts';
import type { ReaderOptions } from './ColumnBatch.ts';
import { IngestError } from './IngestError.ts';

/** Bytes handed to the decoder at once. Blob streams deliver ~64 KiB; parsers run faster on bigger pieces. */
const PIECE_BYTES = 1 << 20;

/**
 * Streams a blob as UTF-8 text in ~1 MiB pieces, never holding the whole file.
 * The decoder is fatal, so invalid UTF-8 is an error with its byte offset rather than silent
 * U+FFFD replacement; a leading BOM is dropped. Also enforces `maxRowBytes` on line length.
 */
export async function* decodeText(source: ByteSource, opts: ReaderOptions): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytesRead = 0;
  let sinceNewline = 0;
  let line = 1;
  for await (const piece of pieces(source.blob)) {
    if (opts.signal?.aborted) throw cancelled();
    let text: string;
    try {
      text = decoder.decode(piece, { stream: true });
    } catch {
      throw new IngestError(
        'INVALID_UTF8',
        `"${source.name}" is not valid UTF-8 (first bad byte at offset ${bytesRead + firstInvalid(piece)}). Save it as UTF-8 and try again. Nothing was stored.`,
      );
    }
    bytesRead += piece.byteLength;
    // Line lengths are checked in UTF-16 units, a close enough stand-in for bytes for a limit.
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) {
      if (sinceNewline + nl - start > opts.maxRowBytes) throw tooLong(source.name, line, opts.maxRowBytes);
      sinceNewline = 0;
      start = nl + 1;
      line++;
    }
    sinceNewline += text.length - start;
    if (sinceNewline > opts.maxRowBytes) throw tooLong(source.name, line, opts.maxRowBytes);
    opts.onProgress?.({ bytesRead });
    yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw new IngestError(
      'INVALID_UTF8',
      `"${source.name}" ends in the middle of a UTF-8 character. Nothing was stored.`,
    );
  }
  if (tail) yield tail;
}

function tooLong(file: string, line: number, max: number): IngestError {
  return new IngestError(
    'ROW_TOO_LARGE',
    `"${file}": line ${line} is longer than the ${(max / 1048576).toFixed(1)} MiB row limit (setting maxRowBytes). Is this really a line-based file? Nothing was stored.`,
  );
}

export function cancelled(): IngestError {
  return new IngestError('CANCELLED', 'Ingest cancelled. Nothing was stored.');
}

/** Re-cuts the blob's stream into ~PIECE_BYTES pieces. */
async function* pieces(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  let buf: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf.push(value);
      size += value.byteLength;
      if (size >= PIECE_BYTES) {
        yield join(buf, size);
        buf = [];
        size = 0;
      }
    }
    if (size > 0) yield join(buf, size);
  } finally {
    reader.releaseLock();
  }
}

function join(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (error path only). */
function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return i; // cut at the end: the next piece decides; report here
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return i;
}
