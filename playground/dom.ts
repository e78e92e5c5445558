// Small DOM helpers the components share.

/**
 * The innermost element under a point, looking inside open shadow roots: `document.elementFromPoint` stops at the
 * outermost custom element, but a wire is dropped on a port three shadow roots down.
 */
export function deepElementFromPoint(x: number, y: number): Element | null {
  let el = document.elementFromPoint(x, y);
  while (el?.shadowRoot) {
    const inner = el.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === el) break;
    el = inner;
  }
  return el;
}

/** Whether a keyboard event is meant for a text field (so the editor's shortcuts keep out of its way). */
export function isTypingTarget(e: Event): boolean {
  const t = e.composedPath()[0];
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

/** Offers bytes or text to the user as a downloaded file. */
export function download(name: string, data: string | Uint8Array, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>)], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
