// Weeks 8-9, neural networks: the perceptron (converging on separable data, stuck on XOR, Novikoff's bound), an
// MLP that solves XOR trained in the page by the engine, the activation functions and their derivatives by
// autograd, and backprop one tensor at a time. Every number the prose states is computed by the engine via stat().
import { html } from 'lit';
import { activationCurve, trainXorMlp } from '../../../../engine/course';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { separableBound } from './data';
import { boundExercise, mlpCell, perceptronCell, separableRun, softmaxGradCell, xorChoice, xorRun, PAGE_EPOCHS } from './exercises';

const plain = (v: number): string => String(Number(v.toFixed(3)));

/** The page's XOR network: 2 → 4 tanh → 2, 200 full-batch Adam steps from seed 1, on the engine's CPU backend. */
export const XOR_MLP = { hidden: 4, steps: 200, lr: 0.1, seed: 1, device: 'cpu' as const };
let xorFit: ReturnType<typeof trainXorMlp> | null = null;
/** Trained once per page load, when the lesson first renders. */
export const xorMlpFit = (): ReturnType<typeof trainXorMlp> => (xorFit ??= trainXorMlp(XOR_MLP));

const derivativeAt = (name: 'sigmoid' | 'tanh' | 'relu', x: number): Promise<number> => activationCurve(name, [x], 'cpu').then((c) => c.dy[0]);

const sep = separableRun();
const xor = xorRun();
const bound = separableBound();

export const lesson: Lesson = {
  id: 'week-8-9',
  week: '8-9',
  title: 'Neural networks',
  summary: 'From the perceptron, which cannot learn XOR, to a two-layer network that can, and backprop by hand.',
  load: () => Promise.all([import('./perceptron-widget'), import('./activation-widget'), import('./backprop-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>The perceptron</h2>
        <p>
          A perceptron is the simplest trainable classifier: it computes a score s = w·x + b and says class 1 when
          s is positive. Rosenblatt's learning rule goes through the examples one at a time and does nothing when
          the answer is right. When it is wrong, it adds the example to the weights (or subtracts it, for a negative
          example), with the bias moved by one as if it were a weight on an input that is always 1. Each correction
          turns the line towards the example it just got wrong.
        </p>
        <p>
          On the 40 separable points below, whose labels come from a known line with a gap kept around it, the rule
          stops after ${stat('w89-sep-epochs', sep.epochs, 'int')} passes over the data, having made
          ${stat('w89-sep-mistakes', sep.mistakes, 'int')} mistakes in all, and then classifies every training point
          right (accuracy ${stat('w89-sep-accuracy', sep.accuracy, 'percent')}). That it stops at all is a theorem.
          If every point is within R of the origin and some line separates the classes with a margin γ, the rule
          makes at most (R/γ)² mistakes, however the points are ordered. Here R = ${stat('w89-sep-R', bound.R, 3)}
          and the generating line's margin is γ = ${stat('w89-sep-gamma', bound.gamma, 3)}, so the bound is
          ${stat('w89-sep-bound', bound.bound, 1)} mistakes. The count in practice is far smaller, but the bound
          says something no experiment can: separable data always gets separated.
        </p>
        <p>
          XOR has no such line. Its four points put the two classes on the two diagonals of a square. After
          ${stat('w89-xor-epochs', xor.epochs, 'int')} epochs the perceptron still makes
          ${stat('w89-xor-last-mistakes', xor.mistakesPerEpoch[xor.mistakesPerEpoch.length - 1], 'int')} mistakes per
          pass and its final weights get only ${stat('w89-perceptron-xor-accuracy', xor.accuracy, 'percent')} of the
          points right. Minsky and Papert's book made this limit famous in 1969. Switch the data set in the widget and
          move the epoch slider to see both cases.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w89-perceptron',
      props: { value: { data: 'separable', epochs: 10 } },
      alt: `A plot of the chosen data set (the separable cloud or the four XOR points) with the perceptron's line after at most the chosen number of epochs (1 to ${PAGE_EPOCHS}), and a table of mistakes per epoch, total mistakes, accuracy, the weights and, for the separable set, R, γ and the mistake bound.`,
    },
    { kind: 'exercise', exercise: boundExercise },
    { kind: 'exercise', exercise: xorChoice },
    { kind: 'exercise', exercise: perceptronCell },
    {
      kind: 'text',
      body: html`
        <h2>A hidden layer solves XOR</h2>
        <p>
          The way out is to let the network build its own features. A multilayer perceptron first maps the input
          through a layer of units, h = tanh(x·W1 + b1), and only then draws a line, z = h·W2 + b2, in the space of
          h. The hidden layer can bend the square so that the two diagonals end up on different sides. The network
          cannot be trained by the perceptron rule, since no one says what a hidden unit should have output, but its
          loss is a differentiable function of every weight, so gradient descent works.
        </p>
        <p>
          This page trains one now, with the engine: two inputs, four tanh units and two outputs, trained for
          ${stat('w89-mlp-steps', XOR_MLP.steps, 'int')} full-batch Adam steps on the cross-entropy. It ends with
          a loss of ${stat('w89-mlp-xor-loss', xorMlpFit().then((f) => f.loss), 4)} nats and accuracy
          ${stat('w89-mlp-xor-accuracy', xorMlpFit().then((f) => f.accuracy), 'percent')} on XOR: the probability it
          gives class 1 is ${stat('w89-mlp-p00', xorMlpFit().then((f) => f.probabilities[0]), 3)} at (0,0),
          ${stat('w89-mlp-p01', xorMlpFit().then((f) => f.probabilities[1]), 3)} at (0,1),
          ${stat('w89-mlp-p10', xorMlpFit().then((f) => f.probabilities[2]), 3)} at (1,0) and
          ${stat('w89-mlp-p11', xorMlpFit().then((f) => f.probabilities[3]), 3)} at (1,1). The playground has the same
          network as a graph you can edit and watch train, and a larger one that learns handwritten digits.
        </p>`,
    },
    { kind: 'playground', example: 'xor-mlp', label: 'Train the XOR network in the playground' },
    { kind: 'playground', example: 'mnist-mlp', label: 'Train an MLP on MNIST digits in the playground' },
    {
      kind: 'text',
      body: html`
        <h2>Activation functions</h2>
        <p>
          Without a nonlinearity between them two layers collapse into one, since a product of matrices is a matrix.
          Which nonlinearity matters for training, because backprop multiplies by its derivative at every layer. The
          sigmoid squashes to (0, 1) and its slope is at most ${stat('w89-sigmoid-d0', derivativeAt('sigmoid', 0), plain)},
          at 0, so a gradient passed back through many sigmoids shrinks fast. tanh is a rescaled sigmoid centred on 0
          with slope ${stat('w89-tanh-d0', derivativeAt('tanh', 0), plain)} there, but it too flattens out for large
          inputs: at x = 3 its slope is already ${stat('w89-tanh-d3', derivativeAt('tanh', 3), 4)}. ReLU has slope
          ${stat('w89-relu-d2', derivativeAt('relu', 2), plain)} for every positive input and 0 for every negative one,
          so it never saturates on the positive side, which is why deep networks use it. Softmax takes a whole vector;
          plotted along one logit against a second fixed at 0, it is exactly the sigmoid. Every derivative in the plot
          is the gradient the engine's autograd computes, not a formula typed in.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w89-activations',
      props: { value: 'relu' },
      alt: 'A chooser for ReLU, tanh, sigmoid or softmax, a plot of the function (solid) and its derivative by autograd (dashed) for x from −4 to 4, and a table of both at x = −2, −1, 0, 1 and 2.',
    },
    {
      kind: 'text',
      body: html`
        <h2>The gradient of softmax and cross-entropy</h2>
        <p>
          The last layer of a classifier is almost always a softmax followed by the cross-entropy loss, and the two
          together have a gradient so simple that it is worth deriving once: with respect to the logits it is the
          predicted distribution minus the one-hot truth. Each wrong class is pushed down by the probability it got,
          and the right class is pushed up by the probability it lacked. Derive it, then check your answer against
          autograd.
        </p>`,
    },
    { kind: 'exercise', exercise: softmaxGradCell },
    {
      kind: 'text',
      body: html`
        <h2>Backprop, one tensor at a time</h2>
        <p>
          Backpropagation is the chain rule applied from the loss backwards, reusing what the forward pass stored.
          Each backward step needs only the gradient arriving from above and the values saved on the way forward:
          a matrix product sends the gradient back through the transposed weights, and a tanh multiplies it by
          1 − h². Step through a tiny network below, forward and then backward, and watch each tensor appear. Then
          write the same thing for any sizes in the code cell.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w89-backprop',
      props: { value: 1 },
      alt: 'A two-layer network with its weights listed, and Start over, Back and Next buttons that step through the forward pass (x, a, h, z, p, loss) and the backward pass (dz, dW2, db2, dh, da, dW1, db1); a table shows every tensor computed so far with its rule and value.',
    },
    { kind: 'exercise', exercise: mlpCell },
  ],
  claims: [
    { stat: 'w89-perceptron-xor-accuracy', is: '<', than: 1, says: 'the perceptron fails on XOR' },
    { stat: 'w89-mlp-xor-accuracy', is: '=', than: 1, says: 'the MLP solves XOR' },
  ],
  resources: [
    {
      title: 'Michael Nielsen, Neural Networks and Deep Learning, chapter 2',
      url: 'http://neuralnetworksanddeeplearning.com/chap2.html',
      adds: 'Backpropagation derived as four equations, with the matrix shapes kept explicit throughout.',
    },
    {
      title: '3Blue1Brown, “What is backpropagation really doing?”',
      url: 'https://www.youtube.com/watch?v=Ilg3gGewQ5U',
      adds: 'An animated picture of how each example nudges every weight, before any formula.',
    },
    {
      title: 'Andrej Karpathy, “The spelled-out intro to neural networks and backpropagation: building micrograd”',
      url: 'https://www.youtube.com/watch?v=VMj-3S1tku0',
      adds: 'Builds a small autograd engine from scratch, the same design as this course’s engine in miniature.',
    },
    {
      title: 'CS231n notes, “Backpropagation, Intuitions”',
      url: 'https://cs231n.github.io/optimization-2/',
      adds: 'Gradients through circuits gate by gate, with patterns for add, multiply and max, and matrix-product gradients.',
    },
    {
      title: 'TensorFlow Playground',
      url: 'https://playground.tensorflow.org/',
      adds: 'Train small networks on XOR and spirals in the browser, changing layers and activations live.',
    },
  ],
};
