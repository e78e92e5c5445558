// What running a code cell can come to, and how the page words a failure. Kept apart from sandbox.ts (which
// imports sucrase) so the page's main bundle needs neither the transpiler nor the worker's code.

export type CellLanguage = 'javascript' | 'typescript';

/** What went wrong, with the line in the learner's code where one is known (1-based). */
export interface RunError {
  kind: 'syntax' | 'missing' | 'runtime' | 'result' | 'timeout';
  message: string;
  line: number | null;
}

export type RunOutcome = { ok: true; value: unknown; logs: string[] } | { ok: false; error: RunError; logs: string[] };

/** One sentence for a RunError, as a check or a run reports it. */
export function describeRunError(e: RunError): string {
  const where = e.line !== null ? ` (line ${e.line})` : '';
  switch (e.kind) {
    case 'syntax':
      return `${e.message}${where}.`;
    case 'runtime':
      return `Your code threw an error${where}: ${e.message}`;
    default:
      return e.message;
  }
}
