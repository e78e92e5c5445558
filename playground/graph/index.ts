// The playground's graph model: plain TypeScript, no DOM. The editor (playground/*.ts elements) is a view of it:
//   const graph = new Graph();                       // the store: state, validation, undo/redo, subscribe()
//   graph.subscribe((e) => render(e.state, e.validation));
//   const id = graph.addNode('linear', { x: 100, y: 80 });
//   graph.connect({ node: 'xor_1', port: 'x' }, { node: id, port: 'x' });
//   graph.validation.issuesFor(id)                   // errors naming the port or parameter at fault
//   const compiled = compileGraph(graph);            // engine module + forward + hooks
//   const trainer = await Trainer.create(compiled, { lr: 0.05 }); await trainer.step();
export * from './types';
export { NODE_TYPES, NODE_TYPE_NAMES, nodeType, isNodeType, type NodeTypeName } from './nodes/index';
export type { NodeTypeDef, ParamReader, IssueCode, DataSource, HostBatch, HostTensor, RunContext } from './node-type';
export { paramRangeProblem } from './node-type';
export { Graph, graphSwap, type GraphEvent, type GraphEventKind, type GraphListener, type ExecuteOptions, type GraphSwap } from './graph';
export { AddNode, RemoveNode, Connect, Disconnect, SetParam, MoveNode, Batch, ReplaceGraph, GraphEditError, type Command, type GraphMeta } from './commands';
export { checkNodeId, freshId } from './ids';
export { validate, type Issue, type Validation } from './validate';
export {
  compileGraph, CompiledGraph, GraphModule, GraphCompileError, Probe,
  type CompileOptions, type Feeds, type ForwardResult, type ForwardOptions, type TensorHook, type OutputRef,
} from './compile';
export { Trainer, EVAL_EVERY, EVAL_EXAMPLES, type TrainerOptions, type Evaluation, type OptimizerName } from './train';
export {
  parseGraph, serializeGraph, toDocument, FORMAT, CURRENT_VERSION, MIGRATIONS,
  type GraphFileV1, type LoadResult, type LoadedGraph, type TrainSettings, type Migration,
} from './schema';
export { encodeGraphHash, decodeGraphHash, isGraphHash } from './share';
export {
  Autosave, MemoryStorage, IndexedDbStorage, defaultStorage, restoreAutosave, readAutosave, readHistory, addToHistory, recoverDrafts, draftPrefix, defaultDrafts, MemoryDrafts, AUTOSAVE_KEY,
  HISTORY_LIMIT, type StorageAdapter, type DraftStorage, type StoredGraph, type HistoryEntry,
} from './autosave';
export { saveFiles, loadWeights, type SavedFiles } from './files';
export { exportPyTorch, exportWeights, pythonClassName, type PyTorchExport } from './export-pytorch';
export { exportPyTorchProject, zipProject, type ProjectFiles, type ProjectOptions } from './export-project';
export { EXAMPLES, loadExample, type Example } from './examples/index';
