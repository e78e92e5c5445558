// The "Your kernel" tab's WGSL editor: the app's shared CodeMirror 6 basics (../code-editor.ts, as the course's
// code cells) with @iizukak/codemirror-lang-wgsl's highlighting, and compile errors marked on their lines (a line
// decoration with the message as its title, set by markErrors and cleared on the next edit).
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';
import { wgsl } from '@iizukak/codemirror-lang-wgsl';
import { editorBasics, type EditorBasics } from '../code-editor';

export interface LineError {
  line: number; // 1-based
  message: string;
}

const setErrors = StateEffect.define<LineError[]>();

/** Line decorations for the current errors; any edit clears them (the line numbers may no longer hold). */
const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (e.is(setErrors)) {
        const lines = [...new Map(e.value.filter((x) => x.line >= 1 && x.line <= tr.state.doc.lines).map((x) => [x.line, x])).values()]
          .sort((a, b) => a.line - b.line);
        return Decoration.set(lines.map((x) => Decoration.line({ attributes: { class: 'cm-wgsl-error', title: x.message } }).range(tr.state.doc.line(x.line).from)));
      }
    }
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const errorTheme: Extension = EditorView.baseTheme({
  '.cm-wgsl-error': { backgroundColor: '#ffebee', boxShadow: 'inset 3px 0 0 #c62828' },
});

export function createWgslEditor(o: { parent: HTMLElement; doc: string } & EditorBasics): EditorView {
  return new EditorView({
    parent: o.parent,
    state: EditorState.create({ doc: o.doc, extensions: [...editorBasics(o), wgsl(), errorField, errorTheme] }),
  });
}

/** Replaces the whole text as one undoable change. */
export function setDoc(view: EditorView, doc: string): void {
  if (view.state.doc.toString() !== doc) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
}

/** Marks each error's line (and scrolls to the first); an empty list clears the marks. */
export function markErrors(view: EditorView, errors: readonly LineError[]): void {
  const first = errors.find((e) => e.line >= 1 && e.line <= view.state.doc.lines);
  view.dispatch({
    effects: setErrors.of([...errors]),
    ...(first ? { selection: { anchor: view.state.doc.line(first.line).from }, scrollIntoView: true } : {}),
  });
}
