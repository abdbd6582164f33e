import { selOf } from '../Batch.ts';
import type { ExecContext } from '../ExecContext.ts';
import { MemoryShare } from '../ExecContext.ts';
import { KeyEncoder } from '../KeyEncoder.ts';
import type { OutputColumn } from '../../sql/plan.ts';
import type { BatchStream } from './stream.ts';

/**
 * DISTINCT, streaming: a row passes when its tuple gets a new id in the hash table (NULLs equal
 * each other, as in SQL DISTINCT), so output keeps first-seen order and needs no second pass.
 */
export async function* distinct(
  input: BatchStream,
  schema: readonly OutputColumn[],
  ctx: ExecContext,
): BatchStream {
  const enc = new KeyEncoder(
    schema.map((c) => c.type),
    true,
  );
  const mem = new MemoryShare(ctx.memory, 'DISTINCT');
  try {
    for await (const b of input) {
      let next = enc.size;
      const ids = enc.encode(b.cols(), b, true);
      mem.set(enc.bytes());
      const s = selOf(b);
      const keep = new Uint32Array(b.count);
      let k = 0;
      for (let j = 0; j < b.count; j++) {
        const i = s[j]!;
        if (ids[i] === next) {
          keep[k++] = i;
          next++;
        }
      }
      if (k > 0) yield b.select({ n: b.n, sel: keep, count: k });
    }
  } finally {
    mem.release();
  }
}
