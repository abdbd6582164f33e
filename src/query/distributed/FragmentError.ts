/**
 * Why an executor refused or could not run a fragment. Travels back to the coordinator in the
 * `query-response` error message; the retryable ones make it reassign the fragment's chunks.
 * - `INVALID_FRAGMENT`: the message failed validation (shape, bounds, kinds, types);
 * - `VERSION`: another fragment format (a tab on another release);
 * - `NOT_HELD`: this node does not hold some of the fragment's chunks (retryable elsewhere);
 * - `BUSY`: the executor's queue is full (retryable elsewhere);
 * - `GONE`: the executor is shutting down (retryable elsewhere).
 */
export type FragmentErrorCode = 'INVALID_FRAGMENT' | 'VERSION' | 'NOT_HELD' | 'BUSY' | 'GONE';

export class FragmentError extends Error {
  override name = 'FragmentError';
  constructor(
    readonly code: FragmentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isFragmentError(e: unknown): e is FragmentError {
  return e instanceof Error && e.name === 'FragmentError' && typeof (e as FragmentError).code === 'string';
}
