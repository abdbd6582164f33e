// The dashboard's state (issue #7), without a browser: the UI store over a real in-process
// LakeNode (createLakeNode), and the pure parts (alerts, chart choice, settings, history).
import { effect } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import type { DatasetInfo, PeerInfo } from '../../src/lake/api.ts';
import { DEFAULT_CONFIG } from '../../src/lake/config.ts';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import { chartFits, chooseChart } from '../../src/ui/results/chooseChart.ts';
import { deriveAlerts, type AlertInputs } from '../../src/ui/state/alerts.ts';
import { EventLogState } from '../../src/ui/state/EventLogState.ts';
import { HISTORY_MAX, QueryHistory } from '../../src/ui/state/QueryHistory.ts';
import { configUrl, overridesOf } from '../../src/ui/state/settings.ts';
import { UiStore } from '../../src/ui/state/UiStore.ts';
import { replicationProgress } from '../../src/ui/state/UploadQueue.ts';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

function dataset(
  over: Omit<Partial<DatasetInfo>, 'replication'> & {
    replication?: Partial<DatasetInfo['replication']>;
  } = {},
): DatasetInfo {
  return {
    id: 'd1' as DatasetInfo['id'],
    name: 'sales',
    format: 'csv',
    source: { name: 'sales.csv', bytes: 10 },
    rows: 1,
    bytes: 10,
    chunks: 1,
    checksum: 'ab',
    schema: [],
    status: 'committed',
    createdAt: 0,
    ...over,
    replication: { target: 3, holders: 3, state: 'healthy', ...over.replication },
  };
}

const base: AlertInputs = {
  datasets: [],
  peers: [],
  room: undefined,
  storage: undefined,
  departed: [],
  online: true,
  now: 1e6,
};

/** Resolves once `check` holds: an effect re-runs it whenever a signal it reads changes. */
function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    // Set after the effect's first run, which may already settle it (and must then clear nothing).
    const timer: { id?: ReturnType<typeof setTimeout> } = {};
    const dispose = effect(() => {
      if (done || !check()) return;
      done = true;
      clearTimeout(timer.id);
      queueMicrotask(() => dispose());
      resolve();
    });
    if (done) return;
    timer.id = setTimeout(() => {
      dispose();
      reject(new Error('condition not reached'));
    }, timeoutMs);
  });
}

describe('alerts', () => {
  it('says nothing when all is well', () => {
    expect(deriveAlerts({ ...base, datasets: [dataset()] })).toEqual([]);
  });
  it('warns on under-replicated and pending datasets, and is critical for unavailable ones', () => {
    const got = deriveAlerts({
      ...base,
      datasets: [
        dataset({
          id: 'a' as DatasetInfo['id'],
          name: 'a',
          replication: { holders: 1, state: 'under-replicated' },
        }),
        dataset({
          id: 'b' as DatasetInfo['id'],
          name: 'b',
          replication: { holders: 0, state: 'unavailable' },
        }),
        dataset({ id: 'c' as DatasetInfo['id'], name: 'c', status: 'pending' }),
      ],
    });
    expect(got.map((a) => [a.id, a.level])).toEqual([
      ['under:a', 'warning'],
      ['unavailable:b', 'critical'],
      ['pending:c', 'warning'],
    ]);
    expect(got[0]!.detail).toContain('1 of 3 copies');
  });
  it('storage near quota: warning from 80 %, critical from 95 %', () => {
    const at = (usage: number) =>
      deriveAlerts({
        ...base,
        storage: { usage, quota: 100, chunks: 0, bytes: 0, datasets: 0 },
      });
    expect(at(79)).toEqual([]);
    expect(at(80).map((a) => [a.id, a.level, a.title])).toEqual([['quota', 'warning', 'Storage 80 % full']]);
    expect(at(96)[0]!.level).toBe('critical');
  });
  it('unreachable peers: suspect ones, and ones that timed out lately and have not come back', () => {
    const peers: PeerInfo[] = [
      { nodeId: 'p-suspect', state: 'suspect', chunks: 0 },
      { nodeId: 'p-back', state: 'alive', chunks: 0 },
    ];
    const departed = [
      { nodeId: 'p-gone', at: base.now - 1000, reason: 'timeout' },
      { nodeId: 'p-back', at: base.now - 1000, reason: 'timeout' },
      { nodeId: 'p-old', at: base.now - 10 * 60_000, reason: 'timeout' },
    ];
    expect(deriveAlerts({ ...base, peers, departed }).map((a) => a.id)).toEqual([
      'suspect:p-suspect',
      'gone:p-gone',
    ]);
  });
  it('offline, or the signaling server gone', () => {
    const room = { id: 'r', link: 'l', members: 1, signaling: 'closed' as const, refused: 0 };
    expect(deriveAlerts({ ...base, room }).map((a) => a.id)).toEqual(['signaling']);
    expect(deriveAlerts({ ...base, room, online: false }).map((a) => a.id)).toEqual(['offline']);
  });
});

describe('chart choice', () => {
  const asc = () => true;
  it('time + number → line; category + number → bar; else none', () => {
    expect(chooseChart(['DATE', 'DOUBLE', 'BIGINT'], 10, asc)).toMatchObject({
      kind: 'line',
      x: 0,
      y: [1, 2],
    });
    expect(chooseChart(['VARCHAR', 'BIGINT', 'DOUBLE'], 10, asc)).toMatchObject({
      kind: 'bar',
      x: 0,
      y: [1],
    });
    expect(chooseChart(['BIGINT', 'DOUBLE'], 10, asc)).toMatchObject({ kind: 'line', x: 0, y: [1] });
    expect(chooseChart(['BIGINT', 'DOUBLE'], 10, () => false).kind).toBe('none');
    expect(chooseChart(['VARCHAR', 'VARCHAR'], 10, asc).kind).toBe('none');
    expect(chooseChart(['VARCHAR', 'BIGINT'], 1, asc).kind).toBe('none');
  });
  it('manual choices are checked', () => {
    expect(chartFits('bar', ['VARCHAR', 'BIGINT'], 0, [1])).toBe(true);
    expect(chartFits('line', ['VARCHAR', 'BIGINT'], 0, [1])).toBe(false);
    expect(chartFits('bar', ['VARCHAR', 'VARCHAR'], 0, [1])).toBe(false);
  });
});

describe('settings', () => {
  it('only changed keys go into ?config=, the room fragment stays', () => {
    const url = new URL('http://localhost:8080/?config=%7B%22chunkSize%22%3A8192%7D#room=abc&key=def');
    const next = new URL(configUrl(url, { heartbeatInterval: 2000, chunkSize: DEFAULT_CONFIG.chunkSize }));
    expect(JSON.parse(next.searchParams.get('config')!)).toEqual({ heartbeatInterval: 2000 });
    expect(next.hash).toBe('#room=abc&key=def');
    expect(new URL(configUrl(url, {})).search).toBe('');
  });
  it('bad values are refused with the rule', () => {
    expect(() => configUrl(new URL('http://x/'), { replicationFactor: 0 })).toThrow(
      /replicationFactor.*1 to 16/,
    );
  });
  it('overridesOf lists what differs from the defaults', () => {
    expect(overridesOf({ ...DEFAULT_CONFIG, queryCache: false })).toEqual({ queryCache: false });
  });
});

describe('query history', () => {
  it('persists newest first, moves repeats to the top, caps its size, survives garbage', () => {
    const storage = memoryStorage();
    const h = new QueryHistory(storage);
    h.add('SELECT 1', true, 1);
    h.add('SELECT 2', false, 2);
    h.add('SELECT 1', true, 3);
    expect(new QueryHistory(storage).entries.value).toEqual([
      { sql: 'SELECT 1', at: 3, ok: true },
      { sql: 'SELECT 2', at: 2, ok: false },
    ]);
    for (let i = 0; i < HISTORY_MAX + 10; i++) h.add(`SELECT ${i + 10}`, true, i);
    expect(new QueryHistory(storage).entries.value).toHaveLength(HISTORY_MAX);
    storage.setItem('peerlake:query-history', '{not json');
    expect(new QueryHistory(storage).entries.value).toEqual([]);
    storage.setItem('peerlake:query-history', JSON.stringify([{ sql: 1 }, { sql: 'ok', at: 5 }]));
    expect(new QueryHistory(storage).entries.value).toEqual([{ sql: 'ok', at: 5, ok: true }]);
  });
});

describe('event log', () => {
  it('coalesces bursts with one key and keeps kinds', () => {
    let now = 0;
    const log = new EventLogState(() => now);
    log.add('replication', 'replication: a', { key: 'r:a' });
    now = 500;
    log.add('replication', 'replication: a', { key: 'r:a' });
    now = 5_000;
    log.add('replication', 'replication: a', { key: 'r:a' });
    expect(log.entries.value.map((e) => e.repeat)).toEqual([1, 2]);
  });
});

describe('upload replication progress', () => {
  it('done once committed and healthy; otherwise holders against min(target, members)', () => {
    expect(replicationProgress(dataset(), 1)).toEqual({
      phase: 'done',
      replicate: 1,
      holders: { have: 1, want: 1 },
    });
    const under = dataset({ replication: { holders: 1, state: 'under-replicated' } });
    expect(replicationProgress(under, 5)).toEqual({
      phase: 'replicate',
      replicate: 1 / 3,
      holders: { have: 1, want: 3 },
    });
    expect(replicationProgress(dataset({ status: 'pending', replication: { holders: 2 } }), 2)).toMatchObject(
      {
        phase: 'replicate',
        holders: { have: 2, want: 2 },
      },
    );
  });
});

describe('UiStore over a real LakeNode', () => {
  it('follows ingest through parse → store → done, lists datasets, logs events, runs queries into history', async () => {
    const lake = createLakeNode();
    const storage = memoryStorage();
    const store = new UiStore(lake, { storage, online: () => true, onOnlineChange: () => () => undefined });
    store.start();
    try {
      const lines = ['city,fare'];
      for (let i = 0; i < 5000; i++) lines.push(`${['Oslo', 'Lima'][i % 2]},${i}`);
      store.uploads.add([new File([lines.join('\n')], 'Trips.csv')]);
      await until(() => store.uploads.tasks.value[0]?.phase === 'done');
      const task = store.uploads.tasks.value[0]!;
      expect(task).toMatchObject({
        parse: 1,
        store: 1,
        replicate: 1,
        dataset: { name: 'trips', rows: 5000 },
      });
      expect(store.datasets.value.map((d) => d.name)).toEqual(['trips']);
      expect(store.log.entries.value.map((e) => e.text)).toContain(
        'dataset added: trips (5,000 rows, 1 chunks)',
      );

      store.uploads.add([new File(['a,b\n1,2\n3\n'], 'bad.csv')]);
      await until(() => store.uploads.tasks.value[0]?.phase === 'failed');
      expect(store.uploads.tasks.value[0]!.error).toMatchObject({ code: 'RAGGED_ROWS' });

      await store.query.run('SELECT city, SUM(fare) AS s FROM trips GROUP BY city ORDER BY city');
      const q = store.query.state.value;
      expect(q.status).toBe('done');
      if (q.status === 'done')
        expect(q.result.rows).toEqual([
          { city: 'Lima', s: 6250000 },
          { city: 'Oslo', s: 6247500 },
        ]);
      await store.query.run('SELECT nope FROM trips');
      const e = store.query.state.value;
      expect(e.status === 'error' && e.error.position).toEqual({ line: 1, column: 8 });
      expect(store.history.entries.value.map((h) => [h.sql, h.ok])).toEqual([
        ['SELECT nope FROM trips', false],
        ['SELECT city, SUM(fare) AS s FROM trips GROUP BY city ORDER BY city', true],
      ]);
    } finally {
      store.dispose();
      await lake.close();
    }
  });
});
