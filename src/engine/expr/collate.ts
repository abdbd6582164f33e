/**
 * String order of DuckDB's default (binary) collation: byte order of UTF-8, which is code point
 * order. JS `<` compares UTF-16 code units, which disagrees when one side has a surrogate pair
 * (U+10000 and up) and the other a BMP character in U+E000..U+FFFF: as code units the surrogate
 * (0xD800..0xDFFF) sorts first, as code points it sorts last. Checked against DuckDB:
 * `chr(65533) < chr(128512)` is true.
 */
export function cmpStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return fix(x) - fix(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Moves surrogates above the rest of the BMP, so code-unit differences follow code points. */
function fix(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

/** Number of code points (DuckDB's length()): surrogate pairs count once. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** True when the string has no surrogates, so code units are code points. */
export function isBmp(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return false;
  }
  return true;
}
