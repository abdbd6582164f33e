/**
 * The query text as the front end sees it for positions. node-sql-parser attaches locations to
 * only a few node kinds (binary expressions, function calls), never to column or table references,
 * so error positions for names come from a small token scan of the original text. This is a lexer
 * for locating words, not a parser: all syntax is node-sql-parser's.
 */
export interface Position {
  line: number;
  column: number;
}

export interface Token {
  kind: 'ident' | 'qident' | 'string' | 'number' | 'punct';
  /** Identifier text (unquoted for "quoted" ones), or the raw text otherwise. */
  text: string;
  offset: number;
}

export class SourceText {
  readonly tokens: Token[] = [];
  /** The text with string literals, quoted identifiers and comments blanked to spaces (same length). */
  readonly masked: string;
  /** Set when a quote or block comment is still open at the end of the text. */
  readonly unterminated: 'string' | 'identifier' | 'comment' | null = null;

  constructor(readonly text: string) {
    const out = text.split('');
    const blank = (from: number, to: number) => {
      for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
    };
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '-' && text[i + 1] === '-') {
        const end = text.indexOf('\n', i);
        const stop = end < 0 ? text.length : end;
        blank(i, stop);
        i = stop;
      } else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) this.unterminated = 'comment';
        const stop = end < 0 ? text.length : end + 2;
        blank(i, stop);
        i = stop;
      } else if (c === "'" || c === '"') {
        let j = i + 1;
        let value = '';
        for (;;) {
          if (j >= text.length) {
            this.unterminated = c === "'" ? 'string' : 'identifier';
            break;
          }
          if (text[j] === c) {
            if (text[j + 1] === c) {
              value += c;
              j += 2;
              continue;
            }
            break;
          }
          value += text[j];
          j++;
        }
        this.tokens.push({ kind: c === "'" ? 'string' : 'qident', text: value, offset: i });
        blank(i + 1, Math.min(j, text.length));
        i = j + 1;
      } else if (/[A-Za-z_\u00c0-\uffff]/.test(c)) {
        const m = /^[A-Za-z0-9_$\u00c0-\uffff]+/.exec(text.slice(i))!;
        this.tokens.push({ kind: 'ident', text: m[0], offset: i });
        i += m[0].length;
      } else if (/[0-9.]/.test(c) && /^\.?[0-9]/.test(text.slice(i, i + 2))) {
        const m = /^[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
        this.tokens.push({ kind: 'number', text: m[0], offset: i });
        i += m[0].length;
      } else {
        if (!/\s/.test(c)) this.tokens.push({ kind: 'punct', text: c, offset: i });
        i++;
      }
    }
    this.masked = out.join('');
  }

  position(offset: number): Position {
    const before = this.text.slice(0, Math.max(0, offset));
    const line = before.split('\n').length;
    return { line, column: offset - before.lastIndexOf('\n') };
  }

  /**
   * Where a name (optionally `qualifier.name`) first occurs, preferring occurrences inside
   * [from, to) — the location of the nearest enclosing node that has one.
   */
  locate(
    name: string,
    qualifier?: string | null,
    range?: { from: number; to: number },
  ): Position | undefined {
    const hits: number[] = [];
    const lower = name.toLowerCase();
    const isIdent = (t: Token | undefined, s: string) =>
      t !== undefined && (t.kind === 'ident' || t.kind === 'qident') && t.text.toLowerCase() === s;
    this.tokens.forEach((t, k) => {
      if (!isIdent(t, lower)) return;
      if (qualifier) {
        const dot = this.tokens[k - 1];
        if (dot?.text !== '.' || !isIdent(this.tokens[k - 2], qualifier.toLowerCase())) return;
        hits.push(this.tokens[k - 2]!.offset);
      } else hits.push(t.offset);
    });
    const inRange = range ? hits.find((o) => o >= range.from && o < range.to) : undefined;
    const at = inRange ?? hits[0];
    return at === undefined ? undefined : this.position(at);
  }

  /** The first token after a keyword sequence such as FROM/JOIN that names `table`. */
  locateTable(table: string): Position | undefined {
    const lower = table.toLowerCase();
    const k = this.tokens.findIndex(
      (t, n) =>
        (t.kind === 'ident' || t.kind === 'qident') &&
        t.text.toLowerCase() === lower &&
        /^(from|join|describe|,)$/i.test(this.tokens[n - 1]?.text ?? ''),
    );
    const t = this.tokens[k];
    return t ? this.position(t.offset) : this.locate(table);
  }
}
