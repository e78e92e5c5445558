// Starter kernel for the matmul family (docs/kernel-contract.md): out (M, N) = a (M, K) @ b (K, N), row-major.
// A 16 × 16 workgroup computes a 16 × 16 tile of out, one element per invocation. It walks K in steps of 16:
// each step stages a 16 × 16 block of a and one of b in workgroup memory (one element each per invocation,
// zero past the edges so the multiply needs no bounds checks), waits for the whole block, multiplies, and waits
// again before the next step overwrites it.
//
// grid: ceil(N / WG_X), ceil(M / WG_Y), 1

struct Params {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const TILE = 16u;

var<workgroup> aTile: array<array<f32, TILE>, TILE>; // a[row0 + y][k0 + x]
var<workgroup> bTile: array<array<f32, TILE>, TILE>; // b[k0 + y][col0 + x]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wg.y * TILE + lid.y;
  let col = wg.x * TILE + lid.x;
  let M = params.M;
  let N = params.N;
  let K = params.K;
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 += TILE) {
    let ka = k0 + lid.x; // the column of a this invocation stages
    let kb = k0 + lid.y; // the row of b
    var av = 0.0;
    if (row < M && ka < K) {
      av = a[row * K + ka];
    }
    var bv = 0.0;
    if (kb < K && col < N) {
      bv = b[kb * N + col];
    }
    aTile[lid.y][lid.x] = av;
    bTile[lid.y][lid.x] = bv;
    workgroupBarrier(); // the whole block is staged before anyone reads it
    for (var kk = 0u; kk < TILE; kk++) {
      acc += aTile[lid.y][kk] * bTile[kk][lid.x];
    }
    workgroupBarrier(); // everyone is done with the block before the next step overwrites it
  }
  if (row < M && col < N) {
    out[row * N + col] = acc;
  }
}
