// The dispatch grid of a user kernel (docs/kernel-contract.md): one header comment line in the WGSL,
//
//   // grid: ceil(N / WG_X), ceil(M / WG_Y), 1
//
// three integer expressions, the workgroup counts along x, y and z. They may use the family's sizes (attention:
// B, H, T, d; matmul: M, N, K), the kernel's declared @workgroup_size as WG_X, WG_Y and WG_Z, integers, + − * / %,
// parentheses and ceil, floor, min and max. `/` divides exactly (7 / 2 = 3.5), so a count that is not a whole
// number is refused rather than silently rounded: write ceil(...) or floor(...) to say which.
//
// The header is parsed once (parseGrid) into a tree, so an unknown name or a syntax slip is reported at its
// column before anything runs, and then evaluated per shape (evalGrid).

export type GridExpr =
  | { kind: 'num'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'op'; op: '+' | '-' | '*' | '/' | '%'; left: GridExpr; right: GridExpr }
  | { kind: 'neg'; arg: GridExpr }
  | { kind: 'call'; fn: GridFn; args: GridExpr[] };

type GridFn = 'ceil' | 'floor' | 'min' | 'max';
const ARITY: Record<GridFn, number> = { ceil: 1, floor: 1, min: 2, max: 2 };

export interface GridHeader {
  /** The header line (1-based) in the source. */
  line: number;
  text: string;
  axes: [GridExpr, GridExpr, GridExpr];
}

export class GridError extends Error {
  override name = 'GridError';
}

const HEADER = /^\s*\/\/\s*grid\s*:(.*)$/;

/**
 * Finds and parses the `// grid: x, y, z` line. `names` are the identifiers the expressions may use. Throws a
 * GridError naming the line and column of the problem, or saying the header is missing or repeated.
 */
export function parseGrid(source: string, names: readonly string[]): GridHeader {
  const lines = source.split('\n');
  const found = lines.flatMap((l, i) => {
    const m = HEADER.exec(l);
    return m ? [{ line: i + 1, body: m[1], col: l.length - m[1].length + 1 }] : [];
  });
  if (found.length === 0) {
    throw new GridError(
      'no dispatch grid: add a header comment line such as `// grid: ceil(N / WG_X), ceil(M / WG_Y), 1` (workgroup counts along ' +
        `x, y, z, in terms of ${names.join(', ')})`,
    );
  }
  if (found.length > 1) throw new GridError(`two grid headers, on lines ${found.map((f) => f.line).join(' and ')}: keep one`);
  const { line, body, col } = found[0];
  const p = new Parser(body, names, line, col);
  const axes: GridExpr[] = [p.expr()];
  while (p.eat(',')) axes.push(p.expr());
  p.end();
  if (axes.length !== 3) {
    throw new GridError(`grid header on line ${line}: give 3 workgroup counts (x, y, z), got ${axes.length}; write 1 for an unused axis`);
  }
  return { line, text: body.trim(), axes: axes as [GridExpr, GridExpr, GridExpr] };
}

/**
 * The workgroup counts for one set of sizes. Throws a GridError when a count is not a positive whole number or is
 * over `maxPerDim` (the adapter's maxComputeWorkgroupsPerDimension).
 */
export function evalGrid(h: GridHeader, values: Readonly<Record<string, number>>, maxPerDim: number): [number, number, number] {
  const at = Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');
  return h.axes.map((e, i) => {
    const v = evaluate(e, values);
    const axis = 'xyz'[i];
    if (!Number.isInteger(v)) {
      throw new GridError(`grid header on line ${h.line}: the ${axis} count is ${v} at ${at}, not a whole number: wrap it in ceil() or floor()`);
    }
    if (v < 1) throw new GridError(`grid header on line ${h.line}: the ${axis} count is ${v} at ${at}; it must be at least 1`);
    if (v > maxPerDim) {
      throw new GridError(`grid header on line ${h.line}: the ${axis} count is ${v} at ${at}, over this adapter's maxComputeWorkgroupsPerDimension ${maxPerDim}`);
    }
    return v;
  }) as [number, number, number];
}

function evaluate(e: GridExpr, values: Readonly<Record<string, number>>): number {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'name':
      return values[e.name];
    case 'neg':
      return -evaluate(e.arg, values);
    case 'call': {
      const a = e.args.map((x) => evaluate(x, values));
      return e.fn === 'ceil' ? Math.ceil(a[0]) : e.fn === 'floor' ? Math.floor(a[0]) : e.fn === 'min' ? Math.min(a[0], a[1]) : Math.max(a[0], a[1]);
    }
    case 'op': {
      const [l, r] = [evaluate(e.left, values), evaluate(e.right, values)];
      if (e.op === '+') return l + r;
      if (e.op === '-') return l - r;
      if (e.op === '*') return l * r;
      if (e.op === '/') return l / r;
      return l % r;
    }
  }
}

/** Recursive descent over one header: expr = term (('+' | '-') term)*, term = unary (('*' | '/' | '%') unary)*. */
class Parser {
  private pos = 0;

  constructor(private text: string, private names: readonly string[], private line: number, private col0: number) {}

  private fail(what: string): never {
    throw new GridError(`grid header, line ${this.line} column ${this.col0 + this.pos}: ${what}`);
  }

  private skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  eat(ch: string): boolean {
    this.skip();
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  end(): void {
    this.skip();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text[this.pos]}'`);
  }

  expr(): GridExpr {
    let left = this.term();
    for (;;) {
      this.skip();
      const op = this.text[this.pos];
      if (op !== '+' && op !== '-') return left;
      this.pos++;
      left = { kind: 'op', op, left, right: this.term() };
    }
  }

  private term(): GridExpr {
    let left = this.unary();
    for (;;) {
      this.skip();
      const op = this.text[this.pos];
      if (op !== '*' && op !== '/' && op !== '%') return left;
      this.pos++;
      left = { kind: 'op', op, left, right: this.unary() };
    }
  }

  private unary(): GridExpr {
    if (this.eat('-')) return { kind: 'neg', arg: this.unary() };
    this.skip();
    if (this.eat('(')) {
      const e = this.expr();
      if (!this.eat(')')) this.fail("expected ')'");
      return e;
    }
    const rest = this.text.slice(this.pos);
    const num = /^\d+/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      return { kind: 'num', value: Number(num[0]) };
    }
    const id = /^[A-Za-z_]\w*/.exec(rest);
    if (!id) this.fail(rest.length ? `unexpected '${rest[0]}'` : 'expected a number, a name or ( at the end of the line');
    const name = id[0];
    if (Object.hasOwn(ARITY, name)) { // not `in`: 'toString' and 'constructor' are in every object
      this.pos += name.length;
      const fn = name as GridFn;
      if (!this.eat('(')) this.fail(`expected '(' after ${fn}`);
      const args = [this.expr()];
      while (this.eat(',')) args.push(this.expr());
      if (!this.eat(')')) this.fail("expected ')'");
      if (args.length !== ARITY[fn]) this.fail(`${fn} takes ${ARITY[fn]} argument${ARITY[fn] > 1 ? 's' : ''}, got ${args.length}`);
      return { kind: 'call', fn, args };
    }
    if (!this.names.includes(name)) this.fail(`unknown name '${name}': use ${this.names.join(', ')}, numbers and ceil, floor, min, max`);
    this.pos += name.length;
    return { kind: 'name', name };
  }
}
