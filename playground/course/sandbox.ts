// Turning a code cell's text into a function and running it: TypeScript is transpiled by sucrase (which keeps line
// numbers, so an error's line is the learner's line), the function is built with `new Function` and a sourceURL
// that names its frames in stack traces, and whatever goes wrong comes back as a RunError with the learner's line.
// No DOM and no Worker here: the worker (runner.worker.ts) is a thin shell around runCell(), and Node unit tests
// (test/course.sandbox.test.ts) call it directly.
import { transform } from 'sucrase';
import { toPlain } from './compare';
import type { CellLanguage, RunError, RunOutcome } from './outcome';

export { describeRunError, type CellLanguage, type RunError, type RunOutcome } from './outcome';

/** The name stack traces give the learner's code; errorLine() looks for it. */
const SOURCE_URL = 'learner-code.js';

export type Transpiled = { ok: true; js: string } | { ok: false; error: RunError };

/**
 * JavaScript for the learner's text. TypeScript loses its types; JavaScript goes through the same parser, so a
 * syntax error is reported the same way for both, with its line. ES syntax is left as it is (modern browsers run it).
 */
export function transpile(code: string, language: CellLanguage): Transpiled {
  try {
    const out = transform(code, { transforms: language === 'typescript' ? ['typescript'] : [], disableESTransforms: true, production: true });
    return { ok: true, js: out.code };
  } catch (e) {
    // sucrase writes "Unexpected token (2:13)" and sets loc; the message's position is dropped for the line we show.
    const loc = (e as { loc?: { line?: number } }).loc;
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\(\d+:\d+\)\s*$/, '');
    return { ok: false, error: { kind: 'syntax', message: `Syntax error: ${message}`, line: typeof loc?.line === 'number' ? loc.line : null } };
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return `a thrown value: ${typeof e === 'string' ? e : JSON.stringify(e) ?? String(e)}`;
}

/** Lines that `new Function` puts before the body ("function anonymous(engine\n) {"), measured once, not assumed. */
let headerLines: number | undefined;
function bodyLineOffset(): number {
  if (headerLines === undefined) {
    const probe = new Function(`throw new Error('probe');\n//# sourceURL=${SOURCE_URL}`);
    try {
      probe();
    } catch (e) {
      const m = new RegExp(`${SOURCE_URL.replace('.', '\\.')}:(\\d+)`).exec(String((e as Error).stack));
      headerLines = m ? Number(m[1]) - 1 : 2;
    }
  }
  return headerLines ?? 2;
}

/**
 * The line in the learner's code (1-based) of the innermost stack frame that is theirs, or null when no frame is
 * (an error inside a library they called is reported at the line that called it, since that frame is theirs).
 */
export function errorLine(stack: string | undefined, codeLines: number): number | null {
  if (!stack) return null;
  const re = new RegExp(`${SOURCE_URL.replace('.', '\\.')}:(\\d+)`, 'g');
  const offset = bodyLineOffset();
  for (const m of stack.matchAll(re)) {
    const line = Number(m[1]) - offset;
    if (line >= 1 && line <= codeLines) return line;
  }
  return null;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The learner's function `name`, defined by their (already transpiled) code with `engine` in scope. The code keeps
 * its lines: 'use strict' shares line 1, and the lookup of `name` comes after the last line.
 */
export function buildFunction(js: string, name: string, engine: unknown): { ok: true; fn: (...args: unknown[]) => unknown } | { ok: false; error: RunError } {
  if (!IDENT.test(name)) throw new Error(`buildFunction: "${name}" is not a valid function name`);
  const source = `'use strict'; ${js}\n;return typeof ${name} === 'function' ? ${name} : undefined;\n//# sourceURL=${SOURCE_URL}`;
  let define: (engine: unknown) => unknown;
  try {
    define = new Function('engine', source) as (engine: unknown) => unknown;
  } catch (e) {
    // What sucrase's parser lets through (a `let` declared twice, say); the JavaScript engine gives no line for it.
    return { ok: false, error: { kind: 'syntax', message: `Syntax error: ${errorText(e).replace(/^SyntaxError: /, '')}`, line: null } };
  }
  const lines = js.split('\n').length;
  let fn: unknown;
  try {
    fn = define(engine);
  } catch (e) {
    return { ok: false, error: { kind: 'runtime', message: errorText(e), line: errorLine((e as Error | undefined)?.stack, lines) } };
  }
  if (typeof fn !== 'function') {
    return { ok: false, error: { kind: 'missing', message: `Your code must define a function named \`${name}\` (it is called with the cell's arguments).`, line: null } };
  }
  return { ok: true, fn: fn as (...args: unknown[]) => unknown };
}

/** Where console output goes while the learner's code runs, so Run can show it. */
export interface LogSink {
  log: string[];
  max: number;
}

function formatLogArg(a: unknown): string {
  if (typeof a === 'string') return a;
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return String(a);
  }
}

/**
 * Runs the learner's cell once: transpile, define, call with args (awaiting a promise), and turn the result into
 * plain data (a tensor becomes nested arrays). console.log/info/warn/error calls are captured into `logs`.
 */
export async function runCell(
  req: { code: string; language: CellLanguage; name: string; args: unknown[] },
  engine: unknown,
  cache?: Map<string, (...args: unknown[]) => unknown>,
): Promise<RunOutcome> {
  const logs: string[] = [];
  const key = `${req.language}\u0000${req.name}\u0000${req.code}`;
  let fn = cache?.get(key);
  if (!fn) {
    const t = transpile(req.code, req.language);
    if (!t.ok) return { ok: false, error: t.error, logs };
    const built = buildFunction(t.js, req.name, engine);
    if (!built.ok) return { ok: false, error: built.error, logs };
    fn = built.fn;
    cache?.set(key, fn);
  }
  const lines = req.code.split('\n').length;
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const capture = (...a: unknown[]): void => {
    if (logs.length < 200) logs.push(a.map(formatLogArg).join(' '));
  };
  console.log = console.info = console.warn = console.error = capture;
  try {
    const value = await fn(...structuredClone(req.args));
    return { ok: true, value: await toPlain(value), logs };
  } catch (e) {
    return { ok: false, error: { kind: 'runtime', message: errorText(e), line: errorLine((e as Error | undefined)?.stack, lines) }, logs };
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * A runner for tests and scripts (see check.ts's CellRun): the learner's code runs in this thread with `engine` in
 * scope, and no time limit.
 */
export function inProcess(ex: { name: string; language: CellLanguage }, code: string, engine: unknown): (args: unknown[]) => Promise<RunOutcome> {
  const cache = new Map<string, (...args: unknown[]) => unknown>();
  return (args) => runCell({ code, language: ex.language, name: ex.name, args }, engine, cache);
}
