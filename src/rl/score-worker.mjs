// Piscina loads workers as plain ESM; registering tsx's loader first lets the TypeScript worker import
// the project's .ts modules, under `tsx` and under vitest alike.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./score-worker.ts');
export default worker.default;
