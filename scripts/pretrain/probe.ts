// `npx vite-node scripts/pretrain/probe.ts [model dir …]`: a linear probe of a BERT checkpoint's features for the
// sentiment task, against the same architecture's random initialisation. Each sentence ([CLS] tokens [SEP]) is
// encoded once with the encoder frozen; its final hidden states, averaged over its tokens, are the features (d);
// a logistic regression (nn.Linear(d, 2), Adam, full batch, standardised features) is fitted on the sentiment
// training split and scored on the 600 held-out sentences. Fine-tuning can only beat training from scratch if
// pre-training gave features that say more about the label than random ones: this measures whether it did.
// It also prints how alike the word embeddings of the tokens the training reviews use most are (mean pairwise
// cosine; near 0 for random vectors): a tied masked-LM decoder can push tokens that are seldom targets all the
// same way (Gao et al., "Representation Degeneration Problem in Training Natural Language Generation Models", ICLR
// 2019), which leaves them hard to tell apart. Runs on the CPU backend (a few minutes a model here). Default: the
// shipped playground/public/models/bert.
import { init, readModel, nn, optim, functional as F, tensor, noGrad, tidy } from '../../engine/index';
import { loadSentiment, splitSentiment, SENTIMENT_BUDGET, type LabelledSentence } from '../../engine/course';

const PROBE = { steps: 300, lr: 0.05, weightDecay: 1e-3, randomSeed: 5, commonTokens: 100 } as const;

/** Mean cosine similarity over every pair of the given rows of the word-embedding table. */
async function meanPairwiseCosine(model: nn.BERT, ids: readonly number[]): Promise<number> {
  const w = model.embeddings.word_embeddings.weight; // (V, d)
  const d = w.shape[1];
  const a = Float32Array.from(await w.toArray());
  const unit = ids.map((i) => {
    const row = a.subarray(i * d, (i + 1) * d);
    const n = Math.hypot(...row);
    return Array.from(row, (v) => v / n);
  });
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < unit.length; i++) {
    for (let j = i + 1; j < unit.length; j++, pairs++) sum += unit[i].reduce((s, v, k) => s + v * unit[j][k], 0);
  }
  return sum / pairs;
}

/** Mean of the final hidden states over each sentence's tokens: (N, d) on the host, row-major. */
async function features(model: nn.BERT, tok: nn.BPETokenizer, xs: readonly LabelledSentence[]): Promise<Float32Array> {
  model.eval();
  const d = model.config.dModel;
  const out = new Float32Array(xs.length * d);
  for (let i = 0; i < xs.length; i += 64) {
    const rows = xs.slice(i, i + 64).map((s) => [tok.idOf('[CLS]'), ...tok.encode(s.text).slice(0, model.config.maxLen - 2), tok.idOf('[SEP]')]);
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * T).fill(model.config.padId);
    rows.forEach((r, k) => ids.set(r, k * T));
    const h = noGrad(() => tidy(() => model.encode(tensor(ids, [rows.length, T])))); // (b, T, d)
    const a = Float32Array.from(await h.toArray());
    h.dispose();
    rows.forEach((r, k) => {
      for (let t = 0; t < r.length; t++) for (let j = 0; j < d; j++) out[(i + k) * d + j] += a[(k * T + t) * d + j] / r.length;
    });
  }
  return out;
}

/** Held-out accuracy of a logistic regression fitted on standardised training features. */
async function probe(train: Float32Array, yTrain: readonly number[], test: Float32Array, yTest: readonly number[], d: number): Promise<number> {
  const n = yTrain.length;
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += train[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (train[i * d + j] - mu[j]) ** 2 / n;
  const z = (x: Float32Array): Float32Array => x.map((v, k) => (v - mu[k % d]) / (Math.sqrt(sd[k % d]) + 1e-6));
  const head = new nn.Linear(d, 2, { seed: 0 });
  const opt = new optim.AdamW(head.parameters(), { lr: PROBE.lr, weightDecay: PROBE.weightDecay });
  const X = tensor(z(train), [n, d]);
  const y = tensor(Int32Array.from(yTrain), [n]);
  for (let s = 0; s < PROBE.steps; s++) {
    const loss = tidy(() => F.crossEntropy(head.forward(X), y));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    loss.dispose();
  }
  const pred = noGrad(() => tidy(() => head.forward(tensor(z(test), [yTest.length, d])).argmax(-1)));
  const p = await pred.toArray();
  pred.dispose();
  return Array.from(p, Number).reduce((hits, v, i) => hits + (v === yTest[i] ? 1 : 0), 0) / yTest.length;
}

async function main(): Promise<void> {
  await init({ backend: 'cpu' });
  const { train, test } = splitSentiment(await loadSentiment(), { heldOut: SENTIMENT_BUDGET.heldOut, seed: SENTIMENT_BUDGET.splitSeed });
  const dirs = process.argv.slice(2).filter((a) => a !== '--');
  for (const dir of dirs.length ? dirs : ['playground/public/models/bert']) {
    const files = await readModel(dir);
    const tok = nn.BPETokenizer.fromJSON(JSON.parse(files.tokenizer));
    const counts = new Map<number, number>();
    for (const s of train) for (const t of tok.encode(s.text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const common = [...counts.keys()].sort((x, y) => counts.get(y)! - counts.get(x)!).slice(0, PROBE.commonTokens);
    const models: [string, nn.BERT][] = [
      ['pre-trained', nn.BERT.fromCard(files.card, files.weights)],
      [`random init (seed ${PROBE.randomSeed})`, new nn.BERT({ ...(files.card.architecture.config as unknown as nn.BertConfig), seed: PROBE.randomSeed })],
    ];
    for (const [name, model] of models) {
      const d = model.config.dModel;
      const acc = await probe(await features(model, tok, train), train.map((s) => s.label), await features(model, tok, test), test.map((s) => s.label), d);
      const cos = await meanPairwiseCosine(model, common);
      console.log(`${dir} ${name}: linear probe of mean-pooled features, held-out accuracy ${(acc * 100).toFixed(1)}% (${test.length} sentences); ` +
        `the ${PROBE.commonTokens} tokens the training reviews use most: word embeddings' mean pairwise cosine ${cos.toFixed(3)}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
