// What the divergence widget shows, with no DOM, so the lesson's tests can check it: both entropies, both
// cross-entropies and both KL divergences of two distributions, by the engine, in a given log base.
import { entropy, crossEntropyOf, klDivergence } from '../../../../engine/index';

export interface Divergences {
  hp: number;
  hq: number;
  /** H(p, q) and H(q, p). */
  hpq: number;
  hqp: number;
  /** KL(p‖q) and KL(q‖p). */
  klpq: number;
  klqp: number;
}

export function divergences(p: readonly number[], q: readonly number[], base: number): Divergences {
  return {
    hp: entropy(p, base),
    hq: entropy(q, base),
    hpq: crossEntropyOf(p, q, base),
    hqp: crossEntropyOf(q, p, base),
    klpq: klDivergence(p, q, base),
    klqp: klDivergence(q, p, base),
  };
}
