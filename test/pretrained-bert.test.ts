// The shipped BERT of issue 19 (`npm run pretrain -- bert`, playground/public/models/bert): it loads through its
// card and reproduces the card's held-out masked-LM loss within 1% on exactly the subset the card names; fromCard
// refuses a wrong card naming the field; the sentiment data's held-out split is fixed and disjoint; and the
// fine-tuning recipe (`npm run train -- sentiment`) runs a short seeded fine-tune that changes the model. CPU backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, nn, readModel, tensor, tidy, noGrad, writeSafetensors, ModelCardError, type ModelCard, type ModelFiles } from '../engine/index';
import { loadSentiment, splitSentiment, trainSentiment } from '../engine/course';
import { label, loadCorpus } from '../scripts/pretrain/corpus';
import { heldOutLoss, heldOutMasked } from '../scripts/pretrain/bert';

let files: ModelFiles;

beforeAll(async () => {
  await init({ backend: 'cpu' });
  files = await readModel('playground/public/models/bert');
});

describe('pretrained BERT (models/bert)', () => {
  it('holds out the documents its card names, and reproduces its held-out masked-LM loss within 1%', async () => {
    const { card, weights } = files;
    const corpus = await loadCorpus();
    expect(card.data.split.heldOut).toEqual(corpus.heldOut.map(label));
    expect(card.data.split.train).toEqual(corpus.train.map(label));
    const tok = nn.BPETokenizer.fromJSON(files.tokenizer);
    expect(tok.vocabSize).toBe(card.tokenizer.vocabSize);
    const model = nn.BERT.fromCard(card, weights);
    expect(model.training).toBe(false);
    expect(model.numParameters()).toBe(card.architecture.parameters);
    const set = await heldOutMasked(tok);
    const r = await heldOutLoss(model, set);
    expect(r.tokens).toBe(card.evaluation.tokens);
    expect(Math.abs(r.loss - card.evaluation.heldOutLoss) / card.evaluation.heldOutLoss).toBeLessThan(0.01);
    // Pre-training did something: below a uniform guess over the vocabulary (ln 1024 ≈ 6.93).
    expect(r.loss).toBeLessThan(Math.log(tok.vocabSize) - 0.5);
  });

  it('mlmLossAt (the head on the selected rows only) equals mlmLoss', async () => {
    const model = nn.BERT.fromCard(files.card, files.weights);
    const set = await heldOutMasked(nn.BPETokenizer.fromJSON(files.tokenizer));
    const rows = 5;
    const ids = set.input.subarray(0, rows * set.T);
    const labels = set.labels.subarray(0, rows * set.T);
    const [full, at] = noGrad(() => tidy(() => [
      model.mlmLoss(tensor(ids, [rows, set.T]), tensor(labels, [rows, set.T])),
      model.mlmLossAt(tensor(ids, [rows, set.T]), labels),
    ]));
    expect(await at.item()).toBeCloseTo(await full.item(), 5);
    expect(() => model.mlmLossAt(tensor(ids, [rows, set.T]), new Int32Array(rows * set.T).fill(-100))).toThrow(/no position is selected/);
  });

  it('adds a fresh, seeded classifier for fine-tuning; the masked-LM body is the checkpoint', async () => {
    const { card, weights } = files;
    expect(() => nn.BERT.fromCard(card, weights).classify(tensor(new Int32Array([2, 9, 3]), [1, 3]))).toThrow(/no classification head/);
    const a = nn.BERT.fromCard(card, weights, { classifier: { numLabels: 2, seed: 4 } });
    const b = nn.BERT.fromCard(card, weights, { classifier: { numLabels: 2, seed: 4 } });
    const logits = a.classify(tensor(new Int32Array([2, 9, 40, 3]), [1, 4]));
    expect(logits.shape).toEqual([1, 2]);
    expect(await a.classifier!.weight.toArray()).toEqual(await b.classifier!.weight.toArray());
    expect(a.cardConfig().heads).toEqual({ mlm: true, pooler: true, classifier: true });
  });

  it('refuses a card that is not a BERT, a bad config field, or weights that do not fit, naming what is wrong', () => {
    const { card, weights } = files;
    const withConfig = (config: Record<string, unknown>): ModelCard => ({ ...card, architecture: { ...card.architecture, config } }) as ModelCard;
    const config = card.architecture.config as Record<string, unknown>;
    expect(() => nn.BERT.fromCard({ ...card, architecture: { kind: 'gpt' } } as unknown as ModelCard, weights)).toThrow(/describes a gpt model, not a BERT/);
    expect(() => nn.BERT.fromCard(withConfig({ ...config, nHead: 'four' }), weights)).toThrow(/at architecture\.config\.nHead/);
    expect(() => nn.BERT.fromCard(withConfig({ ...config, extra: 1 }), weights)).toThrow(/at architecture\.config/);
    expect(() => nn.BERT.fromCard(withConfig({ ...config, vocabSize: 999 }), weights)).toThrow(/vocabSize: 999 differs from tokenizer\.vocabSize/);
    expect(() => nn.BERT.fromCard(withConfig({ ...config, nHead: 3 }), weights)).toThrow(/nHead: 3 does not divide dModel/);
    const partial = writeSafetensors({ 'embeddings.LayerNorm.weight': { shape: [config.dModel as number], data: new Float32Array(config.dModel as number) } });
    expect(() => nn.BERT.fromCard(card, partial)).toThrow(ModelCardError);
    expect(() => nn.BERT.fromCard(card, partial)).toThrow(/model\.safetensors: .*lacks/);
  });
});

describe('sentiment data and fine-tuning', () => {
  it('loads the labelled sentences once each, and holds out a fixed, disjoint set', async () => {
    const all = await loadSentiment();
    expect(all).toHaveLength(2979);
    expect(new Set(all.map((s) => s.text.toLowerCase())).size).toBe(all.length);
    expect(all.filter((s) => s.label === 1).length).toBeGreaterThan(1400);
    expect(all.filter((s) => s.label === 0).length).toBeGreaterThan(1400);
    const a = splitSentiment(all);
    const b = splitSentiment(await loadSentiment());
    expect(a.test).toHaveLength(600);
    expect(a.train).toHaveLength(all.length - 600);
    expect(b.test.map((s) => s.text)).toEqual(a.test.map((s) => s.text));
    expect(b.train.map((s) => s.text)).toEqual(a.train.map((s) => s.text));
    const test = new Set(a.test.map((s) => s.text.toLowerCase()));
    expect(a.train.some((s) => test.has(s.text.toLowerCase()))).toBe(false);
    expect(new Set([...a.train, ...a.test])).toEqual(new Set(all));
    // Another seed is another split.
    expect(splitSentiment(all, { seed: 1 }).test.map((s) => s.text)).not.toEqual(a.test.map((s) => s.text));
    expect(() => splitSentiment(all, { heldOut: all.length })).toThrow(/heldOut must be an integer/);
  });

  it('fine-tunes the pre-trained BERT for a few seeded steps: its steps move the held-out loss and accuracy is measured', async () => {
    // The recipe's code path with a short budget and a small held-out set (the full comparison is `npm run train -- sentiment`).
    const r = await trainSentiment({ pretrained: files, inits: ['pretrained'], seeds: [0], steps: FT_STEPS, logEvery: 1, heldOut: 100 });
    expect(r.runs).toHaveLength(1);
    expect(r.testSize).toBe(100);
    expect(r.trainSize).toBe(2879);
    expect(r.runs[0].losses).toHaveLength(FT_STEPS);
    // The steps change what the classifier says on held-out sentences (with lr 0 the loss stays put, and this
    // fails). Within a CI budget that is all one can ask: in the full runs the held-out loss starts to fall only
    // after about 100 steps.
    expect(Math.abs(r.runs[0].loss - r.runs[0].initialLoss)).toBeGreaterThan(1e-3);
    expect(r.runs[0].losses.every((l) => Number.isFinite(l.loss))).toBe(true);
    expect(r.pretrainedMean * 100).toBeCloseTo(Math.round(r.pretrainedMean * 100), 6); // hits out of 100
    expect(r.scratchMean).toBeNaN(); // not run
  }, 60_000);
});

/** The short fine-tune's length. */
const FT_STEPS = 12;
