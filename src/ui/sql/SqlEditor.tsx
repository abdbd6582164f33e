import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  closeCompletion,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  keymap,
  lineNumbers,
  placeholder,
} from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';
import type { DatasetInfo } from '../../lake/api.ts';

export interface EditorHandle {
  getText(): string;
  setText(text: string): void;
  focus(): void;
  /** Marks an error at a 1-based line and column (SqlError.position); none clears. */
  markError(error?: { message: string; position?: { line: number; column: number } }): void;
}

interface Props {
  datasets: DatasetInfo[];
  initial: string;
  onRun: () => void;
  onReady: (h: EditorHandle) => void;
}

/**
 * Token colours from CSS variables (styles.css), so both themes keep AA contrast: CodeMirror's
 * default style is made for light backgrounds only.
 */
const SQL_HIGHLIGHT = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--syn-keyword)', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--syn-number)' },
  { tag: [tags.function(tags.variableName), tags.standard(tags.name)], color: 'var(--syn-function)' },
  { tag: [tags.lineComment, tags.blockComment], color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [tags.operator, tags.punctuation], color: 'var(--text)' },
  { tag: [tags.typeName], color: 'var(--syn-type)' },
]);

/** Table → columns, for lang-sql's completion of table and column names. */
export function completionSchema(datasets: DatasetInfo[]): Record<string, string[]> {
  return Object.fromEntries(datasets.map((d) => [d.name, d.schema.map((c) => c.name)]));
}

/**
 * The SQL editor: CodeMirror 6 with @codemirror/lang-sql (PostgreSQL dialect, like our parser),
 * completing table and column names from the catalog; Ctrl/Cmd+Enter runs; errors are marked at
 * their position. Tab is left to the browser, so keyboard users can leave the editor.
 */
export function SqlEditor({ datasets, initial, onRun, onReady }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const language = useRef(new Compartment());
  const run = useRef(onRun);
  run.current = onRun;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                run: (v) => {
                  closeCompletion(v);
                  run.current();
                  return true;
                },
              },
            ]),
          ),
          lineNumbers(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ icons: false }),
          syntaxHighlighting(SQL_HIGHLIGHT),
          lintGutter(),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          language.current.of(
            sql({ dialect: PostgreSQL, schema: completionSchema(datasets), upperCaseKeywords: true }),
          ),
          placeholder('SELECT … FROM …   (Ctrl/Cmd+Enter runs)'),
          EditorView.contentAttributes.of({ id: 'sql', 'aria-label': 'SQL query', 'aria-multiline': 'true' }),
          EditorView.lineWrapping,
          // A changed query invalidates the old error marker.
          EditorView.updateListener.of((u) => {
            if (u.docChanged) u.view.dispatch(setDiagnostics(u.state, []));
          }),
        ],
      }),
    });
    view.current = v;
    onReady({
      getText: () => v.state.doc.toString(),
      setText: (text) =>
        v.dispatch({
          changes: { from: 0, to: v.state.doc.length, insert: text },
          selection: { anchor: text.length },
        }),
      focus: () => v.focus(),
      markError: (err) => {
        if (!err?.position) {
          v.dispatch(setDiagnostics(v.state, []));
          return;
        }
        const d = diagnosticAt(v.state, err.position.line, err.position.column, err.message);
        v.dispatch(setDiagnostics(v.state, [d]), {
          selection: { anchor: d.from, head: d.to },
          scrollIntoView: true,
        });
      },
    });
    return () => v.destroy();
    // The editor is created once; datasets are pushed through the compartment below.
  }, []);

  useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure(
        sql({ dialect: PostgreSQL, schema: completionSchema(datasets), upperCaseKeywords: true }),
      ),
    });
  }, [datasets]);

  return <div ref={host} class="editor" data-testid="editor" />;
}

/** The range to underline: the word at the 1-based position, or one character. */
export function diagnosticAt(state: EditorState, line: number, column: number, message: string): Diagnostic {
  const l = state.doc.line(Math.min(Math.max(1, line), state.doc.lines));
  const from = Math.min(l.from + Math.max(0, column - 1), l.to);
  const word = state.wordAt(from);
  const to = word && word.from === from ? word.to : Math.min(from + 1, state.doc.length);
  return { from, to: Math.max(to, from), severity: 'error', message };
}
