import type { Literal, SqlType } from '../sql/plan.ts';
import { SqlError } from '../sql/SqlError.ts';
import type { Scalar, Vec } from './vec.ts';
import { bigScalar, nullConst } from './vec.ts';

/**
 * A vector from scalars (group keys, heap rows, VALUES): the slow path for small row counts.
 * BIGINT stays a double vector unless a value needs the exact bigint form.
 */
export function buildVec(type: SqlType, values: readonly Scalar[]): Vec {
  const n = values.length;
  let nulls: Uint8Array | null = null;
  const markNull = (i: number) => {
    nulls ??= new Uint8Array(n);
    nulls[i] = 1;
  };
  switch (type) {
    case 'NULL':
      return nullConst('NULL');
    case 'INTEGER':
    case 'DATE':
    case 'DOUBLE':
    case 'TIMESTAMP': {
      const v = type === 'INTEGER' || type === 'DATE' ? new Int32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x === null || x === undefined) markNull(i);
        else v[i] = Number(x);
      }
      return { kind: 'num', type, v, nulls };
    }
    case 'BIGINT': {
      let big = false;
      for (const x of values) if (typeof x === 'bigint') big = true;
      if (!big) {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const x = values[i];
          if (x === null || x === undefined) markNull(i);
          else v[i] = Number(x);
        }
        return { kind: 'num', type, v, nulls };
      }
      const v = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x === null || x === undefined) markNull(i);
        else v[i] = typeof x === 'bigint' ? x : BigInt(x);
      }
      return { kind: 'big', type, v, nulls };
    }
    case 'BOOLEAN': {
      const v = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x === null || x === undefined) markNull(i);
        else v[i] = x ? 1 : 0;
      }
      return { kind: 'bool', type, v, nulls };
    }
    case 'VARCHAR': {
      const v = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x === null || x === undefined) {
          markNull(i);
          v[i] = '';
        } else v[i] = String(x);
      }
      return { kind: 'str', type, v, nulls };
    }
  }
}

/** A plan literal as a Scalar of `type` (BIGINT literals arrive as decimal strings). */
export function literalScalar(value: Literal, type: SqlType): Scalar {
  if (value === null) return null;
  switch (type) {
    case 'BIGINT':
      if (typeof value === 'boolean') return value ? 1 : 0;
      try {
        return bigScalar(BigInt(value));
      } catch {
        throw new SqlError('TYPE', `invalid BIGINT literal ${JSON.stringify(value)}`);
      }
    case 'INTEGER':
    case 'DOUBLE':
    case 'DATE':
    case 'TIMESTAMP':
      return typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
    case 'BOOLEAN':
      return Boolean(value);
    case 'VARCHAR':
      return String(value);
    case 'NULL':
      return null;
  }
}
