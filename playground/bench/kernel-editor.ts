// The "Your kernel" tab's WGSL editor: CodeMirror 6 with @iizukak/codemirror-lang-wgsl's highlighting, undo
// history and bracket matching, and compile errors marked on their lines (a line decoration and a gutter-side
// title, set by markErrors and cleared on the next edit). Tab indents; Escape then Tab leaves the editor, as in
// the course's code cells.
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers, type DecorationSet } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { wgsl } from '@iizukak/codemirror-lang-wgsl';

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

export function createWgslEditor(o: { parent: HTMLElement; doc: string; label: string; onChange(doc: string): void }): EditorView {
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
        wgsl(),
        errorField,
        errorTheme,
        keymap.of([{ key: 'Escape', run: temporarilySetTabFocusMode }, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': o.label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange(u.state.doc.toString());
        }),
      ],
    }),
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
