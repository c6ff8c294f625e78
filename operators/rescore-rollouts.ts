/**
 * rescoreRollouts — re-scores recorded (or freshly sampled) rollouts in batches without training: the
 * oracle verdicts a, a_p, ã_r from the score pool and every requested surrogate reward. Images are
 * re-rendered from each rollout's puzzle (recordings keep no pixels), so a recording can be re-diagnosed
 * with a reward it was never trained with.
 *
 *   source: --[r0 r1 r2]--[r3]--|
 *   output: ----------s0 s1 s2----s3|      s = r re-scored (a, ap, arCond, rewards)
 */
import { concatMap, defer, from, type OperatorFunction } from 'rxjs';
import type { Sample } from '../src/records.ts';
import { rewardRollouts, type Unadvantaged } from '../src/rl/rewards/combine.ts';
import type { SurrogateReward } from '../src/rl/rewards/surrogate.ts';
import type { RlRollout } from '../src/rl/rl-records.ts';
import type { ScorePool } from '../src/rl/score-pool.ts';
import type { Task, TaskOptions } from '../src/tasks/task.ts';

export interface RescoreOptions {
  readonly task: Task;
  readonly taskOptions: TaskOptions; // rendering knobs the rollouts were sampled with
  readonly pool: ScorePool;
  readonly surrogates: readonly SurrogateReward[];
  readonly samples?: ReadonlyMap<string, Sample>; // known samples (fresh rollouts); others are re-rendered
}

export function rescoreRollouts(options: RescoreOptions): OperatorFunction<readonly RlRollout[], Unadvantaged> {
  const { task, taskOptions, pool, surrogates } = options;
  const needPixels = surrogates.length > 0;
  let batchIndex = 0;
  return concatMap((batch) =>
    defer(async () => {
      const samples = new Map<string, Sample>();
      for (const r of batch) {
        if (samples.has(r.sampleId)) continue;
        const known = options.samples?.get(r.sampleId);
        if (known) samples.set(r.sampleId, known);
        else if (needPixels) samples.set(r.sampleId, { puzzle: r.puzzle, ...(await task.render(r.puzzle, taskOptions)), query: r.query });
        else samples.set(r.sampleId, { puzzle: r.puzzle, width: 0, height: 0, query: r.query });
      }
      return rewardRollouts(batch, samples, pool, { task: task.name, alpha: 0, spec: { kind: 'outcome' }, extra: surrogates }, batchIndex++);
    }).pipe(concatMap((rows) => from(rows))),
  );
}
