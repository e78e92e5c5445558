// The runs the page states on load, seeded and on the CPU backend so that the numbers are the same on every machine
// and test/course.week-13-14.test.ts checks exactly what the page shows: the order task learnt by one self-attention
// block with no positions, sinusoidal positions and learned positions (a third of a second in Node on a quiet
// machine), and the equivariance measurement on one fixed layer. The maths lives in engine/lessons/selfattention.ts.
import { nn, metrics } from '../../../../engine/index';
import { selfAttention } from '../../../../engine/course';
import { breathe } from '../../compute';

type OrderComparisonOptions = selfAttention.OrderComparisonOptions;
type OrderRun = selfAttention.OrderRun;
type EquivarianceResult = selfAttention.EquivarianceResult;


export const QUICK: OrderComparisonOptions = {
  task: { length: 6, fillers: 3 },
  model: { dim: 16, heads: 2, hidden: 32, seed: 0, device: 'cpu' },
  train: { steps: 50, batch: 32, lr: 0.02, seed: 0, every: 10, onProgress: breathe },
  testPairs: 128,
  testSeed: 1,
};

/** The multi-head widget's schedule (sinusoidal positions, the heads the learner picks). */
export const HEADS_TRAIN = { steps: 200, batch: 32, lr: 0.02, seed: 3 };

let quick: Promise<OrderRun[]> | null = null;

/** The three quick runs (none, sinusoidal, learned), trained once per page (or test file) and shared. */
export function quickOrderRuns(): Promise<OrderRun[]> {
  quick ??= selfAttention.compareOrderModels(QUICK);
  quick.catch(() => (quick = null));
  return quick;
}

/** The accuracy of one kind of positions in the quick run. */
export const quickAccuracy = (kind: selfAttention.PositionKind): Promise<number> =>
  quickOrderRuns().then((runs) => runs.find((r) => r.positions === kind)!.accuracy);

// ---------------------------------------------------------------------------------------------------------------
// The equivariance demo: six word tokens, a seeded random embedding per word, one seeded self-attention layer.

export const EQ_WORDS = ['the', 'cat', 'sat', 'on', 'a', 'mat'];
export const EQ_DIM = 8;
export const EQ_HEADS = 2;
/** The shuffle the prose reports; the widget's Shuffle button draws new ones. */
export const EQ_SEED = 1;

/** Each word's embedding: seeded N(0, 1) rows, (T, E). */
export function eqEmbeddings(): number[][] {
  const r = metrics.seededRandom(42);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return EQ_WORDS.map(() => Array.from({ length: EQ_DIM }, normal));
}

let layer: nn.MultiHeadAttention | null = null;

/** The demo's self-attention layer, made once on the CPU. */
export function eqLayer(): nn.MultiHeadAttention {
  layer ??= new nn.MultiHeadAttention(EQ_DIM, EQ_HEADS, { seed: 7, device: 'cpu' });
  return layer;
}

const measured = new Map<string, Promise<EquivarianceResult>>();

/** The layer on the words and on the words shuffled by `seed`, with or without sinusoidal positions. */
export function eqMeasure(seed: number, positions: boolean): Promise<EquivarianceResult> {
  const key = `${seed}:${positions}`;
  let m = measured.get(key);
  if (!m) {
    m = selfAttention.equivariance(eqLayer(), eqEmbeddings(), selfAttention.shuffleOrder(EQ_WORDS.length, seed), positions);
    measured.set(key, m);
  }
  return m;
}
