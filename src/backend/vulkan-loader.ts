/**
 * Whether Dawn's default backend can load Vulkan here. On Linux Dawn dlopens libvulkan.so.1; where no loader
 * is installed (CPU-only machines, CI) that attempt can only fail, and Dawn's native code prints
 * "Warning: Couldn't load Vulkan ..." to the process's stderr on the way, which no JavaScript can silence.
 * So findAdapter skips the attempt when this says no (unless --verbose asks to see Dawn's own words).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from './request.ts';

const LOADER = 'libvulkan.so.1';
// The multiarch and classic library directories the dynamic linker searches without ld.so.cache.
const SYSTEM_DIRS = [
  '/lib',
  '/usr/lib',
  '/lib64',
  '/usr/lib64',
  '/usr/local/lib',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
];

export interface LoaderSearch {
  readonly platform?: NodeJS.Platform;
  readonly exists?: (file: string) => boolean;
  readonly readCache?: () => Buffer; // /etc/ld.so.cache: the linker's index, which names every library it knows
}

export function hasVulkanLoader(env: Env, search: LoaderSearch = {}): boolean {
  const platform = search.platform ?? process.platform;
  if (platform !== 'linux') return true; // Metal, D3D: nothing to load
  const exists = search.exists ?? existsSync;
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''), ...SYSTEM_DIRS];
  if (dirs.some((dir) => exists(join(dir, LOADER)))) return true;
  try {
    return (search.readCache ?? (() => readFileSync('/etc/ld.so.cache')))().includes(LOADER);
  } catch {
    return false;
  }
}
