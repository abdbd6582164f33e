import Papa from 'papaparse';
import type { ByteSource } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { checkColumnNames } from '../columnNames.ts';
import { decodePieces, type DecodedPiece } from '../decodeText.ts';
import { classify } from '../infer.ts';
import { IngestError } from '../IngestError.ts';
import { sniffDelimiter } from '../sniff.ts';
import { CsvScanner, incompleteTail, utf8Length } from './csvScan.ts';

/** Ragged rows listed in an error message; the rest are counted. */
const MAX_LISTED_LINES = 10;

/**
 * CSV and TSV in ~1 MiB decoded pieces. A piece without any quote character (the common case)
 * goes through {@link CsvScanner}, which splits it exactly as PapaParse's quote-free path would
 * but parses numbers straight into typed arrays. Pieces with quotes (anywhere, with embedded
 * delimiters and newlines) go through PapaParse's raw Parser. uDSV was faster in our benchmark
 * but mis-splits ragged rows, which we must report by line (README, design notes).
 *
 * Values go straight into per-column arrays; the table builder types them.
 */
export function csvReader(delimiter?: ',' | '\t') {
  return (source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> =>
    readCsvParts(decodePieces(source, opts), source, opts, delimiter);
}

/**
 * The reader proper, on decoded parts (see {@link decodePieces}); exported so tests can cut the
 * input anywhere.
 */
export async function* readCsvParts(
  input: AsyncIterable<DecodedPiece> | Iterable<DecodedPiece>,
  source: { name: string },
  opts: ReaderOptions,
  delimiter?: ',' | '\t',
): AsyncGenerator<ColumnBatch> {
  let parser: Papa.Parser | undefined;
  let newline: '\n' | '\r\n' = '\n';
  let scanner: CsvScanner | undefined;
  let names: string[] = [];
  /** The incomplete last row so far, as text and as the bytes it came from (see emit). */
  let rest = '';
  let restBytes = NO_BYTES;
  let line = 1;
  const ragged: number[] = [];
  let raggedCount = 0;
  const onRagged = (l: number) => {
    raggedCount++;
    if (ragged.length < MAX_LISTED_LINES) ragged.push(l);
    opts.onSkipped?.(l);
  };

  /**
   * Reads the complete rows of `text`, keeping the incomplete last one for the next call.
   * `bytes` are the UTF-8 bytes `text` decodes from, plus the start of a character the next
   * piece completes, if any.
   */
  function* emit(text: string, bytes: Uint8Array, last: boolean): Generator<ColumnBatch> {
    if (!parser) {
      const head = text.slice(0, 65536);
      const d = delimiter ?? sniffDelimiter(head) ?? ',';
      newline = head.slice(0, head.indexOf('\n') + 1).endsWith('\r\n') ? '\r\n' : '\n';
      parser = new Papa.Parser({ delimiter: d, newline, quoteChar: '"' });
      const first = firstRow(text, d, newline);
      const header = isHeader(first);
      names = checkColumnNames(header ? first : first.map((_, i) => `column${i}`), source.name);
      if (header) {
        const end = firstRowEnd(text, newline);
        bytes = bytes.subarray(utf8Length(text.slice(0, end)));
        text = text.slice(end);
        line++;
      }
      if (names.length > 0) scanner = new CsvScanner(names.length, d, newline);
    }
    if (scanner && text.indexOf('"') === -1) {
      scan(scanner, text, bytes, last);
      yield* take(scanner);
      return;
    }
    // Only up to the last newline: a piece ending between a closing quote and the "\r\n" after it
    // would be an error (InvalidQuotes) otherwise.
    const res = parser.parse(
      last ? text : text.slice(0, text.lastIndexOf(newline) + newline.length),
      0,
      !last,
    ) as Papa.ParseResult<string[]>;
    if (res.errors.length > 0) throw parseError(source.name, line, res.errors[0]!);
    const rows = res.data;
    rest = last ? '' : text.slice(res.meta.cursor);
    restBytes = last ? NO_BYTES : bytes.subarray(bytes.length - incompleteTail(bytes) - utf8Length(rest));
    const ncols = names.length;
    const cols = names.map(() => new Array<string | null>());
    const quoted = text.includes('"');
    for (const row of rows) {
      if (row.length === 1 && row[0] === '' && ncols > 1) {
        line++;
        continue; // blank line
      }
      if (row.length !== ncols) {
        onRagged(line);
      } else {
        // An empty field is NULL, as in DuckDB's CSV reader.
        for (let c = 0; c < ncols; c++) {
          const v = row[c]!;
          cols[c]!.push(v === '' ? null : v);
        }
      }
      line += quoted ? 1 + embeddedNewlines(row) : 1;
    }
    if (raggedCount > 0 && opts.raggedRows === 'reject')
      throw raggedError(source.name, ncols, ragged, raggedCount);
    const n = cols[0]?.length ?? 0;
    if (n > 0) yield { rows: n, columns: new Map(names.map((name, i) => [name, cols[i]!])) };
  }

  /** No quote anywhere: PapaParse would split on newline and delimiter; so do we, faster. */
  function scan(s: CsvScanner, text: string, bytes: Uint8Array, last: boolean): void {
    const res = s.scan(bytes, text, last, line, onRagged);
    line = res.line;
    rest = last ? '' : text.slice(res.textCursor);
    restBytes = last ? NO_BYTES : bytes.subarray(res.cursor);
  }

  /** Scans the next part after what is left of the last one. */
  function scanPart(s: CsvScanner, part: DecodedPiece): void {
    const head = rest.length;
    const bytes = joiner.join(restBytes, part.bytes);
    const res = s.scan(bytes, rest + part.text, false, line, onRagged);
    line = res.line;
    // From the part itself if possible: slicing `rest + part.text` would first copy it all into
    // one string, which the scanner itself rarely needs.
    const at = res.textCursor - head;
    rest = at >= 0 ? part.text.slice(at) : rest.slice(res.textCursor) + part.text;
    restBytes = bytes.subarray(res.cursor);
  }

  /** Ends a piece read by the scanner. */
  function* take(s: CsvScanner): Generator<ColumnBatch> {
    if (raggedCount > 0 && opts.raggedRows === 'reject')
      throw raggedError(source.name, names.length, ragged, raggedCount);
    const batch = s.take();
    if (batch.rows > 0)
      yield { rows: batch.rows, columns: new Map(names.map((name, i) => [name, batch.columns[i]!])) };
  }

  // A piece (~1 MiB) is read as a whole, as one batch; it arrives decoded in small parts.
  const joiner = new PartJoiner();
  let parts: DecodedPiece[] = [];
  for await (const part of input) {
    parts.push(part);
    if (!part.pieceEnd) continue;
    const piece = parts;
    parts = [];
    if (scanner && !rest.includes('"') && piece.every((p) => !p.text.includes('"'))) {
      // Scanned part by part: joining them would build a large string, which is slow in V8.
      for (let k = 0; k < piece.length; k++) {
        let part = piece[k]!;
        if (restBytes.length > LONG_ROW) {
          // Inside a long row: take the parts up to the one that ends it at once, or each part
          // would copy the row so far again.
          let j = k;
          while (j < piece.length - 1 && !piece[j]!.text.includes('\n')) j++;
          if (j > k) {
            const run = piece.slice(k, j + 1);
            part = {
              text: run.map((p) => p.text).join(''),
              bytes: joinBytes(...run.map((p) => p.bytes)),
              pieceEnd: false,
            };
            k = j;
          }
        }
        scanPart(scanner, part);
      }
      yield* take(scanner);
    } else {
      const bytes = joinBytes(restBytes, ...piece.map((p) => p.bytes));
      yield* emit(rest + piece.map((p) => p.text).join(''), bytes, false);
    }
  }
  if (parts.length > 0) {
    yield* emit(
      rest + parts.map((p) => p.text).join(''),
      joinBytes(restBytes, ...parts.map((p) => p.bytes)),
      false,
    );
  }
  yield* emit(rest, restBytes, true);
  if (!parser) throw new IngestError('EMPTY_FILE', `"${source.name}" has no rows. Nothing was stored.`);
}

const NO_BYTES: Uint8Array = new Uint8Array(0);
/** An incomplete row this long (bytes) is a long row; see the part loop. */
const LONG_ROW = 1 << 16;

/**
 * Puts the bytes carried over (an incomplete row) before the next part, in one of two buffers
 * used in turn: the carried bytes are in the other one, and nothing else keeps either.
 */
class PartJoiner {
  readonly #buffers = [NO_BYTES, NO_BYTES];
  #turn = 0;

  join(rest: Uint8Array, part: Uint8Array): Uint8Array {
    if (rest.length === 0) return part;
    const size = rest.length + part.length;
    this.#turn ^= 1;
    let buffer = this.#buffers[this.#turn]!;
    if (buffer.length < size) buffer = this.#buffers[this.#turn] = new Uint8Array(size + (size >> 2));
    buffer.set(rest);
    buffer.set(part, rest.length);
    return buffer.subarray(0, size);
  }
}

function joinBytes(...parts: Uint8Array[]): Uint8Array {
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? NO_BYTES;
  const out = new Uint8Array(nonEmpty.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of nonEmpty) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function firstRow(text: string, delimiter: string, newline: '\n' | '\r\n'): string[] {
  const res = new Papa.Parser({ delimiter, newline, quoteChar: '"', preview: 1 }).parse(
    text.slice(0, 1 << 20),
    0,
    false,
  ) as Papa.ParseResult<string[]>;
  return res.data[0] ?? [];
}

/** Where the first record ends; quoted fields may contain newlines. */
function firstRowEnd(text: string, newline: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && text.startsWith(newline, i)) return i + newline.length;
  }
  return text.length;
}

/**
 * DuckDB-style header detection: the first row is a header when every field is a non-empty
 * string that does not look like a number, date or boolean.
 */
function isHeader(first: string[]): boolean {
  return first.length > 0 && first.every((f) => f.trim() !== '' && classify(f) === 'VARCHAR');
}

function embeddedNewlines(row: string[]): number {
  let n = 0;
  for (const v of row) for (let i = v.indexOf('\n'); i !== -1; i = v.indexOf('\n', i + 1)) n++;
  return n;
}

function raggedError(file: string, ncols: number, lines: number[], count: number): IngestError {
  const more = count > lines.length ? ` and ${count - lines.length} more` : '';
  return new IngestError(
    'RAGGED_ROWS',
    `"${file}": ${count} row(s) do not have ${ncols} fields like the header: line(s) ${lines.join(', ')}${more}. Fix them, or set "ragged rows" to skip. Nothing was stored.`,
  );
}

function parseError(file: string, line: number, e: Papa.ParseError): IngestError {
  return new IngestError(
    'CORRUPT',
    `"${file}": ${e.message} (${e.code}) near line ${line + (e.row ?? 0)}. Nothing was stored.`,
  );
}
