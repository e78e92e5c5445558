// Where the widgets' longer runs train: WebGPU when the browser has an adapter, else the CPU backend. The page's
// default device is left as it was, so the quick runs (always on the CPU) are not affected.
import { init, getDefaultDevice, type DeviceName } from '../../../../engine/index';

let chosen: Promise<DeviceName> | null = null;

export function trainingDevice(): Promise<DeviceName> {
  chosen ??= (async () => {
    const before = getDefaultDevice();
    try {
      await init({ backend: 'webgpu' });
      return 'webgpu' as const;
    } catch {
      return 'cpu' as const;
    } finally {
      await init({ backend: before });
    }
  })();
  return chosen;
}
