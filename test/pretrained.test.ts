// The shipped checkpoints of issue 19 made by `npm run pretrain -- gpt|icl` (playground/public/models/): each
// loads through its card, reproduces the card's held-out loss within 1% on exactly the subset the card names, and
// does what its card claims: the GPT's seeded samples are mostly corpus words, and the in-context model's 4-shot
// accuracy beats its 0-shot accuracy by the stated margin on the held-out rules. CPU backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, nn, readModel } from '../engine/index';
import { label, loadCorpus, wordsOf } from '../scripts/pretrain/corpus';
import { heldOutLoss, heldOutWindows, samples, vocabularyShare, SAMPLE } from '../scripts/pretrain/gpt';
import { evaluateIcl, iclIds, iclSequences, ICL_TASK } from '../scripts/pretrain/icl';

const MODELS = 'playground/public/models';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

describe('pretrained GPT (models/gpt)', () => {
  let model: nn.GPT;
  let tok: nn.BPETokenizer;
  let card: Awaited<ReturnType<typeof readModel>>['card'];

  beforeAll(async () => {
    const files = await readModel(`${MODELS}/gpt`);
    card = files.card;
    tok = nn.BPETokenizer.fromJSON(files.tokenizer);
    model = nn.GPT.fromCard(card, files.weights);
  });

  it('holds out the documents its card names, and reproduces its held-out loss within 1%', async () => {
    const corpus = await loadCorpus();
    expect(card.data.split.heldOut).toEqual(corpus.heldOut.map(label));
    expect(card.data.split.train).toEqual(corpus.train.map(label));
    expect(tok.vocabSize).toBe(card.tokenizer.vocabSize);
    const windows = await heldOutWindows(tok, model.config.blockSize);
    expect(windows.n * model.config.blockSize).toBe(card.evaluation.tokens);
    const loss = await heldOutLoss(model, windows);
    expect(Math.abs(loss - card.evaluation.heldOutLoss) / card.evaluation.heldOutLoss).toBeLessThan(0.01);
    // Well below a uniform guess over the vocabulary (ln 1024 ≈ 6.93).
    expect(loss).toBeLessThan(Math.log(tok.vocabSize) - 1.5);
  });

  it('writes English-like samples: ≥ 80% of the words of 20 seeded 200-character samples are corpus words', async () => {
    const corpus = await loadCorpus();
    const vocabulary = new Set(corpus.train.flatMap((a) => wordsOf(a.text)));
    const texts = await samples(model, tok);
    expect(texts).toHaveLength(20);
    for (const t of texts) expect(t).toHaveLength(SAMPLE.chars);
    expect(texts.flatMap(wordsOf).length).toBeGreaterThan(400); // words, not a run of punctuation
    expect(vocabularyShare(texts, vocabulary)).toBeGreaterThanOrEqual(0.8);
  });
});

describe('in-context model (models/icl)', () => {
  it('asks each query before its worked example, and keeps one map per sequence', () => {
    const L = ICL_TASK.letters;
    const T = 2 * ICL_TASK.pairs;
    const { input, target, n } = iclSequences(300, 7);
    let changed = 0;
    for (let s = 0; s < n; s++) {
      const f = new Map<number, number>();
      for (let p = 0; p < ICL_TASK.pairs; p++) {
        const e = input[s * T + 2 * p + 1] - iclIds.example(0, 0);
        const [x, y] = [Math.floor(e / L), e % L];
        expect(input[s * T + 2 * p]).toBe(iclIds.query(x)); // the example answers the query just before it
        expect(target[s * T + 2 * p]).toBe(iclIds.output(y));
        expect(target[s * T + 2 * p + 1]).toBe(-100); // nothing is predicted at an example
        expect(f.get(x) ?? y).toBe(y); // the same letter maps the same way throughout the sequence
        f.set(x, y);
      }
      if (s > 0 && input[s * T + 1] !== input[(s - 1) * T + 1]) changed++;
    }
    expect(changed).toBeGreaterThan(200); // and the maps differ between sequences
  });

  it('reproduces its card: held-out loss within 1%, and 4-shot beats 0-shot by the stated margin', async () => {
    const files = await readModel(`${MODELS}/icl`);
    const { card } = files;
    expect(card.data.generated).toBe(true);
    const model = nn.GPT.fromCard(card, files.weights);
    const r = await evaluateIcl(model);
    expect(r.targets).toBe(card.evaluation.tokens);
    expect(Math.abs(r.loss - card.evaluation.heldOutLoss) / card.evaluation.heldOutLoss).toBeLessThan(0.01);
    const claimed = card.metrics.claimedMargin4Over0 as number;
    expect(claimed).toBeGreaterThan(0);
    expect(r.accuracy[4] - r.accuracy[0]).toBeGreaterThanOrEqual(claimed);
    const stated = card.metrics.accuracyByShots as Record<string, number>;
    for (const k of [0, 1, 2, 4]) expect(r.accuracy[k]).toBeCloseTo(stated[String(k)], 6);
  });
});
