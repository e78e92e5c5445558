// Running a course code cell in a Node test as the lesson page runs it: the shell's transpile and buildFunction
// (playground/course/sandbox.ts) for calling a cell's function directly, and its checkCode with the code run in
// this thread instead of the page's worker. Shared by the test/course.*.test.ts files.
import { checkCode } from '../playground/course/check';
import { buildFunction, inProcess, transpile } from '../playground/course/sandbox';
import type { CheckResult, CodeArgs, CodeExercise } from '../playground/course/types';
import * as engine from '../engine/index';

/** A code cell's source as a callable; a syntax error or a missing function throws with the page's message. */
export function compileCell(ex: CodeExercise, source: string): (...args: CodeArgs) => unknown {
  const js = transpile(source, ex.language);
  if (!js.ok) throw new Error(js.error.message);
  const built = buildFunction(js.js, ex.name, engine);
  if (!built.ok) throw new Error(built.error.message);
  return built.fn;
}

/** Check, as the page runs it on `seed`. */
export function checkCell(ex: CodeExercise, source: string, seed: number): Promise<CheckResult> {
  return checkCode(ex, inProcess(ex, source, engine), seed);
}
