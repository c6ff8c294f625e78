/**
 * Rollouts (docs/architecture.md §5 "rollout"): G samples per prompt from the policy with the KV-cache sampler, which
 * returns the sampling policy's per-token log-probs; the frozen reference scores the same tokens. Rows are
 * sampled in chunks of `batch` (prompt × group copies), so a step of P·G rollouts is a few large calls.
 */
import { responseLogprobs } from '../model/logprobs.ts';
import { promptTokens, responseSpans } from '../prompt.ts';
import { sample as sampleModel, type SampleRequest } from '../model/sample.ts';
import type { Vlm } from '../model/vlm.ts';
import type { Sample } from '../records.ts';
import type { Rng } from '../rng.ts';
import type { RlRollout } from './rl-records.ts';

export interface RolloutOptions {
  readonly group: number; // G
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly batch: number; // rows per sampling call
  readonly rng: Rng; // the run's rollout stream (checkpointed for exact resume)
  readonly step: number;
  readonly bucket?: number; // padding bucket of prompt/response lengths (default 64)
}

/** G rollouts of every sample, group-major (sample 0's G rollouts first), with reference log-probs when a reference is given. */
export async function sampleRollouts(policy: Vlm, reference: Vlm | undefined, samples: readonly Sample[], o: RolloutOptions): Promise<RlRollout[]> {
  const rows = samples.flatMap((s) => {
    if (!s.pixels) throw new Error(`rollout: sample ${s.puzzle.id} has no model-input pixels`);
    const request: SampleRequest = { pixels: s.pixels, prompt: promptTokens(s.query) };
    return Array.from({ length: o.group }, (_, g) => ({ sample: s, g, request }));
  });
  const out: RlRollout[] = [];
  const maxText = policy.config.maxText;
  for (let i = 0; i < rows.length; i += o.batch) {
    const chunk = rows.slice(i, i + o.batch);
    const longest = Math.max(...chunk.map((r) => r.request.prompt.length));
    if (longest >= maxText) throw new Error(`rollout: a prompt has ${longest} tokens; the model holds ${maxText} (model.maxText)`);
    const generations = await sampleModel(
      policy,
      chunk.map((r) => r.request),
      {
        temperature: o.temperature,
        topP: o.topP,
        maxTokens: Math.min(o.maxTokens, maxText - longest),
        rng: o.rng,
        bucket: o.bucket,
      },
    );
    const ref =
      reference &&
      (await responseLogprobs(
        reference,
        chunk.map((r, k) => ({ ...r.request, response: generations[k].tokens })),
        o.bucket,
      ));
    chunk.forEach((r, k) => {
      const g = generations[k];
      const spans = responseSpans(r.request.prompt, g.tokens);
      out.push({
        step: o.step,
        sampleId: r.sample.puzzle.id,
        group: r.g,
        puzzle: r.sample.puzzle,
        query: r.sample.query,
        tokens: g.tokens,
        logprobs: g.logprobs,
        ...(ref ? { refLogprobs: ref[k] } : {}),
        text: g.text,
        perceptionSpan: spans.perception,
        reasoningSpan: spans.reasoning,
        finish: g.finish,
      });
    });
  }
  return out;
}
