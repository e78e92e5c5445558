// The registry: every node type, by name. Adding a node type is one file in this folder plus one line here; the
// validator, compiler, schema, palette and PyTorch exporter all read this table.
import type { NodeTypeDef } from '../node-type';
import { xor } from './xor';
import { spirals } from './spirals';
import { mnist } from './mnist';
import { text } from './text';
import { translation } from './translation';
import { linear } from './linear';
import { embedding } from './embedding';
import { positional } from './positional';
import { relu, gelu, tanh, sigmoid } from './activations';
import { softmax } from './softmax';
import { layernorm } from './layernorm';
import { dropout } from './dropout';
import { attention } from './attention';
import { transformer } from './transformer';
import { reshape, flatten } from './reshape';
import { patches } from './patches';
import { classtoken } from './class-token';
import { select } from './select';
import { add, concat } from './combine';
import { crossentropy, mse } from './losses';

export const NODE_TYPES = {
  xor, spirals, mnist, text, translation,
  linear, embedding, positional, relu, gelu, tanh, sigmoid, softmax, layernorm, dropout, attention, transformer, reshape, flatten,
  patches, classtoken, select,
  add, concat,
  crossentropy, mse,
} as const satisfies Record<string, NodeTypeDef>;

export type NodeTypeName = keyof typeof NODE_TYPES;

export const NODE_TYPE_NAMES = Object.keys(NODE_TYPES) as NodeTypeName[];

export function isNodeType(type: string): type is NodeTypeName {
  return Object.hasOwn(NODE_TYPES, type);
}

/** The definition of a node type; throws for an unknown name (loaded files are checked against the table first). */
export function nodeType(type: string): NodeTypeDef {
  if (!isNodeType(type)) throw new Error(`Unknown node type "${type}"`);
  const def: NodeTypeDef = NODE_TYPES[type];
  if (def.type !== type) throw new Error(`internal: node type "${type}" is registered under the wrong name (${def.type})`);
  return def;
}
