/**
 * One error class for everything a query can fail with, with one code per failure site
 * (EXAMPLES §5). Front-end errors carry the 1-based line and column they point at, so the editor
 * can mark them.
 */
export type SqlErrorCode =
  | 'SYNTAX'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'AMBIGUOUS_COLUMN'
  | 'TYPE'
  | 'NOT_SUPPORTED'
  | 'OVERFLOW'
  | 'DIVISION'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'MEMORY'
  | 'DATA'
  | 'EMPTY'
  /** Distributed query: some chunks have no live holder (and no partial result was asked for). */
  | 'UNAVAILABLE'
  /** Distributed query: an executor refused or failed a fragment in a way no retry can fix. */
  | 'EXECUTOR';

export class SqlError extends Error {
  override name = 'SqlError';
  constructor(
    readonly code: SqlErrorCode,
    message: string,
    readonly position?: { line: number; column: number },
  ) {
    super(message);
  }
}

export function isSqlError(e: unknown): e is SqlError {
  return e instanceof Error && e.name === 'SqlError' && typeof (e as SqlError).code === 'string';
}
