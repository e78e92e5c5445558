// Node only. Dawn runs on Vulkan; on a machine with no GPU the only usable Vulkan driver is SwiftShader, which
// Debian's chromium package ships. This points the Vulkan loader at it when no other driver is installed.
import { existsSync, readdirSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function systemDriversPresent(): boolean {
  return ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')));
}

/**
 * Sets VK_ICD_FILENAMES to SwiftShader when the user has not chosen a driver and either no system driver exists
 * or `force` is set. Returns true when it set the variable. A user's own VK_ICD_FILENAMES/VK_DRIVER_FILES wins.
 */
export function pickVulkanDriver(force: boolean): boolean {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return false;
  if (!existsSync(SWIFTSHADER_ICD)) return false;
  if (!force && systemDriversPresent()) return false;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return true;
}
