// The numbers the page states, each computed once per page by engine code (engine/lessons/pretrained.ts) from the
// shipped checkpoints on the CPU backend, so test/course.week-17-18.test.ts checks exactly what the page shows.
import { nn, mulberry32 } from '../../../../engine/index';
import {
  cardFinetune, gptAttention, bertAttention, iclBatch, iclAccuracyByShots, iclIdealAccuracy, iclShownShare, kvCacheWork, maskingCounts, gptNextDistribution,
  type CardFinetune, type MaskingCounts,
} from '../../../../engine/course';
import { modelFiles, pretrained } from './models';

/** The sentence both models read side by side. */
export const EXAMPLE_TEXT = 'The Congress shall have power to lay and collect taxes on the people of the United States.';

/** The in-context test: the icl card's held-out sequences (200 of 12 queries, seed 2). */
export const ICL_TEST = { n: 200, pairs: 12, seed: 2 } as const;
export const ICL_SHOWN = [0, 1, 2, 4, 8] as const;

/** The masking statistics: this many ordinary tokens through nn.maskTokens with this seed. */
export const MASK_DEMO = { tokens: 20_000, seed: 0 } as const;

/** The sampling example: the prompt, and the nucleus the prose measures. */
export const SAMPLE_PROMPT = 'The Congress';
export const SAMPLE_TOP_P = 0.9;

/**
 * The live fine-tune (finetune-widget.ts): steps, how often both are scored, on how many held-out sentences.
 * Scoring costs more than training here (every held-out sentence through both models), so it is kept small.
 */
export const RACE = { steps: 60, evalEvery: 15, heldOut: 100, batchSize: 16, seed: 0 } as const;

/** The KV-cache count: a prompt of this many tokens extended by this many. */
export const KV_DEMO = { prompt: 8, newTokens: 48 } as const;

const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | null = null;
  return () => {
    p ??= make();
    p.catch(() => (p = null));
    return p;
  };
};

/** metrics.finetune of the shipped BERT card, read when the page opens (the card may be retrained). */
export const finetune = once(async (): Promise<CardFinetune> => cardFinetune((await modelFiles('bert')).card));

/** The shipped BERT card's description of the checkpoint (what it was pre-trained on), read when the page opens. */
export const bertDescription = once(async (): Promise<string> => (await modelFiles('bert')).card.description);

/** BERT's input for a text: [CLS] tokens [SEP]. */
export function bertIds(tok: nn.BPETokenizer, text: string): number[] {
  return [tok.idOf('[CLS]'), ...tok.encode(text), tok.idOf('[SEP]')];
}

export interface Seeing {
  /** Tokens of the example (GPT's input; BERT's adds [CLS] and [SEP]). */
  tokens: number;
  /** (query, key) pairs with a non-zero first-layer attention weight, over the same text tokens. */
  gptPairs: number;
  bertPairs: number;
}

/** How many (query, key) pairs of the example's tokens each model's first layer actually attends over. */
export const seeing = once(async (): Promise<Seeing> => {
  const m = await pretrained();
  const ids = m.tok.encode(EXAMPLE_TEXT);
  const g = await gptAttention(m.gpt, ids);
  const b = await bertAttention(m.bert, bertIds(m.tok, EXAMPLE_TEXT));
  const T = ids.length;
  let gptPairs = 0;
  let bertPairs = 0;
  // BERT's rows and columns 1…T are the text's tokens ([CLS] is 0, [SEP] is T + 1).
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) {
    if (g[i][j] > 0) gptPairs++;
    if (b[i + 1][j + 1] > 0) bertPairs++;
  }
  return { tokens: T, gptPairs, bertPairs };
});

/**
 * On the icl card's held-out sequences, by number of examples k: the model's accuracy, the share of queries whose
 * letter had been shown, and what copying those and guessing the rest would score on these sequences.
 */
export const iclCurve = once(async (): Promise<{ accuracy: number[]; shown: number[]; copier: number[] }> => {
  const m = await pretrained();
  const batch = iclBatch(m.iclTok, ICL_TEST.n, ICL_TEST.pairs, ICL_TEST.seed);
  const accuracy = await iclAccuracyByShots(m.icl, batch);
  const shown = iclShownShare(batch);
  const guess = iclIdealAccuracy(0); // with nothing to copy, a guess among the letters
  return { accuracy, shown, copier: shown.map((s) => s + (1 - s) * guess) };
});

/** nn.maskTokens' outcomes over MASK_DEMO.tokens ordinary tokens of the shared tokenizer. */
export const maskShares = once(async (): Promise<MaskingCounts> => {
  const { tok } = await pretrained();
  const specials = tok.specials.map((s) => tok.idOf(s));
  const ordinary = Array.from({ length: tok.vocabSize }, (_, i) => i).filter((i) => !specials.includes(i));
  const r = mulberry32(MASK_DEMO.seed);
  const ids = Int32Array.from({ length: MASK_DEMO.tokens }, () => ordinary[Math.floor(r() * ordinary.length)]);
  return maskingCounts(ids, { maskId: tok.idOf('[MASK]'), vocabSize: tok.vocabSize, specialIds: specials, seed: MASK_DEMO.seed });
});

/** GPT's first next-token distribution after SAMPLE_PROMPT: its top probability, and the nucleus size at SAMPLE_TOP_P. */
export const firstStep = once(async (): Promise<{ top: number; nucleus: number }> => {
  const m = await pretrained();
  const probs = await gptNextDistribution(m.gpt, m.tok.encode(SAMPLE_PROMPT));
  const logits = Array.from(probs, Math.log); // log-probabilities are logits up to a constant
  const kept = nn.samplingDistribution(logits, { topP: SAMPLE_TOP_P });
  return { top: Math.max(...probs), nucleus: kept.filter((p) => p > 0).length };
});

/** Token positions the network runs for KV_DEMO with and without the cache, in GPT's context. */
export const kvWork = once(async (): Promise<{ withCache: number; without: number; blockSize: number }> => {
  const { gpt } = await pretrained();
  return { ...kvCacheWork(KV_DEMO.prompt, KV_DEMO.newTokens, gpt.config.blockSize), blockSize: gpt.config.blockSize };
});

/**
 * Settles once every number the prose states has been computed (or failed). The widgets start their own model
 * runs after it, so on a slow machine the page's stated numbers are not kept waiting behind the widgets' work.
 */
export const statsFirst = (): Promise<unknown> => Promise.allSettled([finetune(), seeing(), iclCurve(), maskShares(), firstStep(), kvWork()]);
