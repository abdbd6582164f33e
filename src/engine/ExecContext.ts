import { SqlError } from '../sql/SqlError.ts';
import type { ChunkSource, ExecLimits } from './ChunkSource.ts';
import { macrotask } from './macrotask.ts';

const MIB = 1024 * 1024;
/**
 * Longest stretch of work between two macrotasks. Chunks in the cache load without a macrotask,
 * so without this a long query would never let a cancel message (or the deadline timer) run.
 */
const SLICE_MS = 25;

/**
 * Per-query state shared by all operators: the chunk source, the limits, and the memory ledger.
 * Operators call {@link ExecContext.check} between batches and {@link MemoryLedger.grow} when
 * their state (hash tables, sort buffers, join builds, the result) grows.
 */
export class ExecContext {
  readonly memory: MemoryLedger;

  constructor(
    readonly source: ChunkSource,
    readonly limits: ExecLimits,
  ) {
    this.memory = new MemoryLedger(limits.memoryBudget);
  }

  /** Throws CANCELLED or TIMEOUT; cheap enough to call once per batch. */
  check(): void {
    if (this.limits.signal?.aborted) throw cancelled();
    if (Date.now() > this.limits.deadline) throw timedOut(this.limits.deadline);
  }

  #lastYield = performance.now();

  /**
   * {@link check}, and once every {@link SLICE_MS} a macrotask, so that a cancel call reaching the
   * worker, or an AbortSignal fired by a timer, is seen while the query runs. Operators call it
   * between batches of long loops (scan per chunk, join per output batch).
   */
  async pause(): Promise<void> {
    this.check();
    if (performance.now() - this.#lastYield < SLICE_MS) return;
    await macrotask();
    this.#lastYield = performance.now();
    this.check();
  }

  /**
   * Awaits `p` but gives up at the deadline or on abort, so a chunk load that hangs (a peer that
   * never answers) cannot hold the query past its deadline. One timer serves the whole query:
   * a timer per chunk load cost more than the scan of a small chunk.
   */
  guard<T>(p: Promise<T>): Promise<T> {
    this.check();
    return Promise.race([p, this.#stopped()]);
  }

  #stop: Promise<never> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;

  #stopped(): Promise<never> {
    if (this.#stop) return this.#stop;
    const { signal, deadline } = this.limits;
    this.#stop = new Promise<never>((_, reject) => {
      const wait = deadline - Date.now();
      // setTimeout fires at once for delays past 2^31 - 1 ms; such a deadline is never reached.
      if (wait < MAX_TIMER) this.#timer = setTimeout(() => reject(timedOut(deadline)), Math.max(0, wait));
      this.#onAbort = () => reject(cancelled());
      signal?.addEventListener('abort', this.#onAbort, { once: true });
    });
    // Nobody may be racing it when it fires; that must not be an unhandled rejection.
    this.#stop.catch(() => undefined);
    return this.#stop;
  }

  /** Clears the deadline timer and the abort listener; called once the query has finished. */
  dispose(): void {
    clearTimeout(this.#timer);
    if (this.#onAbort) this.limits.signal?.removeEventListener('abort', this.#onAbort);
  }
}

const MAX_TIMER = 2 ** 31 - 1;

function cancelled(): SqlError {
  return new SqlError('CANCELLED', 'query cancelled');
}

function timedOut(deadline: number): SqlError {
  return new SqlError('TIMEOUT', `query exceeded its deadline (${new Date(deadline).toISOString()})`);
}

/** Approximate bytes held by operator state, failing the query cleanly past the budget. */
export class MemoryLedger {
  #held = 0;
  #peak = 0;

  constructor(readonly budget: number) {}

  get held(): number {
    return this.#held;
  }

  get peak(): number {
    return this.#peak;
  }

  /** Adds `bytes` held by `what`; throws MEMORY when the total passes the budget. */
  grow(bytes: number, what: string): void {
    this.#held += bytes;
    if (this.#held > this.#peak) this.#peak = this.#held;
    if (this.#held > this.budget) {
      const need = Math.ceil(this.#held / MIB);
      const budget = (this.budget / MIB).toFixed(this.budget < MIB ? 2 : 0);
      throw new SqlError(
        'MEMORY',
        `query needs more than ${need} MiB for ${what}, over the memory budget of ${budget} MiB; ` +
          'add filters, a LIMIT, or fewer groups/join rows',
      );
    }
  }

  release(bytes: number): void {
    this.#held = Math.max(0, this.#held - bytes);
  }
}

/** Tracks one operator's share of the ledger, so it can be resized and released as a whole. */
export class MemoryShare {
  #bytes = 0;

  constructor(
    readonly ledger: MemoryLedger,
    readonly what: string,
  ) {}

  /** Sets this share to `bytes` (grow or shrink). */
  set(bytes: number): void {
    const delta = bytes - this.#bytes;
    this.#bytes = bytes;
    if (delta > 0) this.ledger.grow(delta, this.what);
    else this.ledger.release(-delta);
  }

  add(bytes: number): void {
    this.set(this.#bytes + bytes);
  }

  release(): void {
    this.set(0);
  }
}
