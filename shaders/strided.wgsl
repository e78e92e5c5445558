// Where output element i of an elementwise kernel reads (or writes) each of up to three strided operands. A
// template (engine/backend/gpu/template.ts) expanded per rank, included by unary, binary, where, cast, copy and
// reduce.
// The including kernel's Params hold
//   offsets: vec4<u32>            each operand's first element
//   dims: array<vec4<u32>, 8>     per dim, innermost first: (extent, stride of operand 0, of 1, of 2)
// (filled by engine/backend/gpu/strided.ts, which first merges the dims every operand walks contiguously).
// Unrolled with constant indices: on SwiftShader a loop over the rank with dynamically indexed uniforms made a
// transpose 4× slower than a contiguous copy; this way a rank-1 view costs no division and rank r costs r − 1.
// INNER = rank − 1.

fn operand_offsets(i: u32) -> vec3<u32> {
  var o = params.offsets.xyz;
  var rem = i;
// @unroll d INNER
  {
    let dim = params.dims[{{d}}];
    let q = rem / dim.x;
    o += (rem - q * dim.x) * dim.yzw;
    rem = q;
  }
// @end
  return o + rem * params.dims[{{INNER}}].yzw;
}
