// Compiling graphs to the engine on the CPU device: forward in topological order, activation and gradient hooks,
// weights as safetensors beside the JSON, and export to PyTorch (text, names, shapes, and a Python parse check).
import { beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, tensor, tidy, dispose, readSafetensors, type Tensor } from '../engine/index';
import {
  Graph, compileGraph, GraphCompileError, loadExample, EXAMPLES, saveFiles, loadWeights, parseGraph, exportPyTorch,
  exportWeights, Trainer, type CompiledGraph,
} from '../playground/graph/index';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const XOR_X = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
const XOR_Y = new Int32Array([0, 1, 1, 0]);
const xorFeeds = (): Record<string, Record<string, Tensor>> => ({ xor_1: { x: tensor(XOR_X, [4, 2]), label: tensor(XOR_Y, [4]) } });

function xorCompiled(seed = 0): CompiledGraph {
  return compileGraph(loadExample('xor-mlp').state, { seed, device: 'cpu' });
}

describe('compile', () => {
  test('an invalid graph does not compile, and the error names the problem', () => {
    const g = new Graph(loadExample('xor-mlp').state);
    g.disconnect({ node: 'crossentropy_1', port: 'target' });
    expect(() => compileGraph(g)).toThrow(GraphCompileError);
    expect(() => compileGraph(g)).toThrow(/crossentropy_1\.target: This loss has nothing to compare against/);
  });

  test('the module has one child per parametrised node, with PyTorch-style names, in topological order', () => {
    const c = xorCompiled();
    expect(c.order).toEqual(['xor_1', 'linear_1', 'tanh_1', 'linear_2', 'crossentropy_1']);
    expect(c.module.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'linear_1.weight:8x2', 'linear_1.bias:8', 'linear_2.weight:2x8', 'linear_2.bias:2',
    ]);
    expect(c.dataNodes).toEqual(['xor_1']);
    expect(c.lossNodes).toEqual(['crossentropy_1']);
    c.dispose();
  });

  test('the same seed gives the same weights; a node\'s init does not depend on other nodes', async () => {
    const a = xorCompiled(3);
    const b = xorCompiled(3);
    expect(await a.module.parameters()[0].toArray()).toEqual(await b.module.parameters()[0].toArray());
    const g = new Graph(loadExample('xor-mlp').state);
    g.addNode('linear', undefined, {}, 'extra');
    g.connect({ node: 'xor_1', port: 'x' }, { node: 'extra', port: 'x' });
    const c = compileGraph(g, { seed: 3, device: 'cpu' });
    expect(await c.module.node('linear_2')!.parameters()[0].toArray()).toEqual(await a.module.node('linear_2')!.parameters()[0].toArray());
    [a, b, c].forEach((x) => x.dispose());
  });

  test('forward runs in order and gives every output; the loss matches a hand computation', async () => {
    const c = xorCompiled();
    const { loss, logits } = tidy(() => {
      const out = c.forward(xorFeeds());
      return { loss: out.loss!, logits: out.outputs.linear_2.y };
    });
    const z = await logits.toArray();
    let expected = 0;
    for (let i = 0; i < 4; i++) {
      const m = Math.max(z[2 * i], z[2 * i + 1]);
      const lse = m + Math.log(Math.exp(z[2 * i] - m) + Math.exp(z[2 * i + 1] - m));
      expected += (lse - z[2 * i + XOR_Y[i]]) / 4;
    }
    expect(await loss.item()).toBeCloseTo(expected, 5);
    dispose([loss, logits]);
    c.dispose();
  });

  test('activation and gradient hooks: the gradient of the logits is (softmax − onehot) / N, and parameter gradients are unchanged by probing', async () => {
    const plain = xorCompiled();
    const probed = xorCompiled();
    const probe = probed.probe('linear_2', 'y');
    const hidden = probed.probe('tanh_1', 'y');
    const seen: string[] = [];
    const off = probed.onActivation('linear_1', 'y', (t, where) => seen.push(`${where.node}.${where.port}:${t.shape.join('x')}`));
    for (const c of [plain, probed]) {
      const loss = tidy(() => c.forward(xorFeeds()).loss!);
      loss.backward();
      loss.dispose();
    }
    off();
    expect(seen).toEqual(['linear_1.y:4x8']);
    expect(probe.activation!.shape).toEqual([4, 2]);
    expect(probe.gradient!.shape).toEqual([4, 2]);
    expect(hidden.gradient!.shape).toEqual([4, 8]);
    const z = await probe.activation!.toArray();
    const g = await probe.gradient!.toArray();
    for (let i = 0; i < 4; i++) {
      const e0 = Math.exp(z[2 * i]);
      const e1 = Math.exp(z[2 * i + 1]);
      const p = [e0 / (e0 + e1), e1 / (e0 + e1)];
      for (let k = 0; k < 2; k++) expect(g[2 * i + k]).toBeCloseTo((p[k] - (XOR_Y[i] === k ? 1 : 0)) / 4, 5);
    }
    // d loss / d hidden = g_logits · W2 (the probe passes gradients through unchanged).
    const w2 = await probed.module.node('linear_2')!.parameters()[0].toArray(); // (2, 8)
    const gh = await hidden.gradient!.toArray();
    for (let i = 0; i < 4; i++) for (let j = 0; j < 8; j++) {
      expect(gh[8 * i + j]).toBeCloseTo(g[2 * i] * w2[j] + g[2 * i + 1] * w2[8 + j], 5);
    }
    const pa = plain.module.parameters();
    const pb = probed.module.parameters();
    for (let i = 0; i < pa.length; i++) expect(await pb[i].grad!.toArray()).toEqual(await pa[i].grad!.toArray());
    // The probe keeps only the latest tensors and frees them on dispose.
    const first = probe.activation!;
    const v = probe.version;
    tidy(() => probed.forward(xorFeeds()).loss!).dispose();
    expect(probe.version).toBe(v + 1);
    expect(first.isDisposed).toBe(true);
    probe.dispose();
    hidden.dispose();
    expect(probe.activation).toBeNull();
    plain.dispose();
    probed.dispose();
  });

  test('attention weights are computed only when read, with shape (B, H, T, S)', () => {
    const g = new Graph(loadExample('toy-translation').state);
    g.addNode('attention', undefined, { heads: 2 }, 'attn');
    g.connect({ node: 'positional_2', port: 'y' }, { node: 'attn', port: 'x' });
    g.connect({ node: 'layernorm_1', port: 'y' }, { node: 'attn', port: 'memory' });
    const c = compileGraph(g, { device: 'cpu' });
    const src = c.sources().get('translation_1')!;
    const batch = src.batch(3, () => 0.5);
    const feeds = { translation_1: Object.fromEntries(Object.entries(batch).map(([k, h]) => [k, tensor(h.data, h.shape)])) };
    const shapes = tidy(() => {
      const out = c.forward(feeds);
      return { y: out.outputs.attn.y.shape, w: out.outputs.attn.weights?.shape };
    });
    expect(shapes.y).toEqual([3, 6, 32]);
    expect(shapes.w).toBeUndefined();
    const probe = c.probe('attn', 'weights', { gradient: false });
    tidy(() => c.forward(feeds).loss!).dispose();
    expect(probe.activation!.shape).toEqual([3, 2, 6, 5]);
    probe.dispose();
    dispose(feeds);
    c.dispose();
  });
});

test.each(['alibi', 'rope', 'sinusoidal'])('positional kind %s compiles, runs forward and backward, and exports', async (kind) => {
  const g = new Graph(loadExample('char-gpt-names').state);
  g.setParam('positional_1', 'kind', kind);
  expect(g.validation.ok).toBe(true);
  const c = compileGraph(g, { device: 'cpu' });
  const t = await Trainer.create(c, { lr: 0.003, batchSize: 4 });
  expect(Number.isFinite(await t.step())).toBe(true);
  const py = exportPyTorch(g.state, { name: 'gpt', module: c.module }).code;
  if (kind === 'sinusoidal') expect(py).toContain('SinusoidalPositionalEncoding(32, 8)');
  else expect(py).toContain(`TransformerLayer(32, 4, 128, dropout=0.0, activation="gelu", norm_first=True, positional="${kind}")`);
  expect(c.module.namedParameters().some(([n]) => n.startsWith('positional_1'))).toBe(false);
  t.dispose();
  c.dispose();
});

describe('save, open and export', () => {
  test('weights save as safetensors beside the JSON and load back into a fresh compile', async () => {
    const c = xorCompiled(1);
    const trainer = await Trainer.create(c, { lr: 0.05, batchSize: 4 });
    for (let i = 0; i < 5; i++) await trainer.step();
    const files = await saveFiles(c.state, { name: 'XOR MLP', compiled: c });
    const opened = parseGraph(files.json);
    if (!opened.ok) throw new Error(opened.error);
    const fresh = compileGraph(opened.graph.state, { seed: 99, device: 'cpu' });
    loadWeights(fresh, files.weights!);
    const [a, b] = [c.module.parameters(), fresh.module.parameters()];
    for (let i = 0; i < a.length; i++) expect(await b[i].toArray()).toEqual(await a[i].toArray());
    // Weights of a different graph are refused, naming the mismatch.
    const other = new Graph(opened.graph.state);
    other.setParam('linear_1', 'outFeatures', 4);
    const wrong = compileGraph(other, { device: 'cpu' });
    expect(() => loadWeights(wrong, files.weights!)).toThrow(/"linear_1.weight" has shape \[8, 2\] in the file but \[4, 2\] in the model/);
    trainer.dispose();
    [c, fresh, wrong].forEach((x) => x.dispose());
  });

  test('PyTorch export: same structure, names and shapes, weights named alike, and Python parses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-export-'));
    for (const ex of EXAMPLES) {
      const g = loadExample(ex.id);
      const c = compileGraph(g.state, { device: 'cpu' });
      const py = exportPyTorch(g.state, { name: g.name, module: c.module, weightsFile: `${ex.id}.safetensors` });
      const weights = readSafetensors(await exportWeights(c.module));
      expect([...weights.tensors.keys()]).toEqual(c.module.namedParameters().map(([n]) => n));
      expect(py.parameters.map((p) => p.name)).toEqual([...weights.tensors.keys()]);
      for (const p of py.parameters) expect(weights.tensors.get(p.name)!.shape).toEqual(p.shape);
      // Every parameter's owner is assigned in __init__ under its node id.
      for (const owner of new Set(py.parameters.map((p) => p.name.split('.')[0]))) expect(py.code).toContain(`        self.${owner} = `);
      const file = join(dir, `${ex.id}.py`);
      writeFileSync(file, py.code);
      execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', file]);
      c.dispose();
    }
  });

  test('PyTorch export text for the XOR MLP', () => {
    const g = loadExample('xor-mlp');
    const py = exportPyTorch(g.state, { name: g.name });
    expect(py.className).toBe('XorMlp');
    expect(py.code).toContain('class XorMlp(nn.Module):');
    expect(py.code).toContain('        self.linear_1 = nn.Linear(2, 8, bias=True)');
    expect(py.code).toContain('        self.tanh_1 = nn.Tanh()');
    expect(py.code).toContain('        self.linear_2 = nn.Linear(8, 2, bias=True)');
    expect(py.code).toContain('    def forward(self, xor_1_x, xor_1_label):');
    expect(py.code).toContain('        linear_1_y = self.linear_1(xor_1_x)');
    expect(py.code).toContain('F.cross_entropy(linear_2_y.reshape(-1, linear_2_y.shape[-1]), xor_1_label.reshape(-1).long(), label_smoothing=0.0)');
    // The loss, and the logits the cross-entropy scores (for accuracy).
    expect(py.code).toContain('return {"loss": crossentropy_1_loss, "linear_2_y": linear_2_y}');
    expect(py.accuracy).toEqual({ logits: 'linear_2_y', target: 'xor_1_label' });
    expect(py.inputs.map((i) => i.name)).toEqual(['xor_1_x', 'xor_1_label']);
  });

  test('PyTorch export of attention graphs uses modules with torch.nn names', () => {
    const g = loadExample('toy-translation');
    const py = exportPyTorch(g.state, { name: g.name });
    expect(py.code).toContain('class MultiHeadAttention(nn.Module):');
    expect(py.code).toContain('class TransformerLayer(nn.Module):');
    expect(py.code).toContain('self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))');
    expect(py.code).toContain('        self.transformer_2 = TransformerLayer(32, 4, 64, dropout=0.0, activation="gelu", norm_first=True, cross=True)');
    expect(py.code).toContain('        transformer_2_y = self.transformer_2(positional_2_y, layernorm_1_y, causal=True)');
    expect(py.code).toContain('self.positional_1 = SinusoidalPositionalEncoding(32, 16)');
    expect(py.code.match(/^class MultiHeadAttention/gm)).toHaveLength(1);
    // A hostile graph name only ever reaches a comment.
    const evil = exportPyTorch(g.state, { name: 'x\nimport os; os.system("rm -rf /")' });
    expect(evil.code.split('\n').filter((l) => l.includes('os.system'))).toEqual([expect.stringMatching(/^# /)]);
  });
});
