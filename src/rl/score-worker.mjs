// Piscina loads workers as plain ESM. In the built package the compiled worker sits beside this file; from
// the sources, tsx's loader is registered first so the TypeScript worker can import the project's .ts
// modules (under `tsx` and under vitest alike).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('./score-worker.js', import.meta.url);
let worker;
if (existsSync(fileURLToPath(built))) worker = await import(built.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  worker = await import('./score-worker.ts');
}
export default worker.default;
