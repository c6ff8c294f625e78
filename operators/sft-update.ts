/**
 * sftUpdate — one SFT optimizer update per batch (src/sft/step.ts: the perception and reasoning parts in two
 * backward passes, λ from the objective, one AdamW step), strictly one at a time; emits the step's record
 * with its wall time and throughput, after one turn of the event loop (the dashboard draws, q and SIGINT
 * are heard between steps even where every await resolves at once, as on cpu and wasm). `check` runs after every update (the webgpu backend's error watch:
 * a step whose command buffer failed is garbage and must stop the run).
 *
 *   source: --b1------------b2------------|
 *   output: ------------r1------------r2--|
 */
import { concatMap, defer, type OperatorFunction } from 'rxjs';
import { yieldToEventLoop } from '../src/event-loop.ts';
import type { AdamW } from '../src/model/adamw.ts';
import type { Vlm } from '../src/model/vlm.ts';
import type { SftObjective } from '../src/sft/objective.ts';
import { sftStep } from '../src/sft/step.ts';
import type { SftBatch, SftStage, SftStepRecord } from '../src/sft/step-record.ts';

export interface SftUpdateOptions {
  readonly model: Vlm;
  readonly optimizer: AdamW;
  readonly objective: SftObjective;
  readonly stage: SftStage;
  readonly check?: (where: string) => void;
}

export function sftUpdate(options: SftUpdateOptions): OperatorFunction<SftBatch, SftStepRecord> {
  const { model, optimizer, objective, stage, check } = options;
  return (source) =>
    source.pipe(
      concatMap((batch) =>
        defer(async (): Promise<SftStepRecord> => {
          if (optimizer.step + 1 !== batch.step) {
            throw new Error(`sftUpdate: batch for step ${batch.step} but the optimizer is at step ${optimizer.step}`);
          }
          const started = performance.now();
          const stats = await sftStep(model, optimizer, batch.prepared, objective);
          check?.(`sft step ${batch.step}`);
          const wallMs = performance.now() - started;
          await yieldToEventLoop(); // a frame, a key press or SIGINT lands between steps (cpu/wasm never wait)
          const perSec = (n: number) => (wallMs > 0 ? (n * 1000) / wallMs : 0);
          return { ...stats, stage, samples: batch.rows, wallMs, tokensPerSec: perSec(stats.tokens), samplesPerSec: perSec(batch.rows), cursor: batch.cursor };
        }),
      ),
    );
}
