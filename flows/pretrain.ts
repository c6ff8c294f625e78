/**
 * Flow: the stage before post-training (docs/pretrain.md) — `asymflow pretrain`. A run of the SFT machinery
 * (flows/sft.ts: the training loop, the standard token-mean objective, periodic and final disentangled
 * evaluation, exact --resume, a checkpoint on a stop request, the dashboard) with its own verb, settings and
 * rows: captioning on renders of another distribution and text-only reasoning from a given caption
 * (src/pretrain/pretrain-data.ts), mixed or in sequence. Its checkpoint is an SFT checkpoint, so
 * `sft --init DIR`, `rl --init DIR`, `eval --checkpoint DIR` and `teacher:DIR` take it as they take an sft run.
 */
import { PRETRAIN_DEFAULTS, sftShape, type PretrainConfig } from '../src/pretrain/pretrain-config.ts';
import { loadPretrainData } from '../src/pretrain/pretrain-data.ts';
import { getTask } from '../src/tasks/registry.ts';
import { runSft, type SftRunOptions, type SftRunResult } from './sft.ts';

export interface PretrainRunOptions extends Omit<SftRunOptions, 'config' | 'variant'> {
  readonly config: PretrainConfig;
}

export async function runPretrain(options: PretrainRunOptions): Promise<SftRunResult> {
  const { config } = options;
  const task = await getTask(config.task);
  return runSft({
    ...options,
    config: sftShape(config),
    variant: {
      verb: 'pretrain',
      settings: config,
      defaults: PRETRAIN_DEFAULTS,
      loadData: (mc, taskOptions, log) => loadPretrainData(config, task, mc, taskOptions, log),
    },
  });
}
