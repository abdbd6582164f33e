import { parseDouble } from '../infer.ts';

/**
 * The CSV reader's fast path for decoded text that holds no quote character: rows split on the
 * newline, fields on the delimiter, exactly as PapaParse's own quote-free path splits them, but
 * without a string per value or an array per row.
 *
 * Numbers are parsed straight from the char codes into an Int32Array / Float64Array. A typed
 * column is emitted only when every value in it is *canonical*: `String(x)` gives back the exact
 * field text (no '+', leading zeros, trailing fraction zeros, exponent, '-0', …). The batch then
 * means the same to the table builder as the strings would: classify() gives the same type for
 * `x` as for the text, every encoder gets the same value, and a column that later turns out to be
 * VARCHAR (a restart) stores the original text via `String(x)`. A column with an empty field
 * (NULL), a non-canonical number or a non-number in a batch is emitted for that batch as strings
 * and nulls, like the PapaParse path does.
 */

/** Column modes within a batch. */
const INT = 0;
const FLOAT = 1;
const STR = 2;

/** scanNumber results. */
const OK_INT = 0;
const OK_FLOAT = 1;
const EMPTY = 2;
/** A number, but its text is not what `String(x)` prints. */
const NONCANONICAL = 3;
const NOT_A_NUMBER = 4;

/** A column that fell back to strings for a temporary reason this many batches in a row stays strings. */
const MAX_STRIKES = 3;

/** 10^k for k ≤ 22, each exactly representable (the limit of Clinger's fast path). */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

// Results of scanNumber besides its status. Typed arrays, not variables: a double stored in a
// module variable is boxed, i.e. one heap allocation per value.
/** [0]: where the field ends (the delimiter's offset or the row end). */
const END = new Int32Array(1);
/** [0]: the field's value when it is a number. */
const VALUE = new Float64Array(1);

/**
 * Parses the field that starts at `p` (the row ends at `e`, fields end at `delim`). Plain
 * canonical decimals with at most 15 significant digits are converted exactly: the mantissa is
 * an exact integer below 2^53 and 10^f (f ≤ 20) is exact, so one IEEE division is correctly
 * rounded and equals `Number(text)`. Anything else goes through {@link slowNumber}.
 */
export function scanNumber(text: string, p: number, e: number, delim: number): number {
  if (p === e || text.charCodeAt(p) === delim) {
    END[0] = p;
    return EMPTY;
  }
  let q = p;
  let ch = text.charCodeAt(q);
  const neg = ch === 45; // '-'
  if (neg) q++;
  const ds = q;
  let v = 0;
  let sig = 0; // digits from the first non-zero one on
  while (q < e) {
    ch = text.charCodeAt(q);
    const d = ch - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    if (v !== 0) sig++;
    q++;
  }
  const nInt = q - ds;
  // A leading zero is canonical only as the whole integer part ("0", "0.5").
  const leadingZero = nInt > 1 && text.charCodeAt(ds) === 48;
  if (q === e || ch === delim) {
    if (nInt === 0 || sig > 15) return slowNumber(text, p, e, delim);
    END[0] = q;
    if (leadingZero || (neg && v === 0)) return NONCANONICAL; // "007", "-0"
    const x = neg ? -v : v;
    VALUE[0] = x;
    return x >= -2147483648 && x <= 2147483647 ? OK_INT : OK_FLOAT;
  }
  if (ch === 46 && nInt > 0 && !leadingZero) {
    // '.'
    q++;
    const fs = q;
    while (q < e) {
      ch = text.charCodeAt(q);
      const d = ch - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      if (v !== 0) sig++;
      q++;
    }
    const f = q - fs;
    // Canonical: ≥ 1 fraction digit, the last one non-zero, and no more than 5 zeros after
    // "0." (JS prints 1e-7 in exponent form). With ≤ 15 significant digits, f ≤ 20.
    if (
      (q === e || ch === delim) &&
      f > 0 &&
      sig <= 15 &&
      f - sig <= 5 &&
      text.charCodeAt(q - 1) !== 48
    ) {
      END[0] = q;
      const x = v / POW10[f]!;
      VALUE[0] = neg ? -x : x;
      return OK_FLOAT;
    }
  }
  return slowNumber(text, p, e, delim);
}

/** Anything the fast grammar does not cover: `parseDouble` on the text, then the canonical test. */
function slowNumber(text: string, p: number, e: number, delim: number): number {
  let q = p;
  while (q < e && text.charCodeAt(q) !== delim) q++;
  END[0] = q;
  const s = text.slice(p, q);
  const x = parseDouble(s);
  if (x !== x) return NOT_A_NUMBER;
  if (String(x) !== s) return NONCANONICAL;
  // An integer text beyond 2^53 classifies as BIGINT; the double would classify as DOUBLE.
  if (Number.isInteger(x) && !/[.eE]/.test(s) && !Number.isSafeInteger(x)) return NONCANONICAL;
  VALUE[0] = x;
  return x >= -2147483648 && x <= 2147483647 && Number.isInteger(x) ? OK_INT : OK_FLOAT;
}

/** The text of the field the last scanNumber call looked at, for tests. */
export function lastField(): { end: number; value: number } {
  return { end: END[0]!, value: VALUE[0]! };
}

export const SCAN_STATUS = { OK_INT, OK_FLOAT, EMPTY, NONCANONICAL, NOT_A_NUMBER } as const;

export type ScannedColumn = Int32Array | Float64Array | (string | null)[];

export interface ScanResult {
  /** Rows kept (ragged and blank rows are not). */
  rows: number;
  /** One entry per column, each `rows` long. */
  columns: ScannedColumn[];
  /** Offset of the first char not consumed: the start of the incomplete last row. */
  cursor: number;
  /** The 1-based line number of the next row. */
  line: number;
}

/**
 * Scans quote-free CSV text into columns. One instance per file: it remembers, per column,
 * whether numbers were worth trying in earlier batches.
 */
export class CsvScanner {
  readonly #ncols: number;
  readonly #delim: number;
  readonly #newline: string;
  /** Mode each column starts a batch in. */
  readonly #kind: Uint8Array;
  readonly #strikes: Uint8Array;
  /** Average chars per row so far, to size the typed arrays. */
  #rowChars = 0;

  constructor(ncols: number, delimiter: string, newline: '\n' | '\r\n') {
    this.#ncols = ncols;
    this.#delim = delimiter.charCodeAt(0);
    this.#newline = newline;
    this.#kind = new Uint8Array(ncols); // all INT: numbers are tried first
    this.#strikes = new Uint8Array(ncols);
  }

  /**
   * Splits `text` like PapaParse's quote-free path: rows on the newline (the piece after the last
   * newline is left for the next call unless `last`), fields on the delimiter. A row of the wrong
   * field count is reported to `onRagged` with its line and dropped; an empty row is a blank
   * line and skipped, unless the file has one column (then it is a NULL).
   */
  scan(text: string, last: boolean, line: number, onRagged: (line: number) => void): ScanResult {
    const ncols = this.#ncols;
    const D = this.#delim;
    const nl = this.#newline;
    const nlLen = nl.length;
    const end = text.length;
    if (end === 0) return { rows: 0, columns: [], cursor: 0, line };

    const mode = Uint8Array.from(this.#kind);
    /** Why a column fell back to strings in this batch (0 = it did not). */
    const fellBack = new Uint8Array(ncols);
    let cap = this.#estimateRows(text);
    const i32: Int32Array[] = [];
    const f64: Float64Array[] = [];
    const strs: (string | null)[][] = [];
    for (let c = 0; c < ncols; c++) {
      i32.push(mode[c] === INT ? new Int32Array(cap) : EMPTY_I32);
      f64.push(mode[c] === FLOAT ? new Float64Array(cap) : EMPTY_F64);
      strs.push([]);
    }

    let n = 0;
    let pos = 0;
    for (;;) {
      let e = text.indexOf(nl, pos);
      let next = e + nlLen;
      if (e === -1) {
        if (!last) break;
        e = end;
        next = -1;
      }
      if (e === pos && ncols > 1) {
        line++; // blank line
      } else {
        if (n === cap) {
          cap *= 2;
          for (let c = 0; c < ncols; c++) {
            if (mode[c] === INT) i32[c] = grow(i32[c]!, new Int32Array(cap));
            else if (mode[c] === FLOAT) f64[c] = grow(f64[c]!, new Float64Array(cap));
          }
        }
        let p = pos;
        let ok = true;
        for (let c = 0; c < ncols; c++) {
          const m = mode[c]!;
          let q: number;
          if (m === STR) {
            q = p;
            while (q < e && text.charCodeAt(q) !== D) q++;
            strs[c]![n] = q === p ? null : text.slice(p, q);
          } else {
            const st = scanNumber(text, p, e, D);
            q = END[0]!;
            if (st === OK_INT) {
              if (m === INT) i32[c]![n] = VALUE[0]!;
              else f64[c]![n] = VALUE[0]!;
            } else if (st === OK_FLOAT) {
              if (m === INT) {
                const f = new Float64Array(cap);
                const ints = i32[c]!;
                for (let i = 0; i < n; i++) f[i] = ints[i]!;
                f64[c] = f;
                i32[c] = EMPTY_I32;
                mode[c] = FLOAT;
              }
              f64[c]![n] = VALUE[0]!;
            } else {
              // Back to text for the rest of the batch; the numbers so far print as their text.
              const s: (string | null)[] = new Array<string | null>(n);
              if (m === INT) {
                const ints = i32[c]!;
                for (let i = 0; i < n; i++) s[i] = String(ints[i]);
              } else {
                const fl = f64[c]!;
                for (let i = 0; i < n; i++) s[i] = String(fl[i]);
              }
              s[n] = q === p ? null : text.slice(p, q);
              strs[c] = s;
              i32[c] = EMPTY_I32;
              f64[c] = EMPTY_F64;
              mode[c] = STR;
              fellBack[c] = st;
            }
          }
          if (c < ncols - 1) {
            if (q === e) {
              ok = false; // too few fields
              break;
            }
            p = q + 1;
          } else if (q !== e) ok = false; // too many fields
        }
        if (ok) n++;
        else onRagged(line);
        line++;
      }
      if (next === -1) {
        pos = end;
        break;
      }
      pos = next;
    }

    const columns: ScannedColumn[] = [];
    for (let c = 0; c < ncols; c++) {
      const m = mode[c]!;
      if (m === INT) columns.push(i32[c]!.subarray(0, n));
      else if (m === FLOAT) columns.push(f64[c]!.subarray(0, n));
      else {
        const s = strs[c]!;
        s.length = n; // a ragged last row may have written one more
        columns.push(s);
      }
      const why = fellBack[c]!;
      if (why === NOT_A_NUMBER) {
        this.#kind[c] = STR;
      } else if (why !== 0) {
        if (++this.#strikes[c]! >= MAX_STRIKES) this.#kind[c] = STR;
      } else if (m !== STR) {
        this.#kind[c] = m;
        this.#strikes[c] = 0;
      }
    }
    if (n > 0 && pos > 0) this.#rowChars = pos / n;
    return { rows: n, columns, cursor: pos, line };
  }

  #estimateRows(text: string): number {
    let per = this.#rowChars;
    if (per === 0) {
      const e = text.indexOf(this.#newline);
      per = e === -1 ? text.length : e + this.#newline.length;
    }
    return Math.ceil((text.length / Math.max(1, per)) * 1.1) + 16;
  }
}

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
