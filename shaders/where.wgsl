// out[i] = cond[ic] != 0 ? a[ia] : b[ib], with each input read through its own strides and offset
// (shaders/strided.wgsl; operands: cond, a, b). a, b and out move as raw 32-bit words so that float32 and int32
// share the kernel. cond is tested by bits, so a NaN condition counts as true (nonzero) as in PyTorch; COND_FLOAT
// = 1 treats −0.0 as false too.

// #include strided

override COND_FLOAT: u32 = 1u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  offsets: vec4<u32>,
  dims: array<vec4<u32>, 8>,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> cond: array<u32>;
@group(0) @binding(auto) var<storage, read> a: array<u32>;
@group(0) @binding(auto) var<storage, read> b: array<u32>;
@group(0) @binding(auto) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  let o = operand_offsets(i);
  var c = cond[o.x];
  if (COND_FLOAT == 1u) {
    c = c & 0x7fffffffu;
  }
  out[i] = select(b[o.z], a[o.y], c != 0u);
}
