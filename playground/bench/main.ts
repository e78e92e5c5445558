// The Bench page's entry (bench.html): the attention benchmark as a Lit element.
import './bench-tab';
