// The command line of `npm run pretrain`, parsed apart from running it so that a test can hold it to one rule: npm
// runs a script named "pretrain" as the pre-hook of every `npm run train`, with no arguments and an environment no
// different from a direct call, so no arguments at all must mean "nothing to do", never an error.
export type PretrainArgs =
  | { kind: 'nothing'; message: string }
  | { kind: 'run'; name: string; steps?: number; resume: boolean; backend: 'cpu' | 'webgpu' }
  | { kind: 'error'; message: string };

export function parsePretrainArgs(argv: readonly string[], models: readonly string[]): PretrainArgs {
  const args = argv.filter((a) => a !== '--');
  const usage = `usage: npm run pretrain -- <${models.join('|')}> [--steps N] [--resume] [--cpu|--webgpu]`;
  if (args.length === 0) return { kind: 'nothing', message: `${usage}\n(no model named: nothing to pretrain; npm runs this script before every \`npm run train\`)` };
  const at = args.indexOf('--steps');
  const steps = at >= 0 ? Number(args[at + 1]) : undefined;
  if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) return { kind: 'error', message: `--steps wants a positive whole number, got ${String(args[at + 1])}; ${usage}` };
  const name = args.find((a, i) => !a.startsWith('--') && !(at >= 0 && i === at + 1));
  if (!name) return { kind: 'error', message: usage };
  if (!models.includes(name)) return { kind: 'error', message: `no model "${name}" to pretrain; ${usage}` };
  return { kind: 'run', name, steps, resume: args.includes('--resume'), backend: args.includes('--webgpu') ? 'webgpu' : 'cpu' };
}
