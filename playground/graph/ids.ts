// Node ids name submodules: in the engine (parameter names such as "linear_1.weight") and in exported PyTorch
// (`self.linear_1`). So an id must be a Python identifier that is not a keyword and does not shadow an attribute
// of torch.nn.Module or of the engine's Module. Checking this at every door (edits and loaded files) also keeps
// hostile names such as "__proto__" out.

export const NODE_ID_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

const PYTHON_KEYWORDS = [
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass',
  'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type',
];
/** Attributes of torch.nn.Module and the engine's Module (and names the generated file itself uses). */
const MODULE_ATTRIBUTES = [
  'training', 'forward', 'parameters', 'named_parameters', 'children', 'modules', 'state_dict', 'load_state_dict',
  'train', 'eval', 'to', 'cuda', 'cpu', 'float', 'double', 'half', 'apply', 'buffers', 'zero_grad', 'register_buffer',
  'register_parameter', 'add_module', 'get_submodule', 'extra_repr', 'describe', 'layers', 'nodes', 'order',
  'torch', 'nn', 'math', 'self', 'super', 'inputs', 'outputs', 'loss', 'load_weights', 'main',
];
const RESERVED = new Set([...PYTHON_KEYWORDS, ...MODULE_ATTRIBUTES]);

/** Why an id is not allowed, or null when it is fine. */
export function checkNodeId(id: string): string | null {
  if (!NODE_ID_PATTERN.test(id)) {
    return `Node id "${id.slice(0, 60)}" must start with a lowercase letter and use only a–z, 0–9 and _ (at most 48 characters)`;
  }
  if (RESERVED.has(id)) return `Node id "${id}" is reserved (a Python keyword or a module attribute)`;
  return null;
}

/** The first free id of the form `${type}_${n}`, e.g. "linear_3". */
export function freshId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) {
    const id = `${type}_${n}`;
    if (!used.has(id)) return id;
  }
}
