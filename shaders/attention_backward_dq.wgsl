// Fused attention backward, the dQ pass. With P = exp(S − L) recomputed from Q, K and the forward's saved
// logsumexp L (no Tq×Tk matrix is stored), and D_i = Σ_c dO_ic·O_ic (attention_backward_delta.wgsl):
//   dP_ij = dO_i · V_j
//   dS_ij = P_ij·(dP_ij − D_i)            (the softmax backward, row by row)
//   dQ_i  = scale · Σ_j dS_ij·K_j
// Template variables as in attention_forward.wgsl. Invocation `lid` owns query rows row0 + lid + WG·r and walks
// the key tiles in workgroup memory; each K_j and V_j it loads serves its R rows. Each dQ row is written by one
// invocation only: no atomics, and the sum runs in a fixed order, so the result is deterministic.

// #include attention_common

const D4: u32 = {{D4}}u;
const R: u32 = {{R}}u;
const WG: u32 = {{WG}}u;
const TK: u32 = {{TK}}u;
const BR: u32 = {{BR}}u;

@group(0) @binding(auto) var<storage, read> q: array<vec4<f32>>; // (B, H, Tq, d), layout lq
@group(0) @binding(auto) var<storage, read> k: array<vec4<f32>>; // (B, H, Tk, d), layout lk
@group(0) @binding(auto) var<storage, read> v: array<vec4<f32>>; // (B, H, Tk, d), layout lv
@group(0) @binding(auto) var<storage, read> dout: array<vec4<f32>>; // (B, H, Tq, d), layout lg
@group(0) @binding(auto) var<storage, read> ld: array<vec2<f32>>; // (B, H, Tq): (L_i, D_i = dO_i · O_i)
@group(0) @binding(auto) var<storage, read_write> dq: array<vec4<f32>>; // (B, H, Tq, d), layout ldq

var<workgroup> kt: array<vec4<f32>, {{TKD4}}>;
var<workgroup> vt: array<vec4<f32>, {{TKD4}}>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let bh = wid.y;
  let b = bh / params.H;
  let h = bh % params.H;
  let Tq = params.Tq;
  let Tk = params.Tk;
  let row0 = wid.x * BR;
  let slope = head_slope(h);

  var qv: array<array<vec4<f32>, D4>, R>; // q, times scale
  var gv: array<array<vec4<f32>, D4>, R>; // dO
  var acc: array<array<vec4<f32>, D4>, R>; // Σ_j dS_ij·K_j
  var L: array<f32, R>;
  var D: array<f32, R>;
  var mrow: array<u32, R>;
  var gRow: array<bool, R>; // GLOBAL
// @unroll r R
  {
    let i = min(row0 + lid + WG * {{r}}u, Tq - 1u);
    let qi = row_at(params.lq, b, h, i);
    let gi = row_at(params.lg, b, h, i);
// @unroll c D4
    qv[{{r}}][{{c}}] = q[qi + {{c}}u] * params.scale;
    gv[{{r}}][{{c}}] = dout[gi + {{c}}u];
// @end
    let ldi = ld[bh * Tq + i];
    L[{{r}}] = ldi.x;
    D[{{r}}] = ldi.y;
    mrow[{{r}}] = mask_row(b, h, i);
// @if GLOBAL
    gRow[{{r}}] = global_at(i);
// @endif
  }
// @end

  let keys = key_range(row0, BR, Tk); // causal and window blocks skip the tiles no row of theirs can see
  let kHead = row_at(params.lk, b, h, 0u); // where this head's key rows start (their stride: lk.w, lv.w)
  let vHead = row_at(params.lv, b, h, 0u);
  let kStart = keys.x;
  let kEnd = keys.y;

// @if SPARSE
  for (var ti = sparse[wid.x]; ti < sparse[wid.x + 1u]; ti++) { // the host's tile list, as in the forward
    let t0 = sparse[ti] & 0x7fffffffu;
    let n = min(TK, Tk - t0);
// @else
  for (var t0 = kStart; t0 < kEnd; t0 += TK) {
    let n = min(TK, kEnd - t0);
// @endif
    for (var e = lid; e < TK * D4; e += WG) {
      let j = min(t0 + e / D4, Tk - 1u);
      kt[e] = k[kHead + j * params.lk.w + e % D4];
      vt[e] = v[vHead + j * params.lv.w + e % D4];
    }
    workgroupBarrier();
// @if GLOBAL
    let gw = global_word(t0);
// @endif
// @if BLOCKS
    var bOk: array<bool, R>;
// @unroll r R
    bOk[{{r}}] = block_ok(min(row0 + lid + WG * {{r}}u, Tq - 1u), t0);
// @end
// @endif
    for (var jj = 0u; jj < n; jj++) {
      let j = t0 + jj;
// @unroll c D4
      let k{{c}} = kt[jj * D4 + {{c}}u];
      let v{{c}} = vt[jj * D4 + {{c}}u];
// @end
// @unroll r R
      {
        var sv = vec4<f32>(0.0);
        var dpv = vec4<f32>(0.0);
// @unroll c D4
        sv += qv[{{r}}][{{c}}] * k{{c}};
        dpv += gv[{{r}}][{{c}}] * v{{c}};
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
        // exp(s − L) may be +∞ on a row where nothing took part (L = −∞); select drops it without arithmetic. A
        // row whose forward was NaN (L = NaN) stays non-finite: D = dO·O is NaN, so dS is.
        let p = select(0.0, exp(sv.x + sv.y + sv.z + sv.w + bias.add - L[{{r}}]), bias.ok);
        let ds = p * (dpv.x + dpv.y + dpv.z + dpv.w - D[{{r}}]);
// @unroll c D4
        acc[{{r}}][{{c}}] += ds * k{{c}};
// @end
      }
// @end
    }
    workgroupBarrier();
  }

// @unroll r R
  {
    let i = row0 + lid + WG * {{r}}u;
    if (i < Tq) {
      let di = row_at(params.ldq, b, h, i);
// @unroll c D4
      dq[di + {{c}}u] = acc[{{r}}][{{c}}] * params.scale;
// @end
    }
  }
// @end
}
