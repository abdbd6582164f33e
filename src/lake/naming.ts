import { IngestError } from '../ingest/IngestError.ts';

/** Words a bare table name cannot be without quoting in SQL. */
const RESERVED = new Set(
  'all and as asc between by case cast create delete desc describe distinct drop else end exists explain false from full group having in inner insert into is join left like limit not null offset on or order outer right select show table tables then true union update using values when where with'.split(
    ' ',
  ),
);
const IDENT = /^[a-z_][a-z0-9_]*$/;
const MAX_LEN = 63;

/** A file name as a SQL identifier: `Sales 2024 (Q1).csv` → `sales_2024_q1`. */
export function tableNameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  let name = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, MAX_LEN);
  if (name === '') name = 'dataset';
  if (/^[0-9]/.test(name)) name = `t_${name}`;
  if (RESERVED.has(name)) name = `${name}_data`;
  return name;
}

/** `name`, or `name_2`, `name_3`… — the first that is not taken. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) {
    const candidate = `${name}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Checks a table name the caller chose; it must already be a plain identifier. */
export function checkTableName(name: string, taken: ReadonlySet<string>): string {
  if (!IDENT.test(name) || name.length > MAX_LEN || RESERVED.has(name)) {
    throw new IngestError(
      'INVALID_NAME',
      `"${name}" is not a valid table name: use lower-case letters, digits and _ (not starting with a digit, not a SQL keyword, at most ${MAX_LEN} characters).`,
    );
  }
  if (taken.has(name))
    throw new IngestError(
      'INVALID_NAME',
      `A dataset named "${name}" already exists. Drop it or choose another name.`,
    );
  return name;
}
