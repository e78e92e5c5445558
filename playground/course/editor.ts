// The code cells' editor: CodeMirror 6 with JavaScript/TypeScript highlighting, undo history and bracket
// matching. Tab indents, as programmers expect; Escape then Tab (or Ctrl-M, which toggles it) moves focus out, so a
// keyboard user is never trapped (CodeMirror's tab-focus mode).
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { javascript } from '@codemirror/lang-javascript';
import type { CellLanguage } from './outcome';

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  language: CellLanguage;
  /** Read by screen readers as the editor's name. */
  label: string;
  /** The id of the element that explains the keys (aria-describedby). */
  describedBy?: string;
  onChange(doc: string): void;
}

export function createEditor(o: EditorOptions): EditorView {
  return new EditorView({
    parent: o.parent,
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        javascript({ typescript: o.language === 'typescript' }),
        // Escape first: it arms tab-focus mode for the next key (CodeMirror's own Escape only collapses selections).
        keymap.of([{ key: 'Escape', run: temporarilySetTabFocusMode }, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': o.label, ...(o.describedBy ? { 'aria-describedby': o.describedBy } : {}) }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}

/** Replaces the whole text as one undoable change (Ctrl+Z brings the old text back). */
export function setDoc(view: EditorView, doc: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
}

/** Moves the cursor to a line (1-based) and scrolls it into view, for "the error is on line 4". */
export function goToLine(view: EditorView, line: number): void {
  const n = Math.min(Math.max(1, line), view.state.doc.lines);
  const at = view.state.doc.line(n);
  view.dispatch({ selection: { anchor: at.from, head: at.to }, scrollIntoView: true });
}
