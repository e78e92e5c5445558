// The gallery: examples as data. Each is a version-1 graph document, opened through parseGraph like any file.
import { parseGraph, type LoadedGraph } from '../schema';
import { xorMlp } from './xor-mlp';
import { mnistMlp } from './mnist-mlp';
import { mnistVit } from './mnist-vit';
import { charGpt } from './char-gpt';
import { toyTranslation } from './translation';
import type { Example } from './types';

export type { Example } from './types';
export const EXAMPLES: readonly Example[] = [xorMlp, mnistMlp, mnistVit, charGpt, toyTranslation];

/** An example by id, parsed into a graph (examples are checked by tests, so this failing is a bug). */
export function loadExample(id: string): LoadedGraph {
  const ex = EXAMPLES.find((e) => e.id === id);
  if (!ex) throw new Error(`No example "${id}"`);
  const r = parseGraph(ex.graph);
  if (!r.ok) throw new Error(`Example "${id}" is invalid: ${r.error}`);
  return r.graph;
}
