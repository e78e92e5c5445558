// torch.func.functional_call in spirit: run a module with other tensors standing in for its parameters. gradcheck
// needs this, because it reruns its function on the CPU in float64 with its own copies of the inputs: a module's
// parameters become inputs of the checked function, and each call swaps them in by name.
import type { Tensor } from '../tensor';
import type { Module } from './module';

type Slots = Record<string, unknown>;

/** Calls fn with module's parameters (in namedParameters() order) replaced by `params`, then restores them. */
export function functionalCall<T>(module: Module, params: readonly Tensor[], fn: () => T): T {
  const named = module.namedParameters();
  if (named.length !== params.length) {
    throw new Error(`functionalCall: the module has ${named.length} parameters, got ${params.length} tensors`);
  }
  const slots = named.map(([name]) => {
    const path = name.split('.');
    let owner = module as unknown as Slots;
    for (const seg of path.slice(0, -1)) owner = owner[seg] as Slots;
    return { owner, key: path[path.length - 1] };
  });
  const saved = slots.map(({ owner, key }) => owner[key]);
  slots.forEach(({ owner, key }, i) => (owner[key] = params[i]));
  try {
    return fn();
  } finally {
    slots.forEach(({ owner, key }, i) => (owner[key] = saved[i]));
  }
}
