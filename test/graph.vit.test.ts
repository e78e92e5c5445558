// The vision transformer's node types — Patches, Class token, Select — and the MNIST ViT example built from them,
// on the CPU device (its training run on MNIST is in graph.examples.test.ts, where MNIST is loaded anyway): shapes and the errors each node reports (naming its port or parameter), forwards against the
// engine (nn.patchify, and the whole example against nn.ViT holding the same weights), gradients reaching every
// parameter and the pixels, the save → open round trip, and the exported PyTorch module
// giving the engine's logits on the same weights under PyTorch 1.13.
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, nn, randn, tensor, tidy, dispose, writeSafetensors, type Tensor } from '../engine/index';
import {
  Graph, compileGraph, loadExample, validate, saveFiles, parseGraph, loadWeights, exportPyTorch, exportWeights,
  nodeType, type CompiledGraph, type Issue,
} from '../playground/graph/index';
import { paramReader } from '../playground/graph/node-type';
import { runTorch } from './torch';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

/** Seeded stand-in digits: B rows of 784 values in [0, 1), and labels. */
function digits(B: number, seed = 1): { image: Tensor; label: Tensor } {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: B * 784 }, next);
  const y = Int32Array.from({ length: B }, () => Math.floor(next() * 10));
  return { image: tensor(x, [B, 784]), label: tensor(y, [B]) };
}

const errorsOf = (g: Graph, node: string): Issue[] => validate(g.state).issues.filter((i) => i.severity === 'error' && i.node === node);

/** MNIST → Reshape(shape) → the node under test, wired on port x. */
function imageInto(type: string, shape: string, params: Record<string, number> = {}): Graph {
  const g = new Graph();
  g.addNode('mnist');
  g.addNode('reshape', undefined, { shape });
  g.addNode(type, undefined, params);
  g.connect({ node: 'mnist_1', port: 'image' }, { node: 'reshape_1', port: 'x' });
  g.connect({ node: 'reshape_1', port: 'y' }, { node: `${type}_1`, port: 'x' });
  return g;
}

describe('node types: shapes and errors', () => {
  test('Patches: (B, 1, 28, 28) → (B, 16, 49); flat pixels, a non-divisor and ids are refused on the port or parameter at fault', () => {
    expect(validate(imageInto('patches', '1, 28, 28').state).outputType('patches_1', 'y')?.shape).toEqual(['B', 16, 49]);
    expect(validate(imageInto('patches', '4, 14, 14', { patchSize: 7 }).state).outputType('patches_1', 'y')?.shape).toEqual(['B', 4, 196]);
    const flat = errorsOf(imageInto('patches', '28, 28'), 'patches_1');
    expect(flat).toMatchObject([{ code: 'shape-mismatch', port: 'x' }]);
    expect(flat[0].message).toMatch(/Patches needs images \(B, C, H, W\), but gets \(B, 28, 28\)/);
    const odd = errorsOf(imageInto('patches', '1, 28, 28', { patchSize: 5 }), 'patches_1');
    expect(odd).toMatchObject([{ code: 'param-out-of-range', param: 'patchSize' }]);
    expect(odd[0].message).toMatch(/Patch size 5 does not divide the 28×28 images .*such as 2, 4, 7, 14, 28/);
    const g = new Graph();
    g.addNode('mnist');
    g.addNode('patches');
    g.connect({ node: 'mnist_1', port: 'label' }, { node: 'patches_1', port: 'x' });
    expect(errorsOf(g, 'patches_1')).toMatchObject([{ code: 'dtype-mismatch', port: 'x' }]);
  });

  test('Class token: (B, T, D) → (B, 1 + T, D), a symbolic T through its binding; anything but a sequence is refused', () => {
    const g = imageInto('patches', '1, 28, 28');
    g.addNode('classtoken');
    g.connect({ node: 'patches_1', port: 'y' }, { node: 'classtoken_1', port: 'x' });
    expect(validate(g.state).outputType('classtoken_1', 'y')?.shape).toEqual(['B', 17, 49]);
    const text = new Graph();
    text.addNode('text', undefined, { blockSize: 8 });
    text.addNode('embedding', undefined, { numEmbeddings: 64, dim: 16 });
    text.addNode('classtoken');
    text.connect({ node: 'text_1', port: 'tokens' }, { node: 'embedding_1', port: 'ids' });
    text.connect({ node: 'embedding_1', port: 'y' }, { node: 'classtoken_1', port: 'x' });
    expect(validate(text.state).outputType('classtoken_1', 'y')?.shape).toEqual(['B', 9, 16]);
    const flat = errorsOf(imageInto('classtoken', '784'), 'classtoken_1');
    expect(flat).toMatchObject([{ code: 'shape-mismatch', port: 'x' }]);
    expect(flat[0].message).toMatch(/Class token needs a sequence of vectors \(B, T, D\), but gets \(B, 784\)/);
  });

  test('Select: (B, 17, 32) at dim 1 → (B, 32); the batch dimension, a missing dimension and an index past the end are refused', () => {
    const ok = validate(loadExample('mnist-vit').state);
    expect(ok.ok).toBe(true);
    expect(ok.outputType('select_1', 'y')?.shape).toEqual(['B', 32]);
    expect(validate(imageInto('select', '4, 196', { dim: -1, index: -1 }).state).outputType('select_1', 'y')?.shape).toEqual(['B', 4]);
    const cases: Array<[Record<string, number>, string, RegExp]> = [
      [{ dim: 0 }, 'dim', /Select keeps the batch dimension/],
      [{ dim: 3 }, 'dim', /Dimension 3 does not exist in the input \(B, 4, 196\)/],
      [{ dim: 1, index: 4 }, 'index', /Index 4 is outside dimension 1 of \(B, 4, 196\), which has 4 entries/],
      [{ dim: 1, index: -5 }, 'index', /Index -5 is outside dimension 1/],
    ];
    for (const [params, param, message] of cases) {
      const issues = errorsOf(imageInto('select', '4, 196', params), 'select_1');
      expect(issues, JSON.stringify(params)).toMatchObject([{ code: 'param-out-of-range', param }]);
      expect(issues[0].message).toMatch(message);
    }
  });
});

/** nn.ViT with the example's sizes, holding the compiled graph's weights under timm's names. */
function vitLike(c: CompiledGraph): nn.ViT {
  const vit = new nn.ViT({ imageSize: 28, patchSize: 7, numClasses: 10, dModel: 32, nHead: 4, nLayer: 2, dimFeedforward: 64, layerNormEps: 1e-5, device: 'cpu' });
  const rename: Array<[RegExp, string]> = [
    [/^linear_1\./, 'patch_embed.proj.'], [/^classtoken_1\.cls_token$/, 'cls_token'], [/^positional_1\.weight$/, 'pos_embed'],
    [/^transformer_1\./, 'blocks.0.'], [/^transformer_2\./, 'blocks.1.'], [/^layernorm_1\./, 'norm.'], [/^linear_2\./, 'head.'],
  ];
  const state: Record<string, Tensor> = {};
  for (const [name, p] of c.module.namedParameters()) {
    const [re, to] = rename.find(([r]) => r.test(name))!;
    const key = name.replace(re, to);
    state[key] = key === 'pos_embed' ? p.detach().reshape([1, 17, 32]) : p.detach();
  }
  vit.loadStateDict(state);
  return vit.eval();
}

describe('the MNIST ViT example', () => {
  test('is nn.ViT: the same logits on the same weights, and each new node does what the engine does', async () => {
    const c = compileGraph(loadExample('mnist-vit').state, { device: 'cpu', seed: 0 });
    c.module.eval();
    const vit = vitLike(c);
    const { image, label } = digits(5);
    const out = tidy(() => {
      const o = c.forward({ mnist_1: { image, label } }, { training: false }).outputs;
      const images = image.reshape([5, 1, 28, 28]);
      return {
        logits: o.linear_2.y, expected: vit.forward(image),
        patches: o.patches_1.y, patchified: nn.patchify(images, 7),
        withCls: o.classtoken_1.y, tokens: o.linear_1.y,
        selected: o.select_1.y, normed: o.layernorm_1.y,
      };
    });
    expect(out.logits.shape).toEqual([5, 10]);
    const [logits, expected] = [await out.logits.toArray(), await out.expected.toArray()];
    for (let i = 0; i < logits.length; i++) expect(logits[i]).toBeCloseTo(expected[i], 5);
    expect(await out.patches.toArray()).toEqual(await out.patchified.toArray());
    // Class token: row 0 of every sequence is the (zero-initialised) parameter, rows 1.. the patch tokens.
    const [withCls, tokens] = [await out.withCls.toArray(), await out.tokens.toArray()];
    const cls = await (c.module.node('classtoken_1') as nn.Module).parameters()[0].toArray();
    for (let b = 0; b < 5; b++) {
      expect(Array.from(withCls.slice(b * 17 * 32, b * 17 * 32 + 32))).toEqual(Array.from(cls));
      expect(Array.from(withCls.slice(b * 17 * 32 + 32, (b + 1) * 17 * 32))).toEqual(Array.from(tokens.slice(b * 16 * 32, (b + 1) * 16 * 32)));
    }
    const [selected, normed] = [await out.selected.toArray(), await out.normed.toArray()];
    for (let b = 0; b < 5; b++) expect(Array.from(selected.slice(b * 32, (b + 1) * 32))).toEqual(Array.from(normed.slice(b * 17 * 32, b * 17 * 32 + 32)));
    dispose([...Object.values(out), image, label]);
    vit.parameters().forEach((p) => p.dispose());
    c.dispose();
  });

  test('gradients: every parameter gets one, the class token\'s is the sum of its rows, Select\'s goes to row 0 only, and Patches\' reaches the pixels', async () => {
    const c = compileGraph(loadExample('mnist-vit').state, { device: 'cpu', seed: 0 });
    const probes = Object.fromEntries(['classtoken_1', 'layernorm_1', 'select_1'].map((id) => [id, c.probe(id, 'y')]));
    const { image, label } = digits(3, 7);
    const loss = tidy(() => c.forward({ mnist_1: { image, label } }).loss!);
    loss.backward();
    for (const [name, p] of c.module.namedParameters()) {
      const g = await p.grad!.toArray();
      expect(g.some((v) => v !== 0), `${name} has no gradient`).toBe(true);
    }
    // d cls_token = Σ_b d y[b, 0, :]
    const gy = await probes.classtoken_1.gradient!.toArray();
    const clsGrad = await (c.module.node('classtoken_1') as nn.Module).parameters()[0].grad!.toArray();
    for (let k = 0; k < 32; k++) expect(clsGrad[k]).toBeCloseTo(gy[k] + gy[17 * 32 + k] + gy[2 * 17 * 32 + k], 6);
    // Select: the upstream gradient is d y at row 0 and zero elsewhere.
    const [gn, gs] = [await probes.layernorm_1.gradient!.toArray(), await probes.select_1.gradient!.toArray()];
    for (let b = 0; b < 3; b++) {
      for (let t = 0; t < 17; t++) {
        for (let k = 0; k < 32; k++) expect(gn[(b * 17 + t) * 32 + k]).toBe(t === 0 ? gs[b * 32 + k] : 0);
      }
    }
    Object.values(probes).forEach((p) => p.dispose());
    dispose([loss, image, label]);
    c.dispose();
    // Patches is a permutation of the pixels: for y = patches(x), d(Σ y ⊙ w)/dx cut into patches is w. The data node
    // feeds no gradient, so the node's runtime is run on a leaf here.
    const def = nodeType('patches');
    const node = { id: 'patches_1', type: 'patches', params: { patchSize: 7 }, position: { x: 0, y: 0 } };
    const runtime = def.compile({
      ...paramReader(def, node.params), node, device: 'cpu', seed: 0,
      inputs: { x: { shape: ['B', 1, 28, 28], dtype: 'float32' } }, outputs: { y: { shape: ['B', 16, 49], dtype: 'float32' } },
    });
    const x = randn([2, 1, 28, 28], { seed: 3, requiresGrad: true });
    const w = randn([2, 16, 49], { seed: 4 });
    const sum = tidy(() => runtime.forward({ x }, { feeds: {}, training: true, wants: () => false }).y.mul(w).sum());
    sum.backward();
    const cut = tidy(() => nn.patchify(x.grad!, 7));
    expect(await cut.toArray()).toEqual(await w.toArray());
    dispose([x, w, sum, cut]);
  });

  test('save → open: the JSON and the weights reopen into a graph with the same logits', async () => {
    const g = loadExample('mnist-vit');
    const c = compileGraph(g.state, { device: 'cpu', seed: 3 });
    // A non-zero class token, so that a weight left behind would show.
    const filled = randn([1, 1, 32], { seed: 12 });
    (c.module.node('classtoken_1') as nn.Module).loadStateDict({ cls_token: filled });
    const files = await saveFiles(c.state, { name: g.name, train: g.train, compiled: c });
    const opened = parseGraph(files.json);
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.graph.state.nodes.map((n) => n.type)).toEqual(g.state.nodes.map((n) => n.type));
    const fresh = compileGraph(opened.graph.state, { device: 'cpu', seed: 99 });
    loadWeights(fresh, files.weights!);
    const { image, label } = digits(4, 5);
    const [a, b] = [c, fresh].map((x) => tidy(() => x.forward({ mnist_1: { image, label } }, { training: false }).outputs.linear_2.y));
    expect(await b.toArray()).toEqual(await a.toArray());
    expect(c.module.namedParameters().map(([n]) => n)).toContain('classtoken_1.cls_token');
    dispose([a, b, image, label, filled]);
    [c, fresh].forEach((x) => x.dispose());
  });

  test('exported to PyTorch 1.13, the module loads the weights file and gives the engine\'s logits', async () => {
    const g = loadExample('mnist-vit');
    const c = compileGraph(g.state, { device: 'cpu', seed: 4 });
    // Non-zero class token, so a wrong concatenation order would show.
    const filled = randn([1, 1, 32], { seed: 11 });
    (c.module.node('classtoken_1') as nn.Module).loadStateDict({ cls_token: filled });
    const py = exportPyTorch(g.state, { name: g.name, module: c.module });
    expect(py.code).toContain('        self.classtoken_1 = ClassToken(32)');
    expect(py.code).toContain('        patches_1_y = patchify(reshape_1_y, 7)');
    expect(py.code).toContain('        select_1_y = layernorm_1_y.select(1, 0)');
    const { image, label } = digits(4, 9);
    const logits = tidy(() => c.forward({ mnist_1: { image, label } }, { training: false }).outputs.linear_2.y);
    const dir = mkdtempSync(join(tmpdir(), 'graph-vit-'));
    try {
      writeFileSync(join(dir, 'model.py'), py.code);
      writeFileSync(join(dir, 'weights.safetensors'), await exportWeights(c.module));
      writeFileSync(join(dir, 'input.safetensors'), writeSafetensors({ image: { data: (await image.toArray()) as Float32Array, shape: [4, 784] } }));
      const out = runTorch(
        `import sys, json, torch
sys.path.insert(0, sys.argv[1])
from safetensors.torch import load_file
from model import ${py.className}, load_weights
model = load_weights(${py.className}(), sys.argv[1] + "/weights.safetensors").eval()
image = load_file(sys.argv[1] + "/input.safetensors")["image"]
with torch.no_grad():
    out = model(image, torch.zeros(4, dtype=torch.long))
print(json.dumps(out["linear_2_y"].flatten().tolist()))`,
        [dir],
        { env: { PYTHONPATH: join(FIXTURES, 'python') } },
      );
      const theirs = JSON.parse(out) as number[];
      const ours = await logits.toArray();
      expect(theirs).toHaveLength(40);
      for (let i = 0; i < 40; i++) expect(theirs[i]).toBeCloseTo(ours[i], 5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    dispose([logits, image, label, filled]);
    c.dispose();
  }, 60_000);
});
