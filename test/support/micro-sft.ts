/**
 * The micro SFT run several tests train (resume, yielding, the launcher's signals): a 32-px input, d 32, one
 * block, on 3-node graphs with one-line traces (~50-token targets), on the cpu backend, seconds a run. Each
 * test adds what it is about (objective, steps, checkpoint spacing).
 */
export const MICRO = { modelOptions: { inputSize: 32, d: 32, layers: 1 }, taskOptions: { minNodes: 3, maxNodes: 3, verbosity: 0, heldOut: 0 } };

/** SFT flags common to those runs (resolveSftConfig keys). */
export const MICRO_SFT_FLAGS = {
  task: 'gc',
  batch: 2,
  lr: 1e-2,
  warmupSteps: 1,
  trainN: 4,
  evalN: 1,
  evalMode: 'e2e',
  evalMaxTokens: 4,
  bucket: 16,
  backend: 'cpu',
  plots: false,
};

/** The same options as the CLI takes them (`--model-option K=V …`, `--task-option K=V …`). */
export const MICRO_MODEL_OPTION = Object.entries(MICRO.modelOptions).map(([k, v]) => `${k}=${v}`);
export const MICRO_TASK_OPTION = Object.entries(MICRO.taskOptions).map(([k, v]) => `${k}=${v}`);
