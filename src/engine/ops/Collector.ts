import type { Batch } from '../Batch.ts';
import type { MemoryLedger } from '../ExecContext.ts';
import { MemoryShare } from '../ExecContext.ts';
import { compact, concat } from '../gather.ts';
import type { Vec } from '../vec.ts';
import { vecBytes } from '../vec.ts';

/**
 * Materialises a stream into one columnar batch: the sort buffer, the join build side and the
 * query result. Each batch is compacted as it arrives (so a selective filter does not pin whole
 * chunks) and its bytes are charged to the memory budget.
 */
export class Collector {
  readonly #parts: Vec[][] = [];
  readonly #counts: number[] = [];
  readonly #share: MemoryShare;
  #rows = 0;

  constructor(
    readonly width: number,
    ledger: MemoryLedger,
    what: string,
  ) {
    this.#share = new MemoryShare(ledger, what);
    for (let j = 0; j < width; j++) this.#parts.push([]);
  }

  get rows(): number {
    return this.#rows;
  }

  add(b: Batch): void {
    if (b.count === 0) return;
    let bytes = 0;
    for (let j = 0; j < this.width; j++) {
      const v = compact(b.col(j), b);
      this.#parts[j]!.push(v);
      bytes += vecBytes(v, b.count);
    }
    this.#rows += b.count;
    this.#counts.push(b.count);
    this.#share.add(bytes + 64);
  }

  /** The collected rows as one vector per column (length `rows`). */
  finish(): Vec[] {
    const n = this.#rows;
    return this.#parts.map((parts) => {
      const sized = parts.map((v, k) => ({
        v,
        rows: { n: this.#counts[k]!, sel: null, count: this.#counts[k]! },
      }));
      return sized.length === 0 ? { kind: 'const', type: 'NULL', value: null } : concat(sized, n);
    });
  }

  /** Gives the charged bytes back (the caller has dropped the data). */
  release(): void {
    this.#share.release();
  }
}
