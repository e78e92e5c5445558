// The Your kernel tab's matmul peers: tfjs-backend-webgpu's tf.matMul and jax-js's np.matmul under jit, each started
// by peers.ts's openers (the same modules the Bench tab's attention workers start) and run on the page's thread,
// each on a GPUDevice of its own on the page's adapter. A call is one product and the readback of its (M, N) result,
// as ours and yours are timed. Each peer is started once per page; one that failed to start is tried again next Run.
import type { Jax, Tfjs } from './peers';
import { openJax, openTfjs } from './peers';

export type MatmulPeerImpl = 'tfjs' | 'jax-js';
export const MATMUL_PEERS: readonly MatmulPeerImpl[] = ['tfjs', 'jax-js'];

/** One product's inputs held on the peer's device; run() computes and reads back, result() is the last output. */
export interface MatmulPrepared {
  run(): Promise<void>;
  result(): Float32Array;
  dispose(): void;
}

export interface MatmulPeer {
  prepare(a: Float32Array, b: Float32Array, M: number, N: number, K: number): MatmulPrepared;
}

function tfjsMatmul(tf: Tfjs): MatmulPeer {
  return {
    prepare(aData, bData, M, N, K) {
      const a = tf.tensor2d(aData, [M, K]);
      const b = tf.tensor2d(bData, [K, N]);
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          const c = tf.matMul(a, b); // (M, N)
          out = (await c.data()) as Float32Array;
          c.dispose();
        },
        result: () => out,
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

function jaxMatmul(jax: Jax): MatmulPeer {
  const np = jax.numpy;
  return {
    prepare(aData, bData, M, N, K) {
      // jax-js arrays are reference-counted and consumed by every op; `.ref` keeps a and b alive for the next call.
      const a = np.array(aData).reshape([M, K]);
      const b = np.array(bData).reshape([K, N]);
      const product = jax.jit((x: typeof a, y: typeof b) => np.matmul(x, y)); // (M, N)
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          out = (await product(a.ref, b.ref).data()) as Float32Array; // data() consumes the output
        },
        result: () => out,
        dispose() {
          a.dispose();
          b.dispose();
          product.dispose();
        },
      };
    },
  };
}

const started = new Map<MatmulPeerImpl, Promise<MatmulPeer>>();

/** The peer, started on first use; a start that failed is forgotten, so that the next Run tries again. */
export function startMatmulPeer(impl: MatmulPeerImpl): Promise<MatmulPeer> {
  let p = started.get(impl);
  if (!p) {
    p = impl === 'tfjs' ? openTfjs().then(tfjsMatmul) : openJax().then(jaxMatmul);
    p.catch(() => started.delete(impl));
    started.set(impl, p);
  }
  return p;
}
