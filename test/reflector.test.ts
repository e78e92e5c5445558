// The reflector (engine/backend/gpu/reflector.ts): what a kernel's WGSL declares, computed on the calling thread or
// by a worker, and the fallback to this thread when the worker fails. Node has no Worker, so a stand-in plays the
// browser's; no GPU is needed, only WebGPU's constants (GPUShaderStage, which webgpu-utils reads), from Dawn's package.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Reflector } from '../engine/backend/gpu/reflector';
import { loadWebgpuUtils, type WebgpuUtils } from '../engine/backend/gpu/reflect';
import type { ShaderSpec } from '../engine/backend/gpu/shader';
import type { ReflectReply, ReflectRequest } from '../engine/backend/gpu/reflect.worker';

let utils: WebgpuUtils;
beforeAll(async () => {
  Object.assign(globalThis, (await import('webgpu')).globals);
  utils = await loadWebgpuUtils();
});

const SGD: ShaderSpec = { file: 'sgd', vars: { SLOTS: 2, MOMENTUM: 0 } };

/** A stand-in for the browser's Worker: `answer` says what it does with each request. */
function installWorker(answer: (w: FakeWorker, req: ReflectRequest) => void): void {
  (globalThis as { Worker?: unknown }).Worker = class extends FakeWorker {
    override postMessage(req: ReflectRequest): void {
      setTimeout(() => answer(this, req), 0);
    }
  };
}

class FakeWorker {
  onmessage: ((e: MessageEvent<ReflectReply>) => void) | null = null;
  onerror: ((e: { preventDefault(): void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  postMessage(_req: ReflectRequest): void {}
  terminate(): void {
    this.terminated = true;
  }
  reply(r: ReflectReply): void {
    this.onmessage?.({ data: r } as MessageEvent<ReflectReply>);
  }
}

afterEach(() => {
  delete (globalThis as { Worker?: unknown }).Worker;
});

describe('Reflector', () => {
  test('reflectNow reads the bindings by name, their kinds, the uniform struct and the entry point', () => {
    const { code, reflection: r } = new Reflector(utils).reflectNow('sgd', SGD);
    expect(code).toMatch(/@binding\(0\) var<uniform> params/);
    expect(r.entryPoint).toBe('main');
    expect(r.bindings).toEqual([
      ['params', { binding: 0, kind: 'uniform' }],
      ['p0', { binding: 1, kind: 'storage' }],
      ['g0', { binding: 2, kind: 'read-only-storage' }],
      ['p1', { binding: 3, kind: 'storage' }],
      ['g1', { binding: 4, kind: 'read-only-storage' }],
    ]);
    // Laid out by webgpu-utils: 7 scalars, then three arrays of two vec4<u32> at 16-byte alignment.
    expect(r.uniform?.name).toBe('params');
    expect(r.uniform?.def.size).toBe(32 + 3 * 32);
  });

  test('with no Worker (Node) each request is answered on this thread, later, with what reflectNow gives', async () => {
    const reflector = new Reflector(utils);
    const pending = reflector.reflect('sgd', SGD);
    expect(reflector.inThread).toBe(0); // not during the call
    expect(await pending).toEqual(reflector.reflectNow('sgd', SGD));
    expect(reflector.inThread).toBe(1);
  });

  test("a worker's replies are what reflect() resolves to, and its error replies what it rejects with", async () => {
    const expected = new Reflector(utils).reflectNow('sgd', SGD);
    installWorker((w, req) =>
      w.reply(req.spec.file === 'sgd' ? { id: req.id, ok: true, ...expected } : { id: req.id, ok: false, error: 'shaders/nope.wgsl does not exist' }),
    );
    const reflector = new Reflector(utils);
    expect(await reflector.reflect('sgd', SGD)).toEqual(expected);
    await expect(reflector.reflect('nope', { file: 'nope' })).rejects.toThrow('shaders/nope.wgsl does not exist');
    expect(reflector.inThread).toBe(0);
  });

  test('a worker that fails loses no request: those waiting are answered on this thread, and later ones too', async () => {
    let worker: FakeWorker | null = null;
    installWorker((w) => {
      worker = w;
      w.onerror?.({ preventDefault() {} });
    });
    const reflector = new Reflector(utils);
    const expected = reflector.reflectNow('sgd', SGD);
    const both = await Promise.all([reflector.reflect('sgd', SGD), reflector.reflect('sgd', SGD)]);
    expect(both).toEqual([expected, expected]);
    expect(worker!.terminated).toBe(true);
    expect(await reflector.reflect('sgd', SGD)).toEqual(expected);
    expect(reflector.inThread).toBe(3);
  });
});
