/**
 * Embedding-similarity reward (docs/architecture.md §5, the CLIP-style baseline): the cosine similarity in [−1, 1]
 * between the rollout's image and its caption under an encoder trained by `asymflow train-embed`. A rollout
 * without a parsable caption scores −1 (the worst possible similarity).
 */
import { disposeEncoder, similarity, type Encoder } from '../embed/encoder.ts';
import type { RewardInput, SurrogateReward } from './surrogate.ts';

/** `ownsEncoder`: close() frees the encoder's weights (the reward loaded it). */
export function embedReward(encoder: Encoder, ownsEncoder = false): SurrogateReward {
  return {
    name: 'embed',
    close: async () => {
      if (ownsEncoder) disposeEncoder(encoder);
    },
    async score(inputs: readonly RewardInput[]): Promise<number[]> {
      const out = new Array<number>(inputs.length).fill(-1);
      const todo = inputs.map((x, i) => ({ x, i })).filter(({ x }) => x.caption !== undefined);
      const sims = await similarity(
        encoder,
        todo.map(({ x }) => {
          if (!x.sample.pixels) throw new Error(`embed reward: sample ${x.sample.puzzle.id} has no model-input pixels`);
          return x.sample.pixels;
        }),
        todo.map(({ x }) => x.caption!),
      );
      todo.forEach(({ i }, k) => (out[i] = sims[k]));
      return out;
    },
  };
}
