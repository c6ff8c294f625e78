/**
 * One resume policy for every training flow (sft, rl): what `--resume` and `--overwrite` do to a run
 * directory and its checkpoint, decided once, before any model is loaded.
 *
 *   claim DIR (locked; another verb's run or foreign files refused; this verb's run needs --resume or --overwrite)
 *     ─ --record FILE checked (refused when it is one of the run's files, or exists without --resume/--overwrite)
 *     ─ --resume with no checkpoint: refused;  a checkpoint without --resume: refused (so nothing is lost)
 *     ─ --resume: drop what was recorded after the checkpoint's step — metrics, the run's step-keyed
 *       recordings, --record FILE — since those steps are redone (each step then exists exactly once)
 *
 * A caller that means "continue if there is something to continue" (sweeps, reproduce) asks hasCheckpoint
 * and passes --overwrite for a run killed before its first checkpoint.
 */
import { checkRecordPath, claimRunDir, type RunClaim } from '../src/io/output-path.ts';
import { hasCheckpoint } from '../src/model/checkpoint-dir.ts';
import { trimRecording } from '../src/recording/index.ts';
import { dropMetricsAfter } from './run-context.ts';

export interface ResumeRequest {
  readonly verb: string; // sft, rl
  readonly out: string; // the run directory
  readonly resume: boolean;
  readonly overwrite: boolean;
  readonly record: string; // --record FILE ('' = none)
  readonly checkpoints: string; // the directory holding checkpoint.json
  /** The step the checkpoint reached, read without tensors. */
  readonly savedStep: (checkpoints: string) => number;
  /** The run's own recordings of records keyed by `step` (DIR/steps.msgpack, DIR/rollouts.msgpack). */
  readonly recordings: readonly string[];
}

export interface ClaimedRun {
  readonly claim: RunClaim; // released by the run context that takes it over (or on failure here)
  readonly resumed: boolean;
  readonly step: number; // the checkpoint's step when resumed, else 0
  readonly dropped: number; // records of the run's own recordings dropped as redone
}

export async function claimTrainingRun(r: ResumeRequest): Promise<ClaimedRun> {
  const claim = claimRunDir(r.out, { verb: r.verb, resume: r.resume, overwrite: r.overwrite });
  try {
    if (r.record && !r.resume) checkRecordPath(r.record, claim.dir, r.verb, r.overwrite);
    const exists = hasCheckpoint(r.checkpoints);
    if (r.resume && !exists) throw new Error(`${r.verb} --resume: no checkpoint in ${r.checkpoints} (checkpoint.json missing); run without --resume to start`);
    if (!r.resume && exists)
      throw new Error(`${r.verb}: ${r.checkpoints} already holds a checkpoint; pass --resume to continue that run, or choose another --out`);
    if (!r.resume) return { claim, resumed: false, step: 0, dropped: 0 };
    const step = r.savedStep(r.checkpoints);
    await dropMetricsAfter(r.out, step);
    let dropped = 0;
    for (const file of r.recordings) dropped += (await trimRecording<{ step: number }>(file, (x) => x.step <= step)).dropped;
    if (r.record) await trimRecording<{ step: number }>(r.record, (x) => x.step <= step); // --record FILE continues the same way
    return { claim, resumed: true, step, dropped };
  } catch (error) {
    claim.release();
    throw error;
  }
}
