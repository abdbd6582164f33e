import type { Expr, Literal, ScalarFn, SqlType } from './plan.ts';

export function col(index: number, type: SqlType, name: string): Expr {
  return { kind: 'column', index, type, name };
}

export function lit(value: Literal, type: SqlType): Expr {
  return { kind: 'literal', value, type };
}

export function call(fn: ScalarFn, args: Expr[], type: SqlType): Expr {
  return { kind: 'call', fn, args, type };
}

export function isLit(e: Expr): e is Extract<Expr, { kind: 'literal' }> {
  return e.kind === 'literal';
}

export function isNullLit(e: Expr): boolean {
  return e.kind === 'literal' && e.value === null;
}

/** The expression with each direct child replaced by `f(child)`. */
export function mapChildren(e: Expr, f: (c: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'call':
      return { ...e, args: e.args.map(f) };
    case 'in':
      return { ...e, arg: f(e.arg), list: e.list.map(f) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: f(w.when), then: f(w.then) })),
        else: e.else ? f(e.else) : null,
      };
    case 'cast':
      return { ...e, arg: f(e.arg) };
  }
}

export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return [];
    case 'call':
      return e.args;
    case 'in':
      return [e.arg, ...e.list];
    case 'case':
      return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'cast':
      return [e.arg];
  }
}

/** Column indexes an expression reads. */
export function columnsOf(e: Expr, out = new Set<number>()): Set<number> {
  if (e.kind === 'column') out.add(e.index);
  for (const c of childrenOf(e)) columnsOf(c, out);
  return out;
}

/** Rewrites every column reference. */
export function mapColumns(e: Expr, f: (c: Extract<Expr, { kind: 'column' }>) => Expr): Expr {
  if (e.kind === 'column') return f(e);
  return mapChildren(e, (c) => mapColumns(c, f));
}

export function shiftColumns(e: Expr, by: number): Expr {
  return by === 0 ? e : mapColumns(e, (c) => ({ ...c, index: c.index + by }));
}

/** A structural key: equal keys mean the same computation (column display names ignored). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return `#${e.index}`;
    case 'literal':
      return `${JSON.stringify(e.value)}:${e.type}`;
    case 'cast':
      return `cast(${exprKey(e.arg)}:${e.type})`;
    case 'call':
      return `${e.fn}(${e.args.map(exprKey).join(',')}):${e.type}`;
    case 'in':
      return `${e.negated ? 'notin' : 'in'}(${exprKey(e.arg)};${e.list.map(exprKey).join(',')})`;
    case 'case':
      return `case(${e.whens.map((w) => `${exprKey(w.when)}=>${exprKey(w.then)}`).join(';')};${e.else ? exprKey(e.else) : ''}):${e.type}`;
  }
}

export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'call' && e.fn === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** AND of the parts, as binary calls (left-deep); null for none. */
export function andAll(parts: Expr[]): Expr | null {
  if (parts.length === 0) return null;
  return parts.slice(1).reduce((acc, p) => call('and', [acc, p], 'BOOLEAN'), parts[0]!);
}
