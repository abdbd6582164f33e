import { JSONParser } from '@streamparser/json';
import type { ByteSource } from '../ByteSource.ts';
import type { ColumnBatch, ReaderOptions } from '../ColumnBatch.ts';
import { decodeText } from '../decodeText.ts';
import { IngestError, isIngestError } from '../IngestError.ts';
import { ObjectRows } from './ObjectRows.ts';

/**
 * A JSON array of objects, parsed incrementally (@streamparser/json) so a large file is never
 * held whole: each element is handed over as soon as it is complete.
 */
export async function* readJson(source: ByteSource, opts: ReaderOptions): AsyncGenerator<ColumnBatch> {
  const rows = new ObjectRows(source.name);
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  let element = 0;
  let sawArray = false;
  let failure: unknown;
  parser.onValue = ({ value, stack }) => {
    if (failure) return;
    try {
      if (stack.length !== 1) return;
      rows.add(value, `element ${element++}`);
    } catch (e) {
      failure = e;
    }
  };
  parser.onError = (e) => {
    failure ??= e;
  };
  for await (const text of decodeText(source, opts)) {
    if (!sawArray) {
      const first = text.trimStart()[0];
      if (first === undefined) continue;
      if (first !== '[') throw notArray(source.name);
      sawArray = true;
    }
    parser.write(text);
    if (failure) throw wrap(failure, source.name);
    if (rows.rows >= opts.batchRows) yield rows.take();
  }
  if (!parser.isEnded) parser.end();
  if (failure) throw wrap(failure, source.name);
  if (!sawArray) throw notArray(source.name);
  if (element === 0)
    throw new IngestError('EMPTY_FILE', `"${source.name}" is an empty JSON array. Nothing was stored.`);
  if (rows.rows > 0) yield rows.take();
}

function notArray(file: string): IngestError {
  return new IngestError(
    'NOT_ARRAY_OF_OBJECTS',
    `"${file}" is not an array of objects. The lake loads JSON shaped like [{"a": 1}, {"a": 2}] or one object per line (NDJSON). Nothing was stored.`,
  );
}

function wrap(e: unknown, file: string): Error {
  if (isIngestError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new IngestError('INVALID_JSON', `"${file}" is not valid JSON: ${msg}. Nothing was stored.`);
}
