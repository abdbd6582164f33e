import type { Literal, OutputColumn } from '../../sql/plan.ts';
import { Batch } from '../Batch.ts';
import { buildVec, literalScalar } from '../buildVec.ts';
import type { BatchStream } from './stream.ts';

/** VALUES / a FROM-less SELECT: one batch of constant rows (possibly with no columns). */
// eslint-disable-next-line @typescript-eslint/require-await -- an operator is an async generator
export async function* values(rows: readonly Literal[][], schema: readonly OutputColumn[]): BatchStream {
  const cols = schema.map((c, j) =>
    buildVec(
      c.type,
      rows.map((row) => literalScalar(row[j] ?? null, c.type)),
    ),
  );
  if (rows.length > 0) yield new Batch(rows.length, cols, null, rows.length);
}
