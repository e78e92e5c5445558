// Weeks 8-9's lesson (neural networks): the engine's XOR MLP, activation derivatives and backprop trace against
// autograd; every checker with its right answer and typical wrong ones (the three code cells run through the
// shell's checkCode, as the page runs them); and the numbers the prose states, the perceptron failing on XOR and
// the MLP solving it among them.
import { describe, expect, test } from 'vitest';
import { activationCurve, backpropTrace, trainXorMlp } from '../engine/lessons/index';
import { lesson, xorMlpFit } from '../playground/course/lessons/week-8-9/index';
import {
  autogradMlpGrads, boundExercise, mlpCell, perceptronCell, softmaxGradCell, xorChoice, separableRun, xorRun,
} from '../playground/course/lessons/week-8-9/exercises';
import { separableBound, STEP_NET, STEP_T, STEP_X } from '../playground/course/lessons/week-8-9/data';
import { statRecords } from '../playground/course/stat';
import { checkCell as check } from './course-cells';

describe('engine: the week’s models', () => {
  test('the perceptron converges on the separable set within Novikoff’s bound, and fails on XOR', () => {
    const sep = separableRun();
    expect(sep.converged).toBe(true);
    expect(sep.accuracy).toBe(1);
    expect(sep.mistakes).toBeLessThanOrEqual(separableBound().bound);
    expect(separableBound().gamma).toBeGreaterThan(0);
    const xor = xorRun();
    expect(xor.converged).toBe(false);
    expect(xor.accuracy).toBeLessThan(1);
    expect(xor.mistakesPerEpoch.every((m) => m > 0)).toBe(true);
  });

  test('a seeded 2-4-2 tanh MLP solves XOR on the CPU backend, the same on every run', async () => {
    const a = await trainXorMlp({ seed: 1, steps: 200, device: 'cpu' });
    expect(a.accuracy).toBe(1);
    expect(a.loss).toBeLessThan(0.05);
    const b = await trainXorMlp({ seed: 1, steps: 200, device: 'cpu' });
    expect(b.probabilities).toEqual(a.probabilities);
  });

  test('activation derivatives by autograd match the formulas', async () => {
    const xs = [-3, -1, -0.5, 0.5, 1, 2.5];
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const near = (got: number[], want: number[]) => got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
    const s = await activationCurve('sigmoid', xs, 'cpu');
    near(s.dy, xs.map((x) => sig(x) * (1 - sig(x))));
    const t = await activationCurve('tanh', xs, 'cpu');
    near(t.dy, xs.map((x) => 1 - Math.tanh(x) ** 2));
    const r = await activationCurve('relu', xs, 'cpu');
    near(r.dy, xs.map((x) => (x > 0 ? 1 : 0)));
    const sm = await activationCurve('softmax', xs, 'cpu');
    near(sm.y, xs.map(sig)); // softmax([x, 0])[0] is the sigmoid
    near(sm.dy, xs.map((x) => sig(x) * (1 - sig(x))));
  });

  test('the backprop stepper’s float64 trace matches autograd', async () => {
    const steps = backpropTrace(STEP_NET, STEP_X, STEP_T);
    const byName = Object.fromEntries(steps.map((s) => [s.name, s.value]));
    const g = await autogradMlpGrads(STEP_X, STEP_NET.W1, STEP_NET.b1, STEP_NET.W2, STEP_NET.b2, STEP_T);
    const close = (a: number[][], b: number[][]) => a.flat().forEach((v, i) => expect(v).toBeCloseTo(b.flat()[i], 5));
    close(byName.dW1, g.dW1);
    close(byName.dW2, g.dW2);
    close(byName.db1, [g.db1]);
    close(byName.db2, [g.db2]);
    expect(steps.map((s) => s.pass).lastIndexOf('forward')).toBeLessThan(steps.map((s) => s.pass).indexOf('backward'));
  });
});

describe('number and choice exercises', () => {
  test('the mistake bound: (R/γ)² rounded down passes; R/γ and the observed count fail', async () => {
    const answer = await boundExercise.answer();
    expect(answer).toBe(Math.floor(separableBound().bound));
    expect(Math.abs(boundExercise.demo.right - answer)).toBeLessThanOrEqual(boundExercise.tolerance);
    for (const wrong of [boundExercise.demo.wrong, separableRun().mistakes]) expect(Math.abs(wrong - answer)).toBeGreaterThan(boundExercise.tolerance);
  });

  test('XOR choice: the geometric reason is the answer and every other option is refused', () => {
    expect(xorChoice.options[xorChoice.correct]).toMatch(/No line/);
    expect(xorChoice.demo.wrong).not.toBe(xorChoice.correct);
    expect(xorChoice.options).toHaveLength(4);
  });
});

describe('code cells', () => {
  test.each([perceptronCell, softmaxGradCell, mlpCell])('$id: the solution passes on several seeds; the starter and every wrong solution fail', async (ex) => {
    for (const seed of [1, 2]) expect(await check(ex, ex.solution, seed), ex.id).toMatchObject({ ok: true });
    for (const wrong of [...ex.demo.wrong, ex.starter]) {
      const r = await check(ex, wrong, 3);
      expect(r.ok, `${ex.id}: ${wrong}`).toBe(false);
    }
    expect(ex.demo.wrong.length).toBeGreaterThanOrEqual(2);
  });

  test('the perceptron checker says whether the case was a mistake', async () => {
    const r = await check(perceptronCell, perceptronCell.demo.wrong[0], 1);
    expect(r.message).toMatch(/a right answer, which must change nothing|a mistake, which must update/);
  });

  test('the MLP checker names the gradient that is off', async () => {
    const r = await check(mlpCell, mlpCell.demo.wrong[0], 1);
    expect(r.message).toMatch(/\): dW1: Wrong values/);
  });
});

describe('the lesson', () => {
  test('states the engine’s numbers: the perceptron fails on XOR and the MLP solves it', async () => {
    await xorMlpFit();
    await new Promise((r) => setTimeout(r, 0));
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    expect(values['w89-perceptron-xor-accuracy'].value).toBeLessThan(1);
    expect(values['w89-mlp-xor-accuracy']).toEqual({ value: 1, text: '100.0%' });
    expect(values['w89-sep-accuracy'].value).toBe(1);
    expect(values['w89-sep-mistakes'].value).toBeLessThanOrEqual(values['w89-sep-bound'].value);
  });

  test('exercise ids are unique; both playground examples are linked; resources are https with what they add', () => {
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(5);
    expect(lesson.sections.flatMap((s) => (s.kind === 'playground' ? [s.example] : []))).toEqual(['xor-mlp', 'mnist-mlp']);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https?:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
