// Export to PyTorch: a self-contained Python file with an nn.Module of the same structure as the graph — one
// submodule per node, named by node id, built in the same order with the same sizes — so its state_dict has the
// same parameter names and shapes as the compiled engine module, and the weights saved beside it as safetensors
// load with model.load_state_dict(safetensors.torch.load_file(path)).
//
// The file holds only literal numbers and names from the graph's validated parameters; node ids are checked to be
// Python identifiers (ids.ts), and no user text reaches the code except the graph's name, which goes into a
// comment with line breaks removed.
import { nodeType } from './nodes/index';
import { paramReader, type PyHelper } from './node-type';
import { validate } from './validate';
import { GraphCompileError } from './compile';
import { saveModuleSafetensors, nn } from '../../engine/index';
import Module = nn.Module;
import type { GraphState, TensorType } from './types';

export interface PyTorchExport {
  /** The Python source. */
  code: string;
  className: string;
  /** Parameter names and shapes the Python module's state_dict will have, in order. */
  parameters: Array<{ name: string; shape: number[] }>;
  /** The forward() arguments: data-node outputs, with their shapes and dtypes. */
  inputs: Array<{ name: string; type: TensorType }>;
  /**
   * The first cross-entropy loss's logits and target, as forward()'s result keys or argument names, from which
   * accuracy is measured as the playground does (argmax of the logits equal to the target); null without one.
   */
  accuracy: { logits: string; target: string } | null;
}

/** "char GPT (names)" → "CharGptNames"; a safe Python class name. */
export function pythonClassName(name: string): string {
  const words = name.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
  const cls = words.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('');
  return /^[A-Za-z]/.test(cls) ? cls : `Model${cls}`;
}

const varName = (node: string, port: string): string => `${node}_${port}`;

/**
 * Generates the Python module for a valid graph. `parameterShapes` comes from the compiled engine module's
 * namedParameters() (pass compiled.module) so the file documents exactly the names the weights file holds.
 */
export function exportPyTorch(state: GraphState, opts: { name?: string; module?: Module; weightsFile?: string } = {}): PyTorchExport {
  const validation = validate(state);
  if (!validation.ok || !validation.order) throw new GraphCompileError(validation.issues);
  const className = pythonClassName(opts.name || 'Playground Model');
  const weightsFile = (opts.weightsFile ?? 'weights.safetensors').replace(/[^A-Za-z0-9._-]/g, '_');
  const byId = new Map(state.nodes.map((n) => [n.id, n]));
  const consumed = new Set(state.edges.map((e) => `${e.from.node}.${e.from.port}`));

  const helpers = new Map<string, PyHelper>();
  const imports = new Set<string>();
  const init: string[] = [];
  const body: string[] = [];
  const inputs: PyTorchExport['inputs'] = [];
  const results: string[] = [];
  const losses: string[] = [];

  for (const id of validation.order) {
    const node = byId.get(id)!;
    const def = nodeType(node.type);
    if (def.category === 'data') {
      for (const p of def.outputs) {
        if (consumed.has(`${id}.${p.name}`)) inputs.push({ name: varName(id, p.name), type: validation.outputType(id, p.name)! });
      }
      continue;
    }
    const inTypes: Record<string, TensorType | undefined> = {};
    const args: Record<string, string> = {};
    for (const p of def.inputs) {
      inTypes[p.name] = validation.inputType(id, p.name);
      const e = validation.edgeInto(id, p.name);
      if (e) args[p.name] = varName(e.from.node, e.from.port);
    }
    const outTypes: Record<string, TensorType> = {};
    for (const p of def.outputs) {
      const t = validation.outputType(id, p.name);
      if (t) outTypes[p.name] = t;
    }
    const py = def.pytorch({ ...paramReader(def, node.params), node, inputs: inTypes, outputs: outTypes, attr: `self.${id}` });
    if (py.init) init.push(`        self.${id} = ${py.init}`);
    for (const h of py.helpers ?? []) helpers.set(h.name, h);
    for (const i of py.imports ?? []) imports.add(i);
    const exprs = py.forward(args);
    for (const p of def.outputs) {
      const key = `${id}.${p.name}`;
      if (!exprs[p.name]) {
        if (consumed.has(key)) throw new Error(`Export to PyTorch does not support wiring the "${p.name}" output of ${def.label} ("${id}").`);
        continue;
      }
      body.push(`        ${varName(id, p.name)} = ${exprs[p.name]}`);
      if (def.category === 'loss') losses.push(varName(id, p.name));
      else if (!consumed.has(key)) results.push(varName(id, p.name));
    }
  }

  // forward() also returns what the first cross-entropy compares, so a training script can measure accuracy.
  const ce = validation.order.map((id) => byId.get(id)!).find((n) => n.type === 'crossentropy');
  const into = (port: string): string | undefined => {
    const e = ce && validation.edgeInto(ce.id, port);
    return e ? varName(e.from.node, e.from.port) : undefined;
  };
  const [logits, target] = [into('logits'), into('target')];
  const accuracy = logits && target ? { logits, target } : null;
  const argNames = new Set(inputs.map((i) => i.name));
  for (const v of accuracy ? [accuracy.logits, accuracy.target] : []) if (!argNames.has(v) && !results.includes(v)) results.push(v);

  const parameters = (opts.module?.namedParameters() ?? []).map(([name, t]) => ({ name, shape: [...t.shape] }));
  const dimsNote = [...validation.dims].map(([k, v]) => `${k} = ${v}`).join(', ');
  const typeNote = (t: TensorType): string => `${t.dtype === 'int32' ? 'int64 ids' : 'float32'} of shape (${t.shape.join(', ')})${t.classes !== undefined ? `, values in [0, ${t.classes})` : ''}`;
  const title = (opts.name || 'Playground Model').replace(/[\r\n]+/g, ' ').slice(0, 120);
  const returns = [...(losses.length ? [`"loss": ${losses.join(' + ')}`] : []), ...results.map((r) => `"${r}": ${r}`)];
  // Example inputs for the smoke test: B = 2, and each symbolic dim at its bound value (or 8).
  const exampleDim = (d: number | string): string => (typeof d === 'number' ? String(d) : d === 'B' ? '2' : String(validation.dims.get(d) ?? 8));
  const exampleInput = (i: PyTorchExport['inputs'][number]): string => {
    const shape = `(${i.type.shape.map(exampleDim).join(', ')}${i.type.shape.length === 1 ? ',' : ''})`;
    return i.type.dtype === 'int32' ? `torch.randint(0, ${i.type.classes ?? 2}, ${shape})` : `torch.randn(${shape})`;
  };

  const lines = [
    `# ${title}: exported from the gpu-learn playground.`,
    '#',
    `# ${className} has the playground graph's structure: one submodule per node, named by node id, so its`,
    '# state_dict has the same parameter names and shapes, and the weights exported beside this file load with',
    `#     model.load_state_dict(safetensors.torch.load_file("${weightsFile}"))`,
    '#',
    '# forward() takes the data nodes\' outputs:',
    ...inputs.map((i) => `#     ${i.name}: ${typeNote(i.type)}`),
    ...(dimsNote ? [`# where B is the batch size and ${dimsNote}.`] : ['# where B is the batch size.']),
    '# It returns a dict: "loss" (the sum of the loss nodes), each output nothing consumes, and the logits the first',
    '# cross-entropy scores, so that accuracy can be measured.',
    ...(parameters.length ? ['#', '# Parameters:', ...parameters.map((p) => `#     ${p.name}: (${p.shape.join(', ')})`)] : []),
    ...[...imports].sort(),
    'import os',
    '',
    'import torch',
    'import torch.nn.functional as F',
    'from torch import nn',
    '',
    '',
    ...[...helpers.values()].flatMap((h) => [h.code, '', '']),
    `class ${className}(nn.Module):`,
    '    def __init__(self):',
    '        super().__init__()',
    ...(init.length ? init : ['        pass']),
    '',
    `    def forward(self${inputs.map((i) => `, ${i.name}`).join('')}):`,
    ...body,
    `        return {${returns.join(', ')}}`,
    '',
    '',
    'def load_weights(model, path):',
    '    from safetensors.torch import load_file',
    '',
    '    model.load_state_dict(load_file(path))',
    '    return model',
    '',
    '',
    'if __name__ == "__main__":',
    `    model = ${className}()`,
    `    weights = os.path.join(os.path.dirname(os.path.abspath(__file__)), "${weightsFile}")`,
    '    if os.path.exists(weights):',
    '        load_weights(model, weights)',
    '    for name, p in model.named_parameters():',
    '        print(f"{name}: {tuple(p.shape)}")',
    `    out = model(${inputs.map(exampleInput).join(', ')})`,
    '    print({k: tuple(v.shape) for k, v in out.items()})',
    '',
  ];
  return { code: lines.join('\n'), className, parameters, inputs, accuracy };
}

/** The weights file to ship beside the Python: the compiled module's parameters under their PyTorch names. */
export function exportWeights(module: Module): Promise<Uint8Array> {
  return saveModuleSafetensors(module, { format: 'pt', source: 'gpu-learn playground' });
}
