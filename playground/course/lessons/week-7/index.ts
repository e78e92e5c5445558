// Week 7, calculus and gradient descent: partial derivatives and the chain rule on a small computation graph whose
// every value and gradient the engine computes (autograd), then gradient descent, momentum and Adam on five 2-D
// surfaces with the engine's real optimizers. Every number the prose states is computed through stat().
import { html } from 'lit';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { DEFAULT_INPUTS, evaluateGraph } from './graph';
import { RACE_ADAM, RACE_SGD, RACE_START, RACE_TOL, rosenbrockRace } from './race';
import { chainRuleByHand, gradientCell, saddleChoice } from './exercises';
import { defaultSetting } from './descent';

const graph = evaluateGraph(DEFAULT_INPUTS);
const race = rosenbrockRace();
const plain = (v: number): string => String(Number(v.toFixed(4)));

export const lesson: Lesson = {
  id: 'week-7',
  week: '7',
  title: 'Calculus and gradient descent',
  summary: 'Partial derivatives, the chain rule as backpropagation on a small graph, and SGD, momentum and Adam on 2-D surfaces.',
  load: () => Promise.all([import('./graph-widget'), import('./descent-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>Derivatives, one input at a time</h2>
        <p>
          A derivative answers a practical question: if I nudge this input a little, how much does the output move,
          and in which direction? For a function of several inputs we ask it once per input while holding the others
          still; each answer is a <em>partial derivative</em>, written ∂L/∂a. Collected into a vector they form the
          <strong>gradient</strong>, which points in the direction where the function climbs fastest. Training a
          network means computing the gradient of its loss with respect to every weight, then stepping the other
          way.
        </p>
        <p>
          Nobody differentiates a whole network in one go. A program is a chain of small operations, each with a
          derivative that is easy to write down, and the <strong>chain rule</strong> says how to combine them: the
          effect of a on L is the effect of a on the next node times the effect of that node on L, multiplied along
          the path. Walking the graph backwards from the output, multiplying as you go, is backpropagation.
        </p>
        <p>
          The graph below is the example Andrej Karpathy uses to build micrograd: e = a·b, d = e + c, L = d·f. Each
          box shows a value (data) and the gradient of L with respect to it (grad), both computed by this course's
          engine: the values by a forward pass of tensor operations and every gradient by its autograd. With the
          starting inputs L is ${stat('w7-graph-L', graph.then((s) => s.L.value), plain)}, and the gradient at c is
          ${stat('w7-graph-dc', graph.then((s) => s.c.grad), plain)}: an addition copies the gradient it receives to
          both of its inputs, while a multiplication sends each input the other input's value, scaled by the
          gradient arriving from above. Move the sliders and watch which gradients change.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w7-graph',
      props: { value: { ...DEFAULT_INPUTS } },
      alt: 'A computation graph: inputs a and b feed a multiplication giving e, e and c feed an addition giving d, d and f feed a multiplication giving L. Each node is a box showing its value and its gradient ∂L/∂node; sliders set a, b, c and f, and a table lists every value and gradient.',
    },
    { kind: 'exercise', exercise: chainRuleByHand },
    {
      kind: 'text',
      body: html`
        <h2>Walking downhill</h2>
        <p>
          Gradient descent repeats one move: compute the gradient at the current point and take a step against it,
          p ← p − lr·∇f(p). The learning rate lr sets the step length. Too small and progress is slow; too large
          and the steps overshoot the valley floor and bounce, or fly off altogether.
        </p>
        <p>
          Two refinements matter in practice. <strong>Momentum</strong> keeps a running sum of past gradients and
          steps along it, like a ball that keeps rolling: directions that agree from step to step build up speed,
          and directions that flip sign cancel out. <strong>Adam</strong> also keeps a running average of each
          coordinate's squared gradient and divides by its square root, so every coordinate moves about lr per step
          whether its slope is steep or gentle. The catch is that its step never shrinks with the gradient, so with a
          fixed learning rate it ends up jittering around the minimum on a scale set by lr.
        </p>
        <p>
          The widget runs all three on the same surface from the same start, using the engine's own optimizers. Try
          the bowl first, where everything works. Then the Rosenbrock valley: its floor is a long curved ditch whose
          walls are a hundred times steeper than its slope, so plain SGD must use a tiny step to avoid bouncing
          between the walls, and then crawls along the floor. On the saddle, start just off the line y = 0 and watch
          the paths approach the middle before sliding away. Himmelblau has four minima, and which one you reach
          depends on where you start. Drag the white start point, or focus a plot and use the arrow keys.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w7-descent',
      props: { value: defaultSetting() },
      alt: 'Three plots of the same surface, shaded by height, with the path of SGD, of SGD with momentum and of Adam from a shared start point. A menu picks the surface (bowl, Rosenbrock, saddle, Himmelblau, Beale) and the number of steps; each plot has a learning-rate slider; the start point is dragged or moved with the arrow keys. A list says where each path ended and how far from the nearest minimum.',
    },
    { kind: 'exercise', exercise: saddleChoice },
    {
      kind: 'text',
      body: html`
        <h2>A race along the valley</h2>
        <p>
          Here is the difference on the Rosenbrock valley in numbers. Both optimizers start at
          (${RACE_START.join(', ')}) and we count the steps until the point first comes within ${RACE_TOL} of the
          minimum at (1, 1). Plain SGD gets a learning rate of ${RACE_SGD.lr}, close to the largest that stays stable
          on the steep walls near the minimum; it needs
          ${stat('w7-race-sgd-steps', race.then((r) => r.sgd), 'int')} steps. Adam with a learning rate of
          ${RACE_ADAM.lr} needs ${stat('w7-race-adam-steps', race.then((r) => r.adam), 'int')}. SGD's step is
          proportional to the gradient, and along the valley floor the gradient is tiny; Adam divides that tiny
          gradient by its own typical size and keeps moving at full pace.
        </p>
        <p>
          None of this needs a gradient written by hand: the engine's autograd gives it for any function built from
          its operations. Writing one by hand once is still the best way to see what autograd does, and checking it
          against finite differences, (f(x + h) − f(x − h)) / 2h for a small h, is how you test one.
        </p>`,
    },
    { kind: 'exercise', exercise: gradientCell },
  ],
  claims: [{ stat: 'w7-race-adam-steps', is: '<', than: 'w7-race-sgd-steps', says: "Adam reaches Rosenbrock's minimum sooner than SGD" }],
  resources: [
    {
      title: 'Andrej Karpathy, micrograd',
      url: 'https://github.com/karpathy/micrograd',
      adds: 'A scalar autograd engine in about a hundred lines, with the graph drawings this page imitates.',
    },
    {
      title: 'Andrej Karpathy, “The spelled-out intro to neural networks and backpropagation: building micrograd”',
      url: 'https://www.youtube.com/watch?v=VMj-3S1tku0',
      adds: 'Builds the a, b, c, f graph above by hand and backpropagates through it node by node, then grows it into a neural net.',
    },
    {
      title: 'Gabriel Goh, “Why Momentum Really Works” (Distill)',
      url: 'https://distill.pub/2017/momentum/',
      adds: 'Interactive analysis of why momentum helps on ill-conditioned valleys like Rosenbrock’s, and where it stops helping.',
    },
    {
      title: 'Sebastian Ruder, “An overview of gradient descent optimization algorithms”',
      url: 'https://www.ruder.io/optimizing-gradient-descent/',
      adds: 'One consistent notation for SGD, momentum, Nesterov, Adagrad, RMSprop and Adam, with the update rules side by side.',
    },
    {
      title: 'Kingma & Ba, “Adam: A Method for Stochastic Optimization”',
      url: 'https://arxiv.org/abs/1412.6980',
      adds: 'The paper behind the engine’s Adam: the moment estimates, their bias correction and the default betas.',
    },
    {
      title: 'Wikipedia, “Test functions for optimization”',
      url: 'https://en.wikipedia.org/wiki/Test_functions_for_optimization',
      adds: 'Formulas, minima and plots for the Rosenbrock, Himmelblau and Beale functions and many more.',
    },
  ],
};
