import type { ColumnBatch } from '../ColumnBatch.ts';
import { checkColumnNames } from '../columnNames.ts';
import { IngestError } from '../IngestError.ts';

/**
 * Collects JSON objects into columns. A key first seen at a later row becomes a new column that
 * is null for the earlier rows; a key missing from a row is null in that row.
 */
export class ObjectRows {
  #names: string[] = [];
  #cols = new Map<string, unknown[]>();
  #rows = 0;
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  get rows(): number {
    return this.#rows;
  }

  /** Adds one row; `where` names it in errors ("element 3", "line 7"). */
  add(value: unknown, where: string): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new IngestError(
        'NOT_ARRAY_OF_OBJECTS',
        `"${this.#file}": ${where} is ${describe(value)}, not an object. The lake loads an array of objects ([{…}, …]) or one object per line (NDJSON). Nothing was stored.`,
      );
    }
    const obj = value as Record<string, unknown>;
    let matched = 0;
    for (const name of this.#names) {
      const v = obj[name];
      if (v !== undefined) matched++;
      this.#cols.get(name)!.push(v ?? null);
    }
    if (matched !== Object.keys(obj).length) this.#addNewKeys(obj);
    this.#rows++;
  }

  /** Hands over the rows collected so far and starts a new batch with the same columns. */
  take(): ColumnBatch {
    const batch: ColumnBatch = { rows: this.#rows, columns: this.#cols };
    this.#cols = new Map(this.#names.map((n) => [n, []]));
    this.#rows = 0;
    return batch;
  }

  get columnCount(): number {
    return this.#names.length;
  }

  #addNewKeys(obj: Record<string, unknown>): void {
    const added: string[] = [];
    for (const key of Object.keys(obj)) {
      if (this.#cols.has(key)) continue;
      const values = new Array<unknown>(this.#rows).fill(null);
      values.push(obj[key] ?? null);
      this.#cols.set(key, values);
      added.push(key);
    }
    this.#names.push(...added);
    checkColumnNames(this.#names, this.#file);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : `a ${typeof v}`;
}
