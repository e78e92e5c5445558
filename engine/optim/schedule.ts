// Learning-rate schedules as pure functions of the step, plus a scheduler that applies one to an optimizer.
import type { Optimizer } from './optimizer';

export type Schedule = (step: number) => number;

export interface WarmupOptions {
  /** Steps of linear warmup from 0 to the base rate. */
  warmup: number;
  /** Total steps; cosine decays to minFactor at this step. */
  total?: number;
  /** The floor of the decay, as a fraction of the base rate. */
  minFactor?: number;
  decay: 'cosine' | 'inverse-sqrt' | 'none';
}

/** A factor in [0, 1] of the base rate: linear warmup, then cosine or inverse-square-root decay. */
export function warmupSchedule(opts: WarmupOptions): Schedule {
  const { warmup, decay } = opts;
  const minFactor = opts.minFactor ?? 0;
  if (decay === 'cosine' && !(opts.total && opts.total > warmup)) {
    throw new Error('warmupSchedule: cosine decay needs total > warmup');
  }
  return (step: number) => {
    if (warmup > 0 && step < warmup) return (step + 1) / warmup;
    switch (decay) {
      case 'none':
        return 1;
      case 'inverse-sqrt':
        // Continuous at the end of warmup: 1 there, then √warmup / √step.
        return Math.max(minFactor, Math.sqrt(Math.max(warmup, 1) / Math.max(step + 1, 1)));
      case 'cosine': {
        const t = Math.min(1, (step - warmup) / (opts.total! - warmup));
        return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t));
      }
    }
  };
}

/** Sets optimizer.lr = baseLr · schedule(step) before each step; call step() once per optimizer step. */
export class LRScheduler {
  private current = 0;
  readonly baseLr: number;

  constructor(
    private readonly optimizer: Optimizer,
    private readonly schedule: Schedule,
  ) {
    this.baseLr = optimizer.lr;
    optimizer.lr = this.baseLr * schedule(0);
  }

  step(): void {
    this.current++;
    this.optimizer.lr = this.baseLr * this.schedule(this.current);
  }

  get lastLr(): number {
    return this.optimizer.lr;
  }
}
