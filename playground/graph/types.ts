// The graph model's vocabulary: nodes, edges, ports, parameters and the tensor types that shape inference
// computes. Plain data only (no classes, no DOM), so a graph serialises to JSON and a view can render it.

/** A dimension: a number, or a symbol resolved at run time ('B' the batch, 'T' a sequence length). */
export type Dim = number | string;

export type DType = 'float32' | 'int32';

export type InAttentionPositional = 'alibi' | 'rope';

/** What flows along a wire, as shape inference sees it. */
export interface TensorType {
  shape: readonly Dim[];
  dtype: DType;
  /** For int32 tensors of class or token ids: every value lies in [0, classes). */
  classes?: number;
  /**
   * Positions are encoded inside attention rather than added to the vectors: ALiBi biases the scores by distance,
   * RoPE rotates queries and keys. Set by a positional-encoding node of that kind and carried along the stream,
   * so every attention layer downstream applies it.
   */
  positional?: InAttentionPositional;
}

export type ParamValue = number | string | boolean;

interface ParamBase {
  name: string;
  label: string;
  /** One or two sentences a learner understands: what it does and what changing it does. */
  help: string;
}
export interface IntParam extends ParamBase {
  kind: 'int';
  default: number;
  min: number;
  max: number;
}
export interface FloatParam extends ParamBase {
  kind: 'float';
  default: number;
  min: number;
  max: number;
  step: number;
}
export interface ChoiceParam extends ParamBase {
  kind: 'choice';
  default: string;
  options: readonly string[];
}
export interface BoolParam extends ParamBase {
  kind: 'bool';
  default: boolean;
}
export interface TextParam extends ParamBase {
  kind: 'text';
  default: string;
  maxLength: number;
  /** What a valid value looks like, for the inspector and for validation messages. */
  pattern: RegExp;
  example: string;
}
export type ParamSpec = IntParam | FloatParam | ChoiceParam | BoolParam | TextParam;

export interface PortSpec {
  /**
   * The port's one name: shown on the node, in the palette, the inspector and messages, and used in files, share
   * links, edges ("linear_1.x") and probe(node, port). What it means in words is in `help`.
   */
  name: string;
  /** The dtype the port takes or gives; 'any' for pass-through layers. */
  dtype: DType | 'any';
  /** The expected shape in words for the palette and tooltips, e.g. "(…, features)". */
  shape: string;
  help: string;
  /** An input the node can do without (e.g. attention's separate keys/values). */
  optional?: boolean;
  /** A loss's target input: leaving it unconnected is reported as "a loss without a target". */
  target?: boolean;
}

export type Category = 'data' | 'layer' | 'combine' | 'loss';

export interface Position {
  x: number;
  y: number;
}

export interface GraphNode {
  /** Unique in its graph; a Python identifier, because it names the submodule in PyTorch export. */
  readonly id: string;
  readonly type: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly position: Position;
}

export interface PortRef {
  node: string;
  port: string;
}

/** A wire from an output port to an input port. An input port takes at most one wire. */
export interface Edge {
  readonly from: PortRef;
  readonly to: PortRef;
}

/** The whole editable graph. Immutable: every edit makes a new state, so views can compare by reference. */
export interface GraphState {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly Edge[];
}

export const EMPTY_GRAPH: GraphState = Object.freeze({ nodes: Object.freeze([]), edges: Object.freeze([]) });

export function edgeKey(e: Edge): string {
  return `${e.from.node}.${e.from.port}->${e.to.node}.${e.to.port}`;
}

export function portKey(p: PortRef): string {
  return `${p.node}.${p.port}`;
}

/** "(B, T, 64)", the way shapes are written in messages and on wires. */
export function formatShape(shape: readonly Dim[]): string {
  return `(${shape.join(', ')})`;
}

export function formatType(t: TensorType): string {
  return t.dtype === 'int32' ? `${formatShape(t.shape)} int` : formatShape(t.shape);
}
