import nsp from 'node-sql-parser/build/postgresql.js';
import { isNode, notSupported, type AstNode } from './ast.ts';
import { SourceText } from './source.ts';
import { SqlError } from './SqlError.ts';

/** One parsed statement; `select` keeps the source for error positions. */
export type ParsedStatement =
  | { kind: 'select'; ast: AstNode; src: SourceText; explain: boolean; rewrites: Rewrites }
  | { kind: 'show_tables' }
  | { kind: 'describe'; table: string; src: SourceText };

/** Text rewrites done before parsing; all keep the text length, so positions stay exact. */
export interface Rewrites {
  /** Offsets of `SUM(DISTINCT` rewritten to a `sumdistinct(` call, by aggregate name. */
  distinctAggs: Map<number, string>;
}

// Only the PostgreSQL grammar (300 KB instead of 2.5 MB for all dialects): this ships to browsers.
const parser = new nsp.Parser();

export function parseStatement(sql: string): ParsedStatement {
  let src = new SourceText(sql);
  const words = src.tokens;
  if (words.length === 0 || words.every((t) => t.text === ';'))
    throw new SqlError('EMPTY', 'Empty query: type some SQL.');
  const first = words[0]!.text.toLowerCase();
  let explain = false;
  if (first === 'explain') {
    if (/^analy[sz]e$/i.test(words[1]?.text ?? '')) throw notSupported('EXPLAIN ANALYZE');
    // The PostgreSQL grammar has no EXPLAIN: blank the keyword (positions stay) and plan the rest.
    const at = words[0]!.offset;
    src = new SourceText(sql.slice(0, at) + ' '.repeat(7) + sql.slice(at + 7));
    explain = true;
  }
  // The grammar has no DESCRIBE either; it is one keyword and one name, so read it from the tokens.
  if (first === 'describe') return parseDescribe(src);
  const rewrites: Rewrites = { distinctAggs: new Map() };
  const text = rewrite(src, rewrites);
  // The grammar accepts `OFFSET n LIMIT m` but silently drops the LIMIT: refuse it rather than
  // return too many rows.
  if (/\boffset\s+[^\s;]+\s+limit\b/i.test(src.masked))
    throw notSupported('OFFSET before LIMIT (write LIMIT … OFFSET …)');
  let ast: unknown;
  try {
    // trimQuery: false, or the parser trims leading blank lines and every position shifts.
    ast = parser.astify(text, {
      database: 'postgresql',
      trimQuery: false,
      parseOptions: { includeLocations: true },
    });
  } catch (e) {
    throw syntaxError(e, src);
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1) throw notSupported('several statements in one query');
    ast = ast[0];
  }
  if (!isNode(ast)) throw new SqlError('SYNTAX', 'Syntax error: could not parse the query.');
  const type = typeof ast.type === 'string' ? ast.type : '?';
  if (type === 'select') return { kind: 'select', ast, src, explain, rewrites };
  if (explain) throw notSupported(`EXPLAIN of ${type.toUpperCase()}`);
  if (type === 'show' && ast.keyword === 'tables') return { kind: 'show_tables' };
  if (type === 'show') throw notSupported('this SHOW statement (only SHOW TABLES)');
  throw notSupported(`${type.toUpperCase()} statements`);
}

function parseDescribe(src: SourceText): ParsedStatement {
  const [, name, ...rest] = src.tokens;
  if (name && /^(select|with|\()$/i.test(name.text)) throw notSupported('DESCRIBE of a query');
  const tail = rest.filter((t) => t.text !== ';');
  if (!name || (name.kind !== 'ident' && name.kind !== 'qident') || tail.length > 0) {
    const at = (tail[0] ?? name)?.offset ?? src.text.length;
    const p = src.position(at);
    throw new SqlError(
      'SYNTAX',
      `Syntax error at line ${p.line}, column ${p.column}: expected DESCRIBE <table>`,
      p,
    );
  }
  return { kind: 'describe', table: name.text, src };
}

/**
 * Length-preserving rewrites for what the grammar cannot parse but DuckDB accepts:
 * - `SUM/AVG/MIN/MAX(DISTINCT x)` (only COUNT takes DISTINCT in the grammar) → `sumdistinct( x)`,
 *   recognised again by offset so a user's own `sumdistinct(…)` is not taken for it;
 * - the type name STRING in casts → TEXT (the grammar has no STRING type).
 */
function rewrite(src: SourceText, out: Rewrites): string {
  const chars = src.text.split('');
  const put = (at: number, s: string) => s.split('').forEach((c, k) => (chars[at + k] = c));
  for (const m of src.masked.matchAll(/\b(sum|avg|min|max)(\s*)\((\s*)distinct\b/gi)) {
    const len = m[0].length;
    put(m.index, `${m[1]!}distinct(`.padEnd(len, ' '));
    out.distinctAggs.set(m.index, m[1]!.toLowerCase());
  }
  // `AS string` only inside CAST(… AS string): an alias named "string" is not followed by `)`.
  for (const m of src.masked.matchAll(/(::\s*|\bas\s+)string(?=\s*\)|\b)/gi)) {
    const after = src.masked.slice(m.index + m[0].length);
    if (m[1]!.startsWith('::') || /^\s*\)/.test(after)) put(m.index + m[1]!.length, 'text  ');
  }
  return chars.join('');
}

const OTHER_STATEMENTS =
  /^(insert|update|delete|merge|create|drop|alter|copy|set|reset|begin|commit|rollback|truncate|grant|revoke|values|table|pragma|attach|detach|load|install|call|vacuum|analyze|use|export|import|checkpoint|prepare|execute)$/i;

interface PegError {
  message?: unknown;
  location?: { start?: { offset?: unknown } };
  expected?: unknown;
  found?: unknown;
}

/** node-sql-parser (peggy) errors list every expected token; summarise them for people. */
function syntaxError(e: unknown, src: SourceText): SqlError {
  const err = (typeof e === 'object' && e !== null ? e : {}) as PegError;
  const offset = typeof err.location?.start?.offset === 'number' ? err.location.start.offset : null;
  if (offset === null) return new SqlError('SYNTAX', `Syntax error: ${String(err.message ?? e)}`);
  const first = src.tokens[0];
  // A statement we do not run at all is better reported as such than by its first syntax error.
  if (first && OTHER_STATEMENTS.test(first.text))
    return notSupported(`${first.text.toUpperCase()} statements`);
  if (
    first &&
    !/^(select|with|show|\()$/i.test(first.text) &&
    first.kind === 'ident' &&
    offset > first.offset
  ) {
    const p = src.position(first.offset);
    return new SqlError(
      'SYNTAX',
      `Syntax error at line ${p.line}, column ${p.column}: unknown statement "${first.text}" (expected SELECT, EXPLAIN, DESCRIBE or SHOW TABLES)`,
      p,
    );
  }
  const p = src.position(offset);
  const word = /^(\w+|\S)/.exec(src.text.slice(offset))?.[0];
  let what: string;
  if (src.unterminated)
    what = `unterminated ${src.unterminated === 'comment' ? 'comment' : `quoted ${src.unterminated}`}`;
  else if (word === undefined) what = 'unexpected end of query';
  else what = `unexpected "${word}"`;
  const expected = Array.isArray(err.expected)
    ? [
        ...new Set(
          (err.expected as { type?: unknown; text?: unknown }[])
            .filter((x) => x.type === 'literal' && typeof x.text === 'string' && !/^(--|\/\*)$/.test(x.text))
            .map((x) => String(x.text)),
        ),
      ]
    : [];
  const hint = expected.length > 0 && expected.length <= 5 ? ` (expected ${expected.join(', ')})` : '';
  return new SqlError('SYNTAX', `Syntax error at line ${p.line}, column ${p.column}: ${what}${hint}`, p);
}
