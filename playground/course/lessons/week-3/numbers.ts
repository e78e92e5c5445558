// The numbers week 3's prose states, each computed by the engine's NGramLM on the committed State of the Union
// sample through the n-gram laboratory (in the page's worker, or in-process in Node). One place names the models, so
// the unit test recomputes exactly these and checks the claims the page makes: perplexity = exp(cross-entropy), and
// Kneser-Ney below Laplace on held-out text.
import { askLm } from '../../widgets/w13-lm-client';
import type { Continuation, Evaluation, ModelSpec, Sizes } from '../../widgets/w13-lm';

export const MODELS = {
  uniLaplace: { n: 1, smoothing: 'laplace' },
  biLaplace: { n: 2, smoothing: 'laplace' },
  biAddk: { n: 2, smoothing: 'addk', k: 0.01 },
  biKn: { n: 2, smoothing: 'kneser-ney', discount: 0.75 },
  triKn: { n: 3, smoothing: 'kneser-ney', discount: 0.75 },
} as const satisfies Record<string, ModelSpec>;

/** The two words whose Kneser-Ney continuation counts the prose compares. */
export const CONTINUATION_WORDS = ['states', 'america'] as const;

type Models = typeof MODELS;

export interface Week3Numbers {
  sizes: Sizes;
  evals: Record<keyof Models, Evaluation>;
  /** Training-set perplexity of the Kneser-Ney trigram, to set beside its held-out one. */
  triKnTrain: number;
  continuation: Continuation[];
}

let numbers: Promise<Week3Numbers> | null = null;

/** Every number, computed once per page; the requests queue in the worker in the order they are made. */
export function week3Numbers(): Promise<Week3Numbers> {
  numbers ??= (async () => {
    const sizes = askLm({ kind: 'sizes' });
    const keys = Object.keys(MODELS) as (keyof Models)[];
    const evals = keys.map((key) => askLm({ kind: 'evaluate', model: MODELS[key], train: key === 'triKn' }));
    const continuation = askLm({ kind: 'continuation', words: [...CONTINUATION_WORDS] });
    const done = await Promise.all(evals);
    return {
      sizes: await sizes,
      evals: Object.fromEntries(keys.map((k, i) => [k, done[i]])) as Record<keyof Models, Evaluation>,
      triKnTrain: done[keys.indexOf('triKn')].trainPerplexity!,
      continuation: await continuation,
    };
  })();
  numbers.catch(() => (numbers = null));
  return numbers;
}
