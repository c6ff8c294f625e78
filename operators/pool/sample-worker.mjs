// The file Piscina loads for the sample pool: the worker body through load-worker.mjs (built or from source).
import { loadWorker } from '../../src/load-worker.mjs';

export default (await loadWorker(import.meta.url, 'sample-worker')).default;
