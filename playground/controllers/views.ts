// The views' side of training, as a Lit ReactiveController beside the TrainerController. It watches the compiled
// graph through probes (graph/compile.ts) and turns what they hold into plain numbers the view elements draw:
//   - numerical health: NaN/±Inf in every node output and gradient (engine health(), counted on the GPU), and
//     the FIRST node, in forward order, where one appeared;
//   - a tensor view of one output (activation and gradient: shape, statistics, histogram, data for heatmaps);
//   - attention maps (B, H, T, S): a Multi-Head Attention node's through a probe on its `weights` output, a
//     Transformer Block's (self-attention, and cross-attention in a decoder block) computed again from its inputs
//     in the last forward pass, in eval mode without gradients (CompiledGraph.attentionMaps), so training is untouched;
//   - per-layer norms of the weights and their gradients, step by step;
//   - step-through: one forward and backward pass recorded node by node, replayed one step at a time.
// Read-backs run between training steps (TrainerController.exclusive) and at most every REFRESH_MS while
// training, so the page stays smooth however fast steps come.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CompiledGraph, OutputRef, Probe } from '../graph/compile';
import { nodeType } from '../graph/nodes/index';
import type { GraphNode } from '../graph/types';
import { cat, health, keep, noGrad, tidy, type Tensor } from '../../engine/index';
import { errorMessage } from '../dom';
import type { TrainerController } from './trainer';
import { summarize, type TensorSummary } from './tensor-summary';

/** The least time between two refreshes of the views (training runs steps in between). */
export const REFRESH_MS = 500;

export type PassPhase = 'forward' | 'backward';

export interface PassOutput {
  port: string;
  summary: TensorSummary;
}

/** One step of the step-through: a node's outputs in the forward pass, or the gradients reaching them in backward. */
export interface PassStep {
  node: string;
  phase: PassPhase;
  outputs: PassOutput[];
}

export interface PassRecord {
  steps: PassStep[];
  /** The step shown; -1 before the first. */
  cursor: number;
}

export interface HealthFlag {
  node: string;
  port: string;
  what: 'output' | 'gradient';
  nan: number;
  inf: number;
}

export interface TensorData {
  where: OutputRef;
  activation: TensorSummary | null;
  gradient: TensorSummary | null;
  /** The training step the data is from. */
  step: number;
}

/** One attention map of one node. */
export interface AttentionMapData {
  node: string;
  /** 'self': a sequence attends to itself; 'cross': to another one (a decoder's memory). */
  kind: 'self' | 'cross';
  /** (B, H, T, S). */
  weights: TensorSummary;
  /** Per batch row, the tokens of the queries (T of them), where that sequence comes from a text or translation node; else null. */
  queries: string[][] | null;
  /** Per batch row, the tokens of the keys (S of them), likewise. */
  keys: string[][] | null;
}

export interface AttentionData {
  /** Every map of every node shown, in forward order (a decoder block's self-attention before its cross-attention). */
  maps: AttentionMapData[];
  step: number;
}

export interface NormHistory {
  /** Node ids with parameters, in forward order. */
  layers: string[];
  steps: number[];
  /** weight[layer][sample]: the L2 norm of all the layer's parameters. */
  weight: number[][];
  /** grad[layer][sample]: the L2 norm of their gradients (null before any backward pass). */
  grad: Array<Array<number | null>>;
}

function key(r: OutputRef): string {
  return `${r.node}.${r.port}`;
}

/** The node as the compiled graph knows it; undefined for one added (or removed) since that compile. */
function compiledNode(g: CompiledGraph, id: string): GraphNode | undefined {
  return g.state.nodes.find((n) => n.id === id);
}

async function read(t: Tensor): Promise<TensorSummary> {
  const [data, h] = await Promise.all([t.toArray(), health(t)]);
  return summarize(data, t.shape, h);
}

export class ViewsController implements ReactiveController {
  /** Bumped whenever anything below changes. */
  version = 0;
  tensor: TensorData | null = null;
  attention: AttentionData | null = null;
  pass: PassRecord | null = null;
  /** Every output or gradient found holding NaN or Inf at the last check, in forward order. */
  flags: HealthFlag[] = [];
  /** Where the trouble first appeared: the first flagged output in forward order, else the first flagged gradient in backward order. */
  first: HealthFlag | null = null;
  norms: NormHistory = { layers: [], steps: [], weight: [], grad: [] };
  /** A pass is being recorded for the step-through. */
  recording = false;
  error = '';

  private graph: CompiledGraph | null = null;
  /** A probe on every output that is wired onward (or is a loss), by "node.port". */
  private watch = new Map<string, Probe>();
  private target: OutputRef | null = null;
  private targetProbe: Probe | null = null;
  /** The nodes whose attention maps are shown (Multi-Head Attention nodes and Transformer Blocks). */
  private attentionNodes: readonly string[] = [];
  /** A probe on each shown Multi-Head Attention node's `weights` output, by node id. */
  private attentionProbes = new Map<string, Probe>();
  private seen = -1;
  private refreshing = false;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRefresh = 0;
  private lastNormStep = -1;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly trainer: TrainerController,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    // After the update, not inside it: attaching asks the host to render again.
    queueMicrotask(() => this._sync());
  }

  private _sync(): void {
    if (this.trainer.graph !== this.graph) this._attach(this.trainer.graph);
    if (this.trainer.version !== this.seen) {
      this.seen = this.trainer.version;
      if (this.graph) this._schedule();
    }
  }

  hostDisconnected(): void {
    this._attach(null);
  }

  private _changed(): void {
    this.version++;
    this.host.requestUpdate();
  }

  /** Moves the probes to a newly compiled graph (or drops them), and clears what the views showed. */
  private _attach(g: CompiledGraph | null): void {
    for (const p of this.watch.values()) p.dispose();
    this.watch.clear();
    this.targetProbe?.dispose();
    this.targetProbe = null;
    for (const p of this.attentionProbes.values()) p.dispose();
    this.attentionProbes.clear();
    this.graph = g;
    this.tensor = this.attention = this.pass = this.first = null;
    this.error = ''; // whatever went wrong was about the graph being dropped
    this.flags = [];
    this.norms = { layers: [], steps: [], weight: [], grad: [] };
    this.lastNormStep = -1;
    if (g) {
      for (const [id, port, isData] of this._outputs(g)) {
        this.watch.set(`${id}.${port}`, g.probe(id, port, { activation: true, gradient: !isData }));
      }
      const target = this.target;
      const attention = this.attentionNodes;
      this.target = null;
      this.attentionNodes = [];
      this.setTarget(target);
      this.setAttention(attention);
    }
    this._changed();
  }

  /** Every output that is wired onward or is a loss: [node, port, is a data node], in forward order. */
  private _outputs(g: CompiledGraph): Array<[string, string, boolean]> {
    const consumed = new Set(g.state.edges.map((e) => key(e.from)));
    const out: Array<[string, string, boolean]> = [];
    for (const id of g.order) {
      const def = nodeType(g.state.nodes.find((n) => n.id === id)!.type);
      for (const p of def.outputs) {
        if (consumed.has(`${id}.${p.name}`) || def.category === 'loss') out.push([id, p.name, def.category === 'data']);
      }
    }
    return out;
  }

  /** The output the tensor view shows (null: none). Outputs nobody reads get a probe of their own. */
  setTarget(where: OutputRef | null): void {
    if ((where && this.target && key(where) === key(this.target)) || (!where && !this.target)) return;
    this.target = where;
    this.targetProbe?.dispose();
    this.targetProbe = null;
    this.tensor = null;
    const g = this.graph;
    const node = where && g ? compiledNode(g, where.node) : undefined;
    // A node added since the last compile is not in the compiled graph: it gets its probe when the recompiled
    // graph attaches (_attach sets the target again). Probing it here would fail on a node the graph lacks.
    if (where && g && node && !this.watch.has(key(where))) {
      try {
        this.targetProbe = g.probe(where.node, where.port, { activation: true, gradient: nodeType(node.type).category !== 'data' });
      } catch (e) {
        this.error = errorMessage(e);
      }
    }
    this._changed();
    this._schedule(true);
  }

  /**
   * The nodes whose attention maps are shown (none: null or []). Asking for a Multi-Head Attention node's weights
   * makes it compute them in every forward pass from now on; a Transformer Block's are computed at each refresh.
   */
  setAttention(nodes: string | readonly string[] | null): void {
    const list = nodes === null ? [] : typeof nodes === 'string' ? [nodes] : [...nodes];
    if (list.join('\n') === this.attentionNodes.join('\n')) return;
    this.attentionNodes = list;
    for (const p of this.attentionProbes.values()) p.dispose();
    this.attentionProbes.clear();
    this.attention = null;
    const g = this.graph;
    for (const id of list) {
      // As in setTarget: a node the compiled graph doesn't have yet is probed when its graph attaches.
      const node = g ? compiledNode(g, id) : undefined;
      if (g && node?.type === 'attention') this.attentionProbes.set(id, g.probe(id, 'weights', { activation: true, gradient: false }));
    }
    this._changed();
    this._schedule(true);
  }

  private _probeFor(where: OutputRef): Probe | null {
    return this.watch.get(key(where)) ?? (this.target && key(this.target) === key(where) ? this.targetProbe : null);
  }

  // ---- refreshing, throttled ----

  private _schedule(now = false): void {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    if (this.timer) {
      if (!now) return;
      clearTimeout(this.timer);
    }
    const wait = now ? 0 : Math.max(0, REFRESH_MS - (performance.now() - this.lastRefresh));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this._refresh();
    }, wait);
  }

  private async _refresh(): Promise<void> {
    const g = this.graph;
    if (!g || this.refreshing) return;
    this.refreshing = true;
    try {
      await this.trainer.exclusive(() => this._read(g));
      this.error = '';
    } catch (e) {
      if (g === this.graph) this.error = `A view could not read the GPU: ${errorMessage(e)}`;
    } finally {
      this.refreshing = false;
      this.lastRefresh = performance.now();
      this._changed();
      if (this.again) {
        this.again = false;
        this._schedule();
      }
    }
  }

  private async _read(g: CompiledGraph): Promise<void> {
    if (g !== this.graph) return;
    const step = this.trainer.stepCount;
    await this._checkHealth(g);
    const target = this.target;
    const probe = target ? this._probeFor(target) : null;
    if (target && probe && (probe.activation || probe.gradient)) {
      this.tensor = {
        where: target,
        activation: probe.activation ? await read(probe.activation) : null,
        gradient: probe.gradient ? await read(probe.gradient) : null,
        step,
      };
    }
    if (this.attentionNodes.length) {
      const maps = await this._attentionMaps(g);
      if (maps.length) this.attention = { maps, step };
    }
    await this._sampleNorms(g, step);
  }

  /** Every map of the shown nodes, read back with the tokens along both axes; the GPU copies are freed as read. */
  private async _attentionMaps(g: CompiledGraph): Promise<AttentionMapData[]> {
    const out: AttentionMapData[] = [];
    const tokens = new Map<string, Promise<string[][] | null>>();
    const tokensInto = (node: string, port: string): Promise<string[][] | null> => {
      const k = `${node}.${port}`;
      if (!tokens.has(k)) tokens.set(k, this._tokens(g, node, port));
      return tokens.get(k)!;
    };
    const rank = new Map(g.order.map((id, i) => [id, i]));
    const nodes = this.attentionNodes.filter((id) => rank.has(id)).sort((a, b) => rank.get(a)! - rank.get(b)!);
    for (const node of nodes) {
      const probe = this.attentionProbes.get(node);
      if (probe?.activation) {
        const memory = g.state.edges.some((e) => e.to.node === node && e.to.port === 'memory');
        out.push({
          node, kind: memory ? 'cross' : 'self', weights: await read(probe.activation),
          queries: await tokensInto(node, 'x'), keys: await tokensInto(node, memory ? 'memory' : 'x'),
        });
        continue;
      }
      if (!g.hasAttentionMaps(node)) continue;
      // The block's inputs in the last forward pass: every wired output is watched, so each has a probe.
      const inputs: Record<string, Tensor> = {};
      for (const e of g.state.edges) {
        const t = e.to.node === node ? this.watch.get(key(e.from))?.activation : undefined;
        if (t) inputs[e.to.port] = t;
      }
      if (!inputs.x) continue; // no forward pass yet
      const maps = g.attentionMaps(node, inputs);
      try {
        for (const m of maps) {
          out.push({ node, kind: m.kind, weights: await read(m.weights), queries: await tokensInto(node, m.queries), keys: await tokensInto(node, m.keys) });
        }
      } finally {
        for (const m of maps) m.weights.dispose();
      }
    }
    return out;
  }

  /** Health of every watched output and gradient; flags the bad ones and finds where the trouble began. */
  private async _checkHealth(g: CompiledGraph): Promise<void> {
    const flags: HealthFlag[] = [];
    for (const [where, probe] of this.watch) {
      const [node, port] = where.split('.');
      for (const [what, t] of [['output', probe.activation], ['gradient', probe.gradient]] as const) {
        if (!t || t.dtype !== 'float32') continue;
        const h = await health(t);
        if (!h.finite) flags.push({ node, port, what, nan: h.nan, inf: h.posInf + h.negInf });
      }
    }
    const rank = new Map(g.order.map((id, i) => [id, i]));
    flags.sort((a, b) => rank.get(a.node)! - rank.get(b.node)!);
    this.flags = flags;
    // The forward pass runs in order, so the first bad output is where it began; with every output finite, the
    // backward pass ran in reverse, so the bad gradient latest in forward order came first.
    this.first = flags.find((f) => f.what === 'output') ?? flags.filter((f) => f.what === 'gradient').at(-1) ?? null;
  }

  /**
   * The tokens of the sequence arriving at a node's input port, per batch row: the ids of the data node output
   * (B, T) whose wires lead there (through embeddings, positions, earlier blocks), decoded with that data node's
   * vocabulary. Null where no token ids lead there.
   */
  private async _tokens(g: CompiledGraph, node: string, port: string): Promise<string[][] | null> {
    const seen = new Set<string>();
    const queue = g.state.edges.filter((e) => e.to.node === node && e.to.port === port).map((e) => e.from);
    while (queue.length) {
      const from = queue.shift()!;
      if (seen.has(key(from))) continue;
      seen.add(key(from));
      const vocab = this.trainer.dataSource(from.node)?.vocabulary;
      const t = this.watch.get(key(from))?.activation;
      if (vocab && t && t.dtype === 'int32' && t.ndim === 2) {
        const ids = await t.toArray();
        const [B, T] = t.shape;
        return Array.from({ length: B }, (_, b) => Array.from(ids.subarray(b * T, (b + 1) * T), (i) => vocab[i] ?? '?'));
      }
      for (const e of g.state.edges) if (e.to.node === from.node) queue.push(e.from);
    }
    return null;
  }

  /** A sample of every layer's weight and gradient norm (once per refresh, when a step ran since), read back in one go. */
  private async _sampleNorms(g: CompiledGraph, step: number): Promise<void> {
    if (step === this.lastNormStep) return;
    const layers = g.module.children().filter(([, m]) => m.parameters().length > 0);
    if (!layers.length) return;
    const anyGrad = layers.some(([, m]) => m.parameters().some((p) => p.grad));
    const squares = noGrad(() =>
      tidy(() =>
        cat(
          layers.flatMap(([, m]) => {
            const ps = m.parameters();
            const w = ps.map((p) => p.square().sum()).reduce((a, b) => a.add(b));
            const grads = ps.flatMap((p) => (p.grad ? [p.grad.square().sum()] : []));
            const gr = grads.length ? grads.reduce((a, b) => a.add(b)) : w.mul(0);
            return [w.reshape([1]), gr.reshape([1])];
          }),
          0,
        ),
      ),
    );
    const values = await squares.toArray();
    squares.dispose();
    this.lastNormStep = step;
    const n = this.norms;
    if (n.layers.length !== layers.length) {
      n.layers = layers.map(([id]) => id);
      n.weight = layers.map(() => []);
      n.grad = layers.map(() => []);
      n.steps = [];
    }
    n.steps.push(step);
    layers.forEach((_, i) => {
      n.weight[i].push(Math.sqrt(values[2 * i]));
      n.grad[i].push(anyGrad ? Math.sqrt(values[2 * i + 1]) : null);
    });
  }

  // ---- step-through ----

  /**
   * Records one forward and backward pass on a fresh batch (weights unchanged), keeping what every node
   * computed: each output in forward order, then each gradient in the order backward() produced them.
   */
  async recordPass(): Promise<void> {
    if (this.recording || this.trainer.isTraining) return;
    if (!(await this.trainer.prepare())) return;
    const g = this.trainer.graph;
    if (!g) return;
    if (g !== this.graph) this._attach(g);
    this.recording = true;
    this._changed();
    const captured: Array<{ node: string; port: string; phase: PassPhase; t: Tensor }> = [];
    const off: Array<() => void> = [];
    for (const [id, port, isData] of this._outputs(g)) {
      off.push(g.onActivation(id, port, (t) => captured.push({ node: id, port, phase: 'forward', t: keep(t.detach()) })));
      if (!isData) off.push(g.onGradient(id, port, (t) => captured.push({ node: id, port, phase: 'backward', t: keep(t.detach()) })));
    }
    try {
      await this.trainer.backward();
    } finally {
      for (const f of off) f();
    }
    try {
      const steps = await this.trainer.exclusive(async () => {
        const out: PassStep[] = [];
        for (const c of captured) {
          const summary = await read(c.t);
          const last = out.find((s) => s.node === c.node && s.phase === c.phase);
          if (last) last.outputs.push({ port: c.port, summary });
          else out.push({ node: c.node, phase: c.phase, outputs: [{ port: c.port, summary }] });
        }
        return out;
      });
      if (g === this.graph) this.pass = { steps, cursor: 0 };
    } catch (e) {
      this.error = `The pass could not be read back: ${errorMessage(e)}`;
    } finally {
      for (const c of captured) c.t.dispose();
      this.recording = false;
      this._changed();
      this._schedule(true);
    }
  }

  /** Moves the step-through to a step (clamped). */
  seek(cursor: number): void {
    if (!this.pass) return;
    this.pass = { ...this.pass, cursor: Math.max(0, Math.min(this.pass.steps.length - 1, cursor)) };
    this._changed();
  }

  closePass(): void {
    this.pass = null;
    this._changed();
  }
}
