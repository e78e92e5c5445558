// Sources of the one-workgroup-per-row kernels: each shader is compiled with shaders/row_reduce.wgsl (the
// workgroup max/sum reductions they share) prepended, since WGSL has no imports.
import rowReduceWgsl from '../../../shaders/row_reduce.wgsl?raw';

export function withRowReduce(kernelWgsl: string): string {
  return `${rowReduceWgsl}\n${kernelWgsl}`;
}
