// The course's data model: what a lesson folder (playground/course/lessons/<id>/) exports and what the lesson page
// (playground/course/) renders. A lesson is data plus small components: its prose, the widgets it places, its
// exercises with their checkers, and its further reading. Nothing here touches the DOM; checkers are plain
// functions that Node unit tests call directly.
import type { TemplateResult } from 'lit';

/** The plan's 13 week groups, in order. */
export const WEEK_GROUPS = ['0', '1-2', '3', '4', '5-6', '7', '8-9', '10', '11-12', '13-14', '15-16', '17-18', '19-20'] as const;
export type WeekGroup = (typeof WEEK_GROUPS)[number];

/** One entry of the course home, for every week group, built or not. */
export interface WeekInfo {
  week: WeekGroup;
  title: string;
  /** One line on what the week teaches. */
  summary: string;
  /** The lesson's id (its folder under lessons/) once it exists; absent for a week still "coming". */
  lesson?: string;
}

/** What a checker says: passed, or what is wrong in plain words. */
export interface CheckResult {
  ok: boolean;
  /** Shown to the learner either way, e.g. "Right: 1 bit." or "Wrong shape: expected [3, 4], got [4, 3]." */
  message: string;
}

/** Further reading at the end of a lesson. */
export interface Resource {
  title: string;
  url: string;
  /** One line on what it adds. */
  adds: string;
}

/** A "predict, then reveal" question with a numeric answer. */
export interface NumberExercise {
  kind: 'number';
  id: string;
  prompt: string | TemplateResult;
  /** The right answer, computed by engine code (never typed in by hand). */
  answer: () => number | Promise<number>;
  /** |given − answer| ≤ tolerance passes. */
  tolerance: number;
  /** Shown after the reveal: why the answer is what it is. */
  explain: string | TemplateResult;
  /** For the tests: a value that must pass and one that must fail. */
  demo: { right: number; wrong: number };
}

/** A multiple-choice question. */
export interface ChoiceExercise {
  kind: 'choice';
  id: string;
  prompt: string | TemplateResult;
  options: string[];
  correct: number;
  explain: string | TemplateResult;
  demo: { wrong: number };
}

/**
 * A slider or drag target: the learner moves a widget until a quantity meets the goal ("drag the distribution
 * until its entropy is 1.5 bits"). The widget is a custom element that fires `change` events whose `detail` is
 * its value (JSON-serialisable), and that accepts that value back through its `value` property.
 */
export interface TargetExercise {
  kind: 'target';
  id: string;
  prompt: string | TemplateResult;
  /** The custom element's tag and its initial properties. */
  widget: { tag: string; props?: Record<string, unknown> };
  check: (value: unknown) => CheckResult;
  demo: { right: unknown; wrong: unknown };
}

/** The inputs of one check of a code cell: structured-cloneable arguments for the learner's function. */
export type CodeArgs = unknown[];

/**
 * An "implement it yourself" code cell. The learner edits a JavaScript or TypeScript function named `name`; Run
 * calls it on `example()`, Check on several fresh `cases(seed)` and compares each result with `reference` by
 * `compare`. The learner's code runs in a Web Worker with a time limit, with the engine's API in scope as
 * `engine` (engine/index.ts) for code that wants tensors.
 */
export interface CodeExercise {
  kind: 'code';
  id: string;
  prompt: string | TemplateResult;
  /** The function's name and signature as the learner sees it, e.g. "f1(pred: number[], truth: number[]): number". */
  name: string;
  signature: string;
  language: 'javascript' | 'typescript';
  starter: string;
  solution: string;
  /** Shown one at a time, in order. */
  hints: string[];
  /** Arguments for Run. */
  example: () => CodeArgs;
  /** A few fresh argument lists for Check, odd sizes included; `seed` differs on every Check. */
  cases: (seed: number) => CodeArgs[];
  /** The engine's answer for the same arguments (may use the GPU). */
  reference: (...args: CodeArgs) => unknown | Promise<unknown>;
  /** Compares the learner's result with the reference; default: numbers and nested arrays within 1e-6 + 1e-5·|ref|. */
  compare?: (got: unknown, want: unknown, args: CodeArgs) => CheckResult;
  /** Milliseconds one call may take before it is stopped (default 2000). */
  timeoutMs?: number;
  /** For the tests: a wrong solution that Check must reject (e.g. a wrong axis, an unstable formula). */
  demo: { wrong: string[] };
}

export type Exercise = NumberExercise | ChoiceExercise | TargetExercise | CodeExercise;

/** One block of a lesson page, in reading order. */
export type Section =
  /** Our own prose. Numbers it states are rendered from engine values into `<span data-stat="…">`. */
  | { kind: 'text'; body: TemplateResult }
  /** A live widget: a custom element, its properties, and a text alternative for what it shows. */
  | { kind: 'widget'; tag: string; props?: Record<string, unknown>; alt: string }
  | { kind: 'exercise'; exercise: Exercise }
  /** "Open in the playground": a gallery example's id (playground/graph/examples). */
  | { kind: 'playground'; example: string; label: string };

/**
 * A claim the lesson's prose makes about two of its numbers ("attention beats the fixed-context model"): the stat
 * `stat` compared by `is` with the stat named `than` (or a constant). The end-to-end test reads both numbers off the
 * page and checks the claim, so prose can never state a comparison the engine's numbers contradict.
 */
export interface Claim {
  stat: string;
  is: '<' | '<=' | '>' | '>=' | '=';
  than: string | number;
  /** The claim in words, for the test's message. */
  says: string;
}

export interface Lesson {
  /** The folder name under lessons/, and the page's URL: learn.html#<id>. */
  id: string;
  week: WeekGroup;
  title: string;
  summary: string;
  /** Custom elements the lesson defines, registered before it renders (imported for their side effect). */
  load?: () => Promise<unknown>;
  sections: Section[];
  resources: Resource[];
  /** Comparisons the prose states between its numbers, checked by the end-to-end test on the page's values. */
  claims?: Claim[];
}
