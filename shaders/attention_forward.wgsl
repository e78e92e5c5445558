// Fused attention forward, FlashAttention-style: O = softmax(S) V with S = scale·Q Kᵀ + bias (see
// attention_common.wgsl), and L = logsumexp of each row of S, saved for the backward. No Tq×Tk matrix exists.
//
// A template (engine/backend/gpu/template.ts), expanded per head dim and tile size:
//   D4 = d / 4 (vec4s per row), R = query rows per invocation, WG = invocations per workgroup,
//   TK = key rows per tile (BR = WG·R and TKD4 = TK·D4 are passed precomputed); CAUSAL, WINDOW, LOCAL, GLOBAL,
//   BLOCKS, ALIBI, MASK_FLOAT, MASK_BOOL switch features in or out; SPARSE = GLOBAL or BLOCKS takes the tiles to
//   visit from the host's list instead of a key range; MASKED: a mask binding is read.
//
// Workgroup (x, bh) owns query rows [x·WG·R, (x+1)·WG·R) of head bh; invocation `lid` owns rows
// row0 + lid + WG·r for r < R, holding q (pre-scaled), the output accumulator, and the running max m and sum l
// of each in registers (private arrays indexed by constants only). For each tile of TK keys:
//   1. the workgroup copies K[t0 .. t0+TK) and V[t0 .. t0+TK) into workgroup memory (kt, vt)
//   2. every invocation scores its R rows against the tile: s_rj, and the tile max per row
//   3. online softmax: m' = max(m, max_j s_rj); acc ·= exp(m − m'); l ·= exp(m − m');
//      then p_rj = exp(s_rj − m'); l += p_rj; acc += p_rj·V_j
// At the end O_r = acc / l and L_r = m + log l (zeros and −∞ for a row where nothing takes part).
// Why R rows per invocation: on SwiftShader every workgroup-memory load is a per-lane gather, so each K_j and V_j
// loaded is used for R rows' multiply-adds. Causal (and window) tiles that no row of the block can see are skipped.
// Non-finite scores: a row with a NaN or ±Inf among the scores that take part (from non-finite q or k, or a float
// mask's NaN or +Inf) is flagged by bit pattern as its scores are made (shaders/numerics.wgsl), and its output and
// L are written as NaN; the softmax itself runs on plain max and exp, which SwiftShader computes fastest. Keys
// that do not take part add nothing at all, not 0·V_j, so a NaN or Inf in V at a masked key stays out of the sum,
// as in the CPU oracle.

// #include attention_common

const D4: u32 = {{D4}}u;
const R: u32 = {{R}}u;
const WG: u32 = {{WG}}u;
const TK: u32 = {{TK}}u;
const BR: u32 = {{BR}}u; // query rows per workgroup

@group(0) @binding(auto) var<storage, read> q: array<vec4<f32>>; // (B, H, Tq, d), layout lq
@group(0) @binding(auto) var<storage, read> k: array<vec4<f32>>; // (B, H, Tk, d), layout lk
@group(0) @binding(auto) var<storage, read> v: array<vec4<f32>>; // (B, H, Tk, d), layout lv
@group(0) @binding(auto) var<storage, read_write> out: array<vec4<f32>>; // (B, H, Tq, d), layout lo
@group(0) @binding(auto) var<storage, read_write> lse: array<f32>; // (B, H, Tq), contiguous

var<workgroup> kt: array<vec4<f32>, {{TKD4}}>; // (TK, d) tile of K
var<workgroup> vt: array<vec4<f32>, {{TKD4}}>; // (TK, d) tile of V

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let bh = wid.y;
  let b = bh / params.H;
  let h = bh % params.H;
  let Tq = params.Tq;
  let Tk = params.Tk;
  let row0 = wid.x * BR;
  let slope = head_slope(h);

  var qv: array<array<vec4<f32>, D4>, R>; // this invocation's query rows, times scale
  var acc: array<array<vec4<f32>, D4>, R>; // Σ_j p_rj·V_j, rescaled as the max moves
  var m: array<f32, R>; // running max of the scores
  var l: array<f32, R>; // running Σ_j exp(s_rj − m)
  var mrow: array<u32, R>; // mask offsets of the rows
  var gRow: array<bool, R>; // the row is a global position (GLOBAL)
  var bad: array<bool, R>; // a score that takes part is NaN or ±Inf: the row comes out NaN
  var sc: array<array<f32, R>, TK>; // the current tile's scores
  var tmax: array<f32, R>;
// @unroll r R
  {
    let i = min(row0 + lid + WG * {{r}}u, Tq - 1u); // rows past Tq compute a copy of the last row, never stored
    let qi = row_at(params.lq, b, h, i);
// @unroll c D4
    qv[{{r}}][{{c}}] = q[qi + {{c}}u] * params.scale;
// @end
    m[{{r}}] = NEG_MAX;
    mrow[{{r}}] = mask_row(b, h, i);
// @if GLOBAL
    gRow[{{r}}] = global_at(i);
// @endif
  }
// @end

  let keys = key_range(row0, BR, Tk); // causal and window blocks skip the tiles no row of theirs can see
  let kStart = keys.x;
  let kEnd = keys.y;

  let kHead = row_at(params.lk, b, h, 0u); // where this head's key rows start, and their stride
  let vHead = row_at(params.lv, b, h, 0u);
// @if SPARSE
  // The host's list of the tiles this block sees (attention-tiles.ts): bit 31 marks tiles every row sees in full.
  for (var ti = sparse[wid.x]; ti < sparse[wid.x + 1u]; ti++) {
    let t0 = sparse[ti] & 0x7fffffffu;
    let n = min(TK, Tk - t0);
// @else
  for (var t0 = kStart; t0 < kEnd; t0 += TK) {
    let n = min(TK, kEnd - t0);
// @endif
    for (var e = lid; e < TK * D4; e += WG) {
      let j = min(t0 + e / D4, Tk - 1u); // rows past Tk load the last row; their scores never take part
      kt[e] = k[kHead + j * params.lk.w + e % D4];
      vt[e] = v[vHead + j * params.lv.w + e % D4];
    }
    workgroupBarrier();
// @if GLOBAL
    let gw = global_word(t0); // which of the tile's keys are global
// @endif
// @if BLOCKS
    var bOk: array<bool, R>; // the block layout lets the row see the tile (which lies in one key block)
// @unroll r R
    bOk[{{r}}] = block_ok(min(row0 + lid + WG * {{r}}u, Tq - 1u), t0);
// @end
// @endif

    // Scores of the tile, and the tile max of each row.
// @unroll r R
    tmax[{{r}}] = NEG_MAX;
// @end
    for (var jj = 0u; jj < n; jj++) {
      let j = t0 + jj;
// @unroll c D4
      let k{{c}} = kt[jj * D4 + {{c}}u];
// @end
// @unroll r R
      {
        var sv = vec4<f32>(0.0);
// @unroll c D4
        sv += qv[{{r}}][{{c}}] * k{{c}};
// @end
        var blockOk = true;
        var glob = false;
// @if BLOCKS
        blockOk = bOk[{{r}}];
// @endif
// @if GLOBAL
        glob = gRow[{{r}}] | (((gw >> (j & 31u)) & 1u) != 0u);
// @endif
        let bias = key_bias(mrow[{{r}}], slope, row0 + lid + WG * {{r}}u, j, blockOk, glob);
        let raw = sv.x + sv.y + sv.z + sv.w + bias.add;
        bad[{{r}}] = bad[{{r}}] | (bias.ok & is_nonfinite(raw));
        let s = select(NEG_MAX, raw, bias.ok);
        sc[jj][{{r}}] = s;
        tmax[{{r}}] = max(tmax[{{r}}], s);
      }
// @end
    }

    // Online softmax: move each row's max to m', rescaling what was summed against the old max.
// @unroll r R
    {
      let mNew = max(m[{{r}}], tmax[{{r}}]);
      let alpha = exp(m[{{r}}] - mNew); // 1 while nothing took part (both NEG_MAX), 0 after the first score
      m[{{r}}] = mNew;
      l[{{r}}] *= alpha;
// @unroll c D4
      acc[{{r}}][{{c}}] *= alpha;
// @end
    }
// @end
    // Keys that do not take part must add nothing, not 0·V_j (a NaN or Inf in V would survive the product), but a
    // select per multiply-add costs 20% on SwiftShader: tiles every row of the block sees in full take the plain
    // loop. `full` is the same for the whole workgroup.
    var full = true;
// @if CAUSAL
    full = t0 + n <= row0 + 1u; // every key of the tile is ≤ the block's first row
// @endif
// @if WINDOW
    // and > the block's last row − window
    full = full & (t0 + n <= row0 + 1u) & (t0 + params.window >= row0 + BR);
// @endif
// @if LOCAL
    // |i − j| < local for the block's first and last rows against the tile's last and first keys
    full = full & (row0 + BR <= t0 + params.localWindow) & (t0 + n <= row0 + params.localWindow);
// @endif
// @if SPARSE
    full = sparse[ti] >= 0x80000000u; // the host decided, from every constraint but the masks
// @endif
// @if MASKED
    full = false;
// @endif
    if (full) {
      for (var jj = 0u; jj < n; jj++) {
// @unroll c D4
        let v{{c}} = vt[jj * D4 + {{c}}u];
// @end
// @unroll r R
        {
          let p = exp(sc[jj][{{r}}] - m[{{r}}]);
          l[{{r}}] += p;
// @unroll c D4
          acc[{{r}}][{{c}}] += p * v{{c}};
// @end
        }
// @end
      }
    } else {
      for (var jj = 0u; jj < n; jj++) {
// @unroll c D4
        let v{{c}} = vt[jj * D4 + {{c}}u];
// @end
// @unroll r R
        {
          let s = sc[jj][{{r}}];
          let part = s > NEG_MAX; // masked scores were stored as NEG_MAX
          let p = select(0.0, exp(s - m[{{r}}]), part);
          l[{{r}}] += p;
// @unroll c D4
          acc[{{r}}][{{c}}] += select(vec4<f32>(0.0), p * v{{c}}, part);
// @end
        }
// @end
      }
    }
    workgroupBarrier(); // the next tile overwrites kt and vt
  }

// @unroll r R
  {
    let i = row0 + lid + WG * {{r}}u;
    if (i < Tq) {
      let nan = bad[{{r}}];
      let some = l[{{r}}] > 0.0;
      let inv = select(0.0, 1.0 / l[{{r}}], some);
      let oi = row_at(params.lo, b, h, i);
// @unroll c D4
      out[oi + {{c}}u] = select(acc[{{r}}][{{c}}] * inv, vec4<f32>(nan_f32()), nan);
// @end
      lse[bh * Tq + i] = select(select(neg_inf_f32(), m[{{r}}] + log(l[{{r}}]), some), nan_f32(), nan);
    }
  }
// @end
}
