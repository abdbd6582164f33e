import { signal, type ReadonlySignal } from '@preact/signals';
import type { QueryProgress, QueryResult } from '../../lake/api.ts';
import type { EventLogState } from './EventLogState.ts';
import type { LakeApi } from './LakeApi.ts';
import type { QueryHistory } from './QueryHistory.ts';

/**
 * Progress as the distributed query issue (#6) extends it: fragments and bytes received from
 * executors. Absent fields are simply not shown, so the bar works before and after that lands.
 */
export type QueryProgressView = QueryProgress &
  Partial<{ fragmentsDone: number; fragmentsTotal: number; bytesReceived: number }>;

export interface QueryError {
  code?: string;
  message: string;
  /** 1-based, from SqlError. */
  position?: { line: number; column: number };
}

export type QueryState =
  | { status: 'idle' }
  | { status: 'running'; sql: string; startedAt: number; progress?: QueryProgressView }
  | { status: 'done'; sql: string; result: QueryResult; wallMs: number }
  | { status: 'error'; sql: string; error: QueryError }
  | { status: 'cancelled'; sql: string };

/** One query at a time from the editor: run, stop, progress, and the last outcome. */
export class QueryController {
  readonly #lake: LakeApi;
  readonly #history: QueryHistory;
  readonly #log: EventLogState;
  readonly #state = signal<QueryState>({ status: 'idle' });
  #running: AbortController | undefined;
  /** Query ids (from progress events) already logged as started. */
  readonly #seen = new Set<string>();

  constructor(lake: LakeApi, history: QueryHistory, log: EventLogState) {
    this.#lake = lake;
    this.#history = history;
    this.#log = log;
  }

  get state(): ReadonlySignal<QueryState> {
    return this.#state;
  }

  get running(): boolean {
    return this.#state.value.status === 'running';
  }

  run(sql: string): Promise<void> {
    const text = sql.trim();
    this.#running?.abort();
    const ctl = new AbortController();
    this.#running = ctl;
    const startedAt = performance.now();
    this.#state.value = { status: 'running', sql: text, startedAt };
    this.#log.add('query', `query started: ${oneLine(text)}`);
    return this.#lake
      .sql(text, {
        signal: ctl.signal,
        onProgress: (p) => {
          const s = this.#state.value;
          if (this.#running === ctl && s.status === 'running') this.#state.value = { ...s, progress: p };
        },
      })
      .then(
        (result) => {
          if (this.#running !== ctl) return;
          this.#running = undefined;
          const wallMs = performance.now() - startedAt;
          this.#state.value = { status: 'done', sql: text, result, wallMs };
          this.#history.add(text, true);
          this.#log.add(
            'query',
            `query finished: ${result.rowCount.toLocaleString('en-US')} row(s) in ${Math.round(result.executionTime)} ms`,
          );
        },
        (e: Error & { code?: string; position?: { line: number; column: number } }) => {
          if (this.#running !== ctl) return;
          this.#running = undefined;
          if (e.code === 'CANCELLED') {
            this.#state.value = { status: 'cancelled', sql: text };
            this.#log.add('query', 'query cancelled', { level: 'warn' });
            return;
          }
          const error: QueryError = { code: e.code, message: e.message };
          if (e.position) error.position = e.position;
          this.#state.value = { status: 'error', sql: text, error };
          this.#history.add(text, false);
          this.#log.add('query', `query failed: ${e.message}`, { level: 'error' });
        },
      );
  }

  stop(): void {
    this.#running?.abort();
  }

  /** Every node-level progress event (also queries run from the console) lands in the log once. */
  onProgressEvent(p: QueryProgress): void {
    if (this.#seen.has(p.query)) return;
    this.#seen.add(p.query);
    if (this.#seen.size > 1000) this.#seen.clear();
    this.#log.add('query', `query ${p.query}: scanning ${p.chunksTotal} chunk(s)`);
  }
}

function oneLine(sql: string): string {
  const s = sql.replace(/\s+/g, ' ');
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}
