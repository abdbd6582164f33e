import { Message } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { readRange } from '../ByteSource.ts';
import { IngestError } from '../IngestError.ts';

/**
 * The bytes `readArrow` feeds to apache-arrow's stream reader, and the judgement of how they ended.
 * apache-arrow (21) ends a stream quietly when the input stops at a message boundary or inside the
 * 8-byte message prefix, so a cut-off file would import silently short; these classes know better.
 */
export interface ArrowInput {
  /** An IPC stream, read from the blob a slice or chunk at a time. */
  bytes(signal: AbortSignal | undefined): AsyncIterable<Uint8Array>;
  /** Input bytes consumed so far, for progress. */
  readonly bytesRead: number;
  /** After apache-arrow's reader finished: throws unless the input really ended there. */
  checkEnd(batches: number): void;
  /** Turns an error apache-arrow threw (or a missing schema) into TRUNCATED or CORRUPT. */
  explain(problem: string): IngestError;
}

const NOTHING_STORED = 'Nothing was stored.';
export const ARROW_MAGIC = 'ARROW1';

export function truncated(name: string, how: string): IngestError {
  return new IngestError(
    'TRUNCATED',
    `${name} is truncated: ${how}, so the file was probably cut off while copying or downloading. ${NOTHING_STORED}`,
  );
}
function corrupt(name: string, what: string): IngestError {
  return new IngestError('CORRUPT', `${name} is a corrupt Arrow file: ${what}. ${NOTHING_STORED}`);
}

/**
 * The stream format, passed through unchanged while its framing is followed: `0xFFFFFFFF`, int32
 * metadata length, flatbuffer Message (which holds the body length), body; a zero length is the
 * end-of-stream (EOS) marker, which we require. Pre-1.0 streams without `0xFFFFFFFF` work too.
 * The walk never throws, so apache-arrow's reader sees plain bytes and reports decode errors itself.
 */
export class StreamInput implements ArrowInput {
  bytesRead = 0;
  private state: 'boundary' | 'partial' | 'eos' | 'garbage' = 'boundary';
  /** The blob ran out (as opposed to apache-arrow stopping at EOS). */
  private ended = false;
  private step: 'prefix' | 'length' | 'metadata' | 'body' = 'prefix';
  private need = 4; // bytes still missing from the current step
  private header = new Uint8Array(8);
  private metadata = new Uint8Array(0);
  private fill = 0;

  constructor(
    private readonly name: string,
    private readonly blob: Blob,
  ) {}

  async *bytes(signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    const reader = this.blob.stream().getReader();
    try {
      // Returning early looks like EOF to apache-arrow; the caller checks the signal afterwards.
      while (!signal?.aborted && this.state !== 'eos' && this.state !== 'garbage') {
        const { done, value } = await reader.read();
        if (done) return void (this.ended = true);
        const used = this.walk(value);
        this.bytesRead += used;
        yield used === value.length ? value : value.subarray(0, used);
      }
    } finally {
      await reader.cancel(); // stop reading the blob when apache-arrow stops early
    }
  }

  checkEnd(): void {
    if (this.state !== 'eos') throw this.explain('the stream ended early');
  }

  explain(problem: string): IngestError {
    if (this.state === 'garbage') return corrupt(this.name, 'a message header is invalid');
    if (this.ended && this.state === 'partial') {
      return truncated(this.name, `it ends in the middle of a message (after ${this.bytesRead} bytes)`);
    }
    if (this.ended) return truncated(this.name, 'it ends without the end-of-stream marker');
    return corrupt(this.name, problem);
  }

  /** Advances over `chunk`; returns how much of it belongs to the stream (all of it, until EOS). */
  private walk(chunk: Uint8Array): number {
    let at = 0;
    while (at < chunk.length && this.state !== 'eos' && this.state !== 'garbage') {
      this.state = 'partial';
      const take = Math.min(this.need, chunk.length - at);
      if (this.step !== 'body') {
        const target = this.step === 'metadata' ? this.metadata : this.header;
        target.set(chunk.subarray(at, at + take), this.fill);
        this.fill += take;
      }
      at += take;
      this.need -= take;
      if (this.need === 0) this.advance();
    }
    return at;
  }

  private advance(): void {
    if (this.step === 'prefix' || this.step === 'length') {
      const value = new DataView(this.header.buffer).getInt32(this.step === 'prefix' ? 0 : 4, true);
      if (this.step === 'prefix' && value === -1) return this.expect('length', 4, false);
      if (value === 0) return void (this.state = 'eos');
      if (value < 0 || value > MAX_METADATA) return void (this.state = 'garbage');
      this.metadata = new Uint8Array(value);
      return this.expect('metadata', value);
    }
    if (this.step === 'metadata') {
      let bodyLength: number;
      try {
        bodyLength = Number(Message.decode(this.metadata).bodyLength);
      } catch {
        return void (this.state = 'garbage');
      }
      if (bodyLength > 0) return this.expect('body', bodyLength);
    }
    this.expect('prefix', 4);
    this.state = 'boundary';
  }

  private expect(step: StreamInput['step'], need: number, restart = true): void {
    this.step = step;
    this.need = need;
    if (restart) this.fill = 0;
  }
}
/** Schema and batch headers are small; a larger length means the bytes are not Arrow. */
const MAX_METADATA = 64 << 20;

/**
 * The file format: `ARROW1`, padding, messages, footer, int32 footer length, `ARROW1`. The footer
 * holds the schema and the offset of every dictionary and record batch, so we rebuild a stream
 * from it: schema message, the blocks (each a blob slice), EOS. apache-arrow would otherwise read
 * the whole file into memory, and its own writer leaves the schema message out of the file body.
 */
export class FileInput implements ArrowInput {
  bytesRead = 0;
  private badBlock: number | undefined;
  private constructor(
    private readonly name: string,
    private readonly blob: Blob,
    private readonly footer: Footer,
  ) {}

  /** Reads and checks the footer; a file cut anywhere has lost its trailing magic. */
  static async open(name: string, blob: Blob): Promise<FileInput> {
    const size = blob.size;
    const tail = size >= 18 ? await readRange(blob, size - 10, size) : new Uint8Array(0);
    if (new TextDecoder().decode(tail.subarray(4)) !== ARROW_MAGIC) {
      throw truncated(name, 'it starts like an Arrow file but its footer (ending in "ARROW1") is missing');
    }
    const footerLength = new DataView(tail.buffer, tail.byteOffset).getInt32(0, true);
    const footerStart = size - 10 - footerLength;
    if (footerLength <= 0 || footerStart < 8) {
      throw corrupt(name, `its footer length (${footerLength}) does not fit the file`);
    }
    let footer: Footer;
    try {
      footer = Footer.decode(await readRange(blob, footerStart, size - 10));
    } catch (e) {
      throw corrupt(name, `its footer could not be decoded (${e instanceof Error ? e.message : String(e)})`);
    }
    // Each block is a 24-byte struct in the footer; garbage could claim billions of them.
    if ((footer.numRecordBatches + footer.numDictionaries) * 24 > footerLength) {
      throw corrupt(name, 'its footer lists more blocks than it can hold');
    }
    for (const block of [...footer.dictionaryBatches(), ...footer.recordBatches()]) {
      const end = block.offset + block.metaDataLength + block.bodyLength;
      if (!(block.offset >= 8 && block.metaDataLength >= 8 && end <= footerStart)) {
        throw corrupt(
          name,
          `its footer points to bytes ${block.offset}–${end}, outside the data (8–${footerStart})`,
        );
      }
    }
    return new FileInput(name, blob, footer);
  }

  async *bytes(signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    yield frame(Message.encode(Message.from(this.footer.schema)));
    for (const block of [...this.footer.dictionaryBatches(), ...this.footer.recordBatches()]) {
      if (signal?.aborted) return;
      const end = block.offset + block.metaDataLength + block.bodyLength;
      const bytes = await readRange(this.blob, block.offset, end);
      // A block that reads as an end-of-stream marker would end apache-arrow's reader quietly.
      const view = new DataView(bytes.buffer);
      const length = view.getInt32(0, true) === -1 ? view.getInt32(4, true) : view.getInt32(0, true);
      if (!(length > 0 && length < block.metaDataLength)) {
        this.badBlock = block.offset;
        return;
      }
      yield bytes;
      this.bytesRead = end;
    }
    yield Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);
  }

  checkEnd(batches: number): void {
    if (this.badBlock !== undefined) throw this.explain('');
    // apache-arrow makes up one empty batch for a stream that has none.
    const listed = this.footer.numRecordBatches;
    if (batches !== Math.max(1, listed)) {
      throw corrupt(this.name, `its footer lists ${listed} record batches but ${batches} could be read`);
    }
  }

  explain(problem: string): IngestError {
    if (this.badBlock !== undefined) {
      return corrupt(this.name, `the footer points to byte ${this.badBlock}, where no message starts`);
    }
    return corrupt(this.name, problem);
  }
}

/** An encoded message header with its continuation marker, length and 8-byte padding. */
function frame(metadata: Uint8Array): Uint8Array {
  const padded = (metadata.length + 7) & ~7;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, padded, true);
  out.set(metadata, 8);
  return out;
}
