// The course entry, for the app and the course's scripts: the lessons' engine code (engine/lessons: metrics, Bayes,
// n-grams, information theory, linear algebra, optimisation surfaces, the perceptron, text and demo datasets), the
// small datasets the exercises and the playground train on (engine/data) and the training recipes
// (engine/train: XOR, MNIST, names, translation, BERT, and the step loop they share). The engine itself (tensors,
// nn, optim, …) is imported from engine/index.ts, which keeps exporting the lessons as well.
export * from './lessons/index';
export * from './data/index';
export * from './train/index';
