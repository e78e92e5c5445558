// Where a lesson's longer runs compute, and how they keep the page responsive. The stated numbers of every lesson
// come from quick runs on the CPU backend (the same on every machine); the widgets' longer runs train on WebGPU when
// the browser has an adapter, and yield between steps so that progress text paints and buttons answer.
import { init, getDefaultDevice, type DeviceName } from '../../engine/index';

let chosen: Promise<DeviceName> | null = null;

/**
 * 'webgpu' when the browser has an adapter, else 'cpu'. Asked once per page; the page's default device is put
 * back afterwards, so code that relies on the default (the quick runs) is not moved to the GPU.
 */
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

/** Gives the browser one task's turn (rendering, input) between training steps. */
export const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
