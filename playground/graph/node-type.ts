// What a node type declares: ports, parameters, and three rules — shape inference, compilation to engine modules,
// and export to PyTorch. Each node type is one small file in nodes/ holding one NodeTypeDef; the table in
// nodes/index.ts registers it, so the validator, compiler and exporter all find it there.
import { nn, type DeviceName, type Tensor } from '../../engine/index';
import Module = nn.Module;
import type { Category, GraphNode, ParamSpec, ParamValue, PortSpec, TensorType } from './types';

/** Typed access to a node's parameters, defaults filled in. */
export interface ParamReader {
  int(name: string): number;
  float(name: string): number;
  choice(name: string): string;
  bool(name: string): boolean;
  text(name: string): string;
}

export type IssueCode =
  | 'shape-mismatch'
  | 'dtype-mismatch'
  | 'cycle'
  | 'unconnected-input'
  | 'loss-without-target'
  | 'param-out-of-range'
  | 'unknown-size'
  | 'dim-conflict'
  | 'no-loss';

export interface InferContext extends ParamReader {
  readonly node: GraphNode;
  /**
   * The type arriving at an input port. Undefined when the port is unconnected (the validator has already
   * reported a required one) or its source could not be inferred (the source carries that error).
   */
  input(port: string): TensorType | undefined;
  /** The number a symbolic dim was bound to by a data node (T = a corpus's block size), if any. */
  dim(symbol: string): number | undefined;
  /** Data nodes bind the symbols their outputs use. Binding one symbol to two numbers is reported. */
  bind(symbol: string, value: number): void;
  /** Reports a problem on this node, naming the port or parameter at fault. */
  error(code: IssueCode, message: string, where?: { port?: string; param?: string }): void;
}

export interface RunContext {
  /** Tensors for the data nodes' outputs, by node id then port. */
  readonly feeds: Readonly<Record<string, Readonly<Record<string, Tensor>>>>;
  readonly training: boolean;
  /**
   * Whether an optional output is read (wired onward, or watched by a hook): outputs that cost extra, such as
   * attention weights, are computed only then.
   */
  wants(node: string, port: string): boolean;
}

export interface CompileContext extends ParamReader {
  readonly node: GraphNode;
  readonly inputs: Readonly<Record<string, TensorType | undefined>>;
  readonly outputs: Readonly<Record<string, TensorType>>;
  readonly device: DeviceName;
  /** A seed derived from the graph seed and the node id, so one node's init does not shift when another is added. */
  readonly seed: number;
}

/** One attention map a node forms inside itself: which sequence asks (queries) and which is looked at (keys). */
export interface AttentionMap {
  /** 'self': the input attends to itself; 'cross': the input attends to another sequence. */
  kind: 'self' | 'cross';
  /** (B, H, T, S). */
  weights: Tensor;
  /** The input ports the queries (T) and the keys (S) come from. */
  queries: string;
  keys: string;
}

/** A compiled node: its parameters live in `module` (registered under the node id), its computation in forward. */
export interface NodeRuntime {
  module?: Module;
  forward(inputs: Readonly<Record<string, Tensor>>, run: RunContext): Record<string, Tensor>;
  /**
   * Nodes with attention inside them (a Transformer Block): the maps their forward pass forms on these inputs, for
   * the Attention view. Run in eval mode without gradients; the caller disposes the weights.
   */
  attention?(inputs: Readonly<Record<string, Tensor>>): AttentionMap[];
}

export interface PyContext extends ParamReader {
  readonly node: GraphNode;
  readonly inputs: Readonly<Record<string, TensorType | undefined>>;
  readonly outputs: Readonly<Record<string, TensorType>>;
  /** The submodule attribute, e.g. "self.linear_1". */
  readonly attr: string;
}

/** A Python class the generated file must define once (e.g. MultiHeadAttention), keyed by its name. */
export interface PyHelper {
  name: string;
  code: string;
}

export interface PyNode {
  /** A Python expression building the submodule, assigned to `self.<id>`; absent for parameter-free steps. */
  init?: string;
  /** Python expressions for each output port, given the variable names holding each input. */
  forward(args: Readonly<Record<string, string>>): Record<string, string>;
  helpers?: PyHelper[];
  /** Extra imports, e.g. "import math". */
  imports?: string[];
}

export interface NodeTypeDef {
  type: string;
  label: string;
  category: Category;
  /** What the node does, in a sentence or two a learner understands. */
  help: string;
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
  params: readonly ParamSpec[];
  /** The default output types from the input types, or null when they can't be inferred (errors reported). */
  infer(ctx: InferContext): Record<string, TensorType> | null;
  compile(ctx: CompileContext): NodeRuntime;
  pytorch(ctx: PyContext): PyNode;
  /** Data nodes only: where their batches come from. */
  source?(params: ParamReader): DataSource;
}

/** Host-side arrays for one data node's outputs. */
export interface HostTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}
export type HostBatch = Record<string, HostTensor>;

export interface DataSource {
  /** Loads what the source needs (MNIST's digit files); cheap sources resolve at once. */
  load(): Promise<void>;
  /** A training batch of `size` examples drawn with `rand`, by output port. */
  batch(size: number, rand: () => number): HostBatch;
  /** A fixed held-out set of at most `max` examples for measuring accuracy, or null when the source has none. */
  heldOut(max: number): HostBatch | null;
  /** Token sources: the character of each id, so samples can be printed. */
  vocabulary?: string;
  /**
   * The training data an exported project ships (export-project.ts), a fixed set where the playground draws fresh
   * batches: sources that generate examples draw a set of them with `rand`; the others give what they sample from.
   */
  trainingSet(rand: () => number): TrainingSet;
}

/**
 * Training data as a project ships it: `examples` holds N examples per output port (first dim N), `generated` when
 * they are a fixed draw from a generator the playground samples afresh; `stream` is a token stream whose windows
 * of `blockSize` ids are the first port and the same window one id later the second.
 */
export type TrainingSet =
  | { kind: 'examples'; examples: HostBatch; generated?: boolean }
  | { kind: 'stream'; ids: Int32Array; blockSize: number; ports: readonly [input: string, target: string] };

/** Reads params of a node against its type's specs; missing ones take their default. */
export function paramReader(def: NodeTypeDef, params: Readonly<Record<string, ParamValue>>): ParamReader {
  const get = (name: string, kind: ParamSpec['kind']): ParamValue => {
    const spec = def.params.find((p) => p.name === name);
    if (!spec) throw new Error(`internal: ${def.type} has no parameter "${name}"`);
    if (spec.kind !== kind) throw new Error(`internal: ${def.type}.${name} is a ${spec.kind} parameter, read as ${kind}`);
    return Object.hasOwn(params, name) ? params[name] : spec.default;
  };
  return {
    int: (n) => get(n, 'int') as number,
    float: (n) => get(n, 'float') as number,
    choice: (n) => get(n, 'choice') as string,
    bool: (n) => get(n, 'bool') as boolean,
    text: (n) => get(n, 'text') as string,
  };
}

/** Whether a value has the right JS type for a parameter (range is checked separately, by validation). */
export function paramTypeOk(spec: ParamSpec, value: ParamValue): boolean {
  switch (spec.kind) {
    case 'int':
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'choice':
    case 'text':
      return typeof value === 'string';
  }
}

/** Why a parameter value is out of range, in words, or null when it is fine. */
export function paramRangeProblem(spec: ParamSpec, value: ParamValue): string | null {
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `${spec.label} must be a whole number, got ${String(value)}`;
      if (value < spec.min || value > spec.max) return `${spec.label} must be between ${spec.min} and ${spec.max}, got ${value}`;
      return null;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.label} must be a number, got ${String(value)}`;
      if (value < spec.min || value > spec.max) return `${spec.label} must be between ${spec.min} and ${spec.max}, got ${value}`;
      return null;
    case 'choice':
      return spec.options.includes(String(value)) ? null : `${spec.label} must be one of ${spec.options.join(', ')}, got "${String(value)}"`;
    case 'bool':
      return typeof value === 'boolean' ? null : `${spec.label} must be true or false`;
    case 'text':
      if (typeof value !== 'string' || value.length > spec.maxLength) return `${spec.label} must be at most ${spec.maxLength} characters`;
      return spec.pattern.test(value) ? null : `${spec.label} must look like "${spec.example}", got "${value}"`;
  }
}
