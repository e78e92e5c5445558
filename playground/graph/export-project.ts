// Export a graph as a runnable PyTorch training project, for when a network outgrows the browser:
//
//   model.py             the module (export-pytorch.ts)
//   weights.safetensors  the compiled graph's current weights, under the module's parameter names
//   data.safetensors     each data node's training set and the held-out examples the playground evaluates on
//   train.py             the playground's optimizer, learning rate, batch size and seed; python or torchrun (DDP)
//   README.md            how to run it on one CPU, one GPU, and N GPUs or machines
//   graph.json           the graph, to open again with the weights train.py saves
//
// zipProject() packs the files into one zip (fflate) for the playground's download.
import { zipSync, strToU8 } from 'fflate';
import * as v from 'valibot';
import { mulberry32, writeSafetensors, type TensorData } from '../../engine/index';
import type { CompiledGraph } from './compile';
import { exportPyTorch, exportWeights } from './export-pytorch';
import type { DataSource, HostBatch } from './node-type';
import { nodeType } from './nodes/index';
import { projectReadme, trainScript, type ProjectDataNode } from './project-python';
import { serializeGraph, TrainSettingsSchema, type TrainSettings } from './schema';
import { EVAL_EVERY, EVAL_EXAMPLES } from './train';
import type { GraphState } from './types';

/** File name → contents. */
export type ProjectFiles = Record<string, string | Uint8Array>;

export interface ProjectOptions {
  name?: string;
  /** The compiled graph: its current weights are the project's starting point, and its data nodes its data. */
  compiled: CompiledGraph;
  /** The playground's training settings (its defaults where absent). */
  train?: Partial<TrainSettings>;
}

/**
 * The files of a self-contained PyTorch project that trains the graph from its current weights. Throws, naming
 * the problem, for a graph that is invalid, has no loss to train, or whose data cannot be loaded.
 */
export async function exportPyTorchProject(state: GraphState, opts: ProjectOptions): Promise<ProjectFiles> {
  const { compiled } = opts;
  if (!compiled.lossNodes.length) throw new Error('This graph has no loss node, so a training project would have nothing to train. Add a loss to export one.');
  const settings = v.parse(TrainSettingsSchema, opts.train ?? {});
  const title = (opts.name || 'Playground Model').replace(/[\r\n]+/g, ' ').slice(0, 120);
  const model = exportPyTorch(state, { name: opts.name, module: compiled.module, weightsFile: 'weights.safetensors' });

  const sources = compiled.sources();
  await Promise.all([...sources.values()].map((s) => s.load()));
  // Generated data is drawn with the graph's seed, so exporting twice ships the same examples.
  const rand = mulberry32(settings.seed);
  const tensors = new Map<string, TensorData>();
  const data: ProjectDataNode[] = [];
  for (const [id, source] of sources) data.push(packSource(id, state, source, rand, tensors));
  const metadata = {
    format: 'pt',
    source: 'gpu-learn playground',
    // What each data node is, for readers other than train.py (which has the same table in its DATA).
    nodes: JSON.stringify(Object.fromEntries(data.map((d) => [d.id, { kind: d.kind, ports: d.ports, block_size: d.blockSize, vocabulary: d.vocabulary }]))),
  };

  const spec = {
    title,
    className: model.className,
    optimizer: settings.optimizer,
    lr: settings.lr,
    batchSize: settings.batchSize,
    seed: settings.seed,
    evalEvery: EVAL_EVERY,
    data,
    inputs: model.inputs.map((i) => inputPort(i.name, data)),
    accuracy: model.accuracy,
    unusedParameters: hasParametersOffTheLoss(state, compiled),
  };
  return {
    'README.md': projectReadme(spec),
    'model.py': model.code,
    'train.py': trainScript(spec),
    'weights.safetensors': await exportWeights(compiled.module),
    'data.safetensors': writeSafetensors(tensors, metadata),
    'graph.json': serializeGraph(state, { name: opts.name, train: settings }),
  };
}

/** The project as one zip, its files in a folder named `folder`. */
export function zipProject(files: ProjectFiles, folder: string): Uint8Array {
  const dir = folder.replace(/[^A-Za-z0-9._-]/g, '_') || 'project';
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, body]) => [`${dir}/${name}`, typeof body === 'string' ? strToU8(body) : body])));
}

/** Adds one data node's training and held-out tensors to `out`, and says what it shipped. */
function packSource(id: string, state: GraphState, source: DataSource, rand: () => number, out: Map<string, TensorData>): ProjectDataNode {
  const node = state.nodes.find((n) => n.id === id)!;
  const ports = nodeType(node.type).outputs.map((p) => p.name);
  const held: HostBatch | null = source.heldOut(EVAL_EXAMPLES);
  const heldOutExamples = held ? Object.values(held)[0].shape[0] : 0;
  for (const [port, t] of Object.entries(held ?? {})) out.set(`${id}.held_out.${port}`, t);
  const set = source.trainingSet(rand);
  if (set.kind === 'stream') {
    out.set(`${id}.train.ids`, { data: set.ids, shape: [set.ids.length] });
    // Windows start at 0 … L − T − 1, as the playground's batches do, so each has a next id to predict.
    return { id, kind: 'stream', ports: set.ports, blockSize: set.blockSize, trainExamples: set.ids.length - set.blockSize, heldOutExamples, vocabulary: source.vocabulary };
  }
  for (const port of ports) {
    const t = set.examples[port];
    if (!t) throw new Error(`internal: data node "${id}" shipped no training data for its "${port}" output`);
    out.set(`${id}.train.${port}`, t);
  }
  return { id, kind: 'examples', ports, trainExamples: set.examples[ports[0]].shape[0], heldOutExamples, vocabulary: source.vocabulary, generated: set.generated };
}

/** forward()'s argument `${node}_${port}` as the (node, port) it is fed from. */
function inputPort(arg: string, data: readonly ProjectDataNode[]): { node: string; port: string } {
  for (const d of data) for (const port of d.ports) if (`${d.id}_${port}` === arg) return { node: d.id, port };
  throw new Error(`internal: forward() argument "${arg}" is no data node's output`);
}

/** Whether a parametrised node feeds no loss node (directly or through others). */
function hasParametersOffTheLoss(state: GraphState, compiled: CompiledGraph): boolean {
  const feedsLoss = new Set(compiled.lossNodes);
  // Walk the wires backwards from the losses until nothing new is reached.
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of state.edges) {
      if (feedsLoss.has(e.to.node) && !feedsLoss.has(e.from.node)) {
        feedsLoss.add(e.from.node);
        grew = true;
      }
    }
  }
  return compiled.module.namedParameters().some(([name]) => !feedsLoss.has(name.split('.')[0]));
}
