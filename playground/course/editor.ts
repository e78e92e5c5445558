// The code cells' editor: the app's shared CodeMirror 6 basics (../code-editor.ts: undo history, bracket matching,
// Tab indents and Escape then Tab leaves) with JavaScript/TypeScript highlighting.
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { javascript } from '@codemirror/lang-javascript';
import type { CellLanguage } from './outcome';
import { editorBasics, type EditorBasics } from '../code-editor';

export interface EditorOptions extends EditorBasics {
  parent: HTMLElement;
  doc: string;
  language: CellLanguage;
}

export function createEditor(o: EditorOptions): EditorView {
  return new EditorView({
    parent: o.parent,
    state: EditorState.create({ doc: o.doc, extensions: [...editorBasics(o), javascript({ typescript: o.language === 'typescript' })] }),
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
