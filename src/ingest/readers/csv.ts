import Papa from 'papaparse';
import type { ByteSource } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { checkColumnNames } from '../columnNames.ts';
import { decodeText } from '../decodeText.ts';
import { classify } from '../infer.ts';
import { IngestError } from '../IngestError.ts';
import { sniffDelimiter } from '../sniff.ts';
import { CsvScanner } from './csvScan.ts';

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
  return async function* readCsv(source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
    let parser: Papa.Parser | undefined;
    let scanner: CsvScanner | undefined;
    let names: string[] = [];
    let rest = '';
    let line = 1;
    const ragged: number[] = [];
    let raggedCount = 0;
    const onRagged = (l: number) => {
      raggedCount++;
      if (ragged.length < MAX_LISTED_LINES) ragged.push(l);
      opts.onSkipped?.(l);
    };

    function* emit(text: string, last: boolean): Generator<ColumnBatch> {
      if (!parser) {
        const head = text.slice(0, 65536);
        const d = delimiter ?? sniffDelimiter(head) ?? ',';
        const newline: '\n' | '\r\n' = head.slice(0, head.indexOf('\n') + 1).endsWith('\r\n') ? '\r\n' : '\n';
        parser = new Papa.Parser({ delimiter: d, newline, quoteChar: '"' });
        const first = firstRow(text, d, newline);
        const header = isHeader(first);
        names = checkColumnNames(header ? first : first.map((_, i) => `column${i}`), source.name);
        if (header) {
          text = text.slice(firstRowEnd(text, newline));
          line++;
        }
        if (names.length > 0) scanner = new CsvScanner(names.length, d, newline);
      }
      if (scanner && text.indexOf('"') === -1) {
        // No quote anywhere: PapaParse would split on newline and delimiter; so do we, faster.
        const res = scanner.scan(text, last, line, onRagged);
        line = res.line;
        rest = last ? '' : text.slice(res.cursor);
        if (raggedCount > 0 && opts.raggedRows === 'reject')
          throw raggedError(source.name, names.length, ragged, raggedCount);
        if (res.rows > 0)
          yield { rows: res.rows, columns: new Map(names.map((name, i) => [name, res.columns[i]!])) };
        return;
      }
      const res = parser.parse(text, 0, !last);
      if (res.errors.length > 0) throw parseError(source.name, line, res.errors[0]!);
      const rows = res.data as string[][];
      rest = last ? '' : text.slice(res.meta.cursor);
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

    for await (const piece of decodeText(source, opts)) {
      yield* emit(rest + piece, false);
    }
    yield* emit(rest, true);
    if (!parser) throw new IngestError('EMPTY_FILE', `"${source.name}" has no rows. Nothing was stored.`);
  };
}

function firstRow(text: string, delimiter: string, newline: '\n' | '\r\n'): string[] {
  const res = new Papa.Parser({ delimiter, newline, quoteChar: '"', preview: 1 }).parse(
    text.slice(0, 1 << 20),
    0,
    false,
  );
  return (res.data[0] as string[] | undefined) ?? [];
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
