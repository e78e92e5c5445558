// The custom elements of weeks 1-2, registered before the lesson renders (Lesson.load).
import './area';
import './joint';
import './spam';
import './gauss';
import './markov';
