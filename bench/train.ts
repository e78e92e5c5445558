// Training-step benchmark: the recipes of `npm run train` (XOR MLP, MNIST MLP at batch 64, the names GPT and the
// toy translation Transformer), each stepped on the WebGPU device and on the plain-loops CPU backend in one process.
//
//   npm run bench:train                      a table: per step, the GPU dispatches, how many of them are copy
//                                            kernels, the bytes the recorded graph holds for the backward, and
//                                            steps/s on each device with their ratio
//   npm run -s bench:train -- --json         only a JSON array on stdout (progress goes to stderr)
//   flags: --recipes=xor,mnist,names,translate   --steps=N (timed steps per device; defaults per recipe)
//          --kernels   also list each recipe's dispatches per step by kernel
//          --profile   also time PROFILE_STEPS extra GPU steps per kernel with timestamp queries and report the
//                      mean per step (a pass per dispatch, so only the shares mean something)
//
// A step is what runSteps (engine/train/loop.ts) does and `npm run train` times: build the batch's loss, zeroGrad,
// backward, optimizer step (and schedule), reading the loss back every 10 steps. Steps/s comes from runSteps
// after two untimed warm-up steps (pipeline compilation); the counts come from one more step in between. Each
// recipe runs on each device in a child process of its own, as `npm run train` (and `--cpu`) would: in one
// process, whichever device runs first leaves V8's optimised code shaped for it and the other ran up to 30%
// slower. The ratio compares two backends on the same machine in the same run; the absolute numbers mean little
// on SwiftShader, which shares the CPU with the CPU backend's loops.
import { dispose, graphStats, init } from '../engine/index';
import { webgpuBackend } from '../engine/bench';
import { mnistTask, namesTask, releaseModel, runSteps, translateTask, xorTask, type TrainingTask } from '../engine/course';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatTable, makeLog, parseArgs, round, type Cell } from './harness';

interface Recipe {
  /** Timed steps per device, sized to take a few seconds on SwiftShader. */
  steps: number;
  make: (totalSteps: number) => Promise<TrainingTask>;
}

const RECIPES: Record<string, Recipe> = {
  xor: { steps: 200, make: async () => xorTask({ seed: 0 }) },
  mnist: { steps: 60, make: () => mnistTask({ seed: 0, batchSize: 64 }) },
  names: { steps: 40, make: (steps) => namesTask({ seed: 0, steps }) },
  translate: { steps: 30, make: async (steps) => translateTask({ seed: 0, steps }) },
};

const WARMUP_STEPS = 2;
const PROFILE_STEPS = 5;

interface Row {
  recipe: string;
  adapter: string;
  dispatchesPerStep: number;
  copiesPerStep: number;
  /** Bytes of distinct storages the recorded graph of one step holds until its backward. */
  savedBytes: number;
  gpuStepsPerSecond: number;
  cpuStepsPerSecond: number;
  /** GPU steps/s ÷ CPU steps/s. */
  ratio: number;
  steps: number;
  kernels: Record<string, number>;
  /** --profile: GPU milliseconds of one step by kernel. */
  profile?: Record<string, number>;
}

const args = parseArgs(process.argv.slice(2), 1);
const log = makeLog(args.json);

/** One step, as runSteps takes it, with the GPU work and the graph it records counted. */
async function probeStep(task: TrainingTask, step: number): Promise<Pick<Row, 'dispatchesPerStep' | 'copiesPerStep' | 'savedBytes' | 'kernels' | 'profile'>> {
  const ctx = webgpuBackend()!.ctx;
  let profile: Record<string, number> | undefined;
  if (args.flags.has('profile')) {
    ctx.startProfiling();
    await runSteps({ ...task, steps: PROFILE_STEPS, logEvery: PROFILE_STEPS });
    profile = Object.fromEntries([...(await ctx.stopProfiling())].map(([k, t]) => [k, t.ms / PROFILE_STEPS]));
  }
  const before = new Map(ctx.dispatchesByKernel);
  const d0 = ctx.dispatches;
  const loss = task.loss(step);
  const { savedBytes } = graphStats(loss);
  task.optimizer.zeroGrad();
  loss.backward();
  task.optimizer.step();
  task.scheduler?.step();
  await loss.item();
  loss.dispose();
  const kernels: Record<string, number> = {};
  for (const [name, n] of ctx.dispatchesByKernel) if (n > (before.get(name) ?? 0)) kernels[name] = n - (before.get(name) ?? 0);
  return { dispatchesPerStep: ctx.dispatches - d0, copiesPerStep: kernels.copy ?? 0, savedBytes, kernels, profile };
}

type Probe = Awaited<ReturnType<typeof probeStep>>;

/** What a child process reports for one recipe on one device. */
interface ChildResult {
  adapter: string;
  stepsPerSecond: number;
  probed?: Probe;
}

/** Child mode: one recipe on one device; steps/s after the warm-up (and, on the GPU, the probe) steps. */
async function child(device: 'webgpu' | 'cpu', recipe: Recipe, steps: number): Promise<ChildResult> {
  const { adapter } = await init({ backend: device });
  const task = await recipe.make(WARMUP_STEPS + 1 + steps);
  await runSteps({ ...task, steps: WARMUP_STEPS, logEvery: WARMUP_STEPS });
  const probed = device === 'webgpu' ? await probeStep(task, WARMUP_STEPS + 1) : undefined;
  const { stepsPerSecond } = await runSteps({ ...task, steps, logEvery: 10 });
  releaseModel(task.model, task.optimizer);
  dispose(task); // tensors a task keeps beside its model (XOR's inputs)
  return { adapter, stepsPerSecond, probed };
}

/** Runs this script again as a child for one recipe on one device, and parses the JSON line it prints last. */
function runChild(device: 'webgpu' | 'cpu', recipe: string, steps: number): Promise<ChildResult> {
  const extra = args.flags.has('profile') ? ['--profile'] : [];
  const argv = [process.argv[1], fileURLToPath(import.meta.url), '--', `--child=${device}`, `--recipes=${recipe}`, `--steps=${steps}`, ...extra];
  return new Promise((resolve, reject) => {
    const p = spawn(process.argv[0], argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${recipe} on ${device}: the child process exited with ${code}`));
      else resolve(JSON.parse(last) as ChildResult);
    });
  });
}

async function main(): Promise<void> {
  const names = args.flags.get('recipes')?.split(',') ?? Object.keys(RECIPES);
  for (const n of names) if (!RECIPES[n]) throw new Error(`unknown recipe '${n}': use ${Object.keys(RECIPES).join(', ')}`);
  const stepsFlag = args.flags.get('steps');
  const stepsOf = (name: string): number => (stepsFlag ? Number(stepsFlag) : RECIPES[name].steps);
  const childDevice = args.flags.get('child');
  if (childDevice === 'webgpu' || childDevice === 'cpu') {
    process.stdout.write(`${JSON.stringify(await child(childDevice, RECIPES[names[0]], stepsOf(names[0])))}\n`);
    return;
  }
  log(`${WARMUP_STEPS} warm-up steps, then timed steps; each recipe on each device in a process of its own`);
  const rows: Row[] = [];
  let adapter = '';
  for (const name of names) {
    const steps = stepsOf(name);
    const g = await runChild('webgpu', name, steps);
    const c = await runChild('cpu', name, steps);
    adapter = g.adapter;
    const row: Row = {
      recipe: name, adapter, ...g.probed!, gpuStepsPerSecond: g.stepsPerSecond, cpuStepsPerSecond: c.stepsPerSecond,
      ratio: g.stepsPerSecond / c.stepsPerSecond, steps,
    };
    rows.push(row);
    log(`${name}: ${row.dispatchesPerStep} dispatches (${row.copiesPerStep} copies) per step, GPU ${row.gpuStepsPerSecond.toFixed(1)} steps/s, CPU ${row.cpuStepsPerSecond.toFixed(1)} steps/s`);
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const table: Array<Record<string, Cell>> = rows.map((r) => ({
    recipe: r.recipe,
    'dispatches/step': r.dispatchesPerStep,
    'copies/step': r.copiesPerStep,
    'held for backward (KiB)': round(r.savedBytes / 1024, 1),
    'GPU steps/s': round(r.gpuStepsPerSecond, 1),
    'CPU steps/s': round(r.cpuStepsPerSecond, 1),
    'GPU/CPU': `${r.ratio.toFixed(2)}×`,
  }));
  console.log(`\nTraining steps on ${adapter} (GPU) and on the CPU backend\n`);
  console.log(formatTable(Object.keys(table[0]), table));
  if (args.flags.has('kernels')) {
    for (const r of rows) {
      const parts = Object.entries(r.kernels).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
      console.log(`\n${r.recipe}: ${parts.join(', ')}`);
    }
  }
  for (const r of rows) {
    if (!r.profile) continue;
    const total = Object.values(r.profile).reduce((a, b) => a + b, 0);
    const parts = Object.entries(r.profile).sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k} ${ms.toFixed(2)} ms`);
    console.log(`\n${r.recipe}, GPU time per profiled step, mean of ${PROFILE_STEPS} (${total.toFixed(1)} ms): ${parts.join(', ')}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
