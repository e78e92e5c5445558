// Week 0, model evaluation: why a model is scored on data it never saw, how to split the data for that, what
// accuracy hides and what precision, recall and F1 show, and under- and overfitting as the two ways a model
// fails to generalise. Every number the prose states is computed by the engine through stat().
import { html } from 'lit';
import { metrics } from '../../../../engine/index';
import { gaussianBlobs, sampleCurve } from '../../../../engine/course';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { bestDegree, diagnose, kfoldTrainSize, polySweep, prf1Cell, spamPrecision, spamRecall, whichScore, POLY_MAX_DEGREE, POLY_SEED } from './exercises';
import { CLASSIFIER_TEST_FRACTION } from './classifier-split';

const sci = (v: number): string => v.toExponential(1);

const pct = (v: number): string => `${Math.round(v * 100)}%`;
const RARE = 0.05;
const SPLIT_EXAMPLES = 20;

/** A rare-positive sample, scored for a "classifier" that always answers negative. */
function alwaysNegative(): { accuracy: number; recall: number } {
  const { y } = gaussianBlobs(1000, { seed: 3, positiveShare: RARE });
  const pred = new Array<number>(y.length).fill(0);
  return { accuracy: metrics.accuracy(y, pred), recall: metrics.recall(y, pred) };
}
const lazy = alwaysNegative();
const sweep = polySweep();
const top = sweep[POLY_MAX_DEGREE];
const polySample = sampleCurve({ seed: POLY_SEED });
const nTrain = polySample.train.x.length;
const nValidation = polySample.validation.x.length;

export const lesson: Lesson = {
  id: 'week-0',
  week: '0',
  title: 'Model evaluation',
  summary: 'Splits, k-fold, precision and recall, and how to tell a model that learned from one that memorised.',
  load: () => Promise.all([import('./splits-widget'), import('./classifier-widget'), import('./polyfit-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>Scoring on data the model never saw</h2>
        <p>
          A model is useful for the examples it will meet later, not for the ones it learned from. Its score on its
          own training data says little about that: a model could store every training example and look perfect
          there while knowing nothing. So before training starts, some labelled data is set aside and the model is
          never allowed to learn from it.
        </p>
        <p>
          In practice the data is cut three ways. The <strong>training set</strong> is what the model fits. The
          <strong>validation set</strong> is for the choices you make around the fit: which model, how large, how
          long to train. The <strong>test set</strong> is opened once, at the very end, to report how the final
          model does on new data. Each set has its own job because every time you use a set to make a decision, you
          bend your model a little towards it, and its score stops being an unbiased estimate.
        </p>
        <p>
          The split is random, so that each part looks like the whole. The widget below shuffles ${SPLIT_EXAMPLES}
          examples and deals them out; move the sliders to change the shares.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w0-splits',
      props: { n: SPLIT_EXAMPLES },
      alt: 'Numbered examples coloured by the set they fall in (training, validation, test), with sliders for the test and validation shares; below, one row per round of k-fold cross-validation showing which examples validate in that round, with a slider for k.',
    },
    {
      kind: 'text',
      body: html`
        <h2>k-fold cross-validation</h2>
        <p>
          With little data, a single validation set is a problem twice over: it takes examples away from training,
          and its score is noisy because it is small. <strong>k-fold cross-validation</strong> uses all the data for
          both. It cuts the data into k equal folds and trains k models; each model holds out one fold for
          validation and trains on the other k − 1. Every example is validated exactly once, and the average of the
          k scores is a steadier estimate than any one of them. The price is training k times. A test set, if you
          need an honest final number, still stays outside all of this.
        </p>`,
    },
    { kind: 'exercise', exercise: kfoldTrainSize },
    {
      kind: 'text',
      body: html`
        <h2>What accuracy hides</h2>
        <p>
          Accuracy, the share of predictions that are right, is the obvious score and often a misleading one. When
          positives are rare it rewards doing nothing: on a sample where ${pct(RARE)} of the examples are positive, a
          "classifier" that always answers negative is
          ${stat('w0-lazy-accuracy', lazy.accuracy, 'percent')} accurate and finds
          ${stat('w0-lazy-recall', lazy.recall, 'percent')} of the positives.
        </p>
        <p>
          The <strong>confusion matrix</strong> keeps the four outcomes apart: true positives (TP) and true negatives
          (TN) are right; false positives (FP) are false alarms; false negatives (FN) are misses. From it,
          <strong>precision</strong> = TP / (TP + FP) asks how many of the alarms were real, and
          <strong>recall</strong> = TP / (TP + FN) asks how many of the real cases raised an alarm.
          <strong>F1</strong> = 2·P·R / (P + R), their harmonic mean, is high only when both are; unlike the
          ordinary mean, it cannot be bought with one of them alone.
        </p>
        <p>
          A classifier that outputs a probability needs a <strong>threshold</strong> to turn it into a yes or no.
          Lowering it raises more alarms: recall goes up and precision usually goes down. Which trade is right
          depends on what a miss costs compared with a false alarm, which is a question about the problem, not the
          model. Below, a logistic regression trains on the engine with ${pct(1 - CLASSIFIER_TEST_FRACTION)} of the
          points and is scored on the other ${pct(CLASSIFIER_TEST_FRACTION)}. Drag the threshold, make positives rare,
          retrain with only a few steps, and watch the matrix.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w0-classifier',
      alt: 'A scatter plot of held-out points from two overlapping classes, shaded by the trained model’s probability of the positive class, with the decision boundary at the chosen threshold; beside it the confusion matrix and the accuracy, precision, recall and F1 on the held-out points, updated as the threshold moves or the model retrains.',
    },
    { kind: 'exercise', exercise: spamPrecision },
    { kind: 'exercise', exercise: spamRecall },
    {
      kind: 'text',
      body: html`<p>
        Now write the three scores yourself. Mind the edge cases: a classifier that never predicts positive has no
        precision to speak of, since TP + FP is 0; the convention, which scikit-learn follows and the engine copies,
        is to call it 0.
      </p>`,
    },
    { kind: 'exercise', exercise: prf1Cell },
    {
      kind: 'text',
      body: html`
        <h2>Underfitting and overfitting</h2>
        <p>
          A model can fail to generalise in two opposite ways. One that is too simple misses the pattern: a straight
          line through points on a curve is wrong on the training data and on new data alike. That is
          <strong>underfitting</strong>. One that is too flexible fits the pattern and the noise: it passes through
          every training point and swings wildly between them. That is <strong>overfitting</strong>, and its mark is
          a training error far below the validation error.
        </p>
        <p>
          Polynomials show both on one slider. The widget fits a least-squares polynomial to ${nTrain} noisy samples
          of a smooth curve and scores it on ${nValidation} other samples of the same curve. Training error can only fall as the
          degree grows, since a higher degree can always reproduce a lower one. At degree ${POLY_MAX_DEGREE} the
          polynomial has as many coefficients as there are training points and passes through all of them: its
          training error is ${stat('w0-poly-train-top', top.train, sci)}, only rounding, while its validation error is
          ${stat('w0-poly-validation-top', top.validation, sci)}. Somewhere in between is the degree you want.
        </p>`,
    },
    { kind: 'exercise', exercise: bestDegree },
    { kind: 'exercise', exercise: diagnose },
    {
      kind: 'text',
      body: html`<p>
        The degree you just picked was chosen by looking at validation error, so that error is a little flattering:
        out of all the degrees, you kept the one that happened to do best on those particular ${nValidation} points. This is why
        the test set exists.
      </p>`,
    },
    { kind: 'exercise', exercise: whichScore },
    { kind: 'playground', example: 'mnist-mlp', label: 'Train a digit classifier and watch its held-out accuracy, not just its loss' },
  ],
  resources: [
    {
      title: 'Google Machine Learning Crash Course: Accuracy, recall, precision, and related metrics',
      url: 'https://developers.google.com/machine-learning/crash-course/classification/accuracy-precision-recall',
      adds: 'Short definitions with worked examples, and when each metric is the one to watch.',
    },
    {
      title: 'Google Machine Learning Crash Course: Thresholds and the confusion matrix',
      url: 'https://developers.google.com/machine-learning/crash-course/classification/thresholding',
      adds: 'How moving the classification threshold reshapes the confusion matrix: the trade-off of the widget above.',
    },
    {
      title: 'StatQuest, “Machine Learning Fundamentals: The Confusion Matrix”',
      url: 'https://www.youtube.com/watch?v=Kdsp6soqA7o',
      adds: 'The four cells drawn out on a medical example, and how to compare two models with them.',
    },
    {
      title: 'StatQuest, “ROC and AUC, Clearly Explained!”',
      url: 'https://www.youtube.com/watch?v=4jRBRDbJemM',
      adds: 'Sweeps the threshold through every value at once and summarises a classifier by one curve.',
    },
    {
      title: 'StatQuest, “Machine Learning Fundamentals: Cross Validation”',
      url: 'https://www.youtube.com/watch?v=fSytzGwwBVw',
      adds: 'Why the data is rotated through the training and testing roles, and how that compares methods fairly.',
    },
    {
      title: 'StatQuest, “Machine Learning Fundamentals: Bias and Variance”',
      url: 'https://www.youtube.com/watch?v=EuBBz3bI-aA',
      adds: 'The vocabulary behind under- and overfitting: bias, variance and the trade between them.',
    },
    {
      title: 'scikit-learn: Cross-validation: evaluating estimator performance',
      url: 'https://scikit-learn.org/stable/modules/cross_validation.html',
      adds: 'Every splitting scheme in practice (k-fold, stratified, grouped, time series) and the mistakes each avoids.',
    },
    {
      title: 'scikit-learn: Metrics and scoring',
      url: 'https://scikit-learn.org/stable/modules/model_evaluation.html',
      adds: 'The reference for the metrics used here, their averaging options for more than two classes, and many more.',
    },
    {
      title: 'scikit-learn example: Underfitting vs. Overfitting',
      url: 'https://scikit-learn.org/stable/auto_examples/model_selection/plot_underfitting_overfitting.html',
      adds: 'The polynomial experiment in a few lines of Python, scored by cross-validation.',
    },
  ],
};
