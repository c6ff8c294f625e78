/**
 * Builds the surrogate perception reward a `--reward` spec names (undefined for `outcome` and `perception`,
 * which come from the oracle scores). `self:N` re-solves with `policy` (the live policy during RL, or a
 * checkpoint in the diagnostic); `teacher:X` loads X as a checkpoint directory or, for an http(s) URL, an
 * OpenAI-compatible endpoint; `embed` loads the encoder in `embedDir`.
 */
import type { Vlm } from '../../model/vlm.ts';
import { OpenAIPolicy } from '../../policy/openai-policy.ts';
import { loadTfjsPolicy, TfjsPolicy } from '../../policy/tfjs-policy.ts';
import type { Sample } from '../../records.ts';
import type { Task, TaskOptions } from '../../tasks/task.ts';
import { loadEncoder } from '../embed/encoder.ts';
import type { RewardSpec } from '../reward-spec.ts';
import { embedReward } from './embed-reward.ts';
import { selfReward } from './self-reward.ts';
import type { SurrogateReward } from './surrogate.ts';
import { teacherReward } from './teacher-reward.ts';

export interface MakeRewardOptions {
  readonly task: Task;
  readonly policy?: Vlm; // for self:N
  readonly embedDir?: string; // for embed
  readonly maxTokens: number; // second hop (self) and teacher transcription
  readonly temperature: number; // self-reward re-solving
  readonly seed: number;
  readonly batch?: number; // rows per sampling call of our models
  readonly taskOptions?: TaskOptions; // rendering knobs: a teacher of ours at another input size re-renders with them
}

/**
 * The sample at `size`² model-input pixels: as it is when it has them, else re-rendered from its puzzle (a
 * teacher checkpoint larger than the policy, e.g. `small` at 144 px teaching `tiny` at 72, reads its own size).
 */
export function atInputSize(task: Task, taskOptions: TaskOptions, size: number): (sample: Sample) => Promise<Sample> {
  return async (sample) =>
    sample.pixels?.length === size * size ? sample : { ...sample, ...(await task.render(sample.puzzle, { ...taskOptions, inputSize: size })) };
}

export async function makeSurrogateReward(spec: RewardSpec, o: MakeRewardOptions): Promise<SurrogateReward | undefined> {
  switch (spec.kind) {
    case 'outcome':
    case 'perception':
      return undefined;
    case 'self': {
      if (!o.policy) throw new Error('reward self:N needs the policy model to re-solve with');
      const policy = new TfjsPolicy(o.policy, { name: 'self', maxBatch: o.batch ?? 64 });
      return selfReward(policy, o.task, { n: spec.n, maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed });
    }
    case 'teacher': {
      const remote = /^https?:\/\//.test(spec.policy);
      if (remote)
        return teacherReward(new OpenAIPolicy({ baseUrl: spec.policy, image: 'png' }), o.task, { maxTokens: o.maxTokens, seed: o.seed, ownsPolicy: true });
      const teacher = await loadTfjsPolicy(spec.policy, { name: 'teacher', maxBatch: o.batch ?? 64 });
      const prepare = atInputSize(o.task, o.taskOptions ?? {}, teacher.inputSize);
      return teacherReward(teacher, o.task, { maxTokens: o.maxTokens, seed: o.seed, ownsPolicy: true, prepare });
    }
    case 'embed': {
      if (!o.embedDir) throw new Error('reward embed needs the encoder directory (--embed DIR, from asymflow train-embed)');
      return embedReward(await loadEncoder(o.embedDir), true);
    }
  }
}
