// The file Piscina loads for the scoring pool: the worker body through load-worker.mjs (built or from source).
import { loadWorker } from '../load-worker.mjs';

export default (await loadWorker(import.meta.url, 'score-worker')).default;
