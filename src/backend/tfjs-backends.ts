/**
 * The backends without a GPU device of our own (tfjs-node's libtensorflow, wasm, cpu) and the two tfjs
 * registry calls every backend's activation uses.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, ResolvedBackend } from './request.ts';

/** A backend with no GPU device of our own to watch or destroy. */
export function cpuSide(name: BackendName, device: string): ResolvedBackend {
  return { name, device, precision: 'fp32', gpuErrors: () => [], throwIfGpuErrors: () => {}, dispose: async () => {} };
}

export async function setTfBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

export function removeBackendFactory(name: string): void {
  try {
    tf.removeBackend(name);
  } catch {} // throws when no factory is registered under that name
}

/** Imports a package only if installed; the computed specifier keeps tsc and esbuild from resolving it. */
async function importOptional(specifier: string): Promise<unknown> {
  const load = (s: string) => import(s);
  return load(specifier);
}

export async function activateTensorflow(): Promise<ResolvedBackend> {
  const failures: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg);
      await setTfBackend('tensorflow');
      const device = pkg.endsWith('-gpu') ? 'libtensorflow GPU' : 'libtensorflow CPU';
      return cpuSide('tensorflow', `${device} via ${pkg}`);
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      failures.push(/Cannot find (package|module)/.test(msg) ? `${pkg} not installed` : `${pkg}: ${msg}`);
    }
  }
  throw new Error(failures.join(', '));
}

export async function activateWasm(): Promise<ResolvedBackend> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmBinaryDir();
  if (!dir) throw new Error('tfjs-backend-wasm.wasm not found next to the bundle nor in node_modules');
  // Emscripten's Node glue reads the free variable __dirname, which an ESM bundle (.device/*.mjs) lacks;
  // inside node_modules (CommonJS) the module's own __dirname shadows this global.
  const g = globalThis as { __dirname?: string };
  if (typeof g.__dirname !== 'string') g.__dirname = dir;
  // setWasmPaths throws once the backend has been initialised; it is then already configured.
  try {
    wasm.setWasmPaths(dir + '/');
  } catch {}
  await setTfBackend('wasm');
  return cpuSide('wasm', 'cpu (wasm)');
}

/** node_modules when run from source; next to the bundled .mjs (prepare.sh copies the .wasm into .device/). */
function wasmBinaryDir(): string | undefined {
  const candidates: string[] = [];
  try {
    const req = createRequire(import.meta.url);
    candidates.push(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist');
  } catch {}
  candidates.push(dirname(fileURLToPath(import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'tfjs-backend-wasm.wasm')));
}
