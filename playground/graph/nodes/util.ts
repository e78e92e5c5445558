// Helpers the node files share: reading a float or int input with a learner-facing error, and the generic
// forward of a data node (its tensors come from the feeds).
import type { InferContext, NodeRuntime, RunContext } from '../node-type';
import type { Tensor } from '../../../engine/index';
import { formatType, type DType, type TensorType } from '../types';

const KIND: Record<DType, string> = { float32: 'real numbers (float)', int32: 'whole-number ids (int)' };

/** The type on `port` if it has the expected dtype; otherwise reports a dtype mismatch and returns undefined. */
export function typedInput(ctx: InferContext, port: string, dtype: DType, hint = ''): TensorType | undefined {
  const t = ctx.input(port);
  if (!t) return undefined;
  if (t.dtype !== dtype) {
    ctx.error(
      'dtype-mismatch',
      `Input "${port}" needs ${KIND[dtype]}, but gets ${KIND[t.dtype]} ${formatType(t)}.${hint ? ` ${hint}` : ''}`,
      { port },
    );
    return undefined;
  }
  return t;
}

/** A data node's compiled form: it hands on the tensors fed for it, checking that each port got one. */
export function dataRuntime(nodeId: string, ports: readonly string[]): NodeRuntime {
  return {
    forward(_inputs, run: RunContext): Record<string, Tensor> {
      const fed = run.feeds[nodeId];
      const out: Record<string, Tensor> = {};
      for (const p of ports) {
        const t = fed?.[p];
        if (!t) throw new Error(`No data was fed for data node "${nodeId}" (output "${p}")`);
        out[p] = t;
      }
      return out;
    },
  };
}

/** Python repr of a float parameter. */
export function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}
