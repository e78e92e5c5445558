// The four XOR points, the classic problem a single linear layer cannot fit.
export const XOR_INPUTS = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]); // (4, 2)
export const XOR_LABELS = new Int32Array([0, 1, 1, 0]);
