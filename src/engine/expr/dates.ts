import type { SqlType } from '../../sql/plan.ts';
import { SqlError } from '../../sql/SqlError.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { Vec } from '../vec.ts';
import { castVec } from './cast.ts';
import { civilFromDays, daysFromCivil, isoDow, isoWeek, MS_PER_DAY } from './civil.ts';

type Part =
  | 'millennium'
  | 'century'
  | 'decade'
  | 'year'
  | 'quarter'
  | 'month'
  | 'week'
  | 'day'
  | 'hour'
  | 'minute'
  | 'second'
  | 'millisecond'
  | 'microsecond'
  | 'epoch'
  | 'dow'
  | 'isodow'
  | 'doy'
  | 'isoyear'
  | 'yearweek';

/** DuckDB's part names and their synonyms. */
const PARTS: Record<string, Part> = {};
for (const [part, names] of Object.entries({
  millennium: ['millennium', 'millennia', 'millenium', 'mil', 'mils'],
  century: ['century', 'centuries', 'c', 'cent'],
  decade: ['decade', 'decades', 'dec', 'decs'],
  year: ['year', 'years', 'y', 'yr', 'yrs'],
  quarter: ['quarter', 'quarters'],
  month: ['month', 'months', 'mon', 'mons'],
  week: ['week', 'weeks', 'w', 'weekofyear'],
  day: ['day', 'days', 'd', 'dayofmonth'],
  hour: ['hour', 'hours', 'h', 'hr', 'hrs'],
  minute: ['minute', 'minutes', 'm', 'min', 'mins'],
  second: ['second', 'seconds', 's', 'sec', 'secs'],
  millisecond: ['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'millisecon'],
  microsecond: ['microsecond', 'microseconds', 'us', 'usec', 'usecs'],
  epoch: ['epoch'],
  dow: ['dow', 'dayofweek', 'weekday'],
  isodow: ['isodow'],
  doy: ['doy', 'dayofyear'],
  isoyear: ['isoyear'],
  yearweek: ['yearweek'],
}))
  for (const n of names) PARTS[n] = part as Part;

function partOf(v: Vec, fn: string): Part {
  const name = v.kind === 'const' && typeof v.value === 'string' ? v.value.toLowerCase() : undefined;
  const p = name === undefined ? undefined : PARTS[name];
  if (!p)
    throw new SqlError(
      'NOT_SUPPORTED',
      `not supported yet: ${fn} part ${JSON.stringify(name ?? '(non-constant)')}`,
    );
  return p;
}

/** Truncates C-style (toward zero), as DuckDB's integer division does for years. */
function trunc(a: number, b: number): number {
  return Math.trunc(a / b) * b;
}

/**
 * date_part/extract on DATE or TIMESTAMP (UTC) with DuckDB's definitions: dow 0 = Sunday,
 * isodow 1 = Monday, ISO week/isoyear, millisecond = seconds·1000 + ms, epoch in seconds
 * (DOUBLE in DuckDB 1.5; truncated when the plan asks for BIGINT).
 */
export function datePart(partVec: Vec, x0: Vec, type: SqlType, r: Rows): Vec {
  const part = partOf(partVec, 'date_part');
  const x = x0.type === 'DATE' ? castVec(x0, 'TIMESTAMP', r) : x0;
  if (x.kind === 'const' && x.value === null) return { kind: 'const', type, value: null };
  if (x.kind !== 'num' && x.kind !== 'const')
    throw new SqlError('TYPE', `date_part needs a DATE or TIMESTAMP`);
  const ymd = new Int32Array(3);
  const one = (ms: number): number => {
    const days = Math.floor(ms / MS_PER_DAY);
    const t = ms - days * MS_PER_DAY;
    switch (part) {
      case 'hour':
        return Math.floor(t / 3_600_000);
      case 'minute':
        return Math.floor(t / 60_000) % 60;
      case 'second':
        return Math.floor(t / 1000) % 60;
      case 'millisecond':
        return t % 60_000;
      case 'microsecond':
        return (t % 60_000) * 1000;
      case 'epoch':
        return type === 'DOUBLE' ? ms / 1000 : Math.trunc(ms / 1000);
      case 'dow':
        return isoDow(days) % 7;
      case 'isodow':
        return isoDow(days);
      case 'week':
        return isoWeek(days, ymd).week;
      case 'isoyear':
        return isoWeek(days, ymd).year;
      case 'yearweek': {
        const w = isoWeek(days, ymd);
        return w.year * 100 + (w.year < 0 ? -w.week : w.week);
      }
      default:
        break;
    }
    civilFromDays(days, ymd);
    const y = ymd[0]!;
    const m = ymd[1]!;
    switch (part) {
      case 'year':
        return y;
      case 'month':
        return m;
      case 'day':
        return ymd[2]!;
      case 'quarter':
        return Math.floor((m - 1) / 3) + 1;
      case 'doy':
        return days - daysFromCivil(y, 1, 1) + 1;
      case 'decade':
        return Math.trunc(y / 10);
      case 'century':
        return y > 0 ? Math.trunc((y - 1) / 100) + 1 : Math.trunc(y / 100) - 1;
      case 'millennium':
        return y > 0 ? Math.trunc((y - 1) / 1000) + 1 : Math.trunc(y / 1000) - 1;
      default:
        throw new Error(`engine bug: date part ${String(part)}`);
    }
  };
  return mapTime(x, r, type, one);
}

/** date_trunc on DATE or TIMESTAMP (UTC); week starts on Monday; century = year / 100 · 100 (DuckDB). */
export function dateTrunc(partVec: Vec, x0: Vec, type: SqlType, r: Rows): Vec {
  const part = partOf(partVec, 'date_trunc');
  const x = x0.type === 'DATE' ? castVec(x0, 'TIMESTAMP', r) : x0;
  if (x.kind === 'const' && x.value === null) return { kind: 'const', type, value: null };
  const ymd = new Int32Array(3);
  const toDate = type === 'DATE';
  const one = (ms: number): number => {
    const days = Math.floor(ms / MS_PER_DAY);
    let d: number;
    switch (part) {
      case 'hour':
      case 'minute':
      case 'second':
      case 'millisecond':
      case 'microsecond': {
        const unit = part === 'hour' ? 3_600_000 : part === 'minute' ? 60_000 : part === 'second' ? 1000 : 1;
        const t = Math.floor(ms / unit) * unit;
        return toDate ? Math.floor(t / MS_PER_DAY) : t;
      }
      case 'day':
        d = days;
        break;
      case 'week':
        d = days - isoDow(days) + 1;
        break;
      default: {
        civilFromDays(days, ymd);
        const y = ymd[0]!;
        const m = ymd[1]!;
        if (part === 'month') d = daysFromCivil(y, m, 1);
        else if (part === 'quarter') d = daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1);
        else if (part === 'year') d = daysFromCivil(y, 1, 1);
        else if (part === 'decade') d = daysFromCivil(trunc(y, 10), 1, 1);
        else if (part === 'century') d = daysFromCivil(trunc(y, 100), 1, 1);
        else if (part === 'millennium') d = daysFromCivil(trunc(y, 1000), 1, 1);
        else throw new SqlError('NOT_SUPPORTED', `not supported yet: date_trunc part '${part}'`);
      }
    }
    return toDate ? d : d * MS_PER_DAY;
  };
  return mapTime(x, r, type, one);
}

function mapTime(x: Vec, r: Rows, type: SqlType, f: (ms: number) => number): Vec {
  if (x.kind === 'const') return { kind: 'const', type, value: f(Number(x.value)) };
  if (x.kind !== 'num') throw new SqlError('TYPE', `expected a DATE or TIMESTAMP, got ${x.type}`);
  const out = type === 'DATE' || type === 'INTEGER' ? new Int32Array(r.n) : new Float64Array(r.n);
  const s = selOf(r);
  const v = x.v;
  const nulls = x.nulls;
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    if (nulls === null || nulls[i] === 0) out[i] = f(v[i]!);
  }
  return { kind: 'num', type: type as 'BIGINT', v: out, nulls };
}
