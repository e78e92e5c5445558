// The GPUDevice that user kernels run on: one of their own, on the same adapter as the engine's, so that a kernel
// that loses its device (or is abandoned after a timeout) never takes the engine's device, ours or a peer's with
// it. Recreation: kernelDevice() hands out the current device until it is lost (device.lost resolved) or
// retired (retireKernelDevice(), after a timeout); the next call then opens a fresh one on a fresh adapter.
//
// A retired device is not destroyed at once. Its runaway work cannot be interrupted on every implementation:
// on Dawn with SwiftShader, device.destroy() blocks the calling thread until the queue has drained, which would
// hang the process for as long as the kernel runs. So it is destroyed once its submitted work finishes; in Chrome
// the GPU process's watchdog loses a device whose kernel runs for seconds, which ends it sooner.
import { NoAdapterError, adapterLimits, nodeGpuInstance, openDevice } from '../backend/gpu/adapter';

export interface KernelDevice {
  device: GPUDevice;
  adapterName: string;
  /** Set when the device is lost or retired: a new one is opened by the next kernelDevice(). */
  gone: string | null;
}

let current: KernelDevice | null = null;
let opening: Promise<KernelDevice> | null = null;
/** Node: the Dawn instance our devices come from, held so that it outlives them (see HEADLESS-WEBGPU.md). */
let instance: GPU | null = null;

function adapterName(adapter: GPUAdapter): string {
  const info = adapter.info;
  return [info?.description, info?.vendor, info?.architecture, info?.device].filter((s) => s && s.length).join(' / ') || 'unknown WebGPU adapter';
}

function watch(kd: KernelDevice): KernelDevice {
  void kd.device.lost.then((info) => {
    if (!kd.gone) kd.gone = `device lost (${info.reason}${info.message ? `: ${info.message}` : ''})`;
  });
  return kd;
}

async function open(): Promise<KernelDevice> {
  const browserGpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  instance ??= browserGpu ?? nodeGpuInstance();
  if (!instance) {
    // Node, before anything opened WebGPU: openDevice() finds the adapter (pointing Vulkan at SwiftShader when no
    // driver is installed) and creates Dawn's instance, which we then hold.
    const opened = await openDevice();
    instance = nodeGpuInstance();
    return watch({ device: opened.device, adapterName: opened.adapterName, gone: null });
  }
  const adapter = await instance.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError('No WebGPU adapter was found for the kernel device');
  const device = await adapter.requestDevice({ requiredLimits: adapterLimits(adapter) });
  return watch({ device, adapterName: adapterName(adapter), gone: null });
}

/** The device for user kernels, opened (or reopened after a loss or a timeout) on demand. */
export async function kernelDevice(): Promise<KernelDevice> {
  if (current && !current.gone) return current;
  opening ??= open().finally(() => (opening = null));
  current = await opening;
  return current;
}

/** Stops handing out this device (a kernel on it timed out); it is destroyed once its queue drains. */
export function retireKernelDevice(kd: KernelDevice, why: string): void {
  if (kd.gone) return;
  kd.gone = why;
  void kd.device.queue.onSubmittedWorkDone().then(() => kd.device.destroy(), () => undefined);
}
