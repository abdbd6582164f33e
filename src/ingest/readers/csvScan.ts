import { parseDouble } from '../infer.ts';

/**
 * The CSV reader's fast path for input without any quote character: rows split on the newline,
 * fields on the delimiter, exactly as PapaParse's own quote-free path splits them, but without a
 * string per value or an array per row.
 *
 * It walks the UTF-8 bytes, not the string: typed-array reads are about twice as fast as
 * `charCodeAt` in V8, and every byte that matters (delimiter, newline, digits, sign, point) is
 * ASCII, which never occurs inside a multi-byte UTF-8 sequence. Text fields are sliced from the
 * decoded string; the scanner keeps the char offset in step with the byte offset by counting
 * the non-ASCII bytes it walks over.
 *
 * Numbers are parsed straight from the bytes into an Int32Array / Float64Array. A typed column
 * is emitted only when every value in it is *canonical*: `String(x)` gives back the exact field
 * text (no '+', leading zeros, trailing fraction zeros, exponent, '-0', …). Such a batch means
 * the same to the table builder as the strings would: `classify(x)` is `classify(text)`, every
 * encoder gets the same value, and a column that later turns out to be VARCHAR (a restart)
 * stores the original text via `String(x)`. A column with an empty field (NULL), a
 * non-canonical number or a non-number in a batch is emitted for that batch as strings and
 * nulls, as the PapaParse path emits it.
 */

/** Column modes within a batch. */
const INT = 0;
const FLOAT = 1;
const STR = 2;

/** Number parse results. */
const OK_INT = 1;
const OK_FLOAT = 2;
const EMPTY = 3;
/** A number, but its text is not what `String(x)` prints. */
const NONCANONICAL = 4;
const NOT_A_NUMBER = 5;
/** scanNumber only: not a plain canonical decimal; look at the field's text. */
const SLOW = 6;

/** A column that fell back to strings for a temporary reason this many batches in a row stays strings. */
const MAX_STRIKES = 3;

/** 10^k for k ≤ 22, each exactly representable (the limit of Clinger's fast path). */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

// Results besides the status. Typed arrays, not variables: a double stored in a module variable
// is boxed, i.e. one heap allocation per value.
/** [0]: where the number ends (the delimiter's offset or the row end). */
const END = new Int32Array(1);
/** [0]: the field's value when it is a number. */
const VALUE = new Float64Array(1);

/**
 * True when the field ending at `q` (byte `b`) ends its row: `nl` is the newline's first byte,
 * LF, or CR for CRLF (then an LF must follow; a lone CR or LF is data, as PapaParse has it).
 */
function isRowEnd(bytes: Uint8Array, q: number, b: number, nl: number): boolean {
  return b === nl && (nl === 10 || bytes[q + 1] === 10);
}

/**
 * Parses the field that starts at byte `p` (the input ends at `end`; fields end at `delim` or a
 * newline starting with byte `nl`, see {@link isRowEnd}) when it is a canonical decimal with at
 * most 15 digits: the mantissa is then an exact integer below 2^53 and 10^f (f ≤ 14) is exact,
 * so one IEEE division is correctly rounded and equals `Number(text)` (Clinger's fast path).
 * Returns OK_INT or OK_FLOAT (value in VALUE[0], field end in END[0]), or SLOW for everything
 * else, empty fields included.
 */
export function scanNumber(bytes: Uint8Array, p: number, end: number, delim: number, nl: number): number {
  // Kept small enough (bytecode) for V8 to inline it into the scanner's loop.
  if (p === end) return SLOW;
  let q = p;
  let b = bytes[q]!;
  const neg = b === 45; // '-'
  if (neg) q++;
  const ds = q;
  let v = 0;
  while (q < end) {
    b = bytes[q]!;
    const d = b - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    q++;
  }
  const nInt = q - ds;
  // A leading zero is canonical only as the whole integer part ("0", "0.5").
  if (nInt === 0 || nInt > 15 || (nInt > 1 && bytes[ds] === 48)) return SLOW;
  let f = 0;
  if (q < end && b === 46) {
    // '.': canonical with at least one fraction digit, the last one non-zero.
    const fs = ++q;
    while (q < end) {
      b = bytes[q]!;
      const d = b - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      q++;
    }
    f = q - fs;
    if (f === 0 || nInt + f > 15 || bytes[q - 1] === 48) return SLOW;
  }
  if (q !== end && b !== delim && !isRowEnd(bytes, q, b, nl)) return SLOW;
  END[0] = q;
  if (f === 0) {
    if (neg && v === 0) return SLOW; // "-0"
    const x = neg ? -v : v;
    VALUE[0] = x;
    return x >= -2147483648 && x <= 2147483647 ? OK_INT : OK_FLOAT;
  }
  const x = v / POW10[f]!;
  // JS prints numbers below 1e-6 in exponent form. (The rounding cannot cross 1e-6: no other
  // decimal of ≤ 15 digits rounds to the same double.)
  if (x < 1e-6) return SLOW;
  VALUE[0] = neg ? -x : x;
  return OK_FLOAT;
}

/**
 * Classifies a field's text like the fast path would, for what it does not cover: OK_INT /
 * OK_FLOAT (value in VALUE[0]) when `String(x)` gives back `s` exactly, else NONCANONICAL or
 * NOT_A_NUMBER (by `parseDouble`'s rules).
 */
export function numberText(s: string): number {
  const x = parseDouble(s);
  if (x !== x) return NOT_A_NUMBER;
  if (String(x) !== s) return NONCANONICAL;
  // An integer text beyond 2^53 classifies as BIGINT, the double as DOUBLE.
  if (Number.isInteger(x) && !/[.eE]/.test(s) && !Number.isSafeInteger(x)) return NONCANONICAL;
  VALUE[0] = x;
  return Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 ? OK_INT : OK_FLOAT;
}

/** For tests: the value and end offset of the last successful parse. */
export function lastNumber(): { value: number; end: number } {
  return { value: VALUE[0]!, end: END[0]! };
}

export const SCAN_STATUS = { OK_INT, OK_FLOAT, EMPTY, NONCANONICAL, NOT_A_NUMBER, SLOW } as const;

export type ScannedColumn = Int32Array | Float64Array | (string | null)[];

export interface ScanResult {
  /** Byte offset of the first byte not consumed: the start of the incomplete last row. */
  cursor: number;
  /** The same position in the text. */
  textCursor: number;
  /** The 1-based line number of the next row. */
  line: number;
}

export interface ScannedBatch {
  /** Rows kept (ragged and blank rows are not). */
  rows: number;
  /** One entry per column, each `rows` long. */
  columns: ScannedColumn[];
}

/**
 * Scans quote-free CSV into columns: {@link scan} appends rows, {@link take} hands them out as
 * a batch. One instance per file: it remembers, per column, whether numbers were worth trying
 * in earlier batches.
 */
export class CsvScanner {
  readonly #ncols: number;
  readonly #delim: number;
  readonly #crlf: boolean;
  /** Mode each column starts a batch in. */
  readonly #kind: Uint8Array;
  readonly #strikes: Uint8Array;
  /** Rows in the previous batch, to size the next one's typed arrays. */
  #lastRows = 0;
  /** Per column: repeated strings are shared instead of sliced again, until that stops paying. */
  readonly #interners: (Interner | null)[];

  // The batch being built. Columns in INT mode fill #i32[c], FLOAT #f64[c], STR #strs[c].
  readonly #mode: Uint8Array;
  /** Why a column fell back to strings in this batch (0 = it did not). */
  readonly #fellBack: Uint8Array;
  #i32: Int32Array[] = [];
  #f64: Float64Array[] = [];
  #strs: (string | null)[][] = [];
  #n = 0;
  /** Capacity of the typed arrays; 0 = no batch started. */
  #cap = 0;

  constructor(ncols: number, delimiter: string, newline: '\n' | '\r\n') {
    this.#ncols = ncols;
    this.#delim = delimiter.charCodeAt(0);
    this.#crlf = newline === '\r\n';
    this.#kind = new Uint8Array(ncols); // all INT: numbers are tried first
    this.#strikes = new Uint8Array(ncols);
    this.#mode = new Uint8Array(ncols);
    this.#fellBack = new Uint8Array(ncols);
    this.#interners = Array.from({ length: ncols }, () => new Interner());
  }

  /**
   * Splits `bytes` (whose complete characters decode to `text`) like PapaParse's quote-free path:
   * rows on the newline (the part after the last newline is left for the next call unless
   * `last`), fields on the delimiter. A row of the wrong field count is reported to `onRagged`
   * with its line and dropped; an empty row is a blank line and skipped, unless the file has one
   * column (then it is a NULL).
   */
  scan(
    bytes: Uint8Array,
    text: string,
    last: boolean,
    line: number,
    onRagged: (line: number) => void,
  ): ScanResult {
    const ncols = this.#ncols;
    const D = this.#delim;
    const crlf = this.#crlf;
    /** The newline's first byte. */
    const NL = crlf ? 13 : 10;
    const nlLen = crlf ? 2 : 1;
    const end = bytes.length;
    if (end === 0) return { cursor: 0, textCursor: 0, line };
    // Rows are read up to the end of the last complete one, so every row read ends in a newline,
    // unless this is the end of the input. Then, if it ends in a newline, PapaParse reads an
    // empty row after it.
    const limit = last ? end : rowsEnd(bytes, crlf);
    let finalEmpty = last && rowsEnd(bytes, crlf) === end;
    if (this.#cap === 0) this.#begin(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    /** The delimiter in each byte of a word. */
    const D4 = D * 0x01010101;
    const mode = this.#mode;
    const i32 = this.#i32;
    const f64 = this.#f64;
    const strs = this.#strs;
    const interners = this.#interners;
    let n = this.#n;
    let cap = this.#cap;

    let pos = 0;
    /**
     * Char offset minus byte offset. Each multi-byte character counts in full at its lead byte,
     * so at a character boundary `byte + adj` is the char offset.
     */
    let adj = 0;
    // Everything the caller needs is updated inside the loop: code after a loop that is first
    // optimized on-stack has no type feedback and would deoptimize at the end of every call.
    let textPos = 0;
    while (pos < limit || finalEmpty) {
      if (pos === end) finalEmpty = false;
      if (ncols > 1 && (pos === end || isRowEnd(bytes, pos, bytes[pos]!, NL))) {
        line++; // blank line
        pos = pos === end ? end : pos + nlLen;
        textPos = pos + adj;
        continue;
      }
      if (n === cap) cap = this.#grow(cap * 2);
      let p = pos;
      let q = pos;
      let ok = true;
      for (let c = 0; c < ncols; c++) {
        const m = mode[c]!;
        let st = m === STR ? SLOW : scanNumber(bytes, p, end, D, NL);
        if (st === OK_INT || st === OK_FLOAT) {
          q = END[0]!;
        } else {
          // Text: find the field's end, keeping the char offset in step.
          const cp = p + adj;
          q = p;
          // Four bytes at a time while none is the delimiter, LF or non-ASCII (SWAR: a byte of
          // x is zero iff its bit 7 is set in (x - 0x01010101) & ~x).
          while (q + 4 <= end) {
            const w = view.getUint32(q, true);
            const xd = w ^ D4;
            const xn = w ^ 0x0a0a0a0a;
            if ((((xd - 0x01010101) & ~xd) | ((xn - 0x01010101) & ~xn) | w) & 0x80808080) break;
            q += 4;
          }
          while (q < end) {
            const b = bytes[q]!;
            if (b === D) break;
            if (b === 10) {
              if (!crlf) break;
              if (q > p && bytes[q - 1] === 13) {
                q--; // the field ends before the CR of CRLF
                break;
              }
            } else if (b >= 0x80) adj += utf8Adjust(b);
            q++;
          }
          const intern = m === STR ? interners[c]! : null;
          const s =
            q === p
              ? null
              : intern !== null
                ? intern.get(bytes, p, q, text, cp, q + adj)
                : text.slice(cp, q + adj);
          if (m !== STR) st = s === null ? EMPTY : numberText(s);
          if (m === STR || st > OK_FLOAT) {
            if (m !== STR) this.#toStrings(c, n, st);
            strs[c]![n] = s;
          }
        }
        if (st === OK_INT) {
          if (m === INT) i32[c]![n] = VALUE[0]!;
          else f64[c]![n] = VALUE[0]!;
        } else if (st === OK_FLOAT) {
          if (m === INT) this.#toFloats(c, n);
          f64[c]![n] = VALUE[0]!;
        }
        // The field ends at a delimiter, at the row's newline, or at the end of the input.
        const delim = q < end && bytes[q] === D;
        if (c < ncols - 1) {
          if (!delim) {
            ok = false; // too few fields
            break;
          }
          p = q + 1;
        } else if (delim) {
          ok = false; // too many fields: on to the row's end
          for (q++; q < end; q++) {
            const b = bytes[q]!;
            if (b === 10) {
              if (!crlf) break;
              if (bytes[q - 1] === 13) {
                q--;
                break;
              }
            } else if (b >= 0x80) adj += utf8Adjust(b);
          }
        }
      }
      if (ok) this.#n = ++n;
      else onRagged(line);
      line++;
      pos = q === end ? end : q + nlLen;
      textPos = pos + adj;
    }
    return { cursor: pos, textCursor: textPos, line };
  }

  /** Hands out the rows scanned so far and starts a new batch. */
  take(): ScannedBatch {
    if (this.#cap === 0) return { rows: 0, columns: [] };
    const n = this.#n;
    const columns: ScannedColumn[] = [];
    for (let c = 0; c < this.#ncols; c++) {
      const m = this.#mode[c]!;
      if (m === INT) columns.push(this.#i32[c]!.subarray(0, n));
      else if (m === FLOAT) columns.push(this.#f64[c]!.subarray(0, n));
      else {
        const s = this.#strs[c]!;
        s.length = n; // a ragged last row may have written one more
        columns.push(s);
      }
      const intern = this.#interners[c];
      if (intern && intern.lookups >= 256) {
        if (intern.hits < intern.lookups / 2) this.#interners[c] = null;
        else intern.lookups = intern.hits = 0;
      }
      const why = this.#fellBack[c]!;
      if (why === NOT_A_NUMBER) {
        this.#kind[c] = STR;
      } else if (why !== 0) {
        if (++this.#strikes[c]! >= MAX_STRIKES) this.#kind[c] = STR;
      } else if (m !== STR && n > 0) {
        this.#kind[c] = m;
        this.#strikes[c] = 0;
      }
    }
    if (n > 0) this.#lastRows = n;
    this.#n = 0;
    this.#cap = 0;
    this.#i32 = [];
    this.#f64 = [];
    this.#strs = [];
    return { rows: n, columns };
  }

  /** Starts a batch: every column in the mode it ended the last one in. */
  #begin(bytes: Uint8Array): void {
    let cap: number;
    if (this.#lastRows > 0) cap = Math.ceil(this.#lastRows * 1.1) + 16;
    else {
      const e = bytes.indexOf(10);
      cap = Math.ceil((bytes.length / (e === -1 ? bytes.length : e + 1)) * 1.1) + 16;
    }
    this.#mode.set(this.#kind);
    this.#fellBack.fill(0);
    for (let c = 0; c < this.#ncols; c++) {
      const m = this.#mode[c];
      this.#i32.push(m === INT ? new Int32Array(cap) : EMPTY_I32);
      this.#f64.push(m === FLOAT ? new Float64Array(cap) : EMPTY_F64);
      this.#strs.push(m === STR ? new Array<string | null>(cap) : []);
    }
    this.#cap = cap;
  }

  #grow(cap: number): number {
    for (let c = 0; c < this.#ncols; c++) {
      const m = this.#mode[c];
      if (m === INT) this.#i32[c] = copyInto(this.#i32[c]!, new Int32Array(cap));
      else if (m === FLOAT) this.#f64[c] = copyInto(this.#f64[c]!, new Float64Array(cap));
    }
    this.#cap = cap;
    return cap;
  }

  /** An INT column meets a value that needs a double: it becomes FLOAT for the rest of the batch. */
  #toFloats(c: number, n: number): void {
    const f = new Float64Array(this.#cap);
    const ints = this.#i32[c]!;
    for (let i = 0; i < n; i++) f[i] = ints[i]!;
    this.#f64[c] = f;
    this.#i32[c] = EMPTY_I32;
    this.#mode[c] = FLOAT;
  }

  /** A numeric column meets a value that is not a canonical number: text for the rest of the batch. */
  #toStrings(c: number, n: number, why: number): void {
    // The numbers so far are canonical: they print as their text.
    const s = new Array<string | null>(n);
    const from = this.#mode[c] === INT ? this.#i32[c]! : this.#f64[c]!;
    for (let i = 0; i < n; i++) s[i] = String(from[i]);
    this.#strs[c] = s;
    this.#i32[c] = EMPTY_I32;
    this.#f64[c] = EMPTY_F64;
    this.#mode[c] = STR;
    this.#fellBack[c] = why;
  }
}

/** Interned strings are at most this many bytes long. */
const INTERN_BYTES = 32;
/** Strings an Interner remembers (a power of 2). */
const INTERN_SLOTS = 512;

/**
 * A small cache from bytes to the string sliced for them, for low-cardinality text columns: a
 * repeated value costs a byte comparison instead of a new string, and the table builder's
 * dictionary encoder finds the same string (with its hash already computed) again.
 */
class Interner {
  readonly #len = new Int32Array(INTERN_SLOTS);
  readonly #bytes = new Uint8Array(INTERN_SLOTS * INTERN_BYTES);
  readonly #str: string[] = new Array<string>(INTERN_SLOTS).fill('');
  lookups = 0;
  hits = 0;

  /** The string for `bytes[p, q)`, which is `text[cp, cq)`. */
  get(bytes: Uint8Array, p: number, q: number, text: string, cp: number, cq: number): string {
    const len = q - p;
    if (len > INTERN_BYTES) return text.slice(cp, cq);
    this.lookups++;
    const h =
      Math.imul(
        len ^ (bytes[p]! << 8) ^ (bytes[q - 1]! << 16) ^ (bytes[p + (len >> 1)]! << 24),
        0x9e3779b1,
      ) >>> 23; // 9 bits: INTERN_SLOTS
    const at = h * INTERN_BYTES;
    const pool = this.#bytes;
    if (this.#len[h] === len) {
      let i = 0;
      while (i < len && pool[at + i] === bytes[p + i]) i++;
      if (i === len) {
        this.hits++;
        return this.#str[h]!;
      }
    }
    const s = text.slice(cp, cq);
    this.#len[h] = len;
    for (let i = 0; i < len; i++) pool[at + i] = bytes[p + i]!;
    this.#str[h] = s;
    return s;
  }
}

/**
 * Where the last complete row ends: just after the last newline (LF, or CRLF), 0 if none.
 */
function rowsEnd(bytes: Uint8Array, crlf: boolean): number {
  let i = bytes.lastIndexOf(10);
  if (crlf)
    while (i !== -1 && (i === 0 || bytes[i - 1] !== 13)) i = i === 0 ? -1 : bytes.lastIndexOf(10, i - 1);
  return i + 1;
}

/**
 * UTF-16 length minus UTF-8 length of the character a non-ASCII byte starts, all counted at the
 * lead byte: 2 bytes → 1 unit, 3 → 1, 4 → 2 (a surrogate pair); continuation bytes count 0.
 */
function utf8Adjust(b: number): number {
  return b < 0xc0 ? 0 : b < 0xe0 ? -1 : -2;
}

/** UTF-8 length of a string (valid UTF-16: decoded text). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 2 bytes below U+0800, 4 per surrogate pair, else 3.
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c < 0xe000) ? 1 : 2;
  }
  return n;
}

/** Bytes at the end of `bytes` that start a UTF-8 character they do not finish (0–3). */
export function incompleteTail(bytes: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= bytes.length; k++) {
    const b = bytes[bytes.length - k]!;
    if (b < 0x80) return 0;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > k ? k : 0;
    }
  }
  return 0;
}

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);

function copyInto<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
