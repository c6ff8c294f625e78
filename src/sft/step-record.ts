/**
 * What flows through an SFT run's main stream: a batch ready for the update, and the record of the update
 * (src/sft/step.ts's stats plus the stage, timing and the data cursor after the batch). The records are
 * what `--record FILE` and DIR/steps.msgpack hold, one per optimizer step.
 */
import type { PreparedBatch } from '../model/logprobs.ts';
import type { DataCursor } from './data-cursor.ts';
import type { SftStepStats } from './step.ts';

export type SftStage = 'perception' | 'main';

export interface SftBatch {
  readonly step: number; // the optimizer step this batch is for (1-based, over both stages)
  readonly prepared: PreparedBatch;
  readonly rows: number; // samples in the batch
  readonly cursor: DataCursor; // the stage's data cursor after this batch
}

export interface SftStepRecord extends SftStepStats {
  readonly stage: SftStage;
  readonly samples: number;
  readonly wallMs: number; // the update's wall time (both backward passes and the optimizer)
  readonly tokensPerSec: number; // response (target) tokens trained per second of update time
  readonly samplesPerSec: number;
  readonly cursor: DataCursor;
}
