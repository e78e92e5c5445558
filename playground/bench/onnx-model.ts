// A one-node ONNX model, com.microsoft MultiHeadAttention, written as protobuf bytes by hand: onnxruntime-web
// takes model bytes, and a graph this small does not justify a protobuf library or a checked-in .onnx file.
//
// The fields used, from onnx.proto3 (field number, wire type):
//   ModelProto        ir_version 1 varint, producer_name 2 bytes, graph 7 msg, opset_import 8 msg (repeated)
//   OperatorSetIdProto domain 1 bytes, version 2 varint
//   GraphProto        node 1 msg, name 2 bytes, input 11 msg, output 12 msg
//   NodeProto         input 1, output 2, name 3, op_type 4 (bytes), attribute 5 msg, domain 7 bytes
//   AttributeProto    name 1 bytes, f 2 fixed32, i 3 varint, type 20 varint (FLOAT = 1, INT = 2)
//   ValueInfoProto    name 1 bytes, type 2 msg → TypeProto tensor_type 1 msg → elem_type 1 varint (FLOAT = 1),
//                     shape 2 msg → TensorShapeProto dim 1 msg → Dimension dim_value 1 varint

const utf8 = new TextEncoder();

/** Protobuf writer for the three wire types this model needs: varint (0), length-delimited (2), fixed32 (5). */
class Writer {
  private bytes: number[] = [];

  private varint(n: number): void {
    // Non-negative integers below 2^53 only (dims, enums, versions).
    let v = n;
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }

  private key(field: number, wire: 0 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, n: number): this {
    this.key(field, 0);
    this.varint(n);
    return this;
  }

  float(field: number, x: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.bytes.push(...b);
    return this;
  }

  raw(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(data.length);
    for (const x of data) this.bytes.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.raw(field, utf8.encode(s));
  }

  message(field: number, m: Writer): this {
    return this.raw(field, m.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function valueInfo(name: string, dims: readonly number[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, new Writer().int(1, d));
  const tensorType = new Writer().int(1, 1 /* FLOAT */).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

export interface MhaModelOptions {
  B: number;
  N: number; // heads
  S: number; // sequence length (query = key/value)
  H: number; // head size
  causal: boolean;
  scale: number;
}

/** The shape of the attention_bias input that carries a causal mask: (B, N, S, S), since onnxruntime-web's JS
 * kernel rejects a (1, 1, S, S) bias ("Expect attention_bias shape (batch_size, num_heads, …)"). */
export const causalBiasDims = (B: number, N: number, S: number): number[] => [B, N, S, S];

/**
 * Bytes of a model with inputs query, key, value of shape (B, S, N·H) and one output of the same shape:
 * output = MultiHeadAttention(query, key, value) with num_heads = N. When causal, a fourth input attention_bias
 * (B, N, S, S), MultiHeadAttention's input 5, carries the mask additively: onnxruntime-web's JS WebGPU kernel
 * ignores the `unidirectional` attribute (measured: its output equals the unmasked result), so it is not used.
 */
export function multiHeadAttentionModel(o: MhaModelOptions): Uint8Array {
  const dims = [o.B, o.S, o.N * o.H];
  const node = new Writer().string(1, 'query').string(1, 'key').string(1, 'value');
  // Inputs 3 (bias) and 4 (key_padding_mask) are absent: an empty name.
  if (o.causal) node.string(1, '').string(1, '').string(1, 'attention_bias');
  node
    .string(2, 'output')
    .string(3, 'mha')
    .string(4, 'MultiHeadAttention')
    .message(5, new Writer().string(1, 'num_heads').int(3, o.N).int(20, 2 /* INT */))
    .message(5, new Writer().string(1, 'scale').float(2, o.scale).int(20, 1 /* FLOAT */))
    .string(7, 'com.microsoft');
  const graph = new Writer()
    .message(1, node)
    .string(2, 'mha_graph')
    .message(11, valueInfo('query', dims))
    .message(11, valueInfo('key', dims))
    .message(11, valueInfo('value', dims));
  if (o.causal) graph.message(11, valueInfo('attention_bias', causalBiasDims(o.B, o.N, o.S)));
  graph.message(12, valueInfo('output', dims));
  return new Writer()
    .int(1, 8) // IR version 8
    .string(2, 'gpu-learn bench')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, 17))
    .message(8, new Writer().string(1, 'com.microsoft').int(2, 1))
    .finish();
}
