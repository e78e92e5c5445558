// Training a compiled graph: batches from its data nodes, an optimizer over its module's parameters, one step at
// a time. The editor's training controller calls step() in a loop and awaits it, so the UI stays responsive; the
// tests use it to train each example a few steps.
import { cat, tensor, tidy, dispose, noGrad, mulberry32, optim, type Tensor } from '../../engine/index';
import Adam = optim.Adam;
import AdamW = optim.AdamW;
import SGD = optim.SGD;
import Optimizer = optim.Optimizer;
import type { CompiledGraph, Feeds } from './compile';
import type { GraphState } from './types';
import type { Validation } from './validate';
import type { DataSource, HostBatch } from './node-type';
import { planCarry, type CarryPlan } from './carry';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';

/** The playground measures held-out loss and accuracy every EVAL_EVERY steps, on EVAL_EXAMPLES examples. */
export const EVAL_EVERY = 20;
export const EVAL_EXAMPLES = 256;

export interface TrainerOptions {
  optimizer?: OptimizerName;
  lr?: number;
  batchSize?: number;
  /** Seeds the batch sampling. */
  seed?: number;
}

/** A parameter of the compiled graph, named as in its module ("linear_2.weight"). */
export interface GraphParam {
  name: string;
  shape: readonly number[];
  tensor: Tensor;
}

/** A parameter's values read back to the host: what survives when the device (and every tensor on it) is lost. */
export interface HostParam {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

/** What readBack() returns: every parameter's values, and the norm of all gradients (null before any backward). */
export interface ReadBack {
  weights: HostParam[];
  gradNorm: number | null;
}

export interface Evaluation {
  loss: number;
  /** Fraction of correct argmax predictions of the first cross-entropy node, when there is one. */
  accuracy: number | null;
  examples: number;
}

/**
 * Why a graph can't be trained yet, or null when it can: the training controls say it, and the inspector does not
 * call such a graph ready. 'waiting' is for a graph with nothing in it yet, 'invalid' for one with a problem.
 */
export function trainBlocker(state: GraphState, validation: Validation): { phase: 'waiting' | 'invalid'; message: string } | null {
  if (!state.nodes.length) return { phase: 'waiting', message: 'Add nodes, or open an example, to train.' };
  if (!validation.ok) {
    const errors = validation.issues.filter((i) => i.severity === 'error');
    const first = errors[0];
    const detail = first ? `: ${first.node ? `${first.node}: ` : ''}${first.message}` : '.';
    return { phase: 'invalid', message: `${errors.length} problem${errors.length === 1 ? '' : 's'} to fix before training${detail}` };
  }
  if (!state.nodes.some((n) => n.type === 'crossentropy' || n.type === 'mse')) return { phase: 'invalid', message: 'Add a loss node to train.' };
  return null;
}

export class Trainer {
  readonly optimizer: Optimizer;
  readonly batchSize: number;
  private rand: () => number;
  private steps = 0;

  private constructor(
    readonly graph: CompiledGraph,
    private readonly sources: Map<string, DataSource>,
    opts: TrainerOptions,
  ) {
    const params = graph.module.parameters();
    const lr = opts.lr ?? 1e-2;
    const name = opts.optimizer ?? 'adam';
    this.optimizer = name === 'sgd' ? new SGD(params, { lr }) : name === 'adamw' ? new AdamW(params, { lr }) : new Adam(params, { lr });
    this.batchSize = opts.batchSize ?? 32;
    this.rand = mulberry32(opts.seed ?? 0);
  }

  /** Loads the graph's data (MNIST's files, the names lists) and sets up the optimizer. */
  static async create(graph: CompiledGraph, opts: TrainerOptions = {}): Promise<Trainer> {
    if (!graph.lossNodes.length) throw new Error('This graph has no loss node, so there is nothing to train.');
    const sources = graph.sources();
    await Promise.all([...sources.values()].map((s) => s.load()));
    return new Trainer(graph, sources, opts);
  }

  get stepCount(): number {
    return this.steps;
  }

  /** The graph's parameters, by name, in the module's order. */
  parameters(): GraphParam[] {
    return this.graph.module.namedParameters().map(([name, tensor]) => ({ name, shape: tensor.shape, tensor }));
  }

  /**
   * Continues from `previous`, a trainer of an earlier version of this graph on the same device: every parameter
   * whose name and shape are unchanged takes its values and optimizer state (its update count, Adam's moments,
   * SGD's momentum); the rest keep their fresh initialisation. The step count and the batch stream carry on. The
   * optimizer state moves out of `previous` (its parameters keep their values), which is then the caller's to
   * dispose. With a different kind of optimizer only the values carry over.
   */
  continueFrom(previous: Trainer): CarryPlan<GraphParam, GraphParam> {
    if (previous.graph.device !== this.graph.device) {
      throw new Error(`Trainer.continueFrom: the earlier graph is on ${previous.graph.device}, this one on ${this.graph.device}`);
    }
    const plan = planCarry(previous.parameters(), this.parameters());
    const sameKind = previous.optimizer.constructor === this.optimizer.constructor;
    for (const { from, to } of plan.kept) {
      copyInto(to.tensor, from.tensor);
      if (sameKind) this.optimizer.adopt(previous.optimizer, from.tensor, to.tensor);
    }
    this.steps = previous.steps;
    this.rand = previous.rand;
    return plan;
  }

  /**
   * Loads weights read back earlier (readBack()) into every parameter whose name and shape match, as after the
   * device was lost: the values survive there, the optimizer's state does not, so it starts over. `steps` is the
   * step the weights were read at, from which the count continues.
   */
  restore(weights: readonly HostParam[], steps: number): CarryPlan<HostParam, GraphParam> {
    const plan = planCarry(weights, this.parameters());
    for (const { from, to } of plan.kept) {
      const src = tensor(from.data, [...from.shape], { device: this.graph.device });
      copyInto(to.tensor, src);
      src.dispose();
    }
    this.steps = steps;
    return plan;
  }

  /**
   * Reads every parameter back, and the norm of all their gradients, in one round trip (the parameters and the
   * squared norm concatenated on the device). The training controller does this now and then, not every step.
   */
  async readBack(): Promise<ReadBack> {
    const params = this.parameters();
    if (!params.length) return { weights: [], gradNorm: null };
    const grads = params.flatMap((p) => (p.tensor.grad ? [p.tensor.grad] : []));
    const all = noGrad(() =>
      tidy(() => {
        const parts = params.map((p) => p.tensor.reshape([p.tensor.numel]));
        // ‖g‖² = Σ over every gradient of Σ g²; the square root is taken on the host.
        if (grads.length) parts.push(grads.map((g) => g.square().sum()).reduce((a, b) => a.add(b)).reshape([1]));
        return cat(parts, 0);
      }),
    );
    const data = (await all.toArray()) as Float32Array;
    all.dispose();
    let at = 0;
    const weights = params.map((p) => {
      const n = p.tensor.numel;
      const out = { name: p.name, shape: p.shape, data: data.slice(at, at + n) };
      at += n;
      return out;
    });
    return { weights, gradNorm: grads.length ? Math.sqrt(data[at]) : null };
  }

  private upload(batches: Map<string, HostBatch>): Feeds {
    const feeds: Feeds = {};
    for (const [id, b] of batches) {
      feeds[id] = Object.fromEntries(Object.entries(b).map(([port, h]) => [port, tensor(h.data, h.shape, { device: this.graph.device })]));
    }
    return feeds;
  }

  /** One optimisation step on a fresh batch; resolves to the loss (read back, so the GPU has finished the step). */
  async step(): Promise<number> {
    const batches = new Map([...this.sources].map(([id, s]) => [id, s.batch(this.batchSize, this.rand)]));
    const loss = tidy(() => {
      const feeds = this.upload(batches);
      return this.graph.forward(feeds, { training: true }).loss!;
    });
    this.optimizer.zeroGrad();
    loss.backward();
    this.optimizer.step();
    this.steps++;
    const value = await loss.item();
    loss.dispose();
    return value;
  }

  /** Loss and accuracy on the held-out examples, in eval mode, without recording gradients. */
  async evaluate(maxExamples = 512): Promise<Evaluation> {
    const { loss, correct, examples } = this.encodeEvaluation(maxExamples);
    try {
      return { loss: await loss.item(), accuracy: correct ? await correct.item() : null, examples };
    } finally {
      dispose([loss, correct]);
    }
  }

  /**
   * Encodes evaluate()'s pass (synchronously, so that warmup() can walk it and compile its kernels ahead): the
   * held-out loss and, where the graph has a cross-entropy loss, the fraction of argmax predictions that are right.
   * The caller disposes both.
   */
  encodeEvaluation(maxExamples = 512): { loss: Tensor; correct: Tensor | null; examples: number } {
    const batches = new Map<string, HostBatch>();
    for (const [id, s] of this.sources) {
      const b = s.heldOut(maxExamples);
      if (!b) throw new Error(`Data node "${id}" has no held-out examples to evaluate on`);
      batches.set(id, b);
    }
    const ce = this.graph.state.nodes.find((n) => n.type === 'crossentropy' && this.graph.lossNodes.includes(n.id));
    try {
      const result = noGrad(() =>
        tidy(() => {
          const out = this.graph.forward(this.upload(batches), { training: false });
          let correct = null;
          if (ce) {
            const into = (port: string): { node: string; port: string } => this.graph.state.edges.find((e) => e.to.node === ce.id && e.to.port === port)!.from;
            const l = into('logits');
            const t = into('target');
            correct = out.outputs[l.node][l.port].argmax(-1).eq(out.outputs[t.node][t.port]).mean();
          }
          return { loss: out.loss!, correct };
        }),
      );
      const examples = [...batches.values()][0] ? Object.values([...batches.values()][0])[0].shape[0] : 0;
      return { ...result, examples };
    } finally {
      this.graph.module.train(true);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Copies the values of `src` into `dst` in place (same shape, same device), through both layouts. */
function copyInto(dst: Tensor, src: Tensor): void {
  dst.backend.copy(src.storage, src.layout, { storage: dst.storage, view: dst.layout });
}
