/**
 * Teacher reward (docs/architecture.md §5): another policy — a checkpoint of ours or a VLM behind an OpenAI-compatible
 * endpoint — transcribes each image once (greedy, cached by sample id); a rollout's reward is 1 when its
 * caption agrees with the teacher's under the task's perception comparison (task.samePerception), else 0.
 * A teacher answer without caption tags counts as a bare transcription (its trimmed text). A teacher of ours
 * with another input size than the policy's (e.g. a larger model) reads the image re-rendered at its size.
 */
import type { Policy } from '../../policy/policy.ts';
import type { Sample } from '../../records.ts';
import type { Task } from '../../tasks/task.ts';
import { captionOf, type RewardInput, type SurrogateReward } from './surrogate.ts';

export interface TeacherRewardOptions {
  readonly maxTokens: number;
  readonly seed: number;
  readonly ownsPolicy?: boolean; // close() closes the teacher
  /** The sample as the teacher reads it, e.g. re-rendered at its own input size (make-reward.ts). */
  readonly prepare?: (sample: Sample) => Promise<Sample>;
}

export function teacherReward(teacher: Policy, task: Task, o: TeacherRewardOptions): SurrogateReward & { transcription(id: string): string | undefined } {
  const cache = new Map<string, string | undefined>();
  return {
    name: 'teacher',
    transcription: (id) => cache.get(id),
    async score(inputs: readonly RewardInput[]): Promise<number[]> {
      const missing = [...new Map(inputs.filter((x) => !cache.has(x.sample.puzzle.id)).map((x) => [x.sample.puzzle.id, x.sample])).values()];
      if (missing.length > 0) {
        const asked = o.prepare ? await Promise.all(missing.map(o.prepare)) : missing;
        const answers = await teacher.generate(asked, { temperature: 0, topP: 1, maxTokens: o.maxTokens, n: 1, seed: o.seed });
        missing.forEach((s, i) => {
          const c = answers[i][0];
          cache.set(s.puzzle.id, c.failed ? undefined : (captionOf(c.text) ?? (c.text.trim() || undefined)));
        });
      }
      return inputs.map((x) => {
        const reference = cache.get(x.sample.puzzle.id);
        return x.caption !== undefined && reference !== undefined && task.samePerception(x.caption, reference) ? 1 : 0;
      });
    },
    close: async () => {
      if (o.ownsPolicy) await teacher.close?.();
    },
  };
}
