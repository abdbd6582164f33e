import { signal, type ReadonlySignal } from '@preact/signals';

/** Entries kept in memory; older ones scroll away. */
export const LOG_MAX = 500;
/** Repeats of one replication event within this window update the last entry instead of adding one. */
const COALESCE_MS = 2_000;

export type LogKind = 'peer' | 'dataset' | 'replication' | 'query' | 'ingest' | 'room' | 'app';
export const LOG_KINDS: readonly LogKind[] = [
  'peer',
  'dataset',
  'replication',
  'query',
  'ingest',
  'room',
  'app',
];

export interface LogEntry {
  id: number;
  at: number;
  kind: LogKind;
  level: 'info' | 'warn' | 'error';
  text: string;
  /** How many identical events this entry stands for (replication progress arrives in bursts). */
  repeat: number;
  /** Entries with one key within COALESCE_MS merge. */
  key?: string;
}

/** The live event log, newest first. */
export class EventLogState {
  readonly #entries = signal<LogEntry[]>([]);
  #seq = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get entries(): ReadonlySignal<LogEntry[]> {
    return this.#entries;
  }

  add(kind: LogKind, text: string, opts: { level?: LogEntry['level']; key?: string } = {}): void {
    const at = this.#now();
    const list = this.#entries.value;
    const last = list[0];
    if (opts.key && last?.key === opts.key && at - last.at < COALESCE_MS) {
      this.#entries.value = [{ ...last, at, text, repeat: last.repeat + 1 }, ...list.slice(1)];
      return;
    }
    const entry: LogEntry = { id: ++this.#seq, at, kind, level: opts.level ?? 'info', text, repeat: 1 };
    if (opts.key) entry.key = opts.key;
    this.#entries.value = [entry, ...list].slice(0, LOG_MAX);
  }
}
