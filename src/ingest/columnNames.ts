import { IngestError } from './IngestError.ts';

/**
 * Checks a header: at least one column and no duplicates (a duplicate would make SQL ambiguous).
 * Blank names become `column<N>` (0-based), as DuckDB names headerless columns.
 */
export function checkColumnNames(names: readonly string[], file: string): string[] {
  if (names.length === 0)
    throw new IngestError('NO_COLUMNS', `"${file}" has no columns. Nothing was stored.`);
  const out = names.map((n, i) => (n.trim() === '' ? `column${i}` : n));
  const seen = new Map<string, number>();
  out.forEach((n, i) => {
    const key = n.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new IngestError(
        'DUPLICATE_COLUMN',
        `"${file}" has a duplicate column name "${n}" (columns ${first + 1} and ${i + 1}; SQL names are case-insensitive). Rename one and try again. Nothing was stored.`,
      );
    }
    seen.set(key, i);
  });
  return out;
}
