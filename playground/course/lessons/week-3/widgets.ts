// The custom elements of week 3, registered before the lesson renders (Lesson.load).
import './addk';
import './lab';
import './sparsity';
