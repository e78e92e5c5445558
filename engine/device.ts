// Devices and the default device. The CPU backend always exists; the WebGPU backend is opened by init() and
// replaced by a later init() after its device is lost.
import type { Backend, DeviceName } from './backend/backend';
import { CpuBackend } from './backend/cpu';
import { WebGPUBackend } from './backend/webgpu';

export interface InitOptions {
  backend?: DeviceName;
}

export interface DeviceInfo {
  device: DeviceName;
  adapter: string;
}

let cpu = new CpuBackend();
let webgpu: WebGPUBackend | null = null;
let defaultDevice: DeviceName = 'cpu';
/** The binding limit asked for by setBindingLimit (null: the adapter's), kept for a device opened later. */
let bindingLimit: number | null = null;

/**
 * Sets the default device. For 'webgpu' it opens an adapter with its real limits (in Node through Dawn, pointing
 * Vulkan at SwiftShader when no other driver exists) and throws NoAdapterError, saying what to install, when none
 * can be found. Calling it again after the device was lost opens a new one.
 */
export async function init(opts: InitOptions = {}): Promise<DeviceInfo> {
  const device = opts.backend ?? 'webgpu';
  if (device === 'webgpu') {
    if (!webgpu || webgpu.ctx.lostReason !== null) {
      webgpu = await WebGPUBackend.create();
      webgpu.ctx.setBindingLimit(bindingLimit);
    }
  } else if (device !== 'cpu') {
    throw new Error(`init: unknown backend '${String(device)}'; use 'webgpu' or 'cpu'`);
  }
  defaultDevice = device;
  return { device, adapter: getBackend(device).adapterName };
}

export function getDefaultDevice(): DeviceName {
  return defaultDevice;
}

export function getBackend(device: DeviceName): Backend {
  if (device === 'cpu') return cpu;
  if (device === 'webgpu') {
    if (!webgpu) throw new Error("The WebGPU device is not open: call `await init({ backend: 'webgpu' })` first");
    return webgpu;
  }
  throw new Error(`unknown device '${String(device)}'; use 'webgpu' or 'cpu'`);
}

/**
 * Runs fn with another CPU backend standing in for 'cpu' (gradcheck's float64 one), so tensors made inside are
 * created on it.
 */
export function withCpuBackend<T>(backend: CpuBackend, fn: () => T): T {
  const prev = cpu;
  cpu = backend;
  try {
    return fn();
  } finally {
    cpu = prev;
  }
}

/** The open WebGPU backend, or null before init({ backend: 'webgpu' }). */
export function webgpuBackend(): WebGPUBackend | null {
  return webgpu;
}

/**
 * Caps every WebGPU storage binding at `bytes` (null restores the adapter's maxStorageBufferBindingSize). A weight
 * over the cap still runs through the split embedding lookup and matmul (inference only); any other kernel that
 * would bind more throws an OverLimitError naming the kernel and the binding. Tests lower it to exercise the split
 * paths on small models; a user can check that a model fits an adapter with a smaller limit. Values above the
 * open adapter's limit are refused. The CPU backend ignores it.
 */
export function setBindingLimit(bytes: number | null): void {
  webgpu?.ctx.setBindingLimit(bytes); // validates against the open adapter before anything changes
  bindingLimit = bytes;
}
