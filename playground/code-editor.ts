// What every code editor in the app shares (the course's code cells, the Bench page's WGSL editor): CodeMirror 6
// with line numbers, undo history, bracket matching and the default highlight style. Tab indents, as programmers
// expect; Escape then Tab (or Ctrl-M, which toggles it) moves focus out, so a keyboard user is never trapped
// (CodeMirror's tab-focus mode). Each editor adds its language and its own extensions.
import type { Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';

export interface EditorBasics {
  /** Read by screen readers as the editor's name. */
  label: string;
  /** The id of the element that explains the keys (aria-describedby). */
  describedBy?: string;
  onChange(doc: string): void;
}

export function editorBasics(o: EditorBasics): Extension[] {
  return [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    indentOnInput(),
    bracketMatching(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    // Escape first: it arms tab-focus mode for the next key (CodeMirror's own Escape only collapses selections).
    keymap.of([{ key: 'Escape', run: temporarilySetTabFocusMode }, ...defaultKeymap, ...historyKeymap, indentWithTab]),
    EditorView.contentAttributes.of({ 'aria-label': o.label, ...(o.describedBy ? { 'aria-describedby': o.describedBy } : {}) }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) o.onChange(u.state.doc.toString());
    }),
  ];
}
