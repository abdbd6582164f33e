// Result exports (issue #7): every format the Results pane offers must open in native DuckDB
// (the oracle) with the same rows and types as DuckDB's own answer on the source CSV.
import { tableFromIPC } from 'apache-arrow';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import { ResultCells } from '../../src/ui/results/arrowCells.ts';
import { exportTable, type ExportFormat } from '../../src/ui/results/export/exportTable.ts';
import { duckRows, tempDir } from '../helpers/duckdb.ts';

const dir = tempDir('peerlake-export-');

/** Every type we store, NULLs, quotes, commas, newlines, an empty string and a big BIGINT. */
function sourceCsv(): string {
  const lines = ['id,city,fare,paid,day,ts,big,note'];
  const cities = ['Oslo', 'Lima', 'Pune', 'São Paulo'];
  for (let i = 0; i < 2_000; i++) {
    const note =
      i % 7 === 0 ? '' : i % 11 === 0 ? '"said ""hi"", then left"' : i % 13 === 0 ? '"two\nlines"' : `n${i}`;
    const fare = i % 17 === 0 ? '' : ((i % 97) * 1.25).toFixed(2);
    const day = `2024-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const at = `${day} ${String(i % 24).padStart(2, '0')}:15:30.250`;
    lines.push(
      `${i},${cities[i % 4]},${fare},${i % 3 === 0},${day},${at},${9007199254740993n + BigInt(i)},${note}`,
    );
  }
  return lines.join('\n') + '\n';
}

const READERS: Record<Exclude<ExportFormat, 'arrow'>, (path: string) => string> = {
  csv: (p) => `read_csv('${p}')`,
  json: (p) => `read_json('${p}')`,
  parquet: (p) => `read_parquet('${p}')`,
};

describe('result export opens in DuckDB', () => {
  const csvPath = join(dir, 'trips.csv');
  writeFileSync(csvPath, sourceCsv());

  const queries = [
    {
      name: 'every type, NULLs and awkward text',
      ours: 'SELECT id, city, fare, paid, day, ts, big, note FROM trips ORDER BY id',
      duck: `SELECT id, city, fare, paid, day, ts, big, note FROM read_csv('${csvPath}') ORDER BY id`,
    },
    {
      name: 'a GROUP BY with aggregates',
      ours: 'SELECT city, COUNT(*) AS n, SUM(fare) AS total, AVG(fare) AS mean FROM trips GROUP BY city ORDER BY city',
      duck: `SELECT city, COUNT(*) AS n, SUM(fare) AS total, AVG(fare) AS mean FROM read_csv('${csvPath}') GROUP BY city ORDER BY city`,
    },
  ];

  for (const q of queries) {
    it(`${q.name}: CSV, JSON and Parquet read back equal to DuckDB's answer`, async () => {
      const lake = createLakeNode();
      await lake.ingest({ name: 'trips.csv', text: sourceCsv() });
      const cells = new ResultCells(await lake.sql(q.ours));
      const want = await duckRows(q.duck);
      for (const format of ['csv', 'json', 'parquet'] as const) {
        const out = await exportTable(cells, format);
        const path = join(dir, `${q.name.replace(/\W+/g, '_')}.${format}`);
        writeFileSync(path, out);
        const got = await duckRows(`SELECT * FROM ${READERS[format](path)}`);
        expect(got, format).toEqual(want);
      }
      await lake.close();
    });
  }

  it('Parquet keeps the column types', async () => {
    const lake = createLakeNode();
    await lake.ingest({ name: 'trips.csv', text: sourceCsv() });
    const cells = new ResultCells(await lake.sql('SELECT id, city, fare, paid, day, ts, big FROM trips'));
    const path = join(dir, 'types.parquet');
    writeFileSync(path, await exportTable(cells, 'parquet'));
    const types = await duckRows(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${path}'))`,
    );
    expect(types.map((t) => [t.column_name, t.column_type])).toEqual([
      ['id', 'INTEGER'],
      ['city', 'VARCHAR'],
      ['fare', 'DOUBLE'],
      ['paid', 'BOOLEAN'],
      ['day', 'DATE'],
      ['ts', 'TIMESTAMP'],
      ['big', 'BIGINT'],
    ]);
    await lake.close();
  });

  it('Arrow IPC is a valid file with the same rows (DuckDB has no built-in Arrow reader)', async () => {
    const lake = createLakeNode();
    await lake.ingest({ name: 'trips.csv', text: sourceCsv() });
    const result = await lake.sql('SELECT city, COUNT(*) AS n FROM trips GROUP BY city ORDER BY city');
    const bytes = (await exportTable(new ResultCells(result), 'arrow')) as Uint8Array;
    // The IPC file format starts and ends with the ARROW1 magic.
    expect(new TextDecoder().decode(bytes.slice(0, 6))).toBe('ARROW1');
    expect(new TextDecoder().decode(bytes.slice(-6))).toBe('ARROW1');
    const back = tableFromIPC(bytes);
    const want = await duckRows(
      `SELECT city, COUNT(*) AS n FROM read_csv('${csvPath}') GROUP BY city ORDER BY city`,
    );
    expect(
      back.toArray().map((r: { city: string; n: number }) => ({ city: r.city, n: String(r.n) })),
    ).toEqual(want);
    await lake.close();
  });
});
