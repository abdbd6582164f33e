import { aggregateSchema } from '../../sql/aggState.ts';
import type {
  AggFn,
  Aggregate,
  Expr,
  Literal,
  OutputColumn,
  PlanNode,
  ScalarFn,
  ScanNode,
  SortKey,
  SqlType,
} from '../../sql/plan.ts';
import type { ChunkId, DatasetId } from '../../types.ts';
import { FragmentError } from './FragmentError.ts';

/**
 * The compact plan encoding of `query-fragment` messages (DESIGN §10: never SQL to re-parse).
 * Nodes and expressions are msgpack arrays led by a small tag; types, functions and aggregates are
 * indexes into the fixed tables below; chunk ids travel as 32 raw bytes each; schemas of derived
 * nodes (filter, project, aggregate, join, TopN, limit, distinct) and the names and types of column
 * references are not sent at all but derived while decoding, so a fragment cannot claim a schema
 * its inputs do not have.
 *
 * @remarks The tables and tags are part of {@link PLAN_FORMAT}: reordering or removing an entry
 * is a format bump. Appending is too (an old executor would reject the new code), which is the
 * point: it says so instead of running something else.
 */
export const PLAN_FORMAT = 1;

const TYPES: readonly SqlType[] = [
  'INTEGER',
  'BIGINT',
  'DOUBLE',
  'BOOLEAN',
  'DATE',
  'TIMESTAMP',
  'VARCHAR',
  'NULL',
];
const FNS: readonly ScalarFn[] = [
  'add', 'subtract', 'multiply', 'divide', 'modulo', 'negate',
  'eq', 'neq', 'lt', 'lte', 'gt', 'gte',
  'and', 'or', 'not', 'is_null', 'is_not_null',
  'like', 'ilike', 'not_like', 'not_ilike',
  'lower', 'upper', 'length', 'substr', 'trim', 'round', 'abs', 'floor', 'ceil', 'coalesce',
  'date_trunc', 'date_part',
]; // prettier-ignore
const AGGS: readonly AggFn[] = ['count_star', 'count', 'sum', 'avg', 'min', 'max'];
const PHASES = [undefined, 'partial', 'final'] as const;

const enum N {
  Scan = 0,
  Filter = 1,
  Project = 2,
  Aggregate = 3,
  Join = 4,
  TopN = 5,
  Limit = 6,
  Distinct = 7,
  Sort = 8,
}
const enum X {
  Column = 0,
  Literal = 1,
  Call = 2,
  In = 3,
  Case = 4,
  Cast = 5,
}

/** Bounds of a decoded fragment plan; nothing our planner makes comes near them. */
export const PLAN_LIMITS = Object.freeze({
  /** Plan nodes plus expressions. */
  items: 100_000,
  /** Nesting of nodes and expressions together. */
  depth: 128,
  /** Chunks over all scans of one fragment. */
  chunks: 200_000,
  /** Columns of any node. */
  columns: 4096,
  /** A name, table or dataset id. */
  name: 256,
  /** A string literal. */
  string: 1024 * 1024,
  /** LIMIT, OFFSET and TopN bounds. */
  count: 2 ** 31 - 1,
  /** Equi-join keys. */
  joinKeys: 64,
});

/** Arity bounds per function (the binder's overloads, src/sql/bindFunction.ts). */
const ARITY: Readonly<Record<ScalarFn, readonly [number, number]>> = {
  add: [2, 2], subtract: [2, 2], multiply: [2, 2], divide: [2, 2], modulo: [2, 2], negate: [1, 1],
  eq: [2, 2], neq: [2, 2], lt: [2, 2], lte: [2, 2], gt: [2, 2], gte: [2, 2],
  and: [2, 2], or: [2, 2], not: [1, 1], is_null: [1, 1], is_not_null: [1, 1],
  like: [2, 2], ilike: [2, 2], not_like: [2, 2], not_ilike: [2, 2],
  lower: [1, 1], upper: [1, 1], length: [1, 1], substr: [2, 3], trim: [1, 1], round: [1, 2],
  abs: [1, 1], floor: [1, 1], ceil: [1, 1], coalesce: [1, 64], date_trunc: [2, 2], date_part: [2, 2],
}; // prettier-ignore
const BOOLEAN_FNS = new Set<ScalarFn>([
  'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'and', 'or', 'not', 'is_null', 'is_not_null',
  'like', 'ilike', 'not_like', 'not_ilike',
]); // prettier-ignore
/** Operands of one type (the plan guarantees of planQuery.ts), so kernels never mix types. */
const SAME_TYPE_FNS = new Set<ScalarFn>([
  'add',
  'subtract',
  'multiply',
  'divide',
  'modulo',
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'coalesce',
]);
const LOGIC_FNS = new Set<ScalarFn>(['and', 'or', 'not']);
const BIGINT_TEXT = /^-?\d{1,19}$/;
const CHUNK_ID_BYTES = 32;

// ---------------------------------------------------------------------------------------------
// Encoding (coordinator)

type Enc = unknown[];

/** Encodes a fragment plan. Called by the coordinator for every fragment it sends. */
export function encodePlan(n: PlanNode): Enc {
  switch (n.kind) {
    case 'scan':
      return [
        N.Scan,
        n.table,
        n.dataset,
        n.columns,
        n.schema.map((c) => [c.name, typeCode(c.type)]),
        n.predicate ? encodeExpr(n.predicate) : null,
        n.exchange === undefined ? chunkBytes(n.chunks.map((c) => c.id)) : new Uint8Array(0),
        n.exchange === undefined ? n.chunks.map((c) => c.rows) : [],
        n.totalChunks,
        n.estRows,
        n.exchange ?? null,
      ];
    case 'filter':
      return [N.Filter, encodePlan(n.input), encodeExpr(n.predicate), n.estRows];
    case 'project':
      return [
        N.Project,
        encodePlan(n.input),
        n.exprs.map(encodeExpr),
        n.schema.map((c) => c.name),
        n.estRows,
      ];
    case 'aggregate':
      return [
        N.Aggregate,
        encodePlan(n.input),
        n.groups.map(encodeExpr),
        n.schema.slice(0, n.groups.length).map((c) => c.name),
        n.aggregates.map(encodeAggregate),
        n.estRows,
      ];
    case 'join':
      return [
        N.Join,
        n.joinType === 'inner' ? 0 : 1,
        encodePlan(n.left),
        encodePlan(n.right),
        n.leftKeys.map(encodeExpr),
        n.rightKeys.map(encodeExpr),
        n.residual ? encodeExpr(n.residual) : null,
        n.estRows,
      ];
    case 'topn':
      return [N.TopN, encodePlan(n.input), n.keys.map(encodeKey), n.limit, n.offset, n.estRows];
    case 'limit':
      return [N.Limit, encodePlan(n.input), n.limit, n.offset, n.estRows];
    case 'distinct':
      return [N.Distinct, encodePlan(n.input), n.estRows];
    case 'sort':
      return [N.Sort, encodePlan(n.input), n.keys.map(encodeKey), n.estRows];
    case 'values':
      throw new FragmentError('INVALID_FRAGMENT', `a ${n.kind} node never runs in a fragment`);
  }
}

function encodeExpr(e: Expr): Enc {
  switch (e.kind) {
    case 'column':
      return [X.Column, e.index];
    case 'literal':
      return [X.Literal, e.value, typeCode(e.type)];
    case 'call':
      return [X.Call, FNS.indexOf(e.fn), e.args.map(encodeExpr), typeCode(e.type)];
    case 'in':
      return [X.In, encodeExpr(e.arg), e.list.map(encodeExpr), e.negated];
    case 'case':
      return [
        X.Case,
        e.whens.map((w) => [encodeExpr(w.when), encodeExpr(w.then)]),
        e.else ? encodeExpr(e.else) : null,
        typeCode(e.type),
      ];
    case 'cast':
      return [X.Cast, encodeExpr(e.arg), typeCode(e.type)];
  }
}

function encodeAggregate(a: Aggregate): Enc {
  return [
    AGGS.indexOf(a.fn),
    a.arg ? encodeExpr(a.arg) : null,
    a.distinct,
    typeCode(a.type),
    a.name,
    PHASES.indexOf(a.phase),
    a.state ? a.state.map(encodeExpr) : null,
    a.argType === undefined ? null : typeCode(a.argType),
  ];
}

function encodeKey(k: SortKey): Enc {
  return [encodeExpr(k.expr), k.desc, k.nullsFirst];
}

function typeCode(t: SqlType): number {
  return TYPES.indexOf(t);
}

function chunkBytes(ids: readonly ChunkId[]): Uint8Array {
  const out = new Uint8Array(ids.length * CHUNK_ID_BYTES);
  ids.forEach((id, i) => {
    if (!/^[0-9a-f]{64}$/.test(id))
      throw new FragmentError('INVALID_FRAGMENT', `chunk id ${id.slice(0, 16)} is not a SHA-256`);
    for (let k = 0; k < CHUNK_ID_BYTES; k++)
      out[i * CHUNK_ID_BYTES + k] = parseInt(id.slice(2 * k, 2 * k + 2), 16);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding with validation (executor): the fragment is untrusted network input.

export interface DecodeContext {
  /** Broadcast exchanges attached to the fragment: their ids and schemas come from the plan, their parts from the message. */
  broadcasts: ReadonlySet<string>;
}

/**
 * Decodes and fully validates a fragment plan: shape, allowed node and expression kinds, types,
 * column bounds against derived input schemas, function arities, operand types, literal values,
 * chunk ids, counts and nesting. Throws FragmentError `INVALID_FRAGMENT` naming the first problem.
 * Called by the executor (FragmentServer) before anything runs.
 */
export function decodePlan(raw: unknown, ctx: DecodeContext): PlanNode {
  return new PlanDecoder(ctx).node(raw, 0);
}

class PlanDecoder {
  readonly #ctx: DecodeContext;
  #items = 0;
  #chunks = 0;

  constructor(ctx: DecodeContext) {
    this.#ctx = ctx;
  }

  node(raw: unknown, depth: number): PlanNode {
    const a = this.#array(raw, depth, 'plan node');
    switch (a[0]) {
      case N.Scan:
        return this.#scan(a, depth);
      case N.Filter: {
        this.#len(a, 4, 'filter');
        const input = this.node(a[1], depth + 1);
        const predicate = this.#predicate(a[2], input.schema, depth);
        return { kind: 'filter', input, predicate, schema: input.schema, estRows: this.#est(a[3]) };
      }
      case N.Project: {
        this.#len(a, 5, 'project');
        const input = this.node(a[1], depth + 1);
        const exprs = this.#list(a[2], PLAN_LIMITS.columns, 'projection').map((e) =>
          this.expr(e, input.schema, depth + 1),
        );
        const names = this.#names(a[3], exprs.length);
        const schema = exprs.map((e, i) => ({ name: names[i]!, type: e.type }));
        return { kind: 'project', input, exprs, schema, estRows: this.#est(a[4]) };
      }
      case N.Aggregate:
        return this.#aggregateNode(a, depth);
      case N.Join:
        return this.#join(a, depth);
      case N.TopN: {
        this.#len(a, 6, 'TopN');
        const input = this.node(a[1], depth + 1);
        const keys = this.#list(a[2], 64, 'sort keys').map((k) => this.#key(k, input.schema, depth));
        return {
          kind: 'topn',
          input,
          keys,
          limit: this.#count(a[3]),
          offset: this.#count(a[4]),
          schema: input.schema,
          estRows: this.#est(a[5]),
        };
      }
      case N.Limit: {
        this.#len(a, 5, 'limit');
        const input = this.node(a[1], depth + 1);
        const limit = a[2] === null ? null : this.#count(a[2]);
        return {
          kind: 'limit',
          input,
          limit,
          offset: this.#count(a[3]),
          schema: input.schema,
          estRows: this.#est(a[4]),
        };
      }
      case N.Distinct: {
        this.#len(a, 3, 'distinct');
        const input = this.node(a[1], depth + 1);
        return { kind: 'distinct', input, schema: input.schema, estRows: this.#est(a[2]) };
      }
      case N.Sort: {
        this.#len(a, 4, 'sort');
        const input = this.node(a[1], depth + 1);
        const keys = this.#list(a[2], 64, 'sort keys').map((k) => this.#key(k, input.schema, depth));
        return { kind: 'sort', input, keys, schema: input.schema, estRows: this.#est(a[3]) };
      }
      default:
        throw bad(`unknown or disallowed plan node tag ${String(a[0])}`);
    }
  }

  #scan(a: unknown[], depth: number): ScanNode {
    this.#len(a, 11, 'scan');
    const table = this.#name(a[1], 'table');
    const dataset = this.#name(a[2], 'dataset') as DatasetId;
    const columns = this.#list(a[3], PLAN_LIMITS.columns, 'scan columns').map((c) => {
      if (!isIndex(c, PLAN_LIMITS.columns)) throw bad('scan column index out of range');
      return c;
    });
    const schema = this.#list(a[4], PLAN_LIMITS.columns, 'scan schema').map((c): OutputColumn => {
      const pair = this.#array(c, depth, 'scan schema entry');
      this.#len(pair, 2, 'scan schema entry');
      return { name: this.#name(pair[0], 'column name'), type: this.#type(pair[1]) };
    });
    if (schema.length !== columns.length) throw bad('scan schema and columns differ in length');
    const exchange = a[10] === null ? undefined : this.#name(a[10], 'exchange');
    const ids = a[6];
    const rows = this.#list(a[7], PLAN_LIMITS.chunks, 'chunk rows');
    if (!(ids instanceof Uint8Array) || ids.byteLength % CHUNK_ID_BYTES !== 0)
      throw bad('chunk ids are not 32-byte ids');
    const count = ids.byteLength / CHUNK_ID_BYTES;
    if (rows.length !== count) throw bad('chunk ids and row counts differ in length');
    this.#chunks += count;
    if (this.#chunks > PLAN_LIMITS.chunks) throw bad(`more than ${PLAN_LIMITS.chunks} chunks`);
    const chunks = rows.map((r, i) => {
      if (!isIndex(r, 2 ** 31)) throw bad('chunk row count out of range');
      return { id: hex(ids.subarray(i * CHUNK_ID_BYTES, (i + 1) * CHUNK_ID_BYTES)) as ChunkId, rows: r };
    });
    if (exchange !== undefined) {
      if (!this.#ctx.broadcasts.has(exchange))
        throw bad(`scan of exchange "${exchange}", which the fragment does not carry`);
      if (count > 0) throw bad('an exchange scan lists chunks');
      if (!columns.every((c, i) => c === i)) throw bad('an exchange scan must read its columns in order');
    }
    const total = a[8];
    if (!isIndex(total, 2 ** 31) || total < count) throw bad('totalChunks out of range');
    const predicate = a[5] === null ? null : this.#predicate(a[5], schema, depth);
    const node: ScanNode = {
      kind: 'scan',
      table,
      dataset,
      columns,
      schema,
      predicate,
      chunks,
      totalChunks: total,
      estRows: this.#est(a[9]),
    };
    if (exchange !== undefined) node.exchange = exchange;
    return node;
  }

  #aggregateNode(a: unknown[], depth: number): PlanNode {
    this.#len(a, 6, 'aggregate');
    const input = this.node(a[1], depth + 1);
    const groups = this.#list(a[2], PLAN_LIMITS.columns, 'groups').map((g) =>
      this.expr(g, input.schema, depth + 1),
    );
    const names = this.#names(a[3], groups.length);
    const aggregates = this.#list(a[4], PLAN_LIMITS.columns, 'aggregates').map((x) =>
      this.#aggregate(x, input.schema, depth),
    );
    return {
      kind: 'aggregate',
      input,
      groups,
      aggregates,
      schema: aggregateSchema(groups, names, aggregates),
      estRows: this.#est(a[5]),
    };
  }

  #aggregate(raw: unknown, input: readonly OutputColumn[], depth: number): Aggregate {
    const a = this.#array(raw, depth, 'aggregate');
    this.#len(a, 8, 'aggregate');
    const fn = AGGS[a[0] as number];
    if (fn === undefined || !Number.isInteger(a[0])) throw bad('unknown aggregate function');
    const phase = PHASES[a[5] as number];
    if (
      !Number.isInteger(a[5]) ||
      a[5] === undefined ||
      (a[5] as number) < 0 ||
      (a[5] as number) >= PHASES.length
    )
      throw bad('unknown aggregate phase');
    // Fragments compute plain or partial aggregates; merging happens on the coordinator.
    if (phase === 'final') throw bad('a final aggregate never runs in a fragment');
    if (a[6] !== null || a[7] !== null) throw bad('aggregate state columns outside a final phase');
    const distinct = a[2];
    if (typeof distinct !== 'boolean') throw bad('aggregate distinct flag');
    if (distinct && phase === 'partial') throw bad('a DISTINCT aggregate has no partial state');
    const type = this.#type(a[3]);
    const name = this.#name(a[4], 'aggregate name');
    let arg: Expr | undefined;
    if (fn === 'count_star') {
      if (a[1] !== null) throw bad('COUNT(*) takes no argument');
    } else arg = this.expr(a[1], input, depth + 1);
    const argType = arg?.type ?? 'NULL';
    const expected: SqlType | null =
      fn === 'count' || fn === 'count_star'
        ? 'BIGINT'
        : fn === 'avg'
          ? 'DOUBLE'
          : fn === 'sum'
            ? null
            : argType;
    if (expected !== null && type !== expected) throw bad(`${fn} must return ${expected}`);
    if (fn === 'sum' && type !== 'BIGINT' && type !== 'DOUBLE' && type !== 'NULL')
      throw bad('sum returns BIGINT or DOUBLE');
    const agg: Aggregate = { fn, distinct, type, name };
    if (arg) agg.arg = arg;
    if (phase) agg.phase = phase;
    return agg;
  }

  #join(a: unknown[], depth: number): PlanNode {
    this.#len(a, 8, 'join');
    if (a[1] !== 0 && a[1] !== 1) throw bad('join type');
    const left = this.node(a[2], depth + 1);
    const right = this.node(a[3], depth + 1);
    const lk = this.#list(a[4], PLAN_LIMITS.joinKeys, 'join keys').map((e) =>
      this.expr(e, left.schema, depth + 1),
    );
    const rk = this.#list(a[5], PLAN_LIMITS.joinKeys, 'join keys').map((e) =>
      this.expr(e, right.schema, depth + 1),
    );
    if (lk.length !== rk.length) throw bad('join key lists differ in length');
    const schema = [...left.schema, ...right.schema];
    if (schema.length > PLAN_LIMITS.columns) throw bad('join output too wide');
    const residual = a[6] === null ? null : this.#predicate(a[6], schema, depth);
    return {
      kind: 'join',
      joinType: a[1] === 0 ? 'inner' : 'left',
      left,
      right,
      leftKeys: lk,
      rightKeys: rk,
      residual,
      schema,
      estRows: this.#est(a[7]),
    };
  }

  #key(raw: unknown, input: readonly OutputColumn[], depth: number): SortKey {
    const a = this.#array(raw, depth, 'sort key');
    this.#len(a, 3, 'sort key');
    if (typeof a[1] !== 'boolean' || typeof a[2] !== 'boolean') throw bad('sort key flags');
    return { expr: this.expr(a[0], input, depth + 1), desc: a[1], nullsFirst: a[2] };
  }

  #predicate(raw: unknown, input: readonly OutputColumn[], depth: number): Expr {
    const e = this.expr(raw, input, depth + 1);
    if (e.type !== 'BOOLEAN' && e.type !== 'NULL') throw bad('a predicate must be BOOLEAN');
    return e;
  }

  expr(raw: unknown, input: readonly OutputColumn[], depth: number): Expr {
    const a = this.#array(raw, depth, 'expression');
    switch (a[0]) {
      case X.Column: {
        this.#len(a, 2, 'column');
        if (!isIndex(a[1], input.length))
          throw bad(`column ${String(a[1])} is not among the ${input.length} input columns`);
        const c = input[a[1]]!;
        return { kind: 'column', index: a[1], type: c.type, name: c.name };
      }
      case X.Literal: {
        this.#len(a, 3, 'literal');
        const type = this.#type(a[2]);
        return { kind: 'literal', value: this.#literal(a[1], type), type };
      }
      case X.Call: {
        this.#len(a, 4, 'call');
        const fn = FNS[a[1] as number];
        if (fn === undefined || !Number.isInteger(a[1])) throw bad('unknown function');
        const args = this.#list(a[2], 64, 'arguments').map((x) => this.expr(x, input, depth + 1));
        const [min, max] = ARITY[fn];
        if (args.length < min || args.length > max)
          throw bad(`${fn} takes ${min}..${max} arguments, got ${args.length}`);
        const type = this.#type(a[3]);
        if (BOOLEAN_FNS.has(fn) && type !== 'BOOLEAN') throw bad(`${fn} returns BOOLEAN`);
        if (LOGIC_FNS.has(fn) && !args.every((x) => x.type === 'BOOLEAN' || x.type === 'NULL'))
          throw bad(`${fn} takes BOOLEAN`);
        if (SAME_TYPE_FNS.has(fn) && new Set(args.map((x) => x.type).filter((t) => t !== 'NULL')).size > 1)
          throw bad(`${fn} operands differ in type`);
        if (
          (fn === 'date_trunc' || fn === 'date_part') &&
          (args[0]!.kind !== 'literal' || typeof args[0]!.value !== 'string')
        )
          throw bad(`${fn} needs a literal part`);
        return { kind: 'call', fn, args, type };
      }
      case X.In: {
        this.#len(a, 4, 'IN');
        if (typeof a[3] !== 'boolean') throw bad('IN negation flag');
        const arg = this.expr(a[1], input, depth + 1);
        const list = this.#list(a[2], PLAN_LIMITS.items, 'IN list').map((x) =>
          this.expr(x, input, depth + 1),
        );
        if (list.length === 0) throw bad('empty IN list');
        if (list.some((x) => x.type !== arg.type && x.type !== 'NULL' && arg.type !== 'NULL'))
          throw bad('IN operands differ in type');
        return { kind: 'in', arg, list, negated: a[3], type: 'BOOLEAN' };
      }
      case X.Case: {
        this.#len(a, 4, 'CASE');
        const whens = this.#list(a[1], 1024, 'WHEN list').map((w) => {
          const pair = this.#array(w, depth + 1, 'WHEN');
          this.#len(pair, 2, 'WHEN');
          return {
            when: this.#predicate(pair[0], input, depth + 1),
            then: this.expr(pair[1], input, depth + 1),
          };
        });
        if (whens.length === 0) throw bad('CASE without WHEN');
        const otherwise = a[2] === null ? null : this.expr(a[2], input, depth + 1);
        return { kind: 'case', whens, else: otherwise, type: this.#type(a[3]) };
      }
      case X.Cast: {
        this.#len(a, 3, 'CAST');
        return { kind: 'cast', arg: this.expr(a[1], input, depth + 1), type: this.#type(a[2]) };
      }
      default:
        throw bad(`unknown expression tag ${String(a[0])}`);
    }
  }

  #literal(v: unknown, type: SqlType): Literal {
    if (v === null) return null;
    switch (type) {
      case 'INTEGER':
        if (typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return v;
        break;
      case 'DATE':
      case 'TIMESTAMP':
        if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
        break;
      case 'DOUBLE':
        if (typeof v === 'number') return v;
        break;
      case 'BIGINT':
        if (typeof v === 'string' && BIGINT_TEXT.test(v)) {
          const b = BigInt(v);
          if (b >= -(2n ** 63n) && b < 2n ** 63n) return v;
        }
        break;
      case 'BOOLEAN':
        if (typeof v === 'boolean') return v;
        break;
      case 'VARCHAR':
        if (typeof v === 'string' && v.length <= PLAN_LIMITS.string) return v;
        break;
      case 'NULL':
        break;
    }
    throw bad(`a ${type} literal of the wrong form`);
  }

  #array(raw: unknown, depth: number, what: string): unknown[] {
    if (++this.#items > PLAN_LIMITS.items) throw bad(`more than ${PLAN_LIMITS.items} plan items`);
    if (depth > PLAN_LIMITS.depth) throw bad(`nested deeper than ${PLAN_LIMITS.depth}`);
    if (!Array.isArray(raw)) throw bad(`${what} is not an array`);
    return raw as unknown[];
  }

  #list(raw: unknown, max: number, what: string): unknown[] {
    if (!Array.isArray(raw)) throw bad(`${what} is not a list`);
    if (raw.length > max) throw bad(`${what}: more than ${max} entries`);
    return raw as unknown[];
  }

  #len(a: unknown[], n: number, what: string): void {
    if (a.length !== n) throw bad(`${what} has ${a.length} fields, expected ${n}`);
  }

  #name(v: unknown, what: string): string {
    if (typeof v !== 'string' || v.length > PLAN_LIMITS.name) throw bad(`${what} is not a name`);
    return v;
  }

  #names(raw: unknown, n: number): string[] {
    const names = this.#list(raw, PLAN_LIMITS.columns, 'names').map((x) => this.#name(x, 'column name'));
    if (names.length !== n) throw bad('names and expressions differ in length');
    return names;
  }

  #type(v: unknown): SqlType {
    const t = TYPES[v as number];
    if (t === undefined || !Number.isInteger(v)) throw bad(`unknown type code ${String(v)}`);
    return t;
  }

  #count(v: unknown): number {
    if (!isIndex(v, PLAN_LIMITS.count + 1)) throw bad('count out of range');
    return v;
  }

  #est(v: unknown): number {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw bad('estRows');
    return v;
  }
}

const isIndex = (v: unknown, bound: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < bound;

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function bad(message: string): FragmentError {
  return new FragmentError('INVALID_FRAGMENT', `invalid fragment: ${message}`);
}
