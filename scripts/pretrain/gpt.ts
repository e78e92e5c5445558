// `npm run pretrain -- gpt`: a small GPT (learned positions, the corpus BPE) trained on the training addresses,
// written to playground/public/models/gpt/ as model.safetensors + card.json + tokenizer.json.
//
// Sized for the CPU backend on a shared 2-core machine (measured: the CPU backend beat SwiftShader, ~15 vs ~20 s
// per step for a 1M-parameter model under load), so the model is small and the run short; the card records what
// was run. The held-out subset (heldOutWindows) and the sampling settings (SAMPLE) are exported, because the
// tests recompute the card's loss and the samples' English-likeness with them.
import { nn, optim, tensor, tidy, noGrad, dispose, mulberry32, saveModuleSafetensors, loadModuleSafetensors, readModel, type Tensor } from '../../engine/index';
import { CORPUS_LICENCE, CORPUS_SOURCE, SPLIT_RULE, TOKENIZER_WHY, label, loadCorpus, trainCorpusTokenizer, wordsOf } from './corpus';
import { MODELS_DIR, writeModel, type PretrainContext } from './write';

export const GPT_CONFIG = {
  vocabSize: 1024, blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 64, dropout: 0, positional: 'learned', activation: 'gelu', layerNormEps: 1e-5, dimFeedforward: 256,
} as const;
export const GPT_RUN = { batchSize: 8, weightDecay: 0.01, seed: 0 } as const;
/**
 * Two phases, each with a fresh AdamW, its own warmup and cosine decay to 0.1×, and its own data seed (seed +
 * 1 + phase), so that `--resume` (phase 2 from the saved phase-1 weights) is the same as running both in one go.
 * Measured after each phase, the samples' share of corpus words was 75% and 79%; phase 3 continues at a lower rate.
 */
export const GPT_PHASES = [
  { steps: 800, lr: 3e-3, warmup: 30 },
  { steps: 1000, lr: 2e-3, warmup: 20 },
  { steps: 600, lr: 1e-3, warmup: 10 },
] as const;
/** Held-out evaluation: the first WINDOWS_PER_DOC windows of blockSize + 1 tokens of each held-out address. */
export const WINDOWS_PER_DOC = 2;
/**
 * How the tests' 20 samples are drawn: each continues the prompt "The" (seeds 0…19) for 200 characters, the prompt
 * not counted. (From <|endoftext|> the samples began in capital-letter noise: a document start is rare in the
 * training windows.)
 */
export const SAMPLE = { count: 20, chars: 200, prompt: 'The', temperature: 0.7, topK: 40 } as const;

/** (inputs, targets) of the held-out subset: (N, T) each, targets shifted by one. */
export async function heldOutWindows(tok: nn.BPETokenizer, blockSize: number): Promise<{ input: Int32Array; target: Int32Array; n: number }> {
  const { heldOut } = await loadCorpus();
  const rows: number[][] = [];
  for (const a of heldOut) {
    const ids = tok.encode(a.text);
    for (let w = 0; w < WINDOWS_PER_DOC && (w + 1) * (blockSize + 1) <= ids.length; w++) rows.push(ids.slice(w * (blockSize + 1), (w + 1) * (blockSize + 1)));
  }
  const input = new Int32Array(rows.length * blockSize);
  const target = new Int32Array(rows.length * blockSize);
  rows.forEach((r, i) => {
    input.set(r.slice(0, blockSize), i * blockSize);
    target.set(r.slice(1), i * blockSize);
  });
  return { input, target, n: rows.length };
}

/** Mean next-token cross-entropy of the model on the held-out windows, in chunks of 8 rows. */
export async function heldOutLoss(model: nn.GPT, w: { input: Int32Array; target: Int32Array; n: number }): Promise<number> {
  const T = model.config.blockSize;
  let total = 0;
  for (let i = 0; i < w.n; i += 8) {
    const b = Math.min(8, w.n - i);
    const loss = noGrad(() => tidy(() =>
      model.loss(tensor(w.input.subarray(i * T, (i + b) * T), [b, T], { dtype: 'int32' }), tensor(w.target.subarray(i * T, (i + b) * T), [b, T], { dtype: 'int32' }))));
    total += (await loss.item()) * b; // every target counts (no padding), so the batch means weigh by rows
    loss.dispose();
  }
  return total / w.n;
}

/**
 * The tests' samples: SAMPLE.count texts of SAMPLE.chars characters, each continuing SAMPLE.prompt with its own
 * seed (sample b draws from mulberry32(b)). All are drawn together as one batch through a KV cache until the context
 * is full (blockSize tokens, ~3 characters each); one still short of SAMPLE.chars then continues alone from the
 * last half of its context.
 */
export async function samples(model: nn.GPT, tok: nn.BPETokenizer, count: number = SAMPLE.count): Promise<string[]> {
  const prompt = tok.encode(SAMPLE.prompt);
  const T = model.config.blockSize;
  const V = model.config.vocabSize;
  const opts = { temperature: SAMPLE.temperature, topK: SAMPLE.topK };
  const randoms = Array.from({ length: count }, (_, b) => mulberry32(b));
  const ids: number[][] = Array.from({ length: count }, () => [...prompt]);
  const cache = model.newCache();
  try {
    for (let t = prompt.length; t < T; t++) {
      // The whole prompt first, then one new token per sample through the cache.
      const fed = t === prompt.length ? ids.map((r) => r.slice()) : ids.map((r) => [r[r.length - 1]]);
      const logits = noGrad(() => model.logits(tensor(Int32Array.from(fed.flat()), [count, fed[0].length], { dtype: 'int32' }), { cache, lastOnly: true })); // (count, 1, V)
      const rows = await logits.toArray();
      logits.dispose();
      ids.forEach((r, b) => r.push(nn.sampleToken(rows.subarray(b * V, (b + 1) * V), opts, randoms[b])));
    }
  } finally {
    cache.dispose();
  }
  const out: string[] = [];
  const continuation = (r: number[]) => tok.decode(r.slice(prompt.length));
  for (let b = 0; b < count; b++) {
    let text = continuation(ids[b]);
    while (text.length < SAMPLE.chars) {
      const context = ids[b].slice(-T / 2);
      const next = await model.generate(context, { ...opts, maxNewTokens: T - context.length, seed: b * 1000 + ids[b].length });
      ids[b].push(...next.slice(context.length));
      text = continuation(ids[b]);
    }
    out.push(text.slice(0, SAMPLE.chars));
  }
  return out;
}

/** The share of the samples' words that occur in the training addresses. */
export function vocabularyShare(texts: readonly string[], vocabulary: ReadonlySet<string>): number {
  const words = texts.flatMap(wordsOf);
  return words.filter((w) => vocabulary.has(w)).length / Math.max(1, words.length);
}

export async function pretrainGPT(ctx: PretrainContext): Promise<void> {
  const started = performance.now();
  const corpus = await loadCorpus();
  const tok = await trainCorpusTokenizer();
  const eot = tok.idOf('<|endoftext|>');
  // One token stream: the training addresses, each followed by <|endoftext|>.
  const stream = Int32Array.from(corpus.train.flatMap((a) => [...tok.encode(a.text), eot]));
  ctx.log(`tokenizer: ${tok.vocabSize} tokens; ${corpus.train.length} training addresses = ${stream.length} tokens; ${corpus.heldOut.length} held out`);
  const { blockSize: T } = GPT_CONFIG;
  const { batchSize: B } = GPT_RUN;
  const model = new nn.GPT({ ...GPT_CONFIG, seed: GPT_RUN.seed });
  const parameters = model.parameters().reduce((n, p) => n + p.numel, 0);
  const windows = await heldOutWindows(tok, T);
  const initialLoss = await heldOutLoss(model, windows);
  ctx.log(`GPT ${parameters} parameters; held-out loss before training ${initialLoss.toFixed(4)} (ln V = ${Math.log(tok.vocabSize).toFixed(4)})`);
  const phases = GPT_PHASES.map((p, i) => ({ ...p, steps: i === GPT_PHASES.length - 1 && ctx.steps ? ctx.steps : p.steps }));
  // --resume: start from the shipped checkpoint if its card says it finished the first phases.
  let first = 0;
  const wallBefore: number[] = [];
  if (ctx.resume) {
    const shipped = await readModel(`${MODELS_DIR}/gpt`);
    const done = shipped.card.training.steps;
    first = phases.findIndex((_, i) => phases.slice(0, i).reduce((n, p) => n + p.steps, 0) === done);
    if (first <= 0) throw new Error(`gpt --resume: the shipped card has ${done} steps, not the end of a phase before the last`);
    loadModuleSafetensors(model, shipped.weights);
    const prior = shipped.card.metrics.phaseWallSeconds;
    wallBefore.push(...(Array.isArray(prior) ? (prior as number[]) : [shipped.card.training.wallSeconds]));
    ctx.log(`resuming after ${done} steps (phases 1…${first} from the shipped checkpoint)`);
  }
  const phaseWall: number[] = [...wallBefore];
  const phaseLoss: number[] = [];
  if (ctx.resume) {
    // The held-out loss after each phase already run, as the shipped card records it.
    const { card } = await readModel(`${MODELS_DIR}/gpt`);
    const prior = card.metrics.heldOutLossAfterPhase;
    phaseLoss.push(...(Array.isArray(prior) && prior.length === first ? (prior as number[]) : [card.evaluation.heldOutLoss]));
  }
  let last = 0;
  for (let ph = first; ph < phases.length; ph++) {
    const { steps, lr, warmup } = phases[ph];
    const phaseStart = performance.now();
    ctx.log(`phase ${ph + 1}: ${steps} steps of ${B}×${T} tokens, lr ${lr}`);
    const optimizer = new optim.AdamW(model.parameters(), { lr, weightDecay: GPT_RUN.weightDecay });
    const scheduler = new optim.LRScheduler(optimizer, optim.warmupSchedule({ warmup: Math.min(warmup, steps - 1), decay: 'cosine', total: steps, minFactor: 0.1 }));
    const rand = mulberry32(GPT_RUN.seed + 1 + ph);
    for (let step = 1; step <= steps; step++) {
      const input = new Int32Array(B * T);
      const target = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const at = Math.floor(rand() * (stream.length - T - 1));
        input.set(stream.subarray(at, at + T), b * T);
        target.set(stream.subarray(at + 1, at + T + 1), b * T);
      }
      const loss: Tensor = tidy(() => model.loss(tensor(input, [B, T], { dtype: 'int32' }), tensor(target, [B, T], { dtype: 'int32' })));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      if (step % 10 === 0 || step === 1 || step === steps) {
        last = await loss.item();
        ctx.log(`phase ${ph + 1} step ${step}/${steps}  loss ${last.toFixed(4)}  ${((performance.now() - phaseStart) / 1000).toFixed(0)} s`);
      }
      loss.dispose();
    }
    model.zeroGrad();
    optimizer.dispose();
    phaseWall.push((performance.now() - phaseStart) / 1000 + (ph === 0 ? (phaseStart - started) / 1000 : 0));
    phaseLoss.push(await heldOutLoss(model, windows));
    ctx.log(`phase ${ph + 1} done: held-out loss ${phaseLoss[phaseLoss.length - 1].toFixed(4)}`);
  }
  model.eval();
  const steps = phases.reduce((n, p) => n + p.steps, 0);
  const wallSeconds = phaseWall.reduce((a, b) => a + b, 0);
  const finalLoss = await heldOutLoss(model, windows);
  const vocabulary = new Set(corpus.train.flatMap((a) => wordsOf(a.text)));
  const texts = await samples(model, tok);
  const share = vocabularyShare(texts, vocabulary);
  ctx.log(`held-out loss ${finalLoss.toFixed(4)}, perplexity ${Math.exp(finalLoss).toFixed(1)}; sample words in the corpus vocabulary ${(share * 100).toFixed(1)}%`);
  for (const t of texts.slice(0, 3)) ctx.log(`  ${JSON.stringify(t)}`);

  await writeModel('gpt', {
    weights: await saveModuleSafetensors(model, { format: 'pt' }),
    tokenizer: tok.save(),
    card: {
      format: 'gpu-learn/model-card', version: 1, name: 'gpt',
      description: 'A small GPT (decoder-only Transformer, learned positions, tied embeddings) trained from scratch on State of the Union addresses by `npm run pretrain -- gpt`.',
      architecture: { kind: 'gpt', config: model.cardConfig(), parameters },
      weights: { file: 'model.safetensors', dtype: 'F32' },
      tokenizer: { file: 'tokenizer.json', kind: 'byte-bpe', vocabSize: tok.vocabSize, why: TOKENIZER_WHY },
      data: {
        source: CORPUS_SOURCE, generated: false, licence: [...CORPUS_LICENCE],
        split: { rule: SPLIT_RULE, train: corpus.train.map(label), heldOut: corpus.heldOut.map(label) },
      },
      training: {
        steps, batchSize: B, seed: GPT_RUN.seed, wallSeconds, backend: ctx.backend, adapter: ctx.adapter,
        optimizer:
          `AdamW (weight decay ${GPT_RUN.weightDecay}) in ${phases.length} phases, each a fresh optimizer with warmup then cosine to 0.1×: ` +
          phases.map((p, i) => `${p.steps} steps at lr ${p.lr} (warmup ${p.warmup}, data seed ${GPT_RUN.seed + 1 + i})`).join(', then ') +
          `; random ${T + 1}-token windows of the training stream`,
      },
      evaluation: {
        heldOutLoss: finalLoss, perplexity: Math.exp(finalLoss), tokens: windows.n * T,
        subset: `the first ${WINDOWS_PER_DOC} non-overlapping windows of ${T + 1} tokens of each held-out address (${windows.n} windows; inputs the first ${T} tokens, targets the last ${T})`,
      },
      metrics: {
        initialHeldOutLoss: initialLoss,
        finalTrainBatchLoss: last,
        phaseWallSeconds: phaseWall,
        heldOutLossAfterPhase: phaseLoss,
        tokensSeen: steps * B * T,
        sampling: { ...SAMPLE },
        sampleWordsInCorpusVocabulary: share,
        samples: texts.slice(0, 5),
      },
    },
  });
  dispose(model.parameters());
}
