// Training a compiled graph: batches from its data nodes, an optimizer over its module's parameters, one step at
// a time. The editor's training controller calls step() in a loop and awaits it, so the UI stays responsive; the
// tests use it to train each example a few steps.
import { tensor, tidy, dispose, noGrad, mulberry32, optim } from '../../engine/index';
import Adam = optim.Adam;
import AdamW = optim.AdamW;
import SGD = optim.SGD;
import Optimizer = optim.Optimizer;
import type { CompiledGraph, Feeds } from './compile';
import type { DataSource, HostBatch } from './node-type';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';

export interface TrainerOptions {
  optimizer?: OptimizerName;
  lr?: number;
  batchSize?: number;
  /** Seeds the batch sampling. */
  seed?: number;
}

export interface Evaluation {
  loss: number;
  /** Fraction of correct argmax predictions of the first cross-entropy node, when there is one. */
  accuracy: number | null;
  examples: number;
}

export class Trainer {
  readonly optimizer: Optimizer;
  readonly batchSize: number;
  private readonly rand: () => number;
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
    const batches = new Map<string, HostBatch>();
    for (const [id, s] of this.sources) {
      const b = s.heldOut(maxExamples);
      if (!b) throw new Error(`Data node "${id}" has no held-out examples to evaluate on`);
      batches.set(id, b);
    }
    const ce = this.graph.state.nodes.find((n) => n.type === 'crossentropy' && this.graph.lossNodes.includes(n.id));
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
    this.graph.module.train(true);
    const loss = await result.loss.item();
    const accuracy = result.correct ? await result.correct.item() : null;
    const examples = [...batches.values()][0] ? Object.values([...batches.values()][0])[0].shape[0] : 0;
    dispose(result);
    return { loss, accuracy, examples };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
