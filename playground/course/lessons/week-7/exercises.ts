// Week 7's exercises and their checkers. The answers come from the engine (autograd on the graph, optimizePath on
// the saddle); the code cell's reference is autograd on the engine's Himmelblau surface, and its compare also
// checks the learner's gradient against central finite differences in float64. No DOM here, so
// test/course.week-7.test.ts runs them all.
import { html } from 'lit';
import { tensor, surfaces, metrics } from '../../../../engine/index';
import { describe, fmtNumber } from '../../compare';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';
import { evaluateGraph, type GraphInputs } from './graph';

// ---------------------------------------------------------------------------------------------------------------
// The chain rule by hand, on the graph drawn above the exercise.

/** Inputs other than the widget's starting ones, so the answer isn't already on the screen. */
export const BY_HAND_INPUTS: GraphInputs = { a: 3, b: -1, c: 4, f: 5 };

export const chainRuleByHand: NumberExercise = {
  kind: 'number',
  id: 'w7-chain-rule',
  prompt:
    `Same graph, new inputs: a = ${BY_HAND_INPUTS.a}, b = ${BY_HAND_INPUTS.b}, c = ${BY_HAND_INPUTS.c}, f = ${BY_HAND_INPUTS.f}. ` +
    'What is ∂L/∂b? Work it out with the chain rule first, then set the sliders to check.',
  answer: async () => (await evaluateGraph(BY_HAND_INPUTS)).b.grad,
  tolerance: 1e-6,
  explain:
    'L = d·f, so ∂L/∂d = f. d = e + c passes its gradient through unchanged: ∂L/∂e = ∂L/∂d · 1 = f. e = a·b, so ' +
    `∂e/∂b = a, and the chain rule multiplies the local derivatives along the path: ∂L/∂b = f · 1 · a = ${BY_HAND_INPUTS.f} · ${BY_HAND_INPUTS.a}. ` +
    'The value of b itself does not appear: a product hands each factor the other factor.',
  demo: { right: 15, wrong: 5 },
};

// ---------------------------------------------------------------------------------------------------------------
// Gradient descent started exactly on the saddle's ridge.

export const SADDLE_START: [number, number] = [1, 0];
export const SADDLE_LR = 0.1;
export const SADDLE_STEPS = 100;
export const SADDLE_OPTIONS = [
  'It stops at the saddle point (0, 0), where the gradient is zero, and stays there.',
  'It slides off downhill along y, towards −∞.',
  'It circles the saddle point without settling.',
  'It does not move: (1, 0) is already a minimum.',
];

export const saddleChoice: ChoiceExercise = {
  kind: 'choice',
  id: 'w7-saddle',
  prompt:
    `Plain SGD (learning rate ${SADDLE_LR}) runs on the saddle f(x, y) = x² − y² from (${SADDLE_START.join(', ')}), ` +
    `exactly on the line y = 0, for ${SADDLE_STEPS} steps. What happens? Try it in the widget above after you answer.`,
  options: SADDLE_OPTIONS,
  // Checked against optimizePath in the tests: the run ends at (0, 0) within float32 rounding.
  correct: 0,
  explain:
    'The gradient is (2x, −2y). With y = 0 exactly, its y part is 0 at every step, so nothing ever pushes the point ' +
    'off the ridge, and x shrinks by the factor 1 − 2·lr each step. Gradient descent converges to a point where the ' +
    'gradient vanishes, which need not be a minimum. Start at y = 0.01 instead and the tiny y grows by 1 + 2·lr ' +
    'each step until the point slides away; in high dimensions, with noisy gradients, that nudge is always present.',
  demo: { wrong: 1 },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: the gradient of Himmelblau's function.

/** Himmelblau's function in float64, for the finite differences. */
export function himmelblau64(x: number, y: number): number {
  return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;
}

/** Central differences in float64: (f(p + h·e_i) − f(p − h·e_i)) / 2h, error O(h²). */
export function finiteDifferenceGrad(f: (x: number, y: number) => number, x: number, y: number, h = 1e-5): [number, number] {
  return [(f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h)];
}

/** Float32 points, so the learner's float64 code and the engine's float32 tensors see the same inputs. */
function point(r: () => number, span: number): CodeArgs {
  return [Math.fround(-span + 2 * span * r()), Math.fround(-span + 2 * span * r())];
}

/** |error| allowed against autograd, which computes in float32: a few ulps of the largest term in the sum. */
function autogradTolerance(x: number, y: number): number {
  const scale = Math.abs(x * x + y - 11) * (4 * Math.abs(x) + 2) + Math.abs(x + y * y - 7) * (4 * Math.abs(y) + 2);
  return 1e-4 + 1e-6 * scale;
}

export function compareGradient(got: unknown, want: unknown, args: CodeArgs): CheckResult {
  const [x, y] = args as [number, number];
  if (!Array.isArray(got) || got.length !== 2 || !got.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return { ok: false, message: `Expected two finite numbers, [∂f/∂x, ∂f/∂y]; got ${describe(got)}.` };
  }
  const g = got as number[];
  const auto = want as number[];
  const fd = finiteDifferenceGrad(himmelblau64, x, y);
  const names = ['∂f/∂x', '∂f/∂y'];
  for (let i = 0; i < 2; i++) {
    const offAuto = Math.abs(g[i] - auto[i]) > autogradTolerance(x, y);
    const offFd = Math.abs(g[i] - fd[i]) > 1e-4 + 1e-6 * Math.abs(fd[i]);
    if (offAuto || offFd) {
      return {
        ok: false,
        message:
          `Wrong ${names[i]} at (${fmtNumber(x)}, ${fmtNumber(y)}): yours is ${fmtNumber(g[i])}, autograd gives ${fmtNumber(auto[i])} ` +
          `and finite differences ${fmtNumber(fd[i])}.` +
          (Math.abs(g[1 - i] - auto[i]) < autogradTolerance(x, y) ? ' Did you swap the two partial derivatives?' : ''),
      };
    }
  }
  return { ok: true, message: `Right: (${fmtNumber(g[0])}, ${fmtNumber(g[1])}) matches autograd and finite differences.` };
}

export const gradientCell: CodeExercise = {
  kind: 'code',
  id: 'w7-gradient-code',
  prompt: html`Himmelblau’s function is f(x, y) = (x² + y − 11)² + (x + y² − 7)², one of the surfaces in the widget.
    Write its gradient: return [∂f/∂x, ∂f/∂y] at (x, y). Check compares your numbers with the engine’s autograd
    (<code>surfaces.himmelblau</code> and <code>backward()</code>) and with central finite differences at random points.`,
  name: 'himmelblauGrad',
  signature: 'himmelblauGrad(x: number, y: number): number[]',
  language: 'typescript',
  starter: `function himmelblauGrad(x: number, y: number): number[] {
  const u = x * x + y - 11; // the first bracket
  const v = x + y * y - 7; // the second bracket
  // f = u² + v². Each square contributes 2·(bracket)·(the bracket's own partial derivative).
  return [0, 0];
}
`,
  solution: `function himmelblauGrad(x: number, y: number): number[] {
  const u = x * x + y - 11; // ∂u/∂x = 2x, ∂u/∂y = 1
  const v = x + y * y - 7; // ∂v/∂x = 1, ∂v/∂y = 2y
  // f = u² + v², so ∂f = 2u·∂u + 2v·∂v (the chain rule on each square).
  return [2 * u * (2 * x) + 2 * v, 2 * u + 2 * v * (2 * y)];
}
`,
  hints: [
    'Name the brackets: u = x² + y − 11 and v = x + y² − 7, so f = u² + v².',
    'The chain rule on a square: ∂(u²)/∂x = 2u · ∂u/∂x. Do it for each bracket and each variable.',
    '∂u/∂x = 2x, ∂u/∂y = 1, ∂v/∂x = 1, ∂v/∂y = 2y.',
  ],
  example: () => [1, 1],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [point(r, 1), point(r, 3), point(r, 5), point(r, 5), [3, 2], [Math.fround(-0.5), Math.fround(4.25)]];
  },
  reference: async (...args: CodeArgs) => {
    const [x, y] = args as [number, number];
    const p = tensor([x, y], [2], { device: 'cpu', requiresGrad: true }); // (2)
    const f = surfaces.himmelblau(p); // []
    try {
      f.backward();
      return Array.from(await p.grad!.toArray());
    } finally {
      p.grad?.dispose();
      f.dispose();
      p.dispose();
    }
  },
  compare: compareGradient,
  timeoutMs: 2000,
  demo: {
    wrong: [
      // The outer derivative only: the chain rule's inner factors (2x, 1, 1, 2y) left out.
      `function himmelblauGrad(x: number, y: number): number[] {
  const u = x * x + y - 11;
  const v = x + y * y - 7;
  return [2 * u + 2 * v, 2 * u + 2 * v];
}`,
      // The inner derivative of x² forgotten in ∂f/∂x (treated as if it were x).
      `function himmelblauGrad(x: number, y: number): number[] {
  const u = x * x + y - 11;
  const v = x + y * y - 7;
  return [2 * u + 2 * v, 2 * u + 2 * v * (2 * y)];
}`,
      // The two partial derivatives swapped.
      `function himmelblauGrad(x: number, y: number): number[] {
  const u = x * x + y - 11;
  const v = x + y * y - 7;
  return [2 * u + 2 * v * (2 * y), 2 * u * (2 * x) + 2 * v];
}`,
      // The square's factor 2 dropped.
      `function himmelblauGrad(x: number, y: number): number[] {
  const u = x * x + y - 11;
  const v = x + y * y - 7;
  return [u * (2 * x) + v, u + v * (2 * y)];
}`,
    ],
  },
};
