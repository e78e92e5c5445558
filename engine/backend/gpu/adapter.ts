// Finding a WebGPU adapter and opening a device with the adapter's real limits, in a browser (navigator.gpu)
// or in Node (the `webgpu` npm package, Dawn). Node-only modules are imported dynamically so that a browser
// bundle never sees them.

export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
}

const HOW_TO_GET_ONE =
  'To get one on Linux without a GPU: `sudo apt-get install -y chromium libvulkan1` (Debian/Ubuntu), which ' +
  'provides SwiftShader\'s Vulkan driver at /usr/lib/chromium/vk_swiftshader_icd.json; the engine points ' +
  'VK_ICD_FILENAMES at it when no other Vulkan driver is installed. In a browser, use Chrome 113+ (on Linux, ' +
  'start it with --enable-unsafe-webgpu) on a secure context (https or http://localhost).';

// Dawn's instance must outlive every adapter and device made from it: if it is garbage-collected the process
// dies (see ../shared/HEADLESS-WEBGPU.md). It lives here for the life of the process.
let nodeGpu: GPU | null = null;

/**
 * Node only: the Dawn `GPU` instance that openDevice() created, or null before it ran (or in a browser). Benchmarks
 * hand it to peer libraries (as navigator.gpu) so that they run on the same adapter in the same process.
 */
export function nodeGpuInstance(): GPU | null {
  return nodeGpu;
}

export interface OpenedDevice {
  device: GPUDevice;
  adapterName: string;
  features: ReadonlySet<string>;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function nodeAdapter(powerPreference: GPUPowerPreference): Promise<GPUAdapter | null> {
  // The package name sits in a variable so that Vite never tries to bundle Dawn for the browser; the driver
  // module is a lazy chunk that a browser never loads.
  const webgpuName = 'webgpu';
  const [{ create, globals }, { pickVulkanDriver }] = await Promise.all([
    import(/* @vite-ignore */ webgpuName) as Promise<{ create: (flags: string[]) => GPU; globals: object }>,
    import('./vulkan-driver'),
  ]);
  Object.assign(globalThis, globals);
  const tried = pickVulkanDriver(false);
  nodeGpu = create([]);
  let adapter = await nodeGpu.requestAdapter({ powerPreference });
  if (!adapter && !tried) {
    // A system driver was listed but gave no adapter: fall back to SwiftShader. A failed request poisons the
    // Dawn instance, so make a new one.
    if (pickVulkanDriver(true)) {
      nodeGpu = create([]);
      adapter = await nodeGpu.requestAdapter({ powerPreference });
    }
  }
  return adapter;
}

export function adapterLimits(adapter: GPUAdapter): Record<string, number> {
  // Ask for everything the adapter offers: the defaults (128 MiB bindings, 16 KiB workgroup storage) are far lower.
  const out: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, unknown>;
  for (let proto: object | null = limits; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const v = limits[key];
      if (typeof v === 'number' && !(key in out)) out[key] = v;
    }
  }
  return out;
}

export async function openDevice(powerPreference: GPUPowerPreference = 'high-performance'): Promise<OpenedDevice> {
  let adapter: GPUAdapter | null = null;
  let why = '';
  try {
    if (typeof navigator !== 'undefined' && navigator.gpu) adapter = await navigator.gpu.requestAdapter({ powerPreference });
    else if (isNode) adapter = await nodeAdapter(powerPreference);
    else why = 'this environment has no navigator.gpu. ';
  } catch (e) {
    why = `requesting one failed: ${(e as Error).message}. `;
  }
  if (!adapter) throw new NoAdapterError(`No WebGPU adapter was found: ${why}${HOW_TO_GET_ONE}`);

  const wanted: GPUFeatureName[] = ['timestamp-query', 'subgroups'];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits: adapterLimits(adapter) });
  const info = adapter.info;
  const adapterName =
    [info?.description, info?.vendor, info?.architecture, info?.device].filter((s) => s && s.length).join(' / ') ||
    'unknown WebGPU adapter';
  return { device, adapterName, features: new Set(requiredFeatures) };
}
