// Handwritten digits from the `mnist` package, through the engine's loader (seeded train/test split).
import { loadMnist, MNIST_PIXELS, type Digits } from '../../../engine/course';
import type { DataSource, HostBatch } from '../node-type';

function rows(set: Digits, idx: ArrayLike<number>): HostBatch {
  const n = idx.length;
  const x = new Float32Array(n * MNIST_PIXELS);
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    x.set(set.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), k * MNIST_PIXELS);
    y[k] = set.labels[i];
  }
  return { image: { data: x, shape: [n, MNIST_PIXELS] }, label: { data: y, shape: [n] } };
}

export function mnistSource(testFraction: number): DataSource {
  let split: { train: Digits; test: Digits } | null = null;
  const need = (): { train: Digits; test: Digits } => {
    if (!split) throw new Error('MNIST is not loaded yet: await source.load() first');
    return split;
  };
  return {
    async load() {
      split ??= await loadMnist({ seed: 0, testFraction });
    },
    batch(size, rand) {
      const { train } = need();
      return rows(train, Int32Array.from({ length: size }, () => Math.floor(rand() * train.n)));
    },
    trainingSet() {
      const { train } = need();
      return { kind: 'examples', examples: { image: { data: train.images, shape: [train.n, MNIST_PIXELS] }, label: { data: train.labels, shape: [train.n] } } };
    },
    heldOut(max) {
      const { test } = need();
      return rows(test, Int32Array.from({ length: Math.min(max, test.n) }, (_, i) => i));
    },
  };
}
