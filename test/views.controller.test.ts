// The Views panel's controller (playground/controllers/views.ts) on the CPU device, with a stand-in host and trainer:
// a node selected before the graph that holds it has been compiled (a newly added node, say) is watched once that
// graph attaches, and meanwhile no internal error reaches the panel's tab bar.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { init, tensor, tidy, type Tensor } from '../engine/index';
import { Graph, compileGraph, loadExample } from '../playground/graph/index';
import { ViewsController } from '../playground/controllers/views';
import type { TrainerController } from '../playground/controllers/trainer';
import { afterRender, standInHost as host, ViewsStandInTrainer as StandInTrainer } from './controller-stand-ins';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const xorFeeds = (): Record<string, Record<string, Tensor>> => ({
  xor_1: { x: tensor(new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), [4, 2]), label: tensor(new Int32Array([0, 1, 1, 0]), [4]) },
});

describe('ViewsController', () => {
  test('a node that the compiled graph lacks yet is watched once its graph attaches, with no error meanwhile', async () => {
    const trainer = new StandInTrainer();
    const views = new ViewsController(host, trainer as unknown as TrainerController);
    trainer.graph = compileGraph(loadExample('xor-mlp').state, { seed: 0, device: 'cpu' });
    await afterRender(views);

    // Selected the moment it is added, while the graph compiled before it is still attached.
    views.setTarget({ node: 'extra', port: 'y' });
    expect(views.error).toBe('');
    // The same holds for an attention node added and shown in the Attention tab.
    expect(() => views.setAttention('attention_1')).not.toThrow();
    expect(views.error).toBe('');
    views.setAttention(null);

    const edited = new Graph(loadExample('xor-mlp').state);
    edited.addNode('linear', undefined, { outFeatures: 3 }, 'extra');
    edited.connect({ node: 'xor_1', port: 'x' }, { node: 'extra', port: 'x' });
    const old = trainer.graph;
    trainer.graph = compileGraph(edited, { seed: 0, device: 'cpu' });
    await afterRender(views);
    old.dispose();

    // The recompiled graph has the node: a forward pass fills the tensor view with its output, (B, 3).
    const g = trainer.graph;
    tidy(() => void g.forward(xorFeeds()));
    await vi.waitFor(() => expect(views.tensor?.activation?.shape).toEqual([4, 3]), { timeout: 10_000 });
    expect(views.tensor?.where).toEqual({ node: 'extra', port: 'y' });
    expect(views.error).toBe('');
    views.hostDisconnected();
    g.dispose();
  });
});
