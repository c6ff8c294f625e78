/**
 * Flow: the small image–caption contrastive encoder behind `--reward embed` — `asymflow train-embed`.
 *
 *   claim DIR ─ backend ─ (image, p*) pairs of train_sft ─ symmetric InfoNCE, Adam (src/rl/embed/train-embed.ts)
 *     ─ a line every tenth of the steps ─ DIR/embed.json + DIR/embed.bin ─ release DIR
 */
import { claimRunDir } from '../src/io/output-path.ts';
import type { TrainEmbedConfig } from '../src/rl/embed/train-embed-config.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import { etaText } from '../src/progress-lines.ts';

export type { TrainEmbedConfig };

export interface TrainEmbedResult {
  readonly loss: number;
  readonly accuracy: number; // in-batch: images whose best caption is their own
}

/** Trains and saves the encoder; DIR stays locked until it is saved. */
/** `log` gets progress, `result` (default: `log`) the final line. */
export async function runTrainEmbed(config: TrainEmbedConfig, taskOptions: TaskOptions, log: (line: string) => void, result = log): Promise<TrainEmbedResult> {
  const claim = claimRunDir(config.out, { verb: 'train-embed', overwrite: config.overwrite });
  try {
    return await train(config, taskOptions, log, result);
  } finally {
    claim.release();
  }
}

async function train(c: TrainEmbedConfig, taskOptions: TaskOptions, log: (line: string) => void, result: (line: string) => void): Promise<TrainEmbedResult> {
  // Loaded on use, so `train-embed --help` loads no tfjs.
  const [{ resolveBackend }, { disposeEncoder, saveEncoder }, { trainEmbed }] = await Promise.all([
    import('../src/backend/index.ts'),
    import('../src/rl/embed/encoder.ts'),
    import('../src/rl/embed/train-embed.ts'),
  ]);
  await resolveBackend(c.backend || undefined, { log });
  const task = await getTask(c.task);
  const every = Math.max(1, Math.floor(c.steps / 10));
  const started = performance.now();
  const eta = (step: number) => etaText(step, c.steps, performance.now() - started);
  const { encoder, loss, accuracy } = await trainEmbed(task, {
    ...c,
    taskOptions,
    onStep: (step, l, acc) =>
      step % every === 0 &&
      log(`train-embed step ${step}/${c.steps}: loss ${l.toFixed(3)}  in-batch accuracy ${(100 * acc).toFixed(1)}%${eta(step) && ` · ${eta(step)}`}`),
  });
  await saveEncoder(c.out, encoder, { task: c.task, loss, accuracy, config: c });
  disposeEncoder(encoder);
  result(`train-embed: wrote ${c.out}/embed.json (final loss ${loss.toFixed(3)}, in-batch accuracy ${(100 * accuracy).toFixed(1)}%)`);
  return { loss, accuracy };
}
