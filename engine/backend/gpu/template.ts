// The small template language of the generated kernels (attention, matmul, strided, optimizers), expanded by the
// shader builder (shader.ts) after includes. Tint does not unroll loops, and on SwiftShader an unrolled head-dim
// loop over private arrays indexed by constants is far faster than a loop, so those kernels are written once
// with markers and expanded per head dim and tile size:
//
//   {{NAME}}                 replaced by the value of NAME (a number) or of an enclosing unroll variable
//   {{EXPR}}                 an integer expression of names and numbers with + − · / (integer division) and
//                            parentheses, e.g. {{4 * Q + I}} for the accumulator of unrolled row I of block Q
//   // @unroll VAR COUNT     repeats the lines up to the matching `// @end` COUNT times (COUNT: a number or a
//   // @end                  NAME), with {{VAR}} = 0, 1, …; blocks nest
//   // @if NAME / // @else / // @endif   keeps one branch, by whether NAME is nonzero
//
// Markers sit in comments, so an editor still highlights the file as WGSL.

export type TemplateVars = Record<string, number>;

type Node = string | { kind: 'unroll'; v: string; count: string; body: Node[] } | { kind: 'if'; name: string; then: Node[]; else: Node[] };

const DIRECTIVE = /^\s*\/\/\s*@(unroll|end|if|else|endif)\b\s*(.*)$/;

function parse(lines: string[]): Node[] {
  const root: Node[] = [];
  // Each frame is the list being filled, plus the node that owns it (to switch an if to its else branch).
  const stack: Array<{ list: Node[]; owner: Node | null; kind: 'root' | 'unroll' | 'if' }> = [{ list: root, owner: null, kind: 'root' }];
  lines.forEach((line, n) => {
    const m = DIRECTIVE.exec(line);
    const top = stack[stack.length - 1];
    if (!m) {
      top.list.push(line);
      return;
    }
    const [, kw, rest] = m;
    const args = rest.trim().split(/\s+/);
    if (kw === 'unroll') {
      const node: Node = { kind: 'unroll', v: args[0], count: args[1], body: [] };
      top.list.push(node);
      stack.push({ list: node.body, owner: node, kind: 'unroll' });
    } else if (kw === 'if') {
      const node: Node = { kind: 'if', name: args[0], then: [], else: [] };
      top.list.push(node);
      stack.push({ list: node.then, owner: node, kind: 'if' });
    } else if (kw === 'else') {
      if (top.kind !== 'if' || !top.owner || typeof top.owner === 'string' || top.owner.kind !== 'if') {
        throw new Error(`template line ${n + 1}: @else outside @if`);
      }
      top.list = top.owner.else;
    } else {
      const want = kw === 'end' ? 'unroll' : 'if';
      if (top.kind !== want) throw new Error(`template line ${n + 1}: @${kw} does not close an @${want}`);
      stack.pop();
    }
  });
  if (stack.length !== 1) throw new Error('template: an @unroll or @if is not closed');
  return root;
}

function value(name: string, vars: TemplateVars): number {
  if (/^\d+$/.test(name)) return Number(name);
  const v = vars[name];
  if (v === undefined) throw new Error(`template: no value for ${name}`);
  return v;
}

/** Evaluates an integer expression: names, numbers, + - * / (truncating) and parentheses, by recursive descent. */
function evaluate(expr: string, vars: TemplateVars): number {
  const tokens = expr.match(/\d+|\w+|[-+*/()]/g) ?? [];
  if (tokens.join('') !== expr.replace(/\s+/g, '')) throw new Error(`template: cannot read the expression {{${expr}}}`);
  let at = 0;
  const atom = (): number => {
    const t = tokens[at++];
    if (t === '(') {
      const v = sum();
      if (tokens[at++] !== ')') throw new Error(`template: unbalanced parentheses in {{${expr}}}`);
      return v;
    }
    if (t === '-') return -atom();
    if (t === undefined || /[-+*/()]/.test(t)) throw new Error(`template: unexpected '${t ?? 'end'}' in {{${expr}}}`);
    return value(t, vars);
  };
  const product = (): number => {
    let v = atom();
    while (tokens[at] === '*' || tokens[at] === '/') v = tokens[at++] === '*' ? v * atom() : Math.trunc(v / atom());
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[at] === '+' || tokens[at] === '-') v = tokens[at++] === '+' ? v + product() : v - product();
    return v;
  };
  const v = sum();
  if (at !== tokens.length) throw new Error(`template: unexpected '${tokens[at]}' in {{${expr}}}`);
  return v;
}

function emit(nodes: Node[], vars: TemplateVars, out: string[]): void {
  for (const node of nodes) {
    if (typeof node === 'string') {
      out.push(node.replace(/\{\{([^}]+)\}\}/g, (_, expr: string) => String(evaluate(expr.trim(), vars))));
    } else if (node.kind === 'unroll') {
      const n = value(node.count, vars);
      for (let i = 0; i < n; i++) emit(node.body, { ...vars, [node.v]: i }, out);
    } else {
      emit(value(node.name, vars) !== 0 ? node.then : node.else, vars, out);
    }
  }
}

/** The WGSL text of `template` for these values. */
export function expandTemplate(template: string, vars: TemplateVars): string {
  const out: string[] = [];
  emit(parse(template.split('\n')), vars, out);
  return out.join('\n');
}
