import { signal, type ReadonlySignal } from '@preact/signals';

/** Entries kept; the oldest are forgotten first. */
export const HISTORY_MAX = 100;
const KEY = 'peerlake:query-history';

export interface HistoryEntry {
  sql: string;
  at: number;
  ok: boolean;
}

/** The minimal Storage surface, so tests can pass a Map-backed one. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * Queries run from the editor, newest first, persisted in localStorage (shared by the browser's
 * tabs). A repeated query moves to the top instead of being stored twice.
 */
export class QueryHistory {
  readonly #store: KeyValueStore | undefined;
  readonly #entries = signal<HistoryEntry[]>([]);

  constructor(store: KeyValueStore | undefined) {
    this.#store = store;
    this.#entries.value = this.#load();
  }

  get entries(): ReadonlySignal<HistoryEntry[]> {
    return this.#entries;
  }

  add(sql: string, ok: boolean, at = Date.now()): void {
    const text = sql.trim();
    if (!text) return;
    const rest = this.#entries.value.filter((e) => e.sql !== text);
    this.#entries.value = [{ sql: text, at, ok }, ...rest].slice(0, HISTORY_MAX);
    this.#save();
  }

  clear(): void {
    this.#entries.value = [];
    this.#save();
  }

  #load(): HistoryEntry[] {
    try {
      const raw = this.#store?.getItem(KEY);
      if (!raw) return [];
      const parsed = JSON.parse(raw) as unknown;
      if (!Array.isArray(parsed)) return [];
      // Another version (or a hand edit) may have left anything here: keep only well-formed entries.
      return parsed
        .filter(
          (e): e is HistoryEntry =>
            typeof e === 'object' &&
            e !== null &&
            typeof (e as HistoryEntry).sql === 'string' &&
            typeof (e as HistoryEntry).at === 'number',
        )
        .map((e) => ({ sql: e.sql, at: e.at, ok: e.ok !== false }))
        .slice(0, HISTORY_MAX);
    } catch (err) {
      console.warn('peerlake: query history unreadable, starting afresh', err);
      return [];
    }
  }

  #save(): void {
    try {
      this.#store?.setItem(KEY, JSON.stringify(this.#entries.value));
    } catch (err) {
      // Private mode or a full quota: history stays in memory for this tab.
      console.warn('peerlake: could not save query history', err);
    }
  }
}
