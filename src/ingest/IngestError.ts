/**
 * One code per failure site (EXAMPLES §5). The message is written for the person who dropped the
 * file: it says what is wrong and where, and that nothing was stored.
 */
export type IngestErrorCode =
  | 'EMPTY_FILE'
  | 'UNKNOWN_FORMAT'
  | 'INVALID_UTF8'
  | 'RAGGED_ROWS'
  | 'ROW_TOO_LARGE'
  | 'FILE_TOO_LARGE'
  | 'NOT_ARRAY_OF_OBJECTS'
  | 'INVALID_JSON'
  | 'DUPLICATE_COLUMN'
  | 'NO_COLUMNS'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'UNSUPPORTED'
  | 'QUOTA_EXCEEDED'
  | 'CANCELLED'
  | 'INVALID_NAME';

export class IngestError extends Error {
  override name = 'IngestError';
  constructor(
    readonly code: IngestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isIngestError(e: unknown): e is IngestError {
  return e instanceof Error && e.name === 'IngestError' && typeof (e as IngestError).code === 'string';
}
