// Numerical health of a tensor: NaN and ±Inf counts found by bit pattern on the device, since some adapters'
// float comparisons cannot see a NaN.
import { Tensor } from '../tensor';

export interface Health {
  numel: number;
  nan: number;
  posInf: number;
  negInf: number;
  /** True when every element is finite. */
  finite: boolean;
}

export async function health(t: Tensor): Promise<Health> {
  if (t.dtype !== 'float32') return { numel: t.numel, nan: 0, posInf: 0, negInf: 0, finite: true };
  const c = await t.backend.health(t.storage);
  return { numel: t.numel, ...c, finite: c.nan + c.posInf + c.negInf === 0 };
}
