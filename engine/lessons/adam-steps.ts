// The lessons' small training loop: Adam on freshly drawn batches, one tidy() per step, the loss read back only on
// reporting steps (a readback stalls the GPU queue), and the caller's progress callback awaited there so a page can
// paint and a Stop can land. On WebGPU the step's pipelines are compiled first through warmup(), on batches of
// each shape the run will see, so the first reported steps are not spent compiling.
import type { Tensor } from '../tensor';
import { tidy } from '../memory';
import { Adam } from '../optim/adam';
import { warmup } from '../warmup';

/** One batch: inputs and targets as tensors on the model's device. The loop disposes them. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

export interface AdamStepsOptions {
  params: Tensor[];
  steps: number;
  /** Adam's step size, or the step size at each step (1-based) for a schedule. */
  lr: number | ((step: number) => number);
  /** Report (read the loss back and call onProgress) every this many steps, and at the last. */
  every: number;
  /** The training batch for a step (1-based). */
  draw: (step: number) => Batch;
  /** The mean loss of a batch, a scalar tensor with a graph back to `params`. */
  loss: (x: Tensor, y: Tensor) => Tensor;
  /**
   * Batches of every shape the run will draw, for compiling the GPU pipelines ahead (only when `params` live on
   * WebGPU). Draw them from their own random stream, so the training batches are the same on every device.
   */
  warmupBatches?: () => Batch[];
  onProgress?: (p: { step: number; loss: number }) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Trains `params` for `steps` Adam steps (fewer if `signal` aborts); returns the reported losses. */
export async function adamSteps(o: AdamStepsOptions): Promise<Array<{ step: number; loss: number }>> {
  const lrAt = typeof o.lr === 'number' ? () => o.lr as number : o.lr;
  const opt = new Adam(o.params, { lr: lrAt(1) });
  const losses: Array<{ step: number; loss: number }> = [];
  try {
    if (o.warmupBatches && o.params[0]?.device === 'webgpu') {
      for (const { x, y } of o.warmupBatches()) {
        // A throwaway optimizer compiles the update's pipelines without moving the weights.
        await warmup(() => {
          o.loss(x, y).backward();
          const scratch = new Adam(o.params, { lr: 0 });
          scratch.step();
          scratch.dispose();
        });
        x.dispose();
        y.dispose();
        // warmup's gradients hold no values: drop them before the next backward adds into them.
        opt.zeroGrad();
      }
    }
    for (let step = 1; step <= o.steps && !o.signal?.aborted; step++) {
      const report = step % o.every === 0 || step === o.steps;
      opt.lr = lrAt(step);
      const { x, y } = o.draw(step);
      const loss = tidy(() => {
        const l = o.loss(x, y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return report ? l.detach() : null;
      });
      x.dispose();
      y.dispose();
      if (loss) {
        const v = await loss.item();
        loss.dispose();
        losses.push({ step, loss: v });
        if (o.onProgress) await o.onProgress({ step, loss: v });
      }
    }
    return losses;
  } finally {
    opt.dispose();
  }
}
