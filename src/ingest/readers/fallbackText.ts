/**
 * Text for values peerlake has no column type for (lists, structs, maps, bytes, times, …). Both
 * self-describing readers hint such columns as VARCHAR, so they hand the builder finished strings
 * rather than objects: JSON.stringify alone would throw on bigints and print bytes as index maps.
 */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return hex(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value, jsonSafe);
}

/** A time of day as DuckDB prints it (`12:00:00`, `12:00:00.25`), from `perSecond` ticks. */
export function timeText(ticks: number | bigint, perSecond: number): string {
  const big = BigInt(perSecond);
  const t = BigInt(ticks);
  const seconds = Number(t / big);
  const frac = t % big;
  const hms = [seconds / 3600, (seconds / 60) % 60, seconds % 60]
    .map((n) => String(Math.floor(n)).padStart(2, '0'))
    .join(':');
  if (frac === 0n) return hms;
  const digits = String(perSecond).length - 1;
  return `${hms}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

function jsonSafe(_key: string, v: unknown): unknown {
  // Keep small integers as JSON numbers (what DuckDB's to_json prints); exact text beyond 2^53.
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return hex(v);
  return v;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
