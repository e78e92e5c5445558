// The exercise checks the lesson page runs, without the page: reading a typed number, number and choice answers,
// and a code cell's Check (fresh cases, each run by the learner's code and compared with the reference). The code
// cell's runner is passed in: the page runs the learner's code in a Web Worker with a time limit (runner.ts), Node
// tests in-process (inProcess, which check.ts exports alongside these). This module doesn't import the transpiler,
// so the page's bundle stays without it.
import { defaultCompare, describeArgs, fmtNumber, toPlain } from './compare';
import { describeRunError, type RunOutcome } from './outcome';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from './types';

export type Parsed = { ok: true; value: number } | { ok: false; message: string };

/**
 * A number as a learner types it: "0.25", "-3", "1e-3", or a fraction "1/3". Anything else is refused with what to
 * type instead; the text itself stays in the field.
 */
export function parseNumberInput(text: string): Parsed {
  const t = text.trim();
  if (t === '') return { ok: false, message: 'Type a number first.' };
  if (/^[+-]?\d+,\d+$/.test(t)) return { ok: false, message: `"${t}" uses a comma: write the decimal point as "." (e.g. ${t.replace(',', '.')}).` };
  const frac = /^([+-]?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
  if (frac) {
    const den = Number(frac[2]);
    if (den === 0) return { ok: false, message: 'That fraction divides by zero.' };
    return { ok: true, value: Number(frac[1]) / den };
  }
  // Number() alone would take "", "0x1f" and "Infinity"; only plain decimal notation is an answer here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { ok: false, message: `"${t.length > 20 ? `${t.slice(0, 20)}…` : t}" is not a number. Type something like 0.25, 1e-3 or 1/3.` };
  return { ok: true, value: Number(t) };
}

export function checkNumber(ex: Pick<NumberExercise, 'tolerance'>, given: number, answer: number): CheckResult {
  if (!Number.isFinite(answer)) throw new Error(`The exercise's answer is not a finite number (${answer}); this is a bug in the lesson.`);
  if (Math.abs(given - answer) <= ex.tolerance) return { ok: true, message: `Right: the answer is ${fmtNumber(answer)}.` };
  return { ok: false, message: `Not quite: you said ${fmtNumber(given)}, and the answer is ${fmtNumber(answer)}.` };
}

export function checkChoice(ex: Pick<ChoiceExercise, 'options' | 'correct'>, chosen: number | null): CheckResult {
  if (chosen === null || !Number.isInteger(chosen) || chosen < 0 || chosen >= ex.options.length) return { ok: false, message: 'Pick one of the options first.' };
  if (chosen === ex.correct) return { ok: true, message: `Right: ${ex.options[ex.correct]}.` };
  return { ok: false, message: `Not this one. The answer is: ${ex.options[ex.correct]}.` };
}

/** Runs the learner's function once on these arguments. */
export type CellRun = (args: CodeArgs) => Promise<RunOutcome>;

/** A fresh seed for each Check, so that an answer fitted to one set of cases doesn't pass the next. */
export function freshSeed(): number {
  return (Math.random() * 2 ** 31) >>> 0;
}

/**
 * Check for a code cell: each of `cases(seed)` is run by the learner's code and compared with the reference's
 * answer for the same arguments. Stops at the first failure and says which case it was and what was wrong.
 */
export async function checkCode(ex: Pick<CodeExercise, 'cases' | 'reference' | 'compare'>, run: CellRun, seed: number): Promise<CheckResult> {
  const cases = ex.cases(seed);
  if (!cases.length) throw new Error('The exercise has no cases to check; this is a bug in the lesson.');
  const compare = ex.compare ?? defaultCompare;
  for (let i = 0; i < cases.length; i++) {
    const args = cases[i];
    const which = cases.length > 1 ? `Case ${i + 1} of ${cases.length} (arguments: ${describeArgs(args)}): ` : '';
    const out = await run(args);
    if (!out.ok) return { ok: false, message: `${which}${describeRunError(out.error)}` };
    const want = await toPlain(await ex.reference(...args));
    const r = compare(out.value, want, args);
    if (!r.ok) return { ok: false, message: `${which}${r.message}` };
  }
  return { ok: true, message: `Right: all ${cases.length} cases match the reference (fresh random inputs, seed ${seed}).` };
}
