// Piscina loads worker files with plain Node, as ESM. A worker shim (score-worker.mjs, sample-worker.mjs) asks
// for its worker body here: in the built package the compiled `NAME.js` sits beside the shim; from the sources,
// tsx's loader is registered in the worker thread first (harmless when the parent already runs under tsx,
// needed under vitest), then `NAME.ts` is loaded.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The worker module `name` beside the shim at URL `base`. */
export async function loadWorker(base, name) {
  const built = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(built))) return import(built.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`./${name}.ts`, base).href);
}
