import type { ColumnType } from '../../storage/manifest.ts';
import type { ByteSource } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { decodeText } from '../decodeText.ts';

const HINTS = new Map<string, ColumnType>([
  ['line', 'BIGINT'],
  ['text', 'VARCHAR'],
]);

/** Plain text: one row per line, `(line BIGINT, text VARCHAR)`, line numbers from 1. CRLF is accepted. */
export async function* readTxt(source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
  let rest = '';
  let lineNo = 0;
  let lines: number[] = [];
  let texts: string[] = [];
  const push = (s: string) => {
    lines.push(++lineNo);
    texts.push(s.endsWith('\r') ? s.slice(0, -1) : s);
  };
  const take = (): ColumnBatch => {
    const batch: ColumnBatch = {
      rows: lines.length,
      columns: new Map<string, ArrayLike<unknown>>([
        ['line', lines],
        ['text', texts],
      ]),
      hints: HINTS,
    };
    lines = [];
    texts = [];
    return batch;
  };
  for await (const text of decodeText(source, opts)) {
    const all = rest + text;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl !== -1; nl = all.indexOf('\n', start)) {
      push(all.slice(start, nl));
      start = nl + 1;
    }
    rest = all.slice(start);
    if (lines.length >= opts.batchRows) yield take();
  }
  if (rest !== '') push(rest);
  if (lines.length > 0) yield take();
}
