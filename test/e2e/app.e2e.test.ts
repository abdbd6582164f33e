import { readFileSync, writeFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../signaling-server/server.ts';
import { duckRows, tempDir } from '../helpers/duckdb.ts';
import { collectConsoleErrors, launchBrowser, startAppServer } from './harness.ts';

const VEGA = join(process.cwd(), 'node_modules/vega-datasets/data');
const dir = tempDir();

let server: RunningServer;
let browser: Browser;
beforeAll(async () => {
  server = await startAppServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openApp(): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(server.url);
  await page.waitForSelector('[data-testid="datasets"]');
  return { page, errors };
}

describe('the page, used as a person would', () => {
  it('uploads several files, shows progress and per-file errors, verifies, and answers SQL', async () => {
    const { page, errors } = await openApp();
    await expect(page.textContent('[data-testid="datasets"]')).resolves.toContain('No datasets yet');
    const good = join(dir, 'Trips 2024.csv');
    const lines = ['id,city,fare'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${['Oslo', 'Lima', 'Pune'][i % 3]},${(i % 97) * 1.5}`);
    writeFileSync(good, lines.join('\n'));
    const bad = join(dir, 'ragged.csv');
    writeFileSync(bad, 'a,b\n1,2\n3\n4,5\n');
    await page.setInputFiles('#file-input', [good, bad]);

    await page.waitForSelector('[data-dataset="trips_2024"]');
    await page.waitForSelector('.upload.failed');
    expect(await page.textContent('.upload.failed .status')).toContain('line(s) 3');
    expect(await page.textContent('.upload.done .status')).toContain('30,000 rows');

    await page.click('[data-dataset="trips_2024"] button:has-text("Verify")');
    await page.waitForSelector('.verify-result.ok');

    await page.fill('#sql', 'SHOW TABLES');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('[data-testid="results"] [role="gridcell"]');
    expect(await page.textContent('[data-testid="results"]')).toContain('trips_2024');
    await page.fill('#sql', 'SELECT COUNT(*) AS n FROM trips_2024');
    await page.click('[data-testid="run"]');
    await page.waitForFunction(() =>
      /^30,?000$/.test(
        document.querySelector('[data-testid="results"] [role="gridcell"]')?.textContent ?? '',
      ),
    );
    expect(await page.textContent('[data-testid="result-meta"]')).toMatch(/1 row\(s\) in/);
    // Outside the supported grammar: an honest refusal, never a wrong answer.
    await page.fill('#sql', 'SELECT ROW_NUMBER() OVER () AS r FROM trips_2024');
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="results"] .error');
    expect(await page.textContent('[data-testid="results"] .error')).toContain('not supported yet');

    await page.click('[data-dataset="trips_2024"] button:has-text("Drop")');
    await page.click('[data-testid="confirm-drop"] button:has-text("Drop dataset")');
    await page.waitForSelector('text=No datasets yet');
    expect(await page.evaluate(() => window.lake.storage().then((s) => s.chunks))).toBe(0);
    expect(errors).toEqual([]);
  });

  it('ingests real Parquet (ZSTD/Snappy) and Arrow files in the worker, with DuckDB row counts', async () => {
    const { page, errors } = await openApp();
    await page.setInputFiles('#file-input', [
      join(VEGA, 'flights-3m.parquet'),
      join(VEGA, 'flights-200k.arrow'),
    ]);
    await page.waitForSelector('[data-dataset="flights_3m"]', { timeout: 90_000 });
    await page.waitForSelector('[data-dataset="flights_200k"]', { timeout: 90_000 });
    const got = await page.evaluate(() => window.lake.datasets().map((d) => [d.name, d.rows, d.format]));
    const [parquet] = await duckRows(`SELECT count(*) AS n FROM '${join(VEGA, 'flights-3m.parquet')}'`);
    // DuckDB has no built-in Arrow IPC reader; apache-arrow in Node counts that file.
    const arrowRows = tableFromIPC(readFileSync(join(VEGA, 'flights-200k.arrow'))).numRows;
    expect(got).toEqual([
      ['flights_200k', arrowRows, 'arrow'],
      ['flights_3m', Number(parquet!.n), 'parquet'],
    ]);
    expect(await page.evaluate(() => window.lake.verify('flights_3m').then((r) => r.ok))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('cancelling an upload stops the worker and stores nothing', async () => {
    const { page } = await openApp();
    const result = await page.evaluate(async () => {
      const parts = ['id,v\n'];
      for (let i = 0; i < 2_000_000; i++) parts.push(`${i},${i * 7}\n`);
      const ctl = new AbortController();
      const file = new File(parts, 'big.csv');
      try {
        await window.lake.ingest(file, {
          signal: ctl.signal,
          onProgress: (p) => p.chunks >= 1 && ctl.abort(),
        });
        return { code: 'none' };
      } catch (e) {
        return { code: (e as { code?: string }).code, storage: await window.lake.storage() };
      }
    });
    expect(result).toMatchObject({ code: 'CANCELLED', storage: { chunks: 0, datasets: 0 } });
  });
});
