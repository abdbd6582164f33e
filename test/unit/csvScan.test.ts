import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { decodePieces, type DecodedPiece } from '../../src/ingest/decodeText.ts';
import { parseDouble } from '../../src/ingest/infer.ts';
import { ingestFile } from '../../src/ingest/ingestFile.ts';
import type { ReaderOptions } from '../../src/ingest/ColumnBatch.ts';
import { csvReader, readCsvParts } from '../../src/ingest/readers/csv.ts';
import {
  CsvScanner,
  lastNumber,
  numberText,
  SCAN_STATUS as S,
  scanNumber,
  utf8Length,
} from '../../src/ingest/readers/csvScan.ts';
import { MemoryChunkStore } from '../../src/storage/MemoryChunkStore.ts';
import type { DatasetId, NodeId } from '../../src/types.ts';
import { readRows } from '../helpers/dataset.ts';
import { duckRows, tempDir } from '../helpers/duckdb.ts';

const enc = new TextEncoder();

/** scanNumber on a whole string, then numberText when it defers: what the scanner stores. */
function parse(s: string): { status: number; value?: number } {
  if (s === '') return { status: S.EMPTY };
  const bytes = enc.encode(s);
  let status = scanNumber(bytes, 0, bytes.length, 44, 10);
  if (status === S.SLOW) status = numberText(s);
  const ok = status === S.OK_INT || status === S.OK_FLOAT;
  return ok ? { status, value: lastNumber().value } : { status };
}

describe('number parsing', () => {
  it('reads canonical decimals exactly, through the fast path', () => {
    for (const s of ['0', '7', '-7', '2147483647', '-2147483648', '0.1', '-0.5', '123.456', '0.000001']) {
      const bytes = enc.encode(s);
      expect(scanNumber(bytes, 0, bytes.length, 44, 10), s).not.toBe(S.SLOW);
      // …followed by a delimiter, or a newline (LF; CRLF)
      for (const [after, nl] of [
        [',', 10],
        ['\n', 10],
        ['\r\n', 13],
      ] as const) {
        const more = enc.encode(s + after + '1');
        expect(scanNumber(more, 0, more.length, 44, nl), s + after).not.toBe(S.SLOW);
        expect(lastNumber()).toEqual({ value: Number(s), end: bytes.length });
      }
      const cr = enc.encode(s + '\r1');
      expect(scanNumber(cr, 0, cr.length, 44, 13), 'a lone CR is data').toBe(S.SLOW);
      expect(scanNumber(cr, 0, cr.length, 44, 10), 'CR is data when the newline is LF').toBe(S.SLOW);
      expect(parse(s).value, s).toBe(Number(s));
    }
    expect(parse('2147483648')).toEqual({ status: S.OK_FLOAT, value: 2147483648 });
    expect(parse('12').status).toBe(S.OK_INT);
  });

  it('keeps text for numbers whose text String(x) would not give back', () => {
    for (const s of [
      '1e22',
      '1e23',
      '-0.0',
      '-0',
      '9007199254740993',
      '.5',
      '5.',
      '1E-5',
      '1.50',
      '007',
      '+5',
    ]) {
      expect(parse(s).status, s).toBe(S.NONCANONICAL);
    }
    for (const s of ['abc', '1;5', '0x1F', ' 1', '1 ', 'Infinity', 'NaN', '-', '1-2', '2024-01-02']) {
      expect(parse(s).status, s).toBe(S.NOT_A_NUMBER);
    }
    expect(parse('').status).toBe(S.EMPTY);
  });

  it('reads what the fast path leaves, when String(x) gives it back', () => {
    // 16 significant digits: not Clinger's fast path, but canonical.
    expect(parse('123456789012345.6')).toEqual({ status: S.OK_FLOAT, value: 123456789012345.6 });
    expect(parse('1e-7')).toEqual({ status: S.OK_FLOAT, value: 1e-7 });
    expect(parse('1e+21')).toEqual({ status: S.OK_FLOAT, value: 1e21 });
  });

  it('parses every double printed by JS to the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = String(x);
        const r = parse(s);
        if (Object.is(x, -0)) return; // prints as "0"
        // An integer beyond 2^53 is BIGINT as text but DOUBLE as a number: kept as text.
        if (Number.isInteger(x) && !Number.isSafeInteger(x) && !s.includes('e'))
          expect(r.value).toBeUndefined();
        else expect(r.value).toBe(x);
      }),
      { numRuns: 5000 },
    );
  });

  it('either stores exactly Number(text), printing back as the text, or keeps the text', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 20 });
    const decimal = fc
      .tuple(
        fc.constantFrom('', '-', '+'),
        digits,
        fc.option(digits),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), digits)),
      )
      .map(([sign, i, f, e]) => `${sign}${i}${f === null ? '' : `.${f}`}${e === null ? '' : e.join('')}`);
    fc.assert(
      fc.property(decimal, (s) => {
        const r = parse(s);
        if (r.value !== undefined) {
          expect(Object.is(r.value, Number(s)), s).toBe(true);
          expect(String(r.value)).toBe(s);
        } else if (s !== '') {
          expect(r.status, s).toBe(parseDouble(s) !== parseDouble(s) ? S.NOT_A_NUMBER : S.NONCANONICAL);
        }
      }),
      { numRuns: 20000 },
    );
  });

  it('utf8Length matches TextEncoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8Length(s)).toBe(enc.encode(s).length);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The reader against PapaParse on the whole text, the reader's semantics before the fast path.

const opts = (raggedRows: 'reject' | 'skip', onSkipped?: (l: number) => void): ReaderOptions => ({
  batchRows: 65536,
  maxRowBytes: 1 << 22,
  raggedRows,
  onSkipped,
});

/**
 * `text` cut at the given byte offsets (after the header, which the reader reads from the first
 * piece) and decoded as decodePieces does; every `group`-th part ends a piece.
 */
function partsOf(text: string, cuts: number[], group: number): DecodedPiece[] {
  const bytes = enc.encode(text);
  const head = bytes.indexOf(10) + 1 || bytes.length;
  const at = [...new Set(cuts.map((c) => Math.max(head, c % (bytes.length + 1))))].sort((a, b) => a - b);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: DecodedPiece[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    if (to <= from && to !== bytes.length) continue;
    const b = bytes.subarray(from, to);
    parts.push({ text: decoder.decode(b, { stream: true }), bytes: b, pieceEnd: false });
    from = to;
  }
  const tail = decoder.decode();
  if (tail) parts.push({ text: tail, bytes: new Uint8Array(0), pieceEnd: false });
  parts.forEach((p, i) => (p.pieceEnd = (i + 1) % group === 0 || i === parts.length - 1));
  return parts;
}

interface Outcome {
  names?: string[];
  rows?: (string | null)[][];
  skipped?: number[];
  error?: string;
  /** Columns that came as typed arrays (the fast path). */
  typed?: number;
}

async function readParts(parts: DecodedPiece[], raggedRows: 'reject' | 'skip'): Promise<Outcome> {
  const skipped: number[] = [];
  const rows: (string | null)[][] = [];
  let names: string[] | undefined;
  let typed = 0;
  try {
    for await (const batch of readCsvParts(
      parts,
      { name: 't.csv' },
      opts(raggedRows, (l) => skipped.push(l)),
      ',',
    )) {
      const cols = [...batch.columns.values()];
      names = [...batch.columns.keys()];
      for (const c of cols) {
        if (ArrayBuffer.isView(c)) {
          typed++;
          // The invariant that makes typed columns safe: each number prints as its text.
          expect(c instanceof Int32Array || c instanceof Float64Array).toBe(true);
        }
        expect(c.length).toBe(batch.rows);
      }
      for (let r = 0; r < batch.rows; r++) {
        rows.push(
          cols.map((c) => {
            const v = c[r] as string | number | null;
            return v === null ? null : String(v);
          }),
        );
      }
    }
  } catch (e) {
    return { error: (e as Error).message, skipped };
  }
  return { names, rows, skipped, typed };
}

/** The reader's semantics on the whole text at once, with PapaParse: the oracle. */
function papaRead(text: string): { names: string[]; rows: (string | null)[][]; ragged: number[] } {
  const newline = text.slice(0, text.indexOf('\n') + 1).endsWith('\r\n') ? '\r\n' : '\n';
  const parser = new Papa.Parser({ delimiter: ',', newline, quoteChar: '"' });
  const { data } = parser.parse(text, 0, false) as Papa.ParseResult<string[]>;
  // The reader reads the text after the last newline as a row only when it is not empty.
  if (text.endsWith(newline) && data.length > 1) data.pop();
  const names = data[0]!;
  const ncols = names.length;
  const rows: (string | null)[][] = [];
  const ragged: number[] = [];
  let line = 2;
  for (const row of data.slice(1)) {
    if (row.length === 1 && row[0] === '' && ncols > 1) {
      line++;
      continue;
    }
    if (row.length !== ncols) ragged.push(line);
    else rows.push(row.map((v) => (v === '' ? null : v)));
    line += 1 + row.reduce((n, v) => n + v.split('\n').length - 1, 0);
  }
  return { names, rows, ragged };
}

/** Cells that exercise the typed paths, their fallbacks, and text. */
function cell(kind: number): fc.Arbitrary<string> {
  const canonicalInt = fc.integer({ min: -3_000_000_000, max: 3_000_000_000 }).map(String);
  const smallInt = fc.integer({ min: -1000, max: 1000 }).map(String);
  const decimal = fc
    .tuple(fc.integer({ min: -99_999_999, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
    .map(([m, e]) => String(m / 10 ** e));
  const oddNumber = fc.constantFrom(
    '1.50',
    '007',
    '+5',
    '.5',
    '5.',
    '1E-5',
    '1e22',
    '1e23',
    '-0.0',
    '-0',
    '9007199254740993',
    '123456789012345.6',
    '0.0000001',
    '1e-7',
  );
  const text = fc.oneof(
    fc.constantFrom('alpha', 'beta', 'gamma', 'délta', '日本', '😀x', 'true', '2024-01-02', 'N/A'),
    fc.string({ unit: fc.constantFrom(...'abcxyz é€😀 .-;\r'), maxLength: 20 }),
  );
  const empty = fc.constant('');
  switch (kind) {
    case 0:
      return fc.oneof(
        { weight: 20, arbitrary: smallInt },
        { weight: 4, arbitrary: canonicalInt },
        { weight: 1, arbitrary: empty },
      );
    case 1:
      return fc.oneof(
        { weight: 20, arbitrary: decimal },
        { weight: 1, arbitrary: oddNumber },
        { weight: 1, arbitrary: empty },
      );
    case 2:
      return fc.oneof({ weight: 30, arbitrary: decimal }, { weight: 1, arbitrary: text });
    default:
      return fc.oneof(
        { weight: 10, arbitrary: text },
        { weight: 1, arbitrary: empty },
        { weight: 1, arbitrary: smallInt },
      );
  }
}

const csvCase = fc
  .record({
    kinds: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
    crlf: fc.boolean(),
    trailingNewline: fc.boolean(),
    quoted: fc.integer({ min: 0, max: 40 }),
    nrows: fc.integer({ min: 0, max: 120 }),
    seed: fc.integer(),
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      rows: fc.array(
        fc.oneof(
          { weight: 30, arbitrary: fc.tuple(...c.kinds.map(cell)) },
          // ragged: a field too few or too many, and blank lines
          { weight: 1, arbitrary: fc.tuple(...c.kinds.map(cell)).map((r) => r.slice(0, -1)) },
          { weight: 1, arbitrary: fc.tuple(...c.kinds.map(cell)).map((r) => [...r, '9']) },
          { weight: 1, arbitrary: fc.constant([] as string[]) },
        ),
        { minLength: c.nrows, maxLength: c.nrows },
      ),
      cuts: fc.array(fc.nat(), { maxLength: 12 }),
      group: fc.integer({ min: 1, max: 4 }),
    }),
  )
  .map(({ c, rows, cuts, group }) => {
    const nl = c.crlf ? '\r\n' : '\n';
    const lines = [c.kinds.map((_, i) => `col_${i}`).join(',')];
    rows.forEach((r, i) => {
      // Now and then a quoted field, sending that piece through PapaParse.
      const q = c.quoted > 0 && i % c.quoted === 1;
      lines.push(r.map((v, j) => (q && j === 0 ? `"${v},q"` : v)).join(','));
    });
    const text = lines.join(nl) + (c.trailingNewline ? nl : '');
    return { text, cuts, group };
  });

describe('the CSV reader’s fast path against PapaParse', () => {
  it('gives the same rows, NULLs, ragged lines and errors, however the input is cut', async () => {
    let typed = 0;
    await fc.assert(
      fc.asyncProperty(csvCase, async ({ text, cuts, group }) => {
        const want = papaRead(text);
        const parts = partsOf(text, cuts, group);
        const skip = await readParts(parts, 'skip');
        expect(skip.error).toBeUndefined();
        if (want.rows.length > 0) {
          expect(skip.names).toEqual(want.names);
        }
        expect(skip.rows).toEqual(want.rows);
        expect(skip.skipped).toEqual(want.ragged);
        typed += skip.typed ?? 0;
        const reject = await readParts(partsOf(text, cuts, group), 'reject');
        if (want.ragged.length === 0) expect(reject.error).toBeUndefined();
        else expect(reject.error).toContain(`line(s) ${want.ragged[0]}`);
      }),
      { numRuns: 400 },
    );
    expect(typed, 'typed columns seen').toBeGreaterThan(100);
  });

  it('fills typed arrays for clean numeric columns, and falls back per batch', async () => {
    const lines = ['id,price,maybe,name'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${(i * 7) / 100},${i % 1000 === 999 ? '' : i},n${i % 7}`);
    const text = lines.join('\n') + '\n';
    // 3 batches of ~1000 rows; the third column has one NULL in each.
    const cut = [text.indexOf('\n1000,') + 1, text.indexOf('\n2000,') + 1];
    const batches = [];
    for await (const b of readCsvParts(partsOf(text, cut, 1), { name: 't.csv' }, opts('reject'), ','))
      batches.push(b);
    expect(batches).toHaveLength(3);
    for (const b of batches) {
      expect(b.columns.get('id')).toBeInstanceOf(Int32Array);
      expect(b.columns.get('price')).toBeInstanceOf(Float64Array);
      expect(Array.isArray(b.columns.get('maybe'))).toBe(true);
      expect(Array.isArray(b.columns.get('name'))).toBe(true);
    }
    const maybe = batches[0]!.columns.get('maybe') as (string | null)[];
    expect(maybe.slice(997)).toEqual(['997', '998', null]);
  });

  it('reports ragged rows deep in a file with their line numbers', async () => {
    const lines = ['a,b'];
    for (let i = 0; i < 50_000; i++) lines.push(i === 43_210 ? '1,2,3' : `${i},${i}`);
    const text = lines.join('\r\n');
    const got = await readParts(partsOf(text, [70_000, 140_000, 300_000], 2), 'reject');
    expect(got.error).toContain('1 row(s) do not have 2 fields like the header: line(s) 43212.');
  });

  it('splits CRLF files on CRLF only: a lone LF or CR is data', async () => {
    const text = 'a,b\r\n1,x\ny\r\n2,\r\r\n3,z\r\n\r\n4,5\r\n';
    const got = await readParts(partsOf(text, [9, 12, 17], 1), 'skip');
    expect(got.rows).toEqual([
      ['1', 'x\ny'],
      ['2', '\r'],
      ['3', 'z'],
      ['4', '5'],
    ]);
    const lf = await readParts(partsOf('a,b\n1,x\r\n2,3\r\n', [7], 1), 'skip');
    expect(lf.rows).toEqual([
      ['1', 'x\r'],
      ['2', '3\r'],
    ]);
  });

  it('reads rows longer than a part or a piece', async () => {
    const long = (n: number) => 'é'.repeat(n);
    const lines = ['a,b'];
    for (let i = 0; i < 2000; i++) lines.push(i % 500 === 7 ? `${i},${long(300_000 + i)}` : `${i},x${i}`);
    lines.push(`1,${long(1_500_000)}`);
    const text = lines.join('\n') + '\n';
    const source = { name: 'long.csv', blob: new Blob([text]) };
    const rows: (string | null)[][] = [];
    for await (const b of csvReader(',')(source, { ...opts('reject'), maxRowBytes: 1 << 22 })) {
      const [x, y] = [...b.columns.values()] as [Int32Array, string[]];
      for (let r = 0; r < b.rows; r++) rows.push([String(x[r]), y[r]!]);
    }
    expect(rows).toEqual(papaRead(text).rows);
  });

  it('handles a scanner fed byte by byte', () => {
    const s = new CsvScanner(2, ',', '\n');
    const text = 'x,1\né,2\n';
    const bytes = enc.encode(text);
    const r = s.scan(bytes, text, false, 2, () => undefined);
    expect(r).toEqual({ cursor: bytes.length, textCursor: text.length, line: 4 });
    const b = s.take();
    expect(b.rows).toBe(2);
    expect(b.columns[0]).toEqual(['x', 'é']);
    expect(b.columns[1]).toEqual(new Int32Array([1, 2]));
  });
});

// ---------------------------------------------------------------------------------------------
// Whole ingest against DuckDB, on files large enough for many pieces and parts.

const dir = tempDir();

async function ingestAgainstDuckDB(file: string, text: string) {
  const store = new MemoryChunkStore();
  const blob = new Blob([text]);
  const manifest = await ingestFile(
    store,
    { name: file, blob },
    {
      datasetId: 'ds' as DatasetId,
      name: 'ds',
      nodeId: 'node' as NodeId,
      chunkBytes: 1 << 18,
      maxRowBytes: 1 << 22,
      maxFileBytes: 1 << 30,
      raggedRows: 'reject',
    },
  );
  const ours = await readRows(store, manifest);
  const path = join(dir, file);
  writeFileSync(path, text);
  const theirs = await duckRows(`SELECT * FROM read_csv('${path}')`);
  expect(ours.length).toBe(theirs.length);
  expect(ours).toEqual(theirs);
  return manifest;
}

describe('CSV fast path against DuckDB', () => {
  it('numbers, NULLs, late non-canonical numbers and low-cardinality text over many pieces', async () => {
    const lines = ['id,qty,price,sparse,late,cat,word'];
    for (let i = 0; i < 60_000; i++) {
      const sparse = i % 5000 === 17 ? '' : String(i % 977);
      const late = i > 40_000 && i % 3 === 0 ? `${i % 50}.50` : String((i % 5000) / 8);
      lines.push(
        `${i},${-((i * 7919) % 100_000)},${((i * 31) % 100_000) / 100},${sparse},${late},c${i % 20},wörd${i % 300}`,
      );
    }
    const m = await ingestAgainstDuckDB('fast.csv', lines.join('\n') + '\n');
    expect(m.schema.map((c) => c.type)).toEqual([
      'INTEGER',
      'INTEGER',
      'DOUBLE',
      'INTEGER',
      'DOUBLE',
      'VARCHAR',
      'VARCHAR',
    ]);
  });

  it('CRLF, a BOM, and a numeric column that turns out to be text after the first piece', async () => {
    // ~75 bytes a row: 'N/A' comes after the first 1 MiB piece, so the first attempt stores typed
    // chunks for "code" and restarts; the re-read must store the original text.
    const lines = ['\uFEFFk,v,code,note'];
    for (let i = 0; i < 20_000; i++) {
      const code = i === 19_000 ? 'N/A' : String((i % 400) / 4);
      lines.push(`${i},${i * 0.25},${code},the quick brown fox jumps over the lazy dog ${i % 10}`);
    }
    const text = lines.join('\r\n') + '\r\n';
    expect(text.indexOf('N/A')).toBeGreaterThan(1 << 20);
    const m = await ingestAgainstDuckDB('crlf.csv', text);
    expect(m.schema.map((c) => c.type)).toEqual(['INTEGER', 'DOUBLE', 'VARCHAR', 'VARCHAR']);
  });
});

describe('the line length limit', () => {
  /** The line decodePieces rejects, if any. */
  async function tooLongLine(text: string, maxRowBytes: number): Promise<number | undefined> {
    const source = { name: 'l.csv', blob: new Blob([text]) };
    try {
      for await (const part of decodePieces(source, { ...opts('reject'), maxRowBytes })) void part;
    } catch (e) {
      const m = /line (\d+) is longer/.exec((e as Error).message);
      if (!m) throw e;
      return Number(m[1]);
    }
    return undefined;
  }

  /** The first line longer than the limit (in UTF-16 units), as the per-line check found it. */
  function expected(text: string, max: number): number | undefined {
    const i = text.split('\n').findIndex((l) => l.length > max);
    return i === -1 ? undefined : i + 1;
  }

  it('finds the first line over the limit, with its number', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '😀', ','), maxLength: 3000 }), {
          maxLength: 40,
        }),
        fc.integer({ min: 1024, max: 5000 }),
        async (lines, max) => {
          const text = lines.join('\n');
          expect(await tooLongLine(text, max)).toBe(expected(text, max));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('in large files, over part and piece boundaries', async () => {
    const lines = Array.from({ length: 300_000 }, (_, i) => `${i},row`);
    for (const [at, len, max] of [
      [150_000, 1025, 1024],
      [250_000, 100_001, 100_000],
      [1, 2_000_000, 1 << 20],
    ] as const) {
      const copy = [...lines];
      copy[at] = 'x'.repeat(len);
      const text = copy.join('\n');
      expect(await tooLongLine(text, max)).toBe(at + 1);
      expect(await tooLongLine(text, len)).toBeUndefined();
    }
  });
});
