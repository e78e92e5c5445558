// Week 7's lesson (calculus and gradient descent): the graph's values and gradients against the chain rule done by
// hand, every checker with its right answer and typical wrong ones (the code cell's solution and wrong solutions
// run through the shell's checkCode against autograd and finite differences), the saddle exercise's answer against
// optimizePath, the descent widget's model, and the Rosenbrock race the page states.
import { describe, expect, test } from 'vitest';
import { lesson } from '../playground/course/lessons/week-7/index';
import {
  BY_HAND_INPUTS, chainRuleByHand, compareGradient, finiteDifferenceGrad, gradientCell, himmelblau64, saddleChoice, SADDLE_LR, SADDLE_START, SADDLE_STEPS,
} from '../playground/course/lessons/week-7/exercises';
import { DEFAULT_INPUTS, chainRuleLine, evaluateGraph } from '../playground/course/lessons/week-7/graph';
import { RACE_ADAM, RACE_SGD, RACE_START, rosenbrockRace, stepsToReach } from '../playground/course/lessons/week-7/race';
import { DEFAULTS, SURFACE_NAMES, defaultSetting, descentPaths, describePath, parseSetting } from '../playground/course/lessons/week-7/descent';
import { statRecords } from '../playground/course/stat';
import { compileCell as compile, checkCell as check } from './course-cells';
import { optimizePath, surfaces } from '../engine/lessons/index';

describe('the computation graph', () => {
  test('values and autograd gradients match the chain rule by hand, for the defaults and other inputs', async () => {
    for (const inp of [DEFAULT_INPUTS, { a: -1.5, b: 4, c: 0.5, f: 3 }]) {
      const s = await evaluateGraph(inp);
      const e = inp.a * inp.b;
      const d = e + inp.c;
      expect(s.e.value).toBe(e);
      expect(s.d.value).toBe(d);
      expect(s.L.value).toBe(d * inp.f);
      expect(s.L.grad).toBe(1);
      expect(s.f.grad).toBe(d); // ∂L/∂f = d
      expect(s.d.grad).toBe(inp.f); // ∂L/∂d = f
      expect(s.e.grad).toBe(inp.f); // + passes it on
      expect(s.c.grad).toBe(inp.f);
      expect(s.a.grad).toBe(inp.f * inp.b); // × sends the other factor
      expect(s.b.grad).toBe(inp.f * inp.a);
    }
    const s = await evaluateGraph(DEFAULT_INPUTS);
    expect(chainRuleLine('a', s)).toBe('∂L/∂a = ∂L/∂e · ∂e/∂a = ∂L/∂e · b = −2 · −3 = 6');
    await expect(evaluateGraph({ ...DEFAULT_INPUTS, a: NaN })).rejects.toThrow(/finite/);
  });

  test('the chain-rule exercise: f·a = 15 passes; f alone (5), a alone (3) and f·b (−5) fail', async () => {
    const ex = chainRuleByHand;
    const answer = await ex.answer();
    expect(answer).toBe(BY_HAND_INPUTS.f * BY_HAND_INPUTS.a);
    expect(answer).toBe(15);
    expect(Math.abs(ex.demo.right - answer)).toBeLessThanOrEqual(ex.tolerance);
    for (const wrong of [ex.demo.wrong, 3, -5]) expect(Math.abs(wrong - answer)).toBeGreaterThan(ex.tolerance);
  });
});

describe('the saddle exercise', () => {
  test('optimizePath confirms the marked option: SGD from the ridge settles at (0, 0)', async () => {
    const path = await optimizePath(surfaces.saddle, { name: 'sgd', lr: SADDLE_LR }, { start: SADDLE_START, steps: SADDLE_STEPS, device: 'cpu' });
    const [x, y] = path.points[SADDLE_STEPS];
    expect(Math.hypot(x, y)).toBeLessThan(1e-6);
    expect(saddleChoice.correct).toBe(0);
    expect(saddleChoice.demo.wrong).not.toBe(saddleChoice.correct);
    // Off the ridge by 0.01 it slides away instead: the other answer a learner might give is right there.
    const off = await optimizePath(surfaces.saddle, { name: 'sgd', lr: SADDLE_LR }, { start: [1, 0.01], steps: SADDLE_STEPS, device: 'cpu' });
    expect(Math.abs(off.points[SADDLE_STEPS][1])).toBeGreaterThan(1000);
  });
});

describe('code cell: the gradient of Himmelblau’s function', () => {
  const ex = gradientCell;

  test('finite differences agree with the calculus', () => {
    const [gx, gy] = finiteDifferenceGrad(himmelblau64, 1.3, -0.7);
    const u = 1.3 ** 2 - 0.7 - 11;
    const v = 1.3 + 0.49 - 7;
    expect(gx).toBeCloseTo(4 * 1.3 * u + 2 * v, 6);
    expect(gy).toBeCloseTo(2 * u + 4 * -0.7 * v, 6);
  });

  test('the solution passes on several seeds; Run agrees with autograd', async () => {
    for (const seed of [1, 2, 3]) expect(await check(ex, ex.solution, seed)).toMatchObject({ ok: true });
    const args = ex.example();
    const got = compile(ex, ex.solution)(...args) as number[];
    const want = (await ex.reference(...args)) as number[];
    expect(got).toEqual([-46, -38]);
    expect(want).toEqual([-46, -38]);
  });

  test('every wrong solution and the starter are rejected', async () => {
    for (const wrong of [...ex.demo.wrong, ex.starter]) {
      for (const seed of [1, 2]) expect((await check(ex, wrong, seed)).ok, wrong).toBe(false);
    }
  });

  test('messages name the partial derivative, and spot a swap; bad shapes and NaN are refused', async () => {
    const r = await check(ex, ex.demo.wrong[1], 7);
    expect(r.message).toMatch(/Wrong ∂f\/∂x/);
    expect(r.message).toMatch(/autograd gives .* finite differences/);
    const swapped = compareGradient([-38, -46], [-46, -38], [1, 1]);
    expect(swapped.ok).toBe(false);
    expect(swapped.message).toMatch(/swap/);
    expect(compareGradient([1], [-46, -38], [1, 1]).message).toMatch(/two finite numbers/);
    expect(compareGradient([NaN, 0], [-46, -38], [1, 1]).ok).toBe(false);
    expect(compareGradient(-46, [-46, -38], [1, 1]).ok).toBe(false);
  });
});

describe('the descent widget’s model', () => {
  test('defaults are valid settings that run without diverging; bad settings are refused', async () => {
    for (const name of SURFACE_NAMES) {
      const s = { ...defaultSetting(name), steps: 50 };
      expect(parseSetting(s)).toEqual(s);
      const paths = await descentPaths(s);
      for (const [o, p] of Object.entries(paths)) {
        expect(p.points, `${name}/${o}`).toHaveLength(51);
        expect(describePath(name, o as 'sgd', s.lr[o as 'sgd'], p, 50)).not.toMatch(/diverged/);
      }
    }
    expect(parseSetting(null)).toBeNull();
    expect(parseSetting({ ...defaultSetting(), surface: 'moon' })).toBeNull();
    expect(parseSetting({ ...defaultSetting(), lr: { sgd: -1, momentum: 1, adam: 1 } })).toBeNull();
    expect(parseSetting({ ...defaultSetting(), steps: 7 })).toBeNull();
    expect(DEFAULTS.rosenbrock.start).toEqual([-1.2, 1]);
  });

  test('a diverging run is described as one', async () => {
    const s = { ...defaultSetting('bowl'), lr: { sgd: 1e20, momentum: 0.05, adam: 0.1 }, steps: 50 };
    const paths = await descentPaths(s);
    expect(describePath('bowl', 'sgd', s.lr.sgd, paths.sgd, 50)).toMatch(/diverged/);
  });
});

describe('the lesson', () => {
  test('Adam reaches the Rosenbrock minimum within 1e-3 in fewer steps than SGD, and the page states both', async () => {
    const r = await rosenbrockRace();
    expect(r.adam).toBeGreaterThan(0);
    expect(r.adam).toBeLessThan(r.sgd);
    // The counts are the first steps within 1e-3, on paths from the same start.
    const adam = await optimizePath(surfaces.rosenbrock, RACE_ADAM, { start: RACE_START, steps: r.adam, device: 'cpu' });
    expect(stepsToReach(adam.points, [1, 1], 1e-3)).toBe(r.adam);
    expect(RACE_SGD.name).toBe('sgd');
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    expect(values['w7-race-sgd-steps'].value).toBe(r.sgd);
    expect(values['w7-race-adam-steps'].value).toBe(r.adam);
    expect(values['w7-graph-L'].value).toBe(-8);
    expect(values['w7-graph-dc'].value).toBe(-2);
  });

  test('exercise ids are unique and every resource is an https link with a line on what it adds', () => {
    expect(lesson.id).toBe('week-7');
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(3);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
