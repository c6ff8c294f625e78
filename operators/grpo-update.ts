/**
 * grpoUpdate — the GPU update of each step: PPO epochs × mini-batches of the clipped GRPO loss with KL to the
 * reference (src/rl/grpo-update.ts), optional RL token reweighting. One step at a time; the next step's
 * rollouts wait for it (the flow's step clock), so sampling is always on-policy.
 *
 *   source: --A1-------A2-------|
 *   output: -------U1-------U2--|        U = A + loss, KL, clip fractions, grad norm, update time
 */
import { concatMap, defer, type OperatorFunction } from 'rxjs';
import { yieldToEventLoop } from '../src/event-loop.ts';
import type { AdamW } from '../src/model/adamw.ts';
import type { Vlm } from '../src/model/vlm.ts';
import { promptTokens } from '../src/prompt.ts';
import { applyGrpoUpdate, type UpdateConfig, type UpdateRow } from '../src/rl/grpo-update.ts';
import type { StepAdvantaged, StepUpdated } from '../src/rl/rl-step.ts';
import type { Rng } from '../src/rng.ts';

export function grpoUpdate(model: Vlm, optimizer: AdamW, config: UpdateConfig, rng: Rng): OperatorFunction<StepAdvantaged, StepUpdated> {
  return concatMap((step) =>
    defer(async () => {
      const started = performance.now();
      const pixels = new Map(step.samples.map((s) => [s.puzzle.id, s.pixels]));
      const rows: UpdateRow[] = step.advantaged.scored.map((r) => ({
        pixels: pixels.get(r.sampleId)!,
        prompt: promptTokens(r.query),
        tokens: r.tokens,
        oldLogprobs: r.logprobs,
        refLogprobs: r.refLogprobs!,
        advantage: r.advantage,
      }));
      const stats = await applyGrpoUpdate(model, optimizer, rows, config, rng);
      const updateMs = performance.now() - started;
      await yieldToEventLoop(); // a frame, a key press or SIGINT lands between steps (cpu/wasm never wait)
      return { ...step, update: stats, updateMs };
    }),
  );
}
