// Piscina loads worker files with plain Node. In the built package the compiled worker sits beside this
// file; from the sources, tsx's loader is registered in this worker thread first (harmless when the parent
// already runs under tsx), then the TypeScript worker body is loaded.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('./sample-worker.js', import.meta.url);
let worker;
if (existsSync(fileURLToPath(built))) worker = await import(built.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  worker = await import('./sample-worker.ts');
}
export default worker.default;
