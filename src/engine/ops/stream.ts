import type { Batch } from '../Batch.ts';

/**
 * Operators are async generators of batches (pull-based). Breaking out of a `for await` returns
 * the upstream generators, so LIMIT stops the scan from loading further chunks.
 *
 * A batch is only valid until its consumer pulls the next one: scans and filters reuse their
 * selection buffers. An operator that keeps rows across pulls copies them (Collector, TopN).
 */
export type BatchStream = AsyncGenerator<Batch, void, undefined>;
