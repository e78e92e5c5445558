// The Bench page's entry (bench.html): the attention benchmark and the Your kernel tab, as Lit elements.
import './bench-tab';
import './kernel-tab';
import './bench-tabs';
