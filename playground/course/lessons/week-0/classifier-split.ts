// The share of the classifier widget's points held out for scoring, shared by the widget and the lesson's prose.
export const CLASSIFIER_TEST_FRACTION = 0.3;
