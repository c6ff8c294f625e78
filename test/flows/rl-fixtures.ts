/** Shared by the RL flow tests: a minimal model config and a fresh --init checkpoint. */
import path from 'node:path';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { modelConfig } from '../../src/model/config.ts';
import { createVlm, disposeVlm } from '../../src/model/vlm.ts';

// A one-layer, 32-wide model with a 32-px input: every code path of `tiny`, a GRPO step in well under a second.
export const testModel = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1, maxText: 256 });

/** Saves a fresh test model as a checkpoint directory (what --init takes) and returns its path. */
export async function initCheckpoint(dir: string, seed = 3): Promise<string> {
  const init = path.join(dir, 'init');
  const model = createVlm(testModel, seed);
  await saveCheckpoint(init, { model });
  disposeVlm(model);
  return init;
}
