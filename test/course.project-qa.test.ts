// The integration project's lesson (extractive QA): the shipped fine-tuned model and its card, the numbers the page
// states (and the comparisons it makes about them), the widget's answers, and every checker with its right and
// wrong answers, both code cells run as the page checks them.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, nn, readModel } from '../engine/index';
import { evaluateQA, qaData, tokenF1, QA_BUDGET } from '../engine/course';
import { answer, heldOutPassages, qaModel, qaScores, WIDGET_PASSAGES } from '../playground/course/lessons/project-qa/numbers';
import { f1Cell, f1Number, spanCell, whyDisjoint } from '../playground/course/lessons/project-qa/exercises';
import { lesson } from '../playground/course/lessons/project-qa/index';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { claimFails } from '../playground/course/claims';
import { checkCell as check, compileCell } from './course-cells';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

describe('the shipped QA model and its card', () => {
  test('the card says the data is generated, and the model loads with its span head and no other head', async () => {
    const { card } = await readModel('playground/public/models/bert-qa');
    expect(card.data.generated).toBe(true);
    expect(card.data.source).toMatch(/generated/);
    expect(card.description).toMatch(/GENERATED/);
    const { model } = await qaModel();
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toContain('qa_outputs.weight');
    expect(names.filter((n) => /mlm_|pooler|classifier/.test(n))).toEqual([]);
    expect(card.architecture.parameters).toBe(model.parameters().reduce((n, p) => n + p.numel, 0));
  });

  test("the shipped model's held-out exact match and F1 are the card's, on the recipe's own held-out questions", async () => {
    const { model, tok, maxLen } = await qaModel();
    const { heldOut } = qaData(tok, maxLen, { ...QA_BUDGET, trainPassages: 1 });
    const s = await qaScores();
    expect(heldOut).toHaveLength(s.heldOutSize);
    // The recipe scored the model before writing it as float32: the same numbers from the file.
    const r = await evaluateQA(model, heldOut);
    expect(r.exactMatch).toBeCloseTo(s.pretrained.exactMatch, 9);
    expect(r.f1).toBeCloseTo(s.pretrained.f1, 9);
  });
});

describe('the widget', () => {
  test('offers held-out passages with their questions, and answers with a span inside the passage', async () => {
    const ps = await heldOutPassages();
    expect(ps).toHaveLength(WIDGET_PASSAGES);
    for (const p of ps) expect(p.questions.length).toBe(4);
    const q = ps[0].questions[0];
    const r = await answer(q.question, ps[0].passage);
    if ('error' in r) throw new Error(r.error);
    expect(r.prediction.start).toBeGreaterThanOrEqual(r.input.first);
    expect(r.prediction.end).toBeLessThanOrEqual(Math.min(r.input.last, r.prediction.start + QA_BUDGET.maxAnswerLen - 1));
    expect(ps[0].passage).toContain(r.prediction.text);
    expect(r.prediction.startProbs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const long = await answer('Where '.repeat(80), ps[0].passage);
    expect('error' in long && long.error).toMatch(/more than maxLen 64/);
  });
});

describe('exercises', () => {
  test('why the split is disjoint: one right option', () => {
    expect(whyDisjoint.correct).toBe(0);
    expect(whyDisjoint.demo.wrong).not.toBe(whyDisjoint.correct);
  });

  test('F1 of "in Lisbon" against "Lisbon": 2/3 passes; precision alone, recall alone and exact match fail', async () => {
    const answerValue = await f1Number.answer();
    expect(answerValue).toBeCloseTo(2 / 3, 12);
    expect(Math.abs(f1Number.demo.right - answerValue)).toBeLessThanOrEqual(f1Number.tolerance);
    for (const wrong of [f1Number.demo.wrong, 0.5, 1, 0]) expect(Math.abs(wrong - answerValue)).toBeGreaterThan(f1Number.tolerance);
  });

  test('span cell: the solution passes; separate argmaxes, no length limit, spans outside the passage and the starter fail', async () => {
    for (const seed of [1, 2, 3]) expect((await check(spanCell, spanCell.solution, seed)).ok).toBe(true);
    expect(spanCell.demo.wrong).toHaveLength(3);
    for (const wrong of [...spanCell.demo.wrong, spanCell.starter]) {
      for (const seed of [1, 2]) expect((await check(spanCell, wrong, seed)).ok, wrong).toBe(false);
    }
    // The solution is nn.bestSpan: on the example too.
    const f = compileCell(spanCell, spanCell.solution);
    const args = spanCell.example() as [number[], number[], number, number, number];
    const want = nn.bestSpan(args[0], args[1], { first: args[2], last: args[3], maxAnswerLen: args[4] });
    expect(f(...args)).toEqual([want.start, want.end]);
  });

  test('F1 cell: the solution passes; sets for multisets, no normalisation, unbounded matching and the starter fail', async () => {
    for (const seed of [1, 2, 3]) expect((await check(f1Cell, f1Cell.solution, seed)).ok).toBe(true);
    expect(f1Cell.demo.wrong).toHaveLength(3);
    for (const wrong of [...f1Cell.demo.wrong, f1Cell.starter]) {
      for (const seed of [1, 2]) expect((await check(f1Cell, wrong, seed)).ok, wrong).toBe(false);
    }
    const f = compileCell(f1Cell, f1Cell.solution);
    expect(f('The red, red rose', 'a red rose')).toBeCloseTo(tokenF1('The red, red rose', 'a red rose'), 12);
  });
});

describe('the lesson', () => {
  test('states every number under the names the e2e reads, from the card and the model, and its claims hold', async () => {
    for (let i = 0; i < 400 && statRecords().pending > 0; i++) await new Promise((res) => setTimeout(res, 10));
    const { values, problems, pending } = statRecords();
    expect(problems).toEqual([]);
    expect(pending).toBe(0);
    const s = await qaScores();
    expect(values['pqa-pre-em'].value).toBe(s.pretrained.exactMatch);
    expect(values['pqa-pre-f1'].value).toBe(s.pretrained.f1);
    expect(values['pqa-scratch-em'].value).toBe(s.scratch.exactMatch);
    expect(values['pqa-scratch-f1-mean'].value).toBeCloseTo((s.bySeed.scratch.f1.reduce((a, b) => a + b, 0)) / s.bySeed.scratch.f1.length, 12);
    expect(values['pqa-held-n'].value).toBe(s.heldOutSize);
    // The shipped model is the first seed's pre-trained run; the means are over every seed the card lists.
    expect(s.bySeed.pretrained.seeds[0]).toBe(0);
    expect(s.bySeed.pretrained.exactMatch[0]).toBe(s.pretrained.exactMatch);
    expect(s.bySeed.scratch.exactMatch[0]).toBe(s.scratch.exactMatch);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(values['pqa-seeds'].value).toBe(s.bySeed.scratch.seeds.length);
    expect(values['pqa-pre-em-mean'].value).toBeCloseTo(mean(s.bySeed.pretrained.exactMatch), 12);
    expect(values['pqa-em-gap'].value).toBeCloseTo(mean(s.bySeed.pretrained.exactMatch) - mean(s.bySeed.scratch.exactMatch), 12);
    expect(values['pqa-scratch-em-min'].value).toBe(Math.min(...s.bySeed.scratch.exactMatch));
    expect(values['pqa-head-params'].value).toBe(2 * 64 + 2);
    expect(lesson.claims!.length).toBeGreaterThanOrEqual(6);
    for (const claim of lesson.claims!) expect(claimFails(claim, values), claim.says).toBeNull();
  });

  test('is registered as project-qa, with unique pqa- exercise ids and https resources that say what they add', async () => {
    expect(await LESSONS['project-qa']()).toBe(lesson);
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(/^pqa-/);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
