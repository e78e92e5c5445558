// Numerical health of a tensor: NaN and ±Inf counts found by bit pattern on the device, since some adapters'
// float comparisons cannot see a NaN.
import type { HealthCounts } from '../backend/backend';
import { Tensor } from '../tensor';
import { contiguousData } from './layout';

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
  const data = contiguousData(t);
  let c: HealthCounts;
  try {
    c = await data.backend.health(data.storage, data.numel);
  } finally {
    if (data !== t) data.dispose();
  }
  return { numel: t.numel, ...c, finite: c.nan + c.posInf + c.negInf === 0 };
}
