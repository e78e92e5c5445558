// Weeks 19-20, beyond the transformer: efficient attention (sparse, windowed and global patterns drawn as masks by
// the engine, Linformer's projection, Reformer's LSH, the long-sequence benchmark's committed numbers and a live run
// on the reader's device), long context and relative positions (RoPE, ALiBi, T5's bias and the extrapolation run),
// vision transformers and a tiny CLIP on the shipped checkpoints (vision-sections.ts), and state-space models (the
// scan, its combine tree, and the comparison with attention). The integration project is its own lesson, linked at
// the end. Every number comes from numbers.ts or vision.ts: engine code, or a file a benchmark or recipe wrote.
import { html } from 'lit';
import { functional } from '../../../../engine/index';
import { efficient } from '../../../../engine/course';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import {
  BENCH_BLOCK, BENCH_GLOBALS, BENCH_LINFORMER_K, BENCH_WINDOW, FULL_T, LSH, MASK_BLOCK, MASK_GLOBALS, MASK_T, MASK_WINDOW, SCAN_DECAY, benchLayout, benchLong, benchMs,
  extrapolation, extrapolationAt, lshCandidates, lshCurve, maskScores, scanDemo, ssmComparison,
} from './numbers';
import { accuracyPlot } from './plots';
import { LIVE } from './bench-widget';
import { combineCell, linformerCausal, linformerCell, recurrenceCell, windowCell, windowScores } from './exercises';
import { multimodalSections, visionClaims, visionResources, visionSections } from './vision-sections';

const pct = 'percent' as const;
const times = (v: number): string => `${v.toFixed(1)}×`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const bench = benchLong();
/** The longest length the committed run measured, where the page compares the methods. */
const BENCH_T = bench.lengths[bench.lengths.length - 1];
const speedup = (method: string, pass: 'fwd' | 'fwd+bwd') => benchMs(bench, 'dense-causal', BENCH_T, pass) / benchMs(bench, method, BENCH_T, pass);

const ex = extrapolation();
const [SHORT, , LONG] = ex.evalLengths;
const acc = (encoding: string, T: number) => extrapolationAt(ex, encoding, T);

const ssm = ssmComparison();
const LONGEST = ssm.lengths[ssm.lengths.length - 1];
const recallAt = (m: 'ssm' | 'gpt', T: number) => ssm.recall[m].find((c) => c.T === T)!;

/** Dense causal attention as a block layout: what the block-sparse layout is measured against. */
const denseCausalBlocks = functional.layoutDensity(functional.stridedBlockLayout({ Tq: FULL_T, blockSize: 64, local: FULL_T / 64, stride: 0, causal: true }));

export const lesson: Lesson = {
  id: 'week-19-20',
  week: '19-20',
  title: 'Beyond the transformer',
  summary: 'Attention that scales: sparse and windowed patterns, Linformer, Reformer’s hashing and a benchmark; relative positions and what happens past the training length; images as patch sequences (ViT) and a tiny CLIP that classifies digits from prompts; and state-space models, whose recurrence runs as a parallel scan.',
  load: () => Promise.all([
    import('./mask-widget'), import('./linformer-widget'), import('./lsh-widget'), import('./bench-widget'), import('./scan-widget'),
    import('./vit-widget'), import('./clip-widget'), import('./clip-batch-widget'),
  ]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>The price of looking everywhere</h2>
        <p>
          Self-attention compares every query with every key. For a sequence of T tokens that is T × T scores per
          head and layer: double the length and the work (and, done naively, the memory) goes up four times. At a
          few hundred tokens nobody notices; at a book, a long program or a genome it decides what can be trained
          at all. These two weeks look at three answers. The first keeps attention but computes fewer scores. The
          second changes how positions enter, so that a model trained on short sequences still works on longer
          ones. The third drops attention for a recurrence that costs the same per token however long the
          sequence is.
        </p>`,
    },
    {
      kind: 'text',
      body: html`
        <h2>Efficient transformers: attend to fewer keys</h2>
        <p>
          Most of a trained model's attention weight usually lands on a few keys, often nearby ones. Sparse
          attention fixes in advance which (query, key) pairs are scored and skips the rest. The picture of such a
          choice is a mask: a T × T grid with a cell filled where query i (row) may look at key j (column). Some
          well-known patterns:
        </p>
        <ul>
          <li><strong>Sliding window</strong> (causal): query i sees only the w most recent keys, i − w &lt; j ≤ i.</li>
          <li>
            <strong>Longformer</strong> (Beltagy et al., 2020): a two-sided local window |i − j| &lt; w for an
            encoder, plus a few <em>global tokens</em> (a classification token, the question in question answering)
            that attend to everything and that everything attends to. Information can then travel between any two
            positions in two steps, through a global token.
          </li>
          <li>
            <strong>Strided blocks</strong> (Child et al., 2019): the sequence is cut into blocks; each block attends
            its neighbouring blocks, and every few blocks there is a summary block that every later block attends.
          </li>
        </ul>
        <p>
          The widget draws each pattern at T = ${stat('w1920-mask-t', MASK_T, 'int')} from the engine itself: it runs
          the engine's attention with that pattern and marks the weights that come out non-zero, so what you see is
          exactly what the kernels compute. With the window at w = ${stat('w1920-mask-w', MASK_WINDOW, 'int')}: dense
          causal attention scores ${stat('w1920-mask-causal', maskScores('causal'), 'int')} of the
          ${stat('w1920-mask-dense', MASK_T * MASK_T, 'int')} pairs, the causal window
          ${stat('w1920-mask-window', maskScores('window'), 'int')}, Longformer
          ${stat('w1920-mask-longformer', maskScores('longformer'), 'int')} (global tokens at positions
          ${stat('w1920-mask-g0', MASK_GLOBALS[0], 'int')} and ${stat('w1920-mask-g1', MASK_GLOBALS[1], 'int')}), and the
          strided layout (blocks of ${stat('w1920-mask-block', MASK_BLOCK.blockSize, 'int')} positions, every
          ${stat('w1920-mask-stride', MASK_BLOCK.stride, 'int')}th a summary block)
          ${stat('w1920-mask-strided', maskScores('strided'), 'int')}. The window's count grows like T·w instead of
          T², and so does Longformer's plus a full row and column per global token.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1920-masks',
      alt: 'A slider sets the window w and a menu picks the pattern: dense causal, causal sliding window, Longformer (two-sided window plus global tokens 0 and 1) or strided blocks. A 32 by 32 grid fills the cells whose scores are computed, global tokens’ rows and columns in orange, and a line states how many of the 1,024 scores are kept.',
    },
    { kind: 'exercise', exercise: windowScores },
    { kind: 'exercise', exercise: windowCell },
    {
      kind: 'text',
      body: html`
        <p>
          The saving is what the kernels skip. A GPU kernel works on tiles of the score matrix, so a pattern pays off
          when whole tiles are empty: the engine's fused attention builds the list of tiles each pattern touches and
          visits only those. At the benchmark's length T = ${stat('w1920-full-t', FULL_T, 'int')}, a causal window of
          ${stat('w1920-bench-window', BENCH_WINDOW, 'int')} keeps
          ${stat('w1920-window-share', efficient.causalWindowScores(FULL_T, BENCH_WINDOW) / ((FULL_T * (FULL_T + 1)) / 2), pct)}
          of dense causal attention's scores, and the benchmark's strided layout (blocks of ${stat('w1920-bench-block', BENCH_BLOCK.blockSize, 'int')},
          ${stat('w1920-bench-local', BENCH_BLOCK.local, 'int')} local blocks, every ${stat('w1920-bench-stride', BENCH_BLOCK.stride, 'int')}th
          a summary block) keeps ${stat('w1920-layout-density', functional.layoutDensity(benchLayout(FULL_T)), pct)}
          of all block pairs (<code>functional.layoutDensity</code>), where dense causal attention needs
          ${stat('w1920-causal-blocks', denseCausalBlocks, pct)}.
        </p>
        <h3>Linformer: shorten the keys instead</h3>
        <p>
          Linformer (Wang et al., 2020) starts from an observation: the T × T attention matrix of a trained model is
          close to low-rank. So it learns two matrices E and F of shape k × T and projects along the sequence:
          K′ = E·K and V′ = F·V each have k rows instead of T. Every query then scores only the k projected keys,
          and the score matrix is T × k. With the benchmark's k = ${stat('w1920-lin-k', BENCH_LINFORMER_K, 'int')} at
          T = ${stat('w1920-full-t', FULL_T, 'int')} that is ${stat('w1920-lin-ratio', efficient.linformerScores(FULL_T, BENCH_LINFORMER_K).ratio, 'int')}
          times fewer scores. The catch is in the projection itself: each projected key is a mixture of all T
          positions, and a mixture has no position left to mask. The widget shows E and the attention weights of the
          engine's <code>nn.MultiHeadAttention</code> with its <code>linformer</code> option (untrained, one head).
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1920-linformer',
      alt: 'A menu picks the projected length k. Two heatmaps: the projection E, k rows by 24 positions, and the layer’s attention weights, 24 queries by k projected keys; a line compares 24·k scores with 24².',
    },
    { kind: 'exercise', exercise: linformerCell },
    { kind: 'exercise', exercise: linformerCausal },
    {
      kind: 'text',
      body: html`
        <h3>Reformer: let similar vectors find each other</h3>
        <p>
          Softmax attention is dominated by the keys with the largest dot products. Reformer (Kitaev et al., 2020)
          finds those keys without computing all the scores, with locality-sensitive hashing: multiply a vector by a
          random matrix R and take the index of the largest entry of [xR; −xR] as its bucket. Vectors pointing in
          similar directions tend to land in the same bucket, so each query attends only to the keys in its own
          bucket. One hash can split a close pair across a boundary; hashing several times with fresh random matrices
          and attending to everything shared in any round makes that unlikely.
        </p>
        <p>
          Here ${stat('w1920-lsh-keys', LSH.keys, 'int')} random keys in ${stat('w1920-lsh-dim', LSH.dim, 'int')}
          dimensions are each paired with a query near them (the key plus noise), hashed by the engine's LSH
          (<code>engine/lessons/lsh.ts</code>) into ${stat('w1920-lsh-buckets', LSH.defaultBuckets, 'int')} buckets. With one round
          a query shares a bucket with its nearest key ${stat('w1920-lsh-rate-1', lshCurve(LSH.defaultBuckets)[0], pct)}
          of the time, far above the ${stat('w1920-lsh-chance', 1 / LSH.defaultBuckets, pct)} of a random
          bucket; with four rounds ${stat('w1920-lsh-rate-4', lshCurve(LSH.defaultBuckets)[3], pct)}, while a query
          still shares a bucket with only ${stat('w1920-lsh-candidates-4', lshCandidates(LSH.defaultBuckets, 4), 1)}
          of the ${stat('w1920-lsh-keys', LSH.keys, 'int')} keys on average. Those are the keys it would score.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1920-lsh',
      alt: 'A slider sets the number of hashing rounds (1 to 8) and a menu the number of buckets. Bars show, for 1 to 8 rounds, the share of queries whose nearest key shares a bucket, with the chance level as a dashed line; a line states the share and how many keys a query shares a bucket with.',
    },
    {
      kind: 'text',
      body: html`
        <h3>Measured: the long-sequence benchmark</h3>
        <p>
          <code>npm run bench:long</code> times one attention call at B = ${stat('w1920-bench-b', bench.B, 'int')},
          H = ${stat('w1920-bench-h', bench.H, 'int')}, d = ${stat('w1920-bench-d', bench.d, 'int')} for dense causal
          attention, the causal window of ${stat('w1920-bench-window', BENCH_WINDOW, 'int')}, Longformer (two-sided window
          ${stat('w1920-bench-window', BENCH_WINDOW, 'int')} and ${stat('w1920-bench-globals', BENCH_GLOBALS, 'int')} global
          tokens), the strided block layout and Linformer (k = ${stat('w1920-lin-k', BENCH_LINFORMER_K, 'int')}), all on the engine's fused
          kernels. The numbers below are read from <code>docs/bench-long.json</code>, which the benchmark wrote in a
          reduced run up to T = ${stat('w1920-bench-t', BENCH_T, 'int')} on SwiftShader (WebGPU running on the CPU, 2 cores,
          load average ${stat('w1920-bench-load-before', bench.load.before, 2)} before and
          ${stat('w1920-bench-load-after', bench.load.after, 2)} after: other work shared the machine, so treat the
          times as rough and compare within the run). At T = ${stat('w1920-bench-t', BENCH_T, 'int')}, forward and backward:
          dense causal ${stat('w1920-bench-dense-ms', benchMs(bench, 'dense-causal', BENCH_T, 'fwd+bwd'), seconds)}; the
          window ${stat('w1920-bench-window-x', speedup('window-256', 'fwd+bwd'), times)} faster, Longformer
          ${stat('w1920-bench-longformer-x', speedup('longformer', 'fwd+bwd'), times)}, the block layout
          ${stat('w1920-bench-block-x', speedup('block-sparse', 'fwd+bwd'), times)} and Linformer
          ${stat('w1920-bench-linformer-x', speedup('linformer', 'fwd+bwd'), times)}. Dense attention's time grows as T²
          and the sparse patterns' as T, so the gaps widen with length (the README records the full run to
          T = ${stat('w1920-full-t', FULL_T, 'int')}).
        </p>
        <p>
          The widget runs a small version on your device: dense causal, a causal window of ${stat('w1920-live-window', LIVE.window, 'int')} and
          Longformer with a two-sided window of ${stat('w1920-live-window', LIVE.window, 'int')} and
          ${stat('w1920-live-globals', LIVE.globals, 'int')} global tokens, at T = ${stat('w1920-live-t0', LIVE.lengths[0], 'int')}
          or ${stat('w1920-live-t1', LIVE.lengths[1], 'int')}, forward only. At these lengths fixed costs (launching kernels, reading results back) are a large part of
          each call, so expect smaller ratios than above, and different ones on different machines.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1920-live-bench',
      alt: 'A menu picks T = 256 or 512 and a button times one forward call of dense causal attention, a causal window of 32 and Longformer on this device. A table lists each time and its ratio to dense causal.',
    },
    {
      kind: 'text',
      body: html`
        <h2>Long context and relative positions</h2>
        <p>
          A model trained on sequences of ${stat('w1920-ex-train', ex.trainLength, 'int')} tokens meets later positions for the first time when it is run on longer ones. What it does
          there depends on how positions enter. A <strong>learned</strong> table has no row for a position past the training length at all.
          The <strong>sinusoidal</strong> table has one, but the model never saw those vectors added to its inputs.
          The remedy is to make attention depend on the <em>offset</em> i − j between query and key rather than on
          where each stands, since offsets seen in training recur at every length:
        </p>
        <ul>
          <li>
            <strong>RoPE</strong> (Su et al., 2021) rotates each pair of query and key features by an angle
            proportional to the position. The dot product of a query rotated by i and a key rotated by j depends only
            on the difference of the angles, so scores depend on i − j.
          </li>
          <li>
            <strong>ALiBi</strong> (Press et al., 2021) adds no vectors at all: it subtracts m·(i − j) from each score,
            a linear penalty on distance with a fixed slope m per head. Nothing is learned, and the penalty works at
            any length, but it can only prefer nearer keys.
          </li>
          <li>
            <strong>T5's relative bias</strong> (Raffel et al., 2019) adds a learned number per head to each score,
            chosen by a bucket of the offset: exact for small offsets, logarithmically wider buckets for large ones,
            and one last bucket for everything beyond a maximum distance.
          </li>
        </ul>
        <p>
          <code>npm run train -- extrapolation</code> trains one small model per encoding (an embedding, one causal
          attention layer with a residual, a linear head) for ${stat('w1920-ex-steps', ex.steps, 'int')} steps on
          sequences of ${stat('w1920-ex-train', ex.trainLength, 'int')} random tokens to output, at every position, the
          token ${stat('w1920-ex-shift', ex.shift, 'int')} places back, then scores held-out sequences of several lengths. The plot is drawn from
          <code>docs/extrapolation.json</code>, which that run wrote (CPU backend,
          ${stat('w1920-ex-seconds', ex.seconds, 0)} s). At the training length RoPE scores
          ${stat('w1920-ex-rope-64', acc('rope', SHORT), pct)} and sinusoidal positions
          ${stat('w1920-ex-sin-64', acc('sinusoidal', SHORT), pct)}. At ${stat('w1920-ex-long', LONG, 'int')} tokens
          RoPE keeps ${stat('w1920-ex-rope-256', acc('rope', LONG), pct)}, T5's bias falls to
          ${stat('w1920-ex-t5-256', acc('t5', LONG), pct)} and sinusoidal positions to
          ${stat('w1920-ex-sin-256', acc('sinusoidal', LONG), pct)}; the learned table cannot be run there at all.
          ALiBi is a surprise on this task: ${stat('w1920-ex-alibi-64', acc('alibi', SHORT), pct)} at the training
          length and ${stat('w1920-ex-alibi-256', acc('alibi', LONG), pct)} at ${stat('w1920-ex-long', LONG, 'int')}, against a chance level of
          ${stat('w1920-ex-chance', ex.chance, pct)}. Its fixed penalty only ranks keys by distance, and a single layer
          cannot use it to pick out the key exactly two back. But what it learns it keeps at every length. T5's drop
          has a cause too: buckets for offsets beyond the training length were never used in training, so they keep
          their initial values and let far keys draw weight away from the right one.
        </p>
        ${accuracyPlot({
          caption: `Accuracy on held-out sequences against length, trained at T = ${ex.trainLength} (docs/extrapolation.json; learned positions have no value past ${ex.trainLength})`,
          xs: ex.evalLengths,
          xLabel: 'sequence length',
          yLabel: 'accuracy',
          series: ['learned', 'sinusoidal', 'rope', 'alibi', 't5'].map((e) => ({ label: e === 'rope' ? 'RoPE' : e === 'alibi' ? 'ALiBi' : e === 't5' ? 'T5 bias' : e, y: ex.accuracy[e] })),
          reference: { y: ex.chance, label: 'chance' },
        })}`,
    },
    ...visionSections,
    ...multimodalSections,
    {
      kind: 'text',
      body: html`
        <h2>State-space models: a recurrence that trains in parallel</h2>
        <p>
          A recurrent network carries one state forward, so its cost per token does not grow with the length, but
          its training is sequential: step t needs step t − 1. State-space models such as S4 and Mamba keep the
          recurrence and make it <em>linear</em> in the state:
        </p>
        <p style="text-align:center">h<sub>t</sub> = a<sub>t</sub> ⊙ h<sub>t−1</sub> + x<sub>t</sub>,</p>
        <p>
          where a<sub>t</sub> is a decay per channel (how much of the old state survives) and x<sub>t</sub> is what the
          input adds. In Mamba both depend on the current input ("selective"), so the model can choose to hold on to
          a token or to forget. The widget runs the engine's <code>functional.scan</code> on eight steps: with decay
          a = ${stat('w1920-scan-a', SCAN_DECAY, 2)} and a pulse at steps 0 and 4, the state after the last step is
          h<sub>7</sub> = ${stat('w1920-scan-h7', scanDemo(SCAN_DECAY, 'two pulses').then((h) => h[7]), 4)}: the first
          pulse has decayed for seven steps, the second for three.
        </p>
        <p>
          Why linear matters: a step is the map h ↦ a·h + x, and two such maps in a row are again one such map. So the
          steps can be combined in any grouping, like numbers in a sum, and a GPU can combine neighbours in pairs,
          then pairs of pairs: log₂ T rounds instead of T steps. Under the bars, the tree does exactly that; the
          nodes on its left edge start from position 0, so each holds h at its last position, and the root holds
          h<sub>7</sub>.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1920-scan',
      alt: 'A slider sets the decay a and a menu the input sequence. Bars show a_t, x_t and h_t for eight steps, h from functional.scan; below, a binary tree whose leaves are the eight steps (a, x) and whose nodes combine their two children, the left edge highlighted; a line compares the root with h_7.',
    },
    { kind: 'exercise', exercise: recurrenceCell },
    { kind: 'exercise', exercise: combineCell },
    {
      kind: 'text',
      body: html`
        <h3>Against attention, at equal size</h3>
        <p>
          <code>npm run train -- ssm</code> trains the engine's <code>nn.SSMLanguageModel</code> (Mamba-style
          blocks, ${stat('w1920-ssm-params', ssm.params.ssm, 'int')} parameters) and a GPT with RoPE whose
          feed-forward width is chosen to match (${stat('w1920-gpt-params', ssm.params.gpt, 'int')} parameters) on the
          same data, ${stat('w1920-ssm-seeds', ssm.seeds, 'int')} seeds each. The first task is recall: somewhere in the
          first half of a sequence of random symbols a marker appears, and from then on the model must keep
          answering with the symbol that followed the marker, while more symbols from the same alphabet keep
          arriving; guessing scores ${stat('w1920-ssm-chance', ssm.chance, pct)}. The numbers are read from
          <code>docs/ssm-compare.json</code>, which that run wrote (on the ${ssm.device === 'cpu' ? 'CPU backend' : ssm.device},
          load average ${stat('w1920-ssm-load-before', ssm.load.before, 2)} before and
          ${stat('w1920-ssm-load-after', ssm.load.after, 2)} after). After ${stat('w1920-ssm-steps', ssm.recallSteps, 'int')}
          training steps the state-space model recalls
          ${stat('w1920-ssm-recall-long', recallAt('ssm', LONGEST).mean, pct)} at length
          ${stat('w1920-ssm-longest', LONGEST, 'int')} and the GPT
          ${stat('w1920-gpt-recall-long', recallAt('gpt', LONGEST).mean, pct)} (mean over seeds, the worst seed
          ${stat('w1920-gpt-recall-long-min', recallAt('gpt', LONGEST).min, pct)}). At the shortest length,
          ${stat('w1920-ssm-shortest', ssm.lengths[0], 'int')}, both learned it: the GPT
          ${stat('w1920-gpt-recall-short', recallAt('gpt', ssm.lengths[0]).mean, pct)} and the SSM
          ${stat('w1920-ssm-recall-short', recallAt('ssm', ssm.lengths[0]).mean, pct)}. With the same number of steps,
          attention fell behind as the sequence grew, while the recurrence, which only has to keep one symbol in its
          state, did not. On
          character-level text from the State of the Union addresses the held-out loss after
          ${stat('w1920-ssm-text-steps', ssm.textSteps, 'int')} steps is
          ${stat('w1920-ssm-text-loss', ssm.textLoss.ssm, 3)} for the SSM and
          ${stat('w1920-gpt-text-loss', ssm.textLoss.gpt, 3)} for the GPT. Per training step, though, the GPT was
          faster here: ${stat('w1920-gpt-steps-s', ssm.textStepsPerSecond.gpt, 1)} text steps per second against
          ${stat('w1920-ssm-steps-s', ssm.textStepsPerSecond.ssm, 1)}, because the selective scan builds large
          intermediate tensors around a small state. These are tiny models after short runs; they show the shapes
          of the trade-off, not who wins at scale.
        </p>
        ${accuracyPlot({
          caption: `Held-out recall against sequence length, mean of ${ssm.seeds} seeds (docs/ssm-compare.json)`,
          xs: ssm.lengths,
          xLabel: 'sequence length',
          yLabel: 'recall accuracy',
          series: [
            { label: 'SSM (Mamba)', y: ssm.lengths.map((T) => recallAt('ssm', T).mean) },
            { label: 'GPT (RoPE)', y: ssm.lengths.map((T) => recallAt('gpt', T).mean) },
          ],
          reference: { y: ssm.chance, label: 'chance' },
        })}`,
    },
    {
      kind: 'text',
      body: html`
        <h2>Putting the course together</h2>
        <p>
          The last page of the course is a project that uses the pieces end to end:
          <a href="./learn.html#project-qa">extractive question answering with the pre-trained BERT</a>, where the
          model marks the answer's first and last token in a passage and the page reports how often it gets the span
          right. Everything it needs, from tokenizing to attention to fine-tuning, has appeared in the weeks before.
        </p>`,
    },
  ],
  claims: [
    { stat: 'w1920-mask-causal', is: '<', than: 'w1920-mask-dense', says: 'causal attention scores fewer pairs than the full T × T grid' },
    { stat: 'w1920-mask-window', is: '<', than: 'w1920-mask-causal', says: 'the causal window scores fewer pairs than dense causal attention' },
    { stat: 'w1920-mask-longformer', is: '<', than: 'w1920-mask-dense', says: 'Longformer scores fewer pairs than dense attention' },
    { stat: 'w1920-mask-strided', is: '<', than: 'w1920-mask-causal', says: 'the strided layout scores fewer pairs than dense causal attention' },
    { stat: 'w1920-layout-density', is: '<', than: 'w1920-causal-blocks', says: 'the strided layout keeps fewer blocks than dense causal attention' },
    { stat: 'w1920-lsh-rate-1', is: '>', than: 'w1920-lsh-chance', says: 'one LSH round finds the nearest key far more often than a random bucket' },
    { stat: 'w1920-lsh-rate-4', is: '>', than: 'w1920-lsh-rate-1', says: 'more hashing rounds miss the nearest key less often' },
    { stat: 'w1920-lsh-candidates-4', is: '<', than: 'w1920-lsh-keys', says: 'a query shares a bucket with only some of the keys' },
    { stat: 'w1920-bench-window-x', is: '>', than: 1, says: 'the causal window is faster than dense causal attention in the benchmark' },
    { stat: 'w1920-bench-longformer-x', is: '>', than: 1, says: 'Longformer is faster than dense causal attention in the benchmark' },
    { stat: 'w1920-bench-block-x', is: '>', than: 1, says: 'the block layout is faster than dense causal attention in the benchmark' },
    { stat: 'w1920-bench-linformer-x', is: '>', than: 1, says: 'Linformer is faster than dense causal attention in the benchmark' },
    { stat: 'w1920-ex-rope-256', is: '>', than: 'w1920-ex-t5-256', says: 'RoPE extrapolates better than T5’s bias' },
    { stat: 'w1920-ex-t5-256', is: '>', than: 'w1920-ex-sin-256', says: 'T5’s bias falls less than sinusoidal positions' },
    { stat: 'w1920-ex-sin-256', is: '<', than: 'w1920-ex-sin-64', says: 'sinusoidal positions fall past the training length' },
    { stat: 'w1920-ex-alibi-64', is: '<', than: 'w1920-ex-rope-64', says: 'ALiBi does poorly on this task even at the training length' },
    { stat: 'w1920-ex-alibi-256', is: '>', than: 'w1920-ex-chance', says: 'ALiBi stays above chance at every length' },
    { stat: 'w1920-ssm-recall-long', is: '>', than: 'w1920-gpt-recall-long', says: 'at the longest length the SSM recalls better than the GPT' },
    { stat: 'w1920-gpt-recall-short', is: '>', than: 'w1920-gpt-recall-long', says: 'the GPT’s recall falls as the sequence grows' },
    { stat: 'w1920-ssm-recall-long', is: '>=', than: 'w1920-ssm-recall-short', says: 'the SSM’s recall does not fall with length' },
    { stat: 'w1920-gpt-recall-short', is: '>', than: 0.9, says: 'at the shortest length the GPT learned the task too' },
    { stat: 'w1920-ssm-recall-short', is: '>', than: 0.9, says: 'at the shortest length the SSM learned the task' },
    { stat: 'w1920-ssm-text-loss', is: '<', than: 'w1920-gpt-text-loss', says: 'the SSM ends with the lower held-out text loss' },
    { stat: 'w1920-gpt-steps-s', is: '>', than: 'w1920-ssm-steps-s', says: 'the GPT trains faster per step' },
    ...visionClaims,
  ],
  resources: [
    {
      title: 'Tay, Dehghani, Bahri and Metzler, “Efficient Transformers: A Survey” (2020)',
      url: 'https://arxiv.org/abs/2009.06732',
      adds: 'A map of the efficient-attention family (fixed patterns, learned patterns, low rank, kernels, recurrence) with the trade-offs of each.',
    },
    {
      title: 'Child, Gray, Radford and Sutskever, “Generating Long Sequences with Sparse Transformers” (2019)',
      url: 'https://arxiv.org/abs/1904.10509',
      adds: 'The strided and fixed sparse patterns, drawn as masks, and the block-sparse kernels that make them fast.',
    },
    {
      title: 'Beltagy, Peters and Cohan, “Longformer: The Long-Document Transformer” (2020)',
      url: 'https://arxiv.org/abs/2004.05150',
      adds: 'Sliding-window attention with task-specific global tokens, and how to pre-train and fine-tune it on long documents.',
    },
    {
      title: 'Wang, Li, Khabsa, Fang and Ma, “Linformer: Self-Attention with Linear Complexity” (2020)',
      url: 'https://arxiv.org/abs/2006.04768',
      adds: 'The low-rank argument for attention and the E, F projections along the sequence, with the choices of sharing them across heads and layers.',
    },
    {
      title: 'Kitaev, Kaiser and Levskaya, “Reformer: The Efficient Transformer” (2020)',
      url: 'https://arxiv.org/abs/2001.04451',
      adds: 'Angular LSH attention with several hashing rounds, shared queries and keys, and reversible layers that save activation memory.',
    },
    {
      title: 'Su, Lu, Pan, Murtadha, Wen and Liu, “RoFormer: Enhanced Transformer with Rotary Position Embedding” (2021)',
      url: 'https://arxiv.org/abs/2104.09864',
      adds: 'The derivation of RoPE: why rotating queries and keys makes their dot product depend only on the offset.',
    },
    {
      title: 'Press, Smith and Lewis, “Train Short, Test Long: Attention with Linear Biases Enables Input Length Extrapolation” (ALiBi, 2021)',
      url: 'https://arxiv.org/abs/2108.12409',
      adds: 'Linear distance penalties per head, and extrapolation measured for sinusoidal, rotary, T5 and ALiBi positions on language modelling.',
    },
    {
      title: 'Raffel et al., “Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer” (T5, 2019)',
      url: 'https://arxiv.org/abs/1910.10683',
      adds: 'The model behind the bucketed relative position bias (section 2.1) shared across layers.',
    },
    ...visionResources,
    {
      title: 'Gu, Goel and Ré, “Efficiently Modeling Long Sequences with Structured State Spaces” (S4, 2021)',
      url: 'https://arxiv.org/abs/2111.00396',
      adds: 'State-space layers from continuous-time systems, their discretisation, and long-range benchmarks where attention struggles.',
    },
    {
      title: 'Gu and Dao, “Mamba: Linear-Time Sequence Modeling with Selective State Spaces” (2023)',
      url: 'https://arxiv.org/abs/2312.00752',
      adds: 'Input-dependent (selective) decays and inputs, the hardware-aware parallel scan, and the gated block the engine’s SSM follows.',
    },
    {
      title: 'Blelloch, “Prefix Sums and Their Applications” (1990)',
      url: 'https://www.cs.cmu.edu/~guyb/papers/Ble93.pdf',
      adds: 'The parallel scan itself: up-sweep and down-sweep over any associative operator, such as the recurrence’s combine rule.',
    },
  ],
};
