// Exported training projects (exportPyTorchProject) run under real PyTorch: Debian's python3-torch, 1.13 on the CPU.
// For every gallery example the project is written to disk and trained a few steps (XOR, on batches of 4 random
// corners, needs more to fall steadily) twice:
//   - as `python train.py`: the held-out loss falls, the held-out loss it reports before training is the engine's
//     on the exported weights, and the weights it saves, opened in the playground as Open does (graph.json and
//     loadWeights), give the held-out loss it reported last;
//   - as two ranks of a torchrun-like group over gloo on loopback (MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK and
//     WORLD_SIZE set, as torchrun sets them; Debian's torchrun itself fails under its Python 3.11): both ranks end
//     with the same weights, which rank 0 saved, and the held-out loss falls.
// Debian has no python3-safetensors, so test/fixtures/python/ (a minimal safetensors.torch) goes on PYTHONPATH.
// PyTorch is imported three times in all: test/fixtures/run_projects.py runs every project of one mode in one
// process (the single runs, and each rank), the three processes at once.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { init, readSafetensors } from '../engine/index';
import {
  EXAMPLES, Graph, loadExample, compileGraph, exportPyTorchProject, zipProject, loadWeights, parseGraph, Trainer, EVAL_EXAMPLES,
  type ProjectFiles, type TrainSettings,
} from '../playground/graph/index';
import { TORCH_PYTHON, requireTorch } from './torch';
import { freePort } from './free-port';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
/** Steps of training: enough for the held-out loss to fall clearly, and no more. */
const steps = (id: string): number => (id === 'xor-mlp' ? 150 : 20);
/** Engine (CPU backend) against PyTorch on the same weights and examples: float32 sums in different orders. */
const LOSS_TOL = 1e-5;

interface LogEntry {
  step: number;
  loss?: number;
  held_out_loss?: number;
  accuracy?: number | null;
}

interface Exported {
  id: string;
  files: ProjectFiles;
  train: TrainSettings;
  /** The engine's held-out loss on the exported (untrained) weights. */
  initialLoss: number;
  single: string;
  ddp: string;
}

const readLog = (dir: string): LogEntry[] => readFileSync(join(dir, 'train_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogEntry);
const heldOut = (log: LogEntry[]): number[] => log.flatMap((e) => (e.held_out_loss === undefined ? [] : [e.held_out_loss]));

/** Runs the fixture's runner under Debian's PyTorch; rejects with its output when it fails. */
function runProjects(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(TORCH_PYTHON, [join(FIXTURES, 'run_projects.py'), ...args], {
      env: { ...process.env, PYTHONPATH: join(FIXTURES, 'python'), OMP_NUM_THREADS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`run_projects.py ${args[0]} ${env.RANK ? `(rank ${env.RANK}) ` : ''}failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
  });
}

/** The held-out loss and accuracy of a graph opened as the playground opens graph.json with a weights file. */
async function openAndEvaluate(files: ProjectFiles, weights: Uint8Array): Promise<{ loss: number; accuracy: number | null }> {
  const opened = parseGraph(files['graph.json'] as string);
  if (!opened.ok) throw new Error(opened.error);
  const compiled = compileGraph(opened.graph.state, { seed: 12345, device: 'cpu' }); // a seed unlike the export's
  loadWeights(compiled, weights);
  const trainer = await Trainer.create(compiled, opened.graph.train);
  const ev = await trainer.evaluate(EVAL_EXAMPLES);
  trainer.dispose();
  compiled.dispose();
  return ev;
}

const exported: Exported[] = [];
const outputs: string[] = [];
let root = '';

beforeAll(async () => {
  requireTorch();
  await init({ backend: 'cpu' });
  root = mkdtempSync(join(tmpdir(), 'graph-project-'));
  for (const ex of EXAMPLES) {
    const g = loadExample(ex.id);
    const train = g.train!;
    const compiled = compileGraph(g.state, { seed: train.seed, device: 'cpu' });
    const files = await exportPyTorchProject(g.state, { name: g.name, compiled, train });
    const trainer = await Trainer.create(compiled, train);
    const initialLoss = (await trainer.evaluate(EVAL_EXAMPLES)).loss;
    trainer.dispose();
    compiled.dispose();
    const [single, ddp] = ['single', 'ddp'].map((mode) => {
      const dir = join(root, ex.id, mode);
      mkdirSync(dir, { recursive: true });
      for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
      return dir;
    });
    exported.push({ id: ex.id, files, train, initialLoss, single, ddp });
  }
  // One rendezvous port per example: each rank runs the examples in turn, in a fresh process group each.
  const single = exported.map((e) => ({ dir: e.single, steps: steps(e.id) }));
  const ranked = [];
  for (const e of exported) ranked.push({ dir: e.ddp, steps: steps(e.id), port: await freePort() });
  const rank = (r: number): NodeJS.ProcessEnv => ({ MASTER_ADDR: '127.0.0.1', RANK: String(r), LOCAL_RANK: String(r), WORLD_SIZE: '2' });
  outputs.push(
    ...(await Promise.all([
      runProjects(['single', JSON.stringify(single)]),
      runProjects(['rank', JSON.stringify(ranked)], rank(0)),
      runProjects(['rank', JSON.stringify(ranked)], rank(1)),
    ])),
  );
}, 180_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true }); // about 110 MB, most of it MNIST twice
});

describe('an exported project', () => {
  test('holds model.py, train.py, the weights, the data, graph.json and a README, and zips into one folder', () => {
    for (const e of exported) {
      expect(Object.keys(e.files).sort(), e.id).toEqual(['README.md', 'data.safetensors', 'graph.json', 'model.py', 'train.py', 'weights.safetensors']);
      const readme = e.files['README.md'] as string;
      expect(readme).toContain('pip install torch safetensors');
      expect(readme).toContain('torchrun --nproc_per_node=N train.py');
      expect(readme).toContain('--nnodes=2');
      const train = e.files['train.py'] as string;
      expect(train).toContain(`LR = ${e.train.lr}`);
      expect(train).toContain(`BATCH_SIZE = ${e.train.batchSize}`);
      expect(train).toContain(`SEED = ${e.train.seed}`);
      expect(train).toContain('torch.optim.Adam(model.parameters(), lr=LR)');
      expect(train).toContain('DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=SEED');
    }
    const xor = exported.find((e) => e.id === 'xor-mlp')!;
    const zip = unzipSync(zipProject(xor.files, 'xorMlp'));
    expect(Object.keys(zip).sort()).toEqual(Object.keys(xor.files).sort().map((n) => `xorMlp/${n}`));
    expect(strFromU8(zip['xorMlp/train.py'])).toBe(xor.files['train.py']);
    expect(zip['xorMlp/data.safetensors']).toEqual(xor.files['data.safetensors']);
  });

  test('is refused, saying why, for a graph with no loss to train', async () => {
    const g = new Graph(loadExample('xor-mlp').state);
    g.removeNode('crossentropy_1');
    const compiled = compileGraph(g.state, { device: 'cpu' });
    await expect(exportPyTorchProject(g.state, { name: 'no loss', compiled })).rejects.toThrow(/no loss node, so a training project would have nothing to train/);
    compiled.dispose();
  });

  test('ships a text corpus as token ids with its vocabulary, and generated data as a fixed set', () => {
    const gpt = readSafetensors(exported.find((e) => e.id === 'char-gpt-names')!.files['data.safetensors'] as Uint8Array);
    const nodes = JSON.parse(gpt.metadata.nodes) as Record<string, { kind: string; block_size: number; vocabulary: string }>;
    expect(nodes.text_1).toMatchObject({ kind: 'stream', block_size: 8, vocabulary: '.abcdefghijklmnopqrstuvwxyz-' });
    expect(gpt.tensors.get('text_1.train.ids')!.shape.length).toBe(1);
    expect(gpt.tensors.get('text_1.held_out.tokens')!.shape).toEqual([EVAL_EXAMPLES, 8]);
    const tr = readSafetensors(exported.find((e) => e.id === 'toy-translation')!.files['data.safetensors'] as Uint8Array);
    expect(tr.tensors.get('translation_1.train.source')!.shape).toEqual([16384, 5]);
    expect(tr.tensors.get('translation_1.train.decoderIn')!.shape).toEqual([16384, 6]);
  });
});

describe.each(EXAMPLES.map((e) => e.id))('%s under PyTorch 1.13', (id) => {
  const e = (): Exported => exported.find((x) => x.id === id)!;

  test('python train.py: the held-out loss falls, and the saved weights reopen in the playground with the last loss it reported', async () => {
    const log = readLog(e().single);
    const losses = heldOut(log);
    expect(log.at(-1)!.step, outputs.join('\n')).toBe(steps(id));
    // Before training, PyTorch on the exported weights and data agrees with the engine.
    expect(Math.abs(losses[0] - e().initialLoss)).toBeLessThan(LOSS_TOL * Math.max(1, e().initialLoss));
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    const trained = readFileSync(join(e().single, 'trained.safetensors'));
    const ev = await openAndEvaluate(e().files, trained);
    console.log(`${id}: train.py's held-out loss ${losses[0].toFixed(4)} → ${losses.at(-1)!.toFixed(4)} in ${steps(id)} steps; the engine on the weights it saved: ${ev.loss.toFixed(6)} (|Δ| ${Math.abs(ev.loss - losses.at(-1)!).toExponential(1)})`);
    expect(Math.abs(ev.loss - losses.at(-1)!), `engine ${ev.loss} vs train.py ${losses.at(-1)}`).toBeLessThan(LOSS_TOL * Math.max(1, ev.loss));
    // Accuracy counts argmax hits, so at most a near-tie or two may fall the other way.
    expect(Math.abs(ev.accuracy! - log.at(-1)!.accuracy!)).toBeLessThanOrEqual(2 / EVAL_EXAMPLES);
  });

  test('two ranks over gloo: both end with the same weights, rank 0 saves them, and the held-out loss falls', () => {
    const [r0, r1] = [0, 1].map((r) => readSafetensors(readFileSync(join(e().ddp, `rank${r}.safetensors`))));
    const saved = readSafetensors(readFileSync(join(e().ddp, 'trained.safetensors')));
    const initial = readSafetensors(e().files['weights.safetensors'] as Uint8Array);
    expect([...r0.tensors.keys()]).toEqual([...initial.tensors.keys()]);
    expect([...saved.tensors.keys()]).toEqual([...initial.tensors.keys()]);
    let moved = false;
    for (const [name, t] of r0.tensors) {
      expect(r1.tensors.get(name)!.data, `${name}: rank 1 differs from rank 0`).toEqual(t.data);
      expect(saved.tensors.get(name)!.data, `${name}: the saved weights differ from rank 0's`).toEqual(t.data);
      moved ||= t.data.some((x, i) => x !== initial.tensors.get(name)!.data[i]);
    }
    expect(moved, 'training changed no weight').toBe(true);
    const losses = heldOut(readLog(e().ddp));
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
  });
});
