// The Samples tab's controller (playground/controllers/samples.ts) on the CPU device, with a stand-in host and
// trainer: nothing is drawn while the tab is closed; opening it draws a set at once; a new set starts `every` steps
// after the last was finished and replaces it only once finished (the finished names stay readable meanwhile);
// every token runs through the trainer's exclusive slot, so never inside a training step; a graph without text
// says why it can't be sampled; bad settings are refused.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { init } from '../engine/index';
import { compileGraph, loadExample, type CompiledGraph } from '../playground/graph/index';
import { SamplesController } from '../playground/controllers/samples';
import type { TrainerController } from '../playground/controllers/trainer';
import { afterRender, standInHost as host } from './controller-stand-ins';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

/** The parts of TrainerController the samples use. `hold` keeps the next exclusive slots waiting until released. */
class StandInTrainer {
  graph: CompiledGraph | null = null;
  stepCount = 0;
  slots = 0;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;
  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.open?.();
    this.gate = null;
  }
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.gate) await this.gate;
    this.slots++;
    return work();
  }
}


describe('SamplesController', () => {
  test('draws only while shown, refreshes every N steps after the last set, and keeps finished names shown meanwhile', async () => {
    const trainer = new StandInTrainer();
    const c = new SamplesController(host, trainer as unknown as TrainerController);
    trainer.graph = compileGraph(loadExample('char-gpt-names').state, { seed: 0, device: 'cpu' });
    await afterRender(c);
    expect(trainer.slots).toBe(0); // the tab is closed

    c.setActive(true);
    await afterRender(c);
    await vi.waitFor(() => expect(c.running).toBe(false), { timeout: 20_000 });
    expect(c.samples).toHaveLength(6);
    expect(c.samples.every((s) => s.done)).toBe(true);
    expect([c.kind, c.step, c.message]).toEqual(['text', 0, '']);
    expect(trainer.slots).toBeGreaterThan(0); // every token went through an exclusive slot
    c.setSettings({ ...c.settings, every: 3 }); // settings draw again at once
    await vi.waitFor(() => expect(c.running).toBe(false), { timeout: 20_000 });
    const first = c.samples.map((s) => s.text);

    trainer.stepCount = 2;
    await afterRender(c);
    expect(c.running).toBe(false); // 2 steps since the last set: not yet

    trainer.hold();
    trainer.stepCount = 3;
    await afterRender(c);
    expect(c.running).toBe(true);
    // While the new set is written, the finished one stays shown.
    expect([c.step, c.samples.map((s) => s.text), c.samples.every((s) => s.done)]).toEqual([0, first, true]);
    trainer.release();
    await vi.waitFor(() => expect(c.running).toBe(false), { timeout: 20_000 });
    expect(c.step).toBe(3);
    expect(c.samples.every((s) => s.done)).toBe(true);

    c.setActive(false);
    const slots = trainer.slots;
    trainer.stepCount = 100;
    await afterRender(c);
    expect(trainer.slots).toBe(slots); // closed again: nothing drawn
    c.hostDisconnected();
    trainer.graph.dispose();
  });

  test('a graph without text says why it has no samples; bad settings are refused', async () => {
    const trainer = new StandInTrainer();
    const c = new SamplesController(host, trainer as unknown as TrainerController);
    c.setActive(true);
    await afterRender(c);
    expect(c.message).toBe('Samples appear once the graph is ready to train.');
    trainer.graph = compileGraph(loadExample('xor-mlp').state, { seed: 0, device: 'cpu' });
    await afterRender(c);
    expect(c.message).toMatch(/^Samples come from a text model: this graph has no Text corpus or Toy translation data node/);
    expect(c.samples).toEqual([]);
    expect(() => c.setSettings({ ...c.settings, every: 0 })).toThrow('Refresh every (steps) must be a whole number from 1 to 100000; got 0.');
    expect(() => c.setSettings({ ...c.settings, topK: -2 })).toThrow('Top-k must be a whole number from 0 to 1000; got -2.');
    c.hostDisconnected();
    trainer.graph.dispose();
  });
});
