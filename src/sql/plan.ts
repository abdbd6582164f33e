import type { ColumnType } from '../storage/manifest.ts';
import type { ChunkId, DatasetId } from '../types.ts';

/**
 * The query IR: what the SQL front end (src/sql: parse → bind → plan → optimize) produces and
 * the engine (src/engine) executes. It is plain JSON-serialisable data, because fragments of it
 * will travel between tabs (distributed query issue): no functions, no class instances, and
 * BIGINT literals as decimal strings.
 *
 * Column references are positional: `{kind:'column', index}` is the index-th column of the node's
 * input (for a join: left columns, then right columns). Every node carries its output schema.
 */

/** SQL value types. Storage types plus NULL (the type of a bare NULL literal). */
export type SqlType = ColumnType | 'NULL';

export interface OutputColumn {
  name: string;
  type: SqlType;
}

export type Literal = null | number | string | boolean;

export type Expr =
  | { kind: 'column'; index: number; type: SqlType; name: string }
  /** BIGINT literals are decimal strings; DATE is days since epoch, TIMESTAMP epoch ms. */
  | { kind: 'literal'; value: Literal; type: SqlType }
  | { kind: 'call'; fn: ScalarFn; args: Expr[]; type: SqlType }
  /** `x IN (a, b, …)`; `negated` for NOT IN. NULL semantics as in SQL. */
  | { kind: 'in'; arg: Expr; list: Expr[]; negated: boolean; type: 'BOOLEAN' }
  /** `CASE WHEN c THEN v … ELSE e END` (also what COALESCE/NULLIF may lower to). */
  | { kind: 'case'; whens: { when: Expr; then: Expr }[]; else: Expr | null; type: SqlType }
  | { kind: 'cast'; arg: Expr; type: SqlType };

/**
 * Scalar functions and operators. Comparison and logic return BOOLEAN with three-valued logic;
 * arithmetic follows DuckDB: `/` on integers returns DOUBLE, integer overflow is an error.
 */
export type ScalarFn =
  // arithmetic
  | 'add'
  | 'subtract'
  | 'multiply'
  | 'divide'
  | 'modulo'
  | 'negate'
  // comparison
  | 'eq'
  | 'neq'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  // logic (three-valued)
  | 'and'
  | 'or'
  | 'not'
  | 'is_null'
  | 'is_not_null'
  // patterns: args [value, pattern]; ilike is case-insensitive
  | 'like'
  | 'ilike'
  | 'not_like'
  | 'not_ilike'
  // functions
  | 'lower'
  | 'upper'
  | 'length'
  | 'substr'
  | 'trim'
  | 'round'
  | 'abs'
  | 'floor'
  | 'ceil'
  | 'coalesce'
  /** args [part literal VARCHAR, timestamp-or-date]: 'year'|'month'|'day'|'hour'|… */
  | 'date_trunc'
  /** args [part literal VARCHAR, timestamp-or-date]; returns BIGINT (DuckDB's extract) */
  | 'date_part';

export type AggFn = 'count_star' | 'count' | 'sum' | 'avg' | 'min' | 'max';

export interface Aggregate {
  fn: AggFn;
  /** Absent for count_star. Evaluated over the aggregate node's input. */
  arg?: Expr;
  distinct: boolean;
  /** count → BIGINT; avg → DOUBLE; sum of integers → BIGINT (overflow beyond int64 is an error, never a wrap); sum of DOUBLE → DOUBLE; min/max → arg type. */
  type: SqlType;
  name: string;
  /**
   * Two-phase aggregation, for distributed queries (src/query/distributed). `partial`: the output
   * is the accumulator's state, in the columns {@link aggStateTypes} lists (an exact integer sum
   * needs two), instead of its value. `final`: merges such states; `state` are the input columns
   * of one state, `argType` the original argument's type, and `arg` is absent. Absent: one phase.
   * DISTINCT aggregates are never split this way (the planner groups by their argument instead).
   */
  phase?: 'partial' | 'final';
  /** `final` only: the partial state's columns over the input, in {@link aggStateTypes} order. */
  state?: Expr[];
  /** `final` only: the type the partial phase's argument had (it picks the accumulator). */
  argType?: SqlType;
}

export interface SortKey {
  expr: Expr;
  desc: boolean;
  /** Resolved default: DuckDB puts NULLs last for ASC and DESC. */
  nullsFirst: boolean;
}

export type PlanNode =
  | ScanNode
  | { kind: 'filter'; input: PlanNode; predicate: Expr; schema: OutputColumn[]; estRows: number }
  | { kind: 'project'; input: PlanNode; exprs: Expr[]; schema: OutputColumn[]; estRows: number }
  | {
      kind: 'aggregate';
      input: PlanNode;
      /** Output: group expressions first, then aggregates, in this order. */
      groups: Expr[];
      aggregates: Aggregate[];
      schema: OutputColumn[];
      estRows: number;
    }
  | {
      kind: 'join';
      joinType: 'inner' | 'left';
      left: PlanNode;
      right: PlanNode;
      /** Equi-join keys: leftKeys[i] over the left input = rightKeys[i] over the right input. */
      leftKeys: Expr[];
      rightKeys: Expr[];
      /** Non-equi remainder of the ON clause, over the joined row (left ++ right). */
      residual: Expr | null;
      schema: OutputColumn[];
      estRows: number;
    }
  | { kind: 'sort'; input: PlanNode; keys: SortKey[]; schema: OutputColumn[]; estRows: number }
  /** ORDER BY … LIMIT: keep the top `limit + offset` with a heap, then skip `offset`. */
  | {
      kind: 'topn';
      input: PlanNode;
      keys: SortKey[];
      limit: number;
      offset: number;
      schema: OutputColumn[];
      estRows: number;
    }
  | {
      kind: 'limit';
      input: PlanNode;
      limit: number | null;
      offset: number;
      schema: OutputColumn[];
      estRows: number;
    }
  | { kind: 'distinct'; input: PlanNode; schema: OutputColumn[]; estRows: number }
  /** A constant relation: `SELECT 1 + 1` without FROM has one row and no columns. */
  | { kind: 'values'; rows: Literal[][]; schema: OutputColumn[]; estRows: number };

export interface ScanNode {
  kind: 'scan';
  table: string;
  dataset: DatasetId;
  /** Indexes into the dataset schema of the columns read (projection pushdown); output order. */
  columns: number[];
  schema: OutputColumn[];
  /** Pushed-down filter over the scan's output columns, or null. */
  predicate: Expr | null;
  /** Chunks left after zone-map pruning, in manifest order, with their row counts. */
  chunks: { id: ChunkId; rows: number }[];
  totalChunks: number;
  estRows: number;
  /**
   * Distributed query: this scan reads an exchange (the gathered results of a stage, or a
   * broadcast side of a join) rather than a dataset. Its "chunks" are the parts that arrived, which
   * the node running the plan serves from memory; `columns` are 0..n-1 of the parts.
   */
  exchange?: string;
}

/** What the front end returns for one statement. */
export type PlannedStatement =
  | { kind: 'query'; plan: PlanNode }
  | { kind: 'explain'; plan: PlanNode; text: string }
  | { kind: 'show_tables' }
  | { kind: 'describe'; table: string };
