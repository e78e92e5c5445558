// Where the widgets' longer runs train: WebGPU when the browser has an adapter, else the CPU backend. Asked once per
// page; the page's default device is put back, so the quick runs (always on the CPU) are not affected.
import { init, getDefaultDevice, type DeviceName } from '../../../../engine/index';

let asked: Promise<DeviceName> | null = null;

export function widgetDevice(): Promise<DeviceName> {
  asked ??= (async () => {
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
  return asked;
}
