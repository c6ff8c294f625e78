/**
 * Per-sample sampling seeds. A policy derives each sample's seed from the run seed and the sample id, so a
 * sample's completion does not depend on its batch or its neighbours: in-process sampling, `asymflow serve`
 * and a remote endpoint given the same run seed see the same per-sample seed.
 */
import { hashString } from '../rng.ts';

/** How a batch at temperature > 0 draws its randomness (src/policy/tfjs-policy.ts says what each means). */
export type Seeding = 'per-sample' | 'per-batch';
export const SEEDINGS: readonly Seeding[] = ['per-sample', 'per-batch'];

/** Seed for `sampleId` under run seed `seed`, in [0, 2^31) so every OpenAI-compatible server accepts it. */
export function sampleSeed(seed: number, sampleId: string): number {
  return hashString(`${seed >>> 0}/${sampleId}`) >>> 1;
}
