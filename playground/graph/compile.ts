// Compiles a valid graph into an engine Module (one child per node with parameters, named by node id, so
// parameter names read "linear_1.weight" as in the exported PyTorch) and a forward function that runs the nodes in
// topological order. Views hook into every node output: activation hooks see each output as it is computed, and
// gradient hooks see d(loss)/d(output) during backward().
//
// How gradients of intermediate outputs are caught: the engine's backward keeps gradients only for leaves. When
// a gradient hook is registered on an output, forward() routes that output through an identity step recorded on
// the autograd graph (a "probe"); every consumer reads the probe, so its backward rule receives the total gradient
// of the output, reports it to the hooks, and passes it on unchanged.
//
// Kernels are compiled once per device by the backend's pipeline cache (keyed by WGSL source), so compiling the
// same graph again — or a similar one — reuses every pipeline; only parameters are new.
import { getDefaultDevice, keep, nn, noGrad, record, type DeviceName, type Tensor } from '../../engine/index';
import Module = nn.Module;
import { nodeType } from './nodes/index';
import { paramReader, type AttentionMap, type DataSource, type NodeRuntime, type RunContext } from './node-type';
import { validate, type Issue, type Validation } from './validate';
import type { GraphState, TensorType } from './types';
import type { Graph } from './graph';

export class GraphCompileError extends Error {
  override name = 'GraphCompileError';
  constructor(readonly issues: readonly Issue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(
      `The graph can't run yet (${errors.length} problem${errors.length === 1 ? '' : 's'}): ` +
        errors.slice(0, 3).map((i) => `${i.node ? `${i.node}${i.port ? `.${i.port}` : ''}: ` : ''}${i.message}`).join(' '),
    );
  }
}

export interface CompileOptions {
  device?: DeviceName;
  /** Seeds every node's initialisation (each node mixes in its id). */
  seed?: number;
}

/** Tensors for data nodes: feeds[nodeId][port]. */
export type Feeds = Record<string, Record<string, Tensor>>;

export interface OutputRef {
  node: string;
  port: string;
}

/**
 * Called with a node output during forward (activation) or its gradient during backward. The tensor is valid
 * only during the call; to keep it, `keep(t.detach())` it (or use a Probe, which does).
 */
export type TensorHook = (t: Tensor, where: OutputRef) => void;

export interface ForwardOptions {
  /** Training mode (dropout active); default: the module's mode. */
  training?: boolean;
  /**
   * False: no activation or gradient hook sees this pass, and outputs only hooks read are not computed. For work
   * beside training that the views must not mistake for a training step, such as sampling. Default true.
   */
  hooks?: boolean;
}

export interface ForwardResult {
  /** The sum of every loss node's output, or null when the graph has no loss. */
  loss: Tensor | null;
  /** Every node output, by node id then port. */
  outputs: Record<string, Record<string, Tensor>>;
}

/** The graph's parameters: one child module per node that has any, in topological order, named by node id. */
export class GraphModule extends Module {
  constructor(private readonly nodes: ReadonlyArray<readonly [string, Module]>) {
    super();
  }

  override children(): Array<[string, Module]> {
    return this.nodes.map(([id, m]) => [id, m]);
  }

  /** Submodule of a node, if it has one. */
  node(id: string): Module | undefined {
    return this.nodes.find(([n]) => n === id)?.[1];
  }

  forward(): Tensor {
    throw new Error('GraphModule.forward: call CompiledGraph.forward(feeds), which knows the wiring');
  }
}

/** Keeps the latest activation and gradient of one output alive for a view, freeing the previous ones. */
export class Probe {
  activation: Tensor | null = null;
  gradient: Tensor | null = null;
  /** Incremented on every update, so a view can tell whether to redraw. */
  version = 0;
  private readonly off: Array<() => void>;

  constructor(graph: CompiledGraph, readonly where: OutputRef, what: { activation?: boolean; gradient?: boolean } = {}) {
    this.off = [];
    if (what.activation !== false) {
      this.off.push(graph.onActivation(where.node, where.port, (t) => {
        this.activation?.dispose();
        this.activation = keep(t.detach());
        this.version++;
      }));
    }
    if (what.gradient !== false) {
      this.off.push(graph.onGradient(where.node, where.port, (g) => {
        this.gradient?.dispose();
        this.gradient = keep(g.detach());
        this.version++;
      }));
    }
  }

  dispose(): void {
    for (const f of this.off) f();
    this.activation?.dispose();
    this.gradient?.dispose();
    this.activation = this.gradient = null;
  }
}

/** FNV-1a of the node id mixed into the graph seed: adding a node never changes another node's initial weights. */
function nodeSeed(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class CompiledGraph {
  readonly module: GraphModule;
  /** Node ids in the order forward() runs them. */
  readonly order: readonly string[];
  readonly dataNodes: readonly string[];
  readonly lossNodes: readonly string[];
  private readonly runtimes = new Map<string, NodeRuntime>();
  private readonly activationHooks = new Map<string, Set<TensorHook>>();
  private readonly gradientHooks = new Map<string, Set<TensorHook>>();
  private readonly consumed: Set<string>;

  constructor(
    readonly state: GraphState,
    readonly validation: Validation,
    readonly device: DeviceName,
    seed: number,
  ) {
    if (!validation.ok || !validation.order) throw new GraphCompileError(validation.issues);
    this.order = validation.order;
    const byId = new Map(state.nodes.map((n) => [n.id, n]));
    const modules: Array<[string, Module]> = [];
    for (const id of this.order) {
      const node = byId.get(id)!;
      const def = nodeType(node.type);
      const inputs: Record<string, TensorType | undefined> = {};
      for (const p of def.inputs) inputs[p.name] = validation.inputType(id, p.name);
      const outputs: Record<string, TensorType> = {};
      for (const p of def.outputs) {
        const t = validation.outputType(id, p.name);
        if (t) outputs[p.name] = t;
      }
      const runtime = def.compile({ ...paramReader(def, node.params), node, inputs, outputs, device, seed: nodeSeed(seed, id) });
      this.runtimes.set(id, runtime);
      if (runtime.module) modules.push([id, runtime.module]);
    }
    this.module = new GraphModule(modules);
    this.dataNodes = this.order.filter((id) => nodeType(byId.get(id)!.type).category === 'data');
    this.lossNodes = this.order.filter((id) => nodeType(byId.get(id)!.type).category === 'loss');
    this.consumed = new Set(state.edges.map((e) => `${e.from.node}.${e.from.port}`));
  }

  /** The data sources behind the graph's data nodes, by node id (not yet loaded). */
  sources(): Map<string, DataSource> {
    const out = new Map<string, DataSource>();
    for (const id of this.dataNodes) {
      const node = this.state.nodes.find((n) => n.id === id)!;
      const def = nodeType(node.type);
      if (!def.source) throw new Error(`internal: data node type ${def.type} has no source`);
      out.set(id, def.source(paramReader(def, node.params)));
    }
    return out;
  }

  /** Registers an activation hook on a node output; returns the function that removes it. */
  onActivation(node: string, port: string, hook: TensorHook): () => void {
    return this.addHook(this.activationHooks, node, port, hook);
  }

  /** Registers a gradient hook: called with d(loss)/d(output) when backward() passes through that output. */
  onGradient(node: string, port: string, hook: TensorHook): () => void {
    return this.addHook(this.gradientHooks, node, port, hook);
  }

  /** A Probe holding the latest activation and gradient of an output. Dispose it when the view closes. */
  probe(node: string, port: string, what?: { activation?: boolean; gradient?: boolean }): Probe {
    return new Probe(this, { node, port }, what);
  }

  private addHook(map: Map<string, Set<TensorHook>>, node: string, port: string, hook: TensorHook): () => void {
    const def = nodeType(this.state.nodes.find((n) => n.id === node)?.type ?? '');
    if (!def.outputs.some((p) => p.name === port)) throw new Error(`Node "${node}" has no output "${port}"`);
    const key = `${node}.${port}`;
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(hook);
    return () => set.delete(hook);
  }

  /**
   * Runs every node in topological order. Synchronous (it only encodes GPU work), so a whole forward and backward
   * fit inside one tidy(). Returns the total loss and every node output.
   */
  forward(feeds: Feeds, opts: ForwardOptions = {}): ForwardResult {
    if (opts.training !== undefined) this.module.train(opts.training);
    const hooks = opts.hooks ?? true;
    const run: RunContext = {
      feeds,
      training: this.module.training,
      wants: (node, port) => {
        const key = `${node}.${port}`;
        return this.consumed.has(key) || (hooks && (this.activationHooks.get(key)?.size ?? 0) > 0);
      },
    };
    const outputs: Record<string, Record<string, Tensor>> = {};
    for (const id of this.order) {
      const inputs: Record<string, Tensor> = {};
      for (const e of this.state.edges) {
        if (e.to.node === id) inputs[e.to.port] = outputs[e.from.node][e.from.port];
      }
      const produced = this.runtimes.get(id)!.forward(inputs, run);
      if (hooks) for (const [port, t] of Object.entries(produced)) produced[port] = this.observe(id, port, t);
      outputs[id] = produced;
    }
    let loss: Tensor | null = null;
    for (const id of this.lossNodes) {
      const l = outputs[id].loss;
      loss = loss ? loss.add(l) : l;
    }
    return { loss, outputs };
  }

  /** Inserts a gradient probe when someone listens for this output's gradient, then reports the activation. */
  private observe(node: string, port: string, t: Tensor): Tensor {
    const where = { node, port };
    const key = `${node}.${port}`;
    const gradHooks = this.gradientHooks.get(key);
    let out = t;
    if (gradHooks?.size && t.requiresGrad) {
      // d out / d t = identity: report g, pass it on unchanged.
      out = record('probe', t.detach(), [t], (g) => {
        for (const h of gradHooks) h(g, where);
        return [g];
      });
    }
    for (const h of this.activationHooks.get(key) ?? []) h(out, where);
    return out;
  }

  /** Whether a node forms attention maps inside itself (a Transformer Block) that attentionMaps() hands out. */
  hasAttentionMaps(node: string): boolean {
    return this.runtimes.get(node)?.attention !== undefined;
  }

  /**
   * The attention maps a node forms on the given inputs (typically its inputs in the last forward pass), computed
   * again in eval mode without gradients: no dropout draws, so training goes on exactly as without them. The
   * caller disposes the weights. Empty for nodes without maps inside them.
   */
  attentionMaps(node: string, inputs: Readonly<Record<string, Tensor>>): AttentionMap[] {
    const runtime = this.runtimes.get(node);
    if (!runtime?.attention) return [];
    const training = this.module.training;
    this.module.train(false);
    try {
      return noGrad(() => runtime.attention!(inputs));
    } finally {
      this.module.train(training);
    }
  }

  /** Frees the parameters (and anything probes still hold is theirs to dispose). */
  dispose(): void {
    for (const p of this.module.parameters()) {
      p.grad?.dispose();
      p.grad = null;
      p.dispose();
    }
  }
}

/** Validates and compiles a graph (a store or a state). Throws GraphCompileError naming the problems if invalid. */
export function compileGraph(graph: Graph | GraphState, opts: CompileOptions = {}): CompiledGraph {
  const state = 'state' in graph ? graph.state : graph;
  const validation = 'validation' in graph ? graph.validation : validate(state);
  return new CompiledGraph(state, validation, opts.device ?? getDefaultDevice(), opts.seed ?? 0);
}
