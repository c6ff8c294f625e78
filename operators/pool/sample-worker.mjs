// Piscina loads worker files with plain Node, which cannot import TypeScript; register tsx's loader in this
// worker thread first (harmless when the parent already runs under tsx), then load the real worker body.
import { register } from 'tsx/esm/api';

register();
const { default: sampleWorker } = await import('./sample-worker.ts');
export default sampleWorker;
