// Fused attention backward, the dK/dV pass: the transpose of the dQ pass. Invocation `lid` owns key rows
// col0 + lid + WG·r and walks tiles of query rows (Q, dO, L and D) in workgroup memory, recomputing
// P_ij = exp(S_ij − L_i) as the forward and the dQ pass do:
//   dV_j = Σ_i P_ij·dO_i
//   dK_j = scale · Σ_i dS_ij·Q_i,   dS_ij = P_ij·(dO_i·V_j − D_i)
// Every dK and dV row is summed by the one invocation that owns it, in a fixed order: no float atomics, and
// the result is deterministic. Causal (and window) tiles of queries that see none of the block's keys are skipped.
// Template variables as in attention_forward.wgsl, with TK the number of query rows per tile here.

// #include attention_common

const D4: u32 = {{D4}}u;
const R: u32 = {{R}}u;
const WG: u32 = {{WG}}u;
const TK: u32 = {{TK}}u;
const BC: u32 = {{BR}}u; // key rows per workgroup

@group(0) @binding(auto) var<storage, read> q: array<vec4<f32>>; // (B, H, Tq, d), layout lq
@group(0) @binding(auto) var<storage, read> k: array<vec4<f32>>; // (B, H, Tk, d), layout lk
@group(0) @binding(auto) var<storage, read> v: array<vec4<f32>>; // (B, H, Tk, d), layout lv
@group(0) @binding(auto) var<storage, read> dout: array<vec4<f32>>; // (B, H, Tq, d), layout lg
@group(0) @binding(auto) var<storage, read> ld: array<vec2<f32>>; // (B, H, Tq): (L_i, D_i)
@group(0) @binding(auto) var<storage, read_write> dk: array<vec4<f32>>; // (B, H, Tk, d), layout ldk
@group(0) @binding(auto) var<storage, read_write> dv: array<vec4<f32>>; // (B, H, Tk, d), layout ldv

var<workgroup> qt: array<vec4<f32>, {{TKD4}}>; // (TK, d) tile of Q
var<workgroup> gt: array<vec4<f32>, {{TKD4}}>; // (TK, d) tile of dO
var<workgroup> lt: array<f32, {{TK}}>; // L of the tile's rows
var<workgroup> dt: array<f32, {{TK}}>; // D of the tile's rows

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let bh = wid.y;
  let b = bh / params.H;
  let h = bh % params.H;
  let Tq = params.Tq;
  let Tk = params.Tk;
  let col0 = wid.x * BC;
  let slope = head_slope(h);

  var kv: array<array<vec4<f32>, D4>, R>; // k, times scale
  var vv: array<array<vec4<f32>, D4>, R>;
  var dka: array<array<vec4<f32>, D4>, R>; // Σ_i dS_ij·Q_i
  var dva: array<array<vec4<f32>, D4>, R>; // Σ_i P_ij·dO_i
  var gCol: array<bool, R>; // the key row is a global position (GLOBAL)
// @unroll r R
  {
    let j = min(col0 + lid + WG * {{r}}u, Tk - 1u);
    let kj = row_at(params.lk, b, h, j);
    let vj = row_at(params.lv, b, h, j);
// @unroll c D4
    kv[{{r}}][{{c}}] = k[kj + {{c}}u] * params.scale;
    vv[{{r}}][{{c}}] = v[vj + {{c}}u];
// @end
// @if GLOBAL
    gCol[{{r}}] = global_at(j);
// @endif
  }
// @end

  // Queries that can see this block's keys: causal needs i ≥ j ≥ col0; a window needs i < j + window; a local
  // window needs |i − j| < local.
  var iStart = 0u;
  var iEnd = Tq;
// @if CAUSAL
  iStart = col0 / TK * TK;
// @endif
// @if WINDOW
  iStart = col0 / TK * TK;
  iEnd = min(Tq, col0 + BC - 1u + params.window);
// @endif
// @if LOCAL
  // |i − j| < local for some j in [col0, col0 + BC): col0 − local < i < col0 + BC − 1 + local; may be empty.
  iEnd = min(iEnd, col0 + BC - 1u + params.localWindow);
  if (col0 + 1u > params.localWindow) {
    iStart = max(iStart, (col0 + 1u - params.localWindow) / TK * TK);
  }
// @endif

  let qHead = row_at(params.lq, b, h, 0u); // where this head's query rows start (their stride: lq.w, lg.w)
  let gHead = row_at(params.lg, b, h, 0u);
// @if SPARSE
  // The host's list of the query tiles that see this block's keys (attention-tiles.ts, transposed).
  for (var ti = sparse[wid.x]; ti < sparse[wid.x + 1u]; ti++) {
    let t0 = sparse[ti] & 0x7fffffffu;
    let n = min(TK, Tq - t0);
// @else
  for (var t0 = iStart; t0 < iEnd; t0 += TK) {
    let n = min(TK, iEnd - t0);
// @endif
    for (var e = lid; e < TK * D4; e += WG) {
      let i = min(t0 + e / D4, Tq - 1u);
      qt[e] = q[qHead + i * params.lq.w + e % D4];
      gt[e] = dout[gHead + i * params.lg.w + e % D4];
    }
    for (var e = lid; e < TK; e += WG) {
      let i = min(t0 + e, Tq - 1u);
      let ldi = ld[bh * Tq + i];
      lt[e] = ldi.x;
      dt[e] = ldi.y;
    }
    workgroupBarrier();
// @if GLOBAL
    let gw = global_word(t0); // which of the tile's queries are global
// @endif
// @if BLOCKS
    var bOk: array<bool, R>; // the layout lets the tile's queries (one query block) see the row's key
// @unroll r R
    bOk[{{r}}] = block_ok(t0, min(col0 + lid + WG * {{r}}u, Tk - 1u));
// @end
// @endif
    for (var ii = 0u; ii < n; ii++) {
      let i = t0 + ii;
      let Li = lt[ii];
      let Di = dt[ii];
      let mrow = mask_row(b, h, i);
// @unroll c D4
      let q{{c}} = qt[ii * D4 + {{c}}u];
      let g{{c}} = gt[ii * D4 + {{c}}u];
// @end
// @unroll r R
      {
        var sv = vec4<f32>(0.0);
        var dpv = vec4<f32>(0.0);
// @unroll c D4
        sv += q{{c}} * kv[{{r}}][{{c}}];
        dpv += g{{c}} * vv[{{r}}][{{c}}];
// @end
        var blockOk = true;
        var glob = false;
// @if BLOCKS
        blockOk = bOk[{{r}}];
// @endif
// @if GLOBAL
        glob = gCol[{{r}}] | (((gw >> (i & 31u)) & 1u) != 0u);
// @endif
        let bias = key_bias(mrow, slope, i, col0 + lid + WG * {{r}}u, blockOk, glob);
        let p = select(0.0, exp(sv.x + sv.y + sv.z + sv.w + bias.add - Li), bias.ok);
        let ds = p * (dpv.x + dpv.y + dpv.z + dpv.w - Di);
// @unroll c D4
        dva[{{r}}][{{c}}] += p * g{{c}};
        dka[{{r}}][{{c}}] += ds * q{{c}};
// @end
      }
// @end
    }
    workgroupBarrier();
  }

// @unroll r R
  {
    let j = col0 + lid + WG * {{r}}u;
    if (j < Tk) {
      let dkj = row_at(params.ldk, b, h, j);
      let dvj = row_at(params.ldv, b, h, j);
// @unroll c D4
      dk[dkj + {{c}}u] = dka[{{r}}][{{c}}] * params.scale;
      dv[dvj + {{c}}u] = dva[{{r}}][{{c}}];
// @end
    }
  }
// @end
}
