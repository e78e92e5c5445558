// Builds and reflects kernels' WGSL off the page's thread, for warmup() (reflector.ts): the attention kernels'
// sources are tens of thousands of characters, whose parse held the page up for hundreds of milliseconds.
import { buildShader, type ShaderSpec } from './shader';
import { loadWebgpuUtils, reflectShader, type Reflection } from './reflect';

export interface ReflectRequest {
  id: number;
  name: string;
  spec: ShaderSpec;
}

export type ReflectReply =
  | { id: number; ok: true; code: string; reflection: Reflection }
  | { id: number; ok: false; error: string };

// The DOM typings describe window.postMessage; a dedicated worker's scope takes just the message.
const scope = self as unknown as {
  postMessage(message: ReflectReply): void;
  onmessage: ((e: MessageEvent<ReflectRequest>) => void) | null;
};

const utils = loadWebgpuUtils();

scope.onmessage = async (e) => {
  const { id, name, spec } = e.data;
  try {
    const code = buildShader(spec);
    scope.postMessage({ id, ok: true, code, reflection: reflectShader(name, code, await utils) });
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
