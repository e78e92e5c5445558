// Stand-ins for the Lit host and the TrainerController that the playground's controllers (views, samples) are
// tested with on the CPU device, outside any page.
import type { ReactiveControllerHost } from 'lit';
import type { CompiledGraph, DataSource } from '../playground/graph/index';

/** A host that renders nothing; the tests call hostUpdated() themselves (afterRender). */
export const standInHost: ReactiveControllerHost = {
  addController: () => undefined,
  removeController: () => undefined,
  requestUpdate: () => undefined,
  updateComplete: Promise.resolve(true),
};

/** What the app does after each render: the controller looks at the trainer in a microtask. */
export async function afterRender(controller: { hostUpdated(): void }): Promise<void> {
  controller.hostUpdated();
  await Promise.resolve();
}

/**
 * The parts of TrainerController that the views read, with the compiled graph set by the test. `vocab` maps a data
 * node's id to its vocabulary, for the token labels; any other node has no data source.
 */
export class ViewsStandInTrainer {
  graph: CompiledGraph | null = null;
  version = 0;
  stepCount = 0;
  isTraining = false;
  constructor(private readonly vocab: Record<string, string> = {}) {}
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }
  dataSource(id: string): DataSource | undefined {
    return Object.hasOwn(this.vocab, id) ? ({ vocabulary: this.vocab[id] } as DataSource) : undefined;
  }
}
