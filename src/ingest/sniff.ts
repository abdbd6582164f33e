import type { SourceFormat } from '../storage/manifest.ts';
import { IngestError } from './IngestError.ts';

/** Bytes read to decide the format; also what delimiter sniffing looks at. */
export const SNIFF_BYTES = 64 * 1024;

const FORMATS: readonly SourceFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'txt', 'arrow', 'parquet'];
const DELIMITERS = [',', '\t', ';', '|'] as const;

export function isSourceFormat(s: string): s is SourceFormat {
  return (FORMATS as readonly string[]).includes(s);
}

/**
 * Decides the format from the content first and the file name second, so a CSV named `.json`
 * or a Parquet file named `.csv` is still read correctly. The name only breaks ties between the
 * line-based text formats.
 */
export function sniffFormat(head: Uint8Array, fileName: string, size: number): SourceFormat {
  if (size === 0) throw new IngestError('EMPTY_FILE', `"${fileName}" is empty. Nothing was stored.`);
  if (startsWith(head, 'PAR1')) return 'parquet';
  if (startsWith(head, 'ARROW1')) return 'arrow';
  // Arrow IPC stream: a 0xFFFFFFFF continuation marker, then a little-endian metadata length.
  if (head.length >= 8 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff)
    return 'arrow';
  if (looksBinary(head)) {
    throw new IngestError(
      'UNKNOWN_FORMAT',
      `"${fileName}" is binary data that is not Parquet or Arrow. Supported formats: CSV, TSV, JSON, NDJSON, TXT, Parquet, Arrow. Nothing was stored.`,
    );
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.length === 0)
    throw new IngestError('EMPTY_FILE', `"${fileName}" contains only whitespace. Nothing was stored.`);
  const ext = extension(fileName);
  if (trimmed[0] === '[') return 'json';
  if (trimmed[0] === '{') return 'ndjson';
  if (ext === 'json') {
    throw new IngestError(
      'NOT_ARRAY_OF_OBJECTS',
      `"${fileName}" is not JSON the lake can load: expected an array of objects ([{…}, …]) or one object per line (NDJSON). Nothing was stored.`,
    );
  }
  const delim = sniffDelimiter(text);
  const lines = text.split('\n', 3).filter((l) => l.trim() !== '').length;
  // Prose in a .txt can have a comma per line by chance; trust the extension unless the rows agree.
  if ((ext === 'txt' || ext === 'log' || ext === 'md') && (!delim || lines < 2)) return 'txt';
  if (delim === '\t') return 'tsv';
  if (delim) return 'csv';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  return 'txt';
}

/**
 * The delimiter that splits the first lines into the same number (> 1) of fields, preferring the
 * most fields. Quoted sections are skipped so commas inside quotes do not count.
 */
export function sniffDelimiter(text: string): string | undefined {
  const lines = text.split(/\r?\n/).slice(0, 20);
  // The last line of a 64 KiB head is probably cut; ignore it unless it is the only one.
  if (lines.length > 2) lines.pop();
  const nonEmpty = lines.filter((l) => l.length > 0);
  let best: { d: string; n: number } | undefined;
  for (const d of DELIMITERS) {
    const counts = nonEmpty.map((l) => countOutsideQuotes(l, d));
    const n = counts[0] ?? 0;
    if (n === 0 || !counts.every((c) => c === n)) continue;
    if (!best || n > best.n) best = { d, n };
  }
  return best?.d;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === d && !quoted) n++;
  }
  return n;
}

function startsWith(bytes: Uint8Array, magic: string): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

/** NUL bytes or many control characters: not text. */
function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  const n = Math.min(head.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control > n * 0.05;
}

export function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase();
}
