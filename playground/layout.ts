// Node geometry shared by the canvas (which draws wires to the ports) and the node element (which draws the
// ports). Ports sit at fixed offsets computed from the node type, so wires never wait for the DOM to be measured.
import type { NodeTypeDef } from './graph/node-type';
import type { Position } from './graph/types';

export const NODE_WIDTH = 150;
export const NODE_HEADER = 30;
export const PORT_ROW = 24;

/** Where a port's dot sits, in graph coordinates, for a node at `at`. */
export function portPosition(def: NodeTypeDef, at: Position, port: string, kind: 'in' | 'out'): Position {
  const list = kind === 'in' ? def.inputs : def.outputs;
  const i = Math.max(0, list.findIndex((p) => p.name === port));
  return { x: at.x + (kind === 'in' ? 0 : NODE_WIDTH), y: at.y + NODE_HEADER + i * PORT_ROW + PORT_ROW / 2 };
}

/** The height of a node's header and port rows (issues listed below them add to it, but no port moves). */
export function nodeBodyHeight(def: NodeTypeDef): number {
  return NODE_HEADER + Math.max(1, def.inputs.length, def.outputs.length) * PORT_ROW;
}
