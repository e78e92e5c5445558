export { loadMnist, MNIST_PIXELS, type Digits } from './mnist';
export { XOR_INPUTS, XOR_LABELS } from './xor';
export { loadNames, shuffle } from './names';
export { syntheticSentences } from './sentences';
