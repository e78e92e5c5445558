// Extractive QA's engine pieces: the generated data (engine/data/qa.ts), the character↔token mapping, the span
// search and the span head (engine/nn/bert-qa.ts), and SQuAD's scores (engine/train/squad-metrics.ts).
import { beforeAll, describe, expect, test } from 'vitest';
import { init, nn, readModel, tensor } from '../engine/index';
import { generateQA, qaData, encodeQA, exactMatch, tokenF1, normalizeAnswer, QA_BUDGET } from '../engine/course';

let tok: nn.BPETokenizer;
let files: Awaited<ReturnType<typeof readModel>>;

beforeAll(async () => {
  await init({ backend: 'cpu' });
  files = await readModel('playground/public/models/bert');
  tok = nn.BPETokenizer.fromJSON(JSON.parse(files.tokenizer));
});

describe('generated QA data', () => {
  test("every answer's span points at the answer text, and the passage names the question's person", () => {
    for (const split of ['train', 'heldOut'] as const) {
      const xs = generateQA({ passages: 60, split, seed: 5, questionsPerPassage: 4 });
      expect(xs).toHaveLength(240);
      for (const x of xs) {
        expect(x.passage.slice(x.answer.start, x.answer.start + x.answer.text.length), x.id).toBe(x.answer.text);
        const name = /(?:was|does|is|of) ([A-Z][a-z]+)/.exec(x.question)?.[1];
        expect(name && x.passage.includes(name), `${x.id}: ${x.question}`).toBeTruthy();
      }
      expect(new Set(xs.map((x) => x.id)).size).toBe(xs.length);
      expect(new Set(xs.map((x) => x.kind))).toEqual(new Set(['birthplace', 'year', 'job', 'colour', 'home']));
    }
  });

  test('is deterministic per seed, and a different seed gives different passages', () => {
    const a = generateQA({ passages: 20, split: 'train', seed: 3 });
    expect(generateQA({ passages: 20, split: 'train', seed: 3 })).toEqual(a);
    const b = generateQA({ passages: 20, split: 'train', seed: 4 });
    expect(b.map((x) => x.passage)).not.toEqual(a.map((x) => x.passage));
  });

  test('the split shares no passage and no answer other than a year', () => {
    const train = generateQA({ passages: 400, split: 'train', seed: 1 });
    const held = generateQA({ passages: 200, split: 'heldOut', seed: 1 });
    const passages = new Set(train.map((x) => x.passage));
    for (const x of held) expect(passages.has(x.passage)).toBe(false);
    const answers = new Set(train.filter((x) => x.kind !== 'year').map((x) => x.answer.text));
    for (const x of held) if (x.kind !== 'year') expect(answers.has(x.answer.text), x.answer.text).toBe(false);
  });

  test('accept() redraws passages it refuses; bad counts are named', () => {
    const short = generateQA({ passages: 30, split: 'train', seed: 2, accept: (x) => x.passage.length < 110 });
    expect(short).toHaveLength(60);
    for (const x of short) expect(x.passage.length).toBeLessThan(110);
    expect(() => generateQA({ passages: 0, split: 'train', seed: 0 })).toThrow(/passages must be a positive integer/);
    expect(() => generateQA({ passages: 1, split: 'train', seed: 0, questionsPerPassage: 6 })).toThrow(/questionsPerPassage/);
    expect(() => generateQA({ passages: 2, split: 'train', seed: 0, accept: () => false })).toThrow(/refuses nearly everything/);
  });
});

describe('characters and tokens', () => {
  test("tokenOffsets covers the text; each token's characters are its bytes, a leading space trimmed", () => {
    for (const text of ['Mara was born in Lisbon in 1987.', 'Zoë lives in Kraków — 🙂 ok', '  two  spaces ']) {
      const { ids, offsets } = nn.tokenOffsets(tok, text);
      expect(ids).toEqual(tok.encode(text));
      let prevEnd = 0;
      ids.forEach((id, i) => {
        const [a, b] = offsets[i];
        expect(a).toBeGreaterThanOrEqual(prevEnd > 0 ? prevEnd - 2 : 0); // a token cut inside a character may share it
        expect(b).toBeGreaterThan(a);
        const piece = tok.decode([id]);
        if (!piece.includes('\uFFFD')) expect(piece.trimStart() || piece).toBe(text.slice(a, b).trimStart() || text.slice(a, b));
        prevEnd = b;
      });
      expect(offsets.at(-1)![1]).toBe(text.length);
    }
  });

  test('qaInput lays out [CLS] q [SEP] p [SEP] with segments 0/1; answerTokens and spanText round-trip an answer', () => {
    const x = generateQA({ passages: 5, split: 'heldOut', seed: 9 })[3];
    const input = nn.qaInput(tok, x.question, x.passage, 128);
    const q = tok.encode(x.question);
    expect(input.ids[0]).toBe(tok.idOf('[CLS]'));
    expect(input.ids[q.length + 1]).toBe(tok.idOf('[SEP]'));
    expect(input.ids.at(-1)).toBe(tok.idOf('[SEP]'));
    expect(input.typeIds).toEqual(input.ids.map((_, i) => (i <= q.length + 1 ? 0 : 1)));
    expect(input.first).toBe(q.length + 2);
    expect(input.last).toBe(input.ids.length - 2);
    const { start, end } = nn.answerTokens(input, x.answer.start, x.answer.start + x.answer.text.length);
    expect(nn.spanText(x.passage, input, start, end)).toBe(x.answer.text);
    expect(() => nn.qaInput(tok, x.question, x.passage, 10)).toThrow(/more than maxLen 10/);
    expect(() => nn.answerTokens(input, 5, 5)).toThrow(/not a span/);
    expect(() => nn.spanText(x.passage, input, 0, 3)).toThrow(/not both in the passage/);
  });

  test("the recipe's data fits the model and every encoded answer decodes to its text", () => {
    const { train, heldOut } = qaData(tok, 64, { ...QA_BUDGET, trainPassages: 80, heldOutPassages: 40 });
    expect(train).toHaveLength(160);
    expect(heldOut).toHaveLength(80);
    for (const d of [...train, ...heldOut]) {
      expect(d.input.ids.length).toBeLessThanOrEqual(64);
      expect(nn.spanText(d.example.passage, d.input, d.start, d.end)).toBe(d.example.answer.text);
    }
    expect(encodeQA(tok, train[0].example, 64)).toEqual(train[0]);
  });
});

describe('the best span', () => {
  test('maximises start + end with start ≤ end < start + maxAnswerLen, inside [first, last]', () => {
    const s = [9, 0, 1, 5, -9, -9, -9];
    const e = [9, 0, 4, 0, 0, 0, 8];
    // [CLS] (0) is outside; end before start is not allowed (3 → 2 would score 9); the 6 is 4 tokens past 3.
    expect(nn.bestSpan(s, e, { first: 1, last: 6, maxAnswerLen: 3 })).toEqual({ start: 2, end: 2, score: 5 });
    expect(nn.bestSpan(s, e, { first: 1, last: 6, maxAnswerLen: 4 })).toEqual({ start: 3, end: 6, score: 13 });
    // Against brute force on random logits.
    let seed = 7;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 4 - 2;
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + trial;
      const a = Array.from({ length: n }, r);
      const b = Array.from({ length: n }, r);
      const opts = { first: 2, last: n - 2, maxAnswerLen: 1 + (trial % 4) };
      let best = -Infinity;
      for (let i = opts.first; i <= opts.last; i++) for (let j = i; j <= opts.last && j - i < opts.maxAnswerLen; j++) best = Math.max(best, a[i] + b[j]);
      expect(nn.bestSpan(a, b, opts).score).toBe(best);
    }
    expect(() => nn.bestSpan([1, 2], [1], { first: 0, last: 0, maxAnswerLen: 1 })).toThrow(/2 start logits but 1 end/);
    expect(() => nn.bestSpan([1, 2], [1, 2], { first: 1, last: 2, maxAnswerLen: 1 })).toThrow(/not inside/);
    expect(() => nn.bestSpan([1, 2], [1, 2], { first: 0, last: 1, maxAnswerLen: 0 })).toThrow(/maxAnswerLen/);
  });
});

describe('the span head', () => {
  test('start/end logits are qa_outputs over the encoder; the loss is the mean of the two cross-entropies', async () => {
    const model = nn.BertForQuestionAnswering.fromPretrained(files.card, files.weights, { seed: 1 });
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toContain('qa_outputs.weight');
    expect(names.some((n) => n.startsWith('bert.mlm_') || n.startsWith('bert.pooler'))).toBe(false);
    // The encoder is the pre-trained one: same hidden states as nn.BERT.fromCard.
    const ids = tensor(Int32Array.from([2, 40, 41, 3, 50, 51, 52, 3]), [1, 8]);
    const types = tensor(Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]), [1, 8]);
    const full = nn.BERT.fromCard(files.card, files.weights);
    const h1 = await full.encode(ids, types).toArray();
    const h2 = await model.bert.encode(ids, types).toArray();
    expect(Array.from(h2)).toEqual(Array.from(h1));
    const { start, end } = model.spanLogits(ids, types);
    expect(start.shape).toEqual([1, 8]);
    const s = Array.from(await start.toArray());
    const e = Array.from(await end.toArray());
    const lse = (xs: number[]) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
    const want = (lse(s) - s[5] + lse(e) - e[6]) / 2;
    expect(await model.loss(ids, types, Int32Array.of(5), Int32Array.of(6)).item()).toBeCloseTo(want, 5);
    expect(() => model.loss(ids, types, Int32Array.of(1, 2), Int32Array.of(1))).toThrow(/2 starts and 1 ends/);
  });
});

describe("SQuAD's scores", () => {
  test('normalisation drops case, punctuation, articles and extra spaces', () => {
    expect(normalizeAnswer('  The  Eiffel-Tower, in Paris! ')).toBe('eiffeltower in paris');
    expect(normalizeAnswer('an apple a day')).toBe('apple day');
  });

  test('exact match and F1, shared words counted with multiplicity', () => {
    expect(exactMatch('the Lisbon', 'Lisbon.')).toBe(1);
    expect(exactMatch('in Lisbon', 'Lisbon')).toBe(0);
    expect(tokenF1('in Lisbon', 'Lisbon')).toBeCloseTo((2 * 0.5 * 1) / 1.5, 12);
    // "red red" against "red": one shared word (not two), precision 1/2, recall 1.
    expect(tokenF1('red red', 'red')).toBeCloseTo(2 / 3, 12);
    expect(tokenF1('red blue', 'blue red')).toBe(1);
    expect(tokenF1('Oslo', 'Lima')).toBe(0);
    expect(tokenF1('the', 'a')).toBe(1); // both empty once normalised
    expect(tokenF1('the', 'Oslo')).toBe(0);
  });
});
