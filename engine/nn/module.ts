// nn.Module: parameters are found by walking a module's own fields in declaration order, as PyTorch finds them
// by attribute assignment: a Tensor with requiresGrad is a parameter, a Module is a child, and an array of
// Modules is a list of children named by index.
import { Tensor, tensor } from '../tensor';
import { fmt, sameShape } from '../shape';
import type { TypedArray } from '../dtype';

export abstract class Module {
  training = true;

  abstract forward(...inputs: Tensor[]): Tensor;

  /** A short description of this module's own configuration, e.g. "in=2, out=8, bias=true". */
  protected describe(): string {
    return '';
  }

  /** Children in declaration order, with their field names. */
  children(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((m, i) => m instanceof Module && out.push([`${key}.${i}`, m]));
    }
    return out;
  }

  /** Every parameter with its dotted name, e.g. ["layers.0.weight", Tensor]. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.requiresGrad) out.push([prefix + key, value]);
    }
    for (const [name, child] of this.children()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, c] of this.children()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** The parameters by name. The tensors share storage with the module's: save or copy them before training on. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters().map(([n, p]) => [n, p.detach()]));
  }

  /**
   * Copies values into the parameters in place, so optimizers holding them stay valid. Every parameter must be
   * present with its exact shape, and no unknown name may appear; nothing is written unless all entries check out.
   */
  loadStateDict(state: Record<string, Tensor | TypedArray>): void {
    const params = new Map(this.namedParameters());
    const unknown = Object.keys(state).filter((k) => !params.has(k));
    const missing = [...params.keys()].filter((k) => !(k in state));
    if (unknown.length || missing.length) {
      throw new Error(
        `loadStateDict: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}` +
          `${unknown.length ? `unexpected ${unknown.join(', ')}` : ''}`,
      );
    }
    for (const [name, p] of params) {
      const v = state[name];
      const shape = v instanceof Tensor ? v.shape : p.shape;
      const n = v instanceof Tensor ? v.numel : v.length;
      if (!sameShape(shape, p.shape) || n !== p.numel) {
        throw new Error(`loadStateDict: ${name} has shape ${v instanceof Tensor ? fmt(shape) : `(${n} values)`}, expected ${fmt(p.shape)}`);
      }
    }
    for (const [name, p] of params) {
      const v = state[name];
      const src = v instanceof Tensor && v.device === p.device ? v : null;
      if (v instanceof Tensor && !src) throw new Error(`loadStateDict: ${name} is on ${v.device}; move it to ${p.device} first`);
      const from = src ?? tensor(v as TypedArray, p.shape, { device: p.device });
      // Element by element through both layouts, so either may be a view.
      p.backend.copy(from.storage, from.layout, { storage: p.storage, view: p.layout });
      if (from !== src) from.dispose();
    }
  }

  /** A readable tree with parameter counts, like PyTorch's print(model). */
  toString(): string {
    const lines = (m: Module, indent: string): string[] => {
      const own = m.namedParametersOwn();
      const head = `${m.constructor.name}(${m.describe()})`;
      const kids = m.children();
      if (!kids.length) return [`${head}${own ? `  # ${own.toLocaleString('en-US')} params` : ''}`];
      return [
        `${m.constructor.name}(`,
        ...kids.flatMap(([name, c]) => {
          const [first, ...rest] = lines(c, indent + '  ');
          return [`${indent}  (${name}): ${first}`, ...rest];
        }),
        `${indent})`,
      ];
    };
    return [...lines(this, ''), `Total parameters: ${this.numParameters().toLocaleString('en-US')}`].join('\n');
  }

  private namedParametersOwn(): number {
    return Object.values(this).reduce((n: number, v) => (v instanceof Tensor && v.requiresGrad ? n + v.numel : n), 0);
  }
}
