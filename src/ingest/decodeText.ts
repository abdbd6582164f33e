import type { ByteSource } from './ByteSource.ts';
import type { ReaderOptions } from './ColumnBatch.ts';
import { IngestError } from './IngestError.ts';

/** Bytes handed to the decoder at once. Blob streams deliver ~64 KiB; parsers run faster on bigger pieces. */
const PIECE_BYTES = 1 << 20;

/** Bytes handed to the decoder at once by {@link decodePieces}: strings up to this size are cheap to build in V8, larger ones are not. */
const PART_BYTES = 1 << 16;

/**
 * Streams a blob as UTF-8 text in ~1 MiB pieces, never holding the whole file.
 * The decoder is fatal, so invalid UTF-8 is an error with its byte offset rather than silent
 * U+FFFD replacement; a leading BOM is dropped. Also enforces `maxRowBytes` on line length.
 */
export async function* decodeText(source: ByteSource, opts: ReaderOptions): AsyncGenerator<string> {
  for await (const piece of decodeParts(source, opts, Infinity)) yield piece.text;
}

/** Part of a decoded piece, and the bytes it came from. */
export interface DecodedPiece {
  text: string;
  /**
   * The raw bytes of this part, without a leading BOM. A character split between two parts is
   * in the text of the second but its bytes are spread over both: the concatenation of all
   * `bytes` is the file, of all `text` its decoding.
   */
  bytes: Uint8Array;
  /** The last part of a ~1 MiB piece. */
  pieceEnd: boolean;
}

/**
 * {@link decodeText} in parts of 64 KiB, with their bytes (for readers that scan bytes). Errors
 * are the same, and raised at the same point: a piece is decoded and checked before any of its
 * parts is handed out.
 */
export function decodePieces(source: ByteSource, opts: ReaderOptions): AsyncGenerator<DecodedPiece> {
  return decodeParts(source, opts, PART_BYTES);
}

async function* decodeParts(
  source: ByteSource,
  opts: ReaderOptions,
  partBytes: number,
): AsyncGenerator<DecodedPiece> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytesRead = 0;
  const lines = new LineLimit(opts.maxRowBytes);
  // One piece is read ahead, so the file is read while the last piece is being parsed.
  const reading = pieces(source.blob);
  let next = reading.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) break;
      next = reading.next();
      const piece = r.value;
      if (opts.signal?.aborted) throw cancelled();
      const parts: DecodedPiece[] = [];
      const raw: Uint8Array[] = [];
      for (let o = 0; o < piece.length; o += partBytes) {
        let bytes =
          partBytes >= piece.length ? piece : piece.subarray(o, Math.min(piece.length, o + partBytes));
        raw.push(bytes);
        let text: string;
        try {
          text = decoder.decode(bytes, { stream: true });
        } catch {
          throw new IngestError(
            'INVALID_UTF8',
            `"${source.name}" is not valid UTF-8 (first bad byte at offset ${bytesRead + firstInvalid(piece)}). Save it as UTF-8 and try again. Nothing was stored.`,
          );
        }
        if (bytesRead === 0 && o === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
          bytes = bytes.subarray(3);
        parts.push({ text, bytes, pieceEnd: o + partBytes >= piece.length });
      }
      let at = bytesRead;
      for (let k = 0; k < parts.length; k++) {
        const lineStart = lines.check(parts[k]!.text, raw[k]!, at);
        if (lineStart >= 0) {
          const line = await lineAt(source.blob, lineStart);
          throw tooLong(source.name, line, opts.maxRowBytes);
        }
        at += raw[k]!.length;
      }
      bytesRead += piece.byteLength;
      opts.onProgress?.({ bytesRead });
      yield* parts;
    }
  } finally {
    // Leaving early (an error, or the consumer stopped): let the read in flight end, then close.
    void next.then(() => reading.return(undefined)).catch(() => undefined);
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
  if (tail) yield { text: tail, bytes: new Uint8Array(0), pieceEnd: true };
}

/**
 * Enforces the line length limit. Lengths are checked in UTF-16 units, a close enough stand-in
 * for bytes for a limit. Lines are not counted as they go by: the line number of a line that
 * is too long is worked out from the file when it happens ({@link lineAt}).
 */
class LineLimit {
  /** Length of the line still open at the end of the text seen so far. */
  #open = 0;
  /** File offset of the last newline byte seen (-1: none). */
  #lastNewline = -1;

  constructor(readonly max: number) {}

  /**
   * Checks the next text, decoded from `raw` (at file offset `at`; a character split between
   * two parts is in the second text). Returns the file offset of the first too long line, or -1.
   */
  check(text: string, raw: Uint8Array, at: number): number {
    const max = this.max;
    if (text.length <= max) {
      // A line wholly inside the text is shorter than the text: only the line running into it
      // and the one it leaves open need a look.
      const first = text.indexOf('\n');
      if (first === -1) {
        this.#open += text.length;
        return this.#open > max ? this.#lastNewline + 1 : -1;
      }
      if (this.#open + first > max) return this.#lastNewline + 1;
      this.#open = text.length - text.lastIndexOf('\n') - 1;
      this.#lastNewline = at + raw.lastIndexOf(10);
      return this.#open > max ? this.#lastNewline + 1 : -1;
    }
    // A limit below the part size: every line. (The n-th newline char is the n-th newline byte.)
    let start = 0;
    let b = -1;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) {
      if (this.#open + nl - start > max) return this.#lastNewline + 1;
      b = raw.indexOf(10, b + 1);
      this.#lastNewline = at + b;
      this.#open = 0;
      start = nl + 1;
    }
    this.#open += text.length - start;
    return this.#open > max ? this.#lastNewline + 1 : -1;
  }
}

/** The 1-based number of the line that starts at file offset `offset` (error path only). */
async function lineAt(blob: Blob, offset: number): Promise<number> {
  let line = 1;
  for (let o = 0; o < offset; o += PIECE_BYTES) {
    const bytes = new Uint8Array(await blob.slice(o, Math.min(offset, o + PIECE_BYTES)).arrayBuffer());
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) line++;
  }
  return line;
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

/**
 * The blob in PIECE_BYTES pieces, each read with one `arrayBuffer()` call: unlike a stream's
 * small chunks, that read completes in the background while the previous piece is parsed.
 */
async function* pieces(blob: Blob): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < blob.size; o += PIECE_BYTES) {
    yield new Uint8Array(await blob.slice(o, o + PIECE_BYTES).arrayBuffer());
  }
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
