/** Human-readable figures for the dashboard. */

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : v < 10 ? 2 : 1)} ${units[i]}`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function ms(n: number): string {
  return n < 1000 ? `${n.toFixed(n < 10 ? 1 : 0)} ms` : `${(n / 1000).toFixed(2)} s`;
}

/** A duration in ms as a person says it: 300 s → "5 min". */
export function duration(n: number): string {
  if (n < 1000) return `${n} ms`;
  const s = n / 1000;
  if (s < 120) return `${+s.toFixed(1)} s`;
  const m = s / 60;
  return m < 120 ? `${+m.toFixed(1)} min` : `${+(m / 60).toFixed(1)} h`;
}

export function percent(f: number): string {
  return `${Math.round(f * 100)} %`;
}

export function clock(at: number): string {
  return new Date(at).toLocaleTimeString('en-GB', { hour12: false });
}

/** The first 8 characters of a node id: enough to tell peers of one room apart. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Any value as cell text: primitives as themselves, objects as JSON. */
export function display(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    default:
      return JSON.stringify(v) ?? '';
  }
}
