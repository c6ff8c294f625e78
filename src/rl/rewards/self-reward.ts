/**
 * Self-reward (docs/architecture.md §5): the policy re-solves the puzzle from its own caption alone, N times; the reward is
 * the mean correctness of those second-hop answers under the oracle check Acc(r' | p*). A correct caption
 * lets the policy's own reasoning succeed, so the reward tracks perception without reading p*.
 *
 * How the image is withheld: the second hop sees an all-white image (every pixel 1.0 — the rendered
 * background, i.e. an image with no content; TfjsPolicy's `withImage: false`) and the caption forced as
 * the assistant prefix `<caption>CAPTION</caption>`, so only reasoning and answer are sampled — the input of
 * src/model/no-image.ts, which `sft --image-dropout` trains on. OpenAI policies send no image part at all. The second-hop tokens are scored, never trained on. A rollout
 * without a parsable caption gets 0 without a second hop.
 */
import { captionPrefix } from '../../model/no-image.ts';
import { scoreResponse } from '../../eval/score.ts';
import type { Policy } from '../../policy/policy.ts';
import type { Task } from '../../tasks/task.ts';
import type { RewardInput, SurrogateReward } from './surrogate.ts';

export interface SelfRewardOptions {
  readonly n: number; // re-solves per rollout
  readonly maxTokens: number;
  readonly temperature: number;
  readonly seed: number;
}

export function selfReward(policy: Policy, task: Task, o: SelfRewardOptions): SurrogateReward {
  if (!Number.isInteger(o.n) || o.n < 1) throw new RangeError(`selfReward n must be a positive integer, got ${o.n}`);
  return {
    name: `self${o.n}`,
    async score(inputs: readonly RewardInput[], step: number): Promise<number[]> {
      const out = new Array<number>(inputs.length).fill(0);
      const todo = inputs.map((input, i) => ({ input, i })).filter((x) => x.input.caption !== undefined);
      if (todo.length === 0) return out;
      const prefixes = todo.map((x) => captionPrefix(x.input.caption!));
      const completions = await policy.generate(
        todo.map((x) => x.input.sample),
        {
          prefix: prefixes,
          withImage: false,
          temperature: o.temperature,
          topP: 1,
          maxTokens: o.maxTokens,
          n: o.n,
          seed: o.seed * 1_000_003 + step,
        },
      );
      todo.forEach((x, k) => {
        const correct = completions[k].map((c) => (c.failed ? 0 : scoreResponse(task, x.input.sample.puzzle, prefixes[k] + c.text).a));
        out[x.i] = correct.reduce((a, b) => a + b, 0) / o.n;
      });
      return out;
    },
  };
}
