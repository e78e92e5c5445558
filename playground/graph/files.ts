// Save and Open with files: the graph as JSON, and its trained weights as safetensors beside it
// ("my-net.json" + "my-net.safetensors"). Weights are optional: a graph opens untrained without them.
import { loadModuleSafetensors, saveModuleSafetensors } from '../../engine/index';
import type { CompiledGraph } from './compile';
import { serializeGraph, type TrainSettings } from './schema';
import type { GraphState } from './types';

export interface SavedFiles {
  json: string;
  /** Null when no compiled (trained) module was given. */
  weights: Uint8Array | null;
}

export async function saveFiles(state: GraphState, opts: { name?: string; train?: TrainSettings; compiled?: CompiledGraph } = {}): Promise<SavedFiles> {
  const json = serializeGraph(state, { name: opts.name, train: opts.train });
  const weights = opts.compiled ? await saveModuleSafetensors(opts.compiled.module, { format: 'pt', source: 'gpu-learn playground' }) : null;
  return { json, weights };
}

/**
 * Loads weights into a graph compiled from the matching JSON. Throws SafetensorsError, changing nothing, when
 * the file is malformed or its names and shapes don't match the graph's parameters.
 */
export function loadWeights(compiled: CompiledGraph, bytes: Uint8Array): void {
  loadModuleSafetensors(compiled.module, bytes);
}
