// Shared WGSL that kernels are compiled with. WGSL has no imports, so a kernel's source is its own file with the
// shared pieces it needs prepended, each at most once (a function defined twice is an error):
//   numerics      NaN/±Inf by bit pattern, and exp/log/max/min that keep them (shaders/numerics.wgsl)
//   activations   activation functions and derivatives (shaders/activations.wgsl; needs numerics)
//   strided       operand offsets of a strided elementwise kernel (shaders/strided.wgsl; a template by rank)
//   rowReduce     workgroup max/sum reductions of the one-workgroup-per-row kernels (shaders/row_reduce.wgsl)
import numericsWgsl from '../../../shaders/numerics.wgsl?raw';
import activationsWgsl from '../../../shaders/activations.wgsl?raw';
import stridedWgsl from '../../../shaders/strided.wgsl?raw';
import rowReduceWgsl from '../../../shaders/row_reduce.wgsl?raw';

const PARTS = {
  numerics: numericsWgsl,
  activations: activationsWgsl,
  strided: stridedWgsl,
  rowReduce: rowReduceWgsl,
};

export type WgslPart = keyof typeof PARTS;

/** `kernel` with the shared parts it uses prepended, in the order given. */
export function withParts(kernel: string, ...parts: WgslPart[]): string {
  return [...parts.map((p) => PARTS[p]), kernel].join('\n');
}
