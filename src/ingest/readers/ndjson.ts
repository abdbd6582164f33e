import type { ByteSource } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { decodeText } from '../decodeText.ts';
import { IngestError } from '../IngestError.ts';
import { ObjectRows } from './ObjectRows.ts';

/** Newline-delimited JSON: one object per line; blank lines are skipped. */
export async function* readNdjson(source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
  const rows = new ObjectRows(source.name);
  let rest = '';
  let line = 0;
  const parseLine = (text: string) => {
    line++;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new IngestError(
        'INVALID_JSON',
        `"${source.name}": line ${line} is not valid JSON (${(e as Error).message}). Nothing was stored.`,
      );
    }
    rows.add(value, `line ${line}`);
  };
  for await (const text of decodeText(source, opts)) {
    const all = rest + text;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl !== -1; nl = all.indexOf('\n', start)) {
      parseLine(all.slice(start, nl));
      start = nl + 1;
    }
    rest = all.slice(start);
    if (rows.rows >= opts.batchRows) yield rows.take();
  }
  if (rest !== '') parseLine(rest);
  if (rows.rows > 0) yield rows.take();
  if (rows.columnCount === 0)
    throw new IngestError('EMPTY_FILE', `"${source.name}" has no JSON objects. Nothing was stored.`);
}
