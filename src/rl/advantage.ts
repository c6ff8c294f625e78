/**
 * GRPO's per-prompt advantages and the paper's advantage intervention (docs/architecture.md §5), as plain numbers so they
 * can be tested by hand and re-run on a recording without a GPU. The rewards themselves: rewards/combine.ts.
 */
import { mean, stdUnbiased } from '../eval/stats.ts';

/**
 * A_i = (r_i − mean)/(std + ε) over one prompt's G rewards, with the unbiased std. A group whose rewards
 * are all equal (including a group of one) gives zeros: it carries no preference.
 */
export function groupAdvantages(rewards: ArrayLike<number>, epsilon = 1e-6): Float32Array {
  const out = new Float32Array(rewards.length);
  if (rewards.length < 2) return out;
  const m = mean(rewards);
  const s = stdUnbiased(rewards);
  if (s === 0) return out;
  for (let i = 0; i < rewards.length; i++) out[i] = (rewards[i] - m) / (s + epsilon);
  return out;
}

/**
 * RL token reweighting (paper App. B.3): the sequence advantage A becomes λ·|y|/|p|·A on perception tokens
 * and (1−λ)·|y|/|r|·A on reasoning tokens, where |y| = |p| + |r| counts the tokens scored. With
 * λ = |p|/|y| both factors are 1 and the advantages are unchanged. Other tokens (tags, answer) keep A.
 * Returns one weight per token to multiply the advantage by; an empty span's factor is irrelevant (no tokens).
 */
export function tokenAdvantageScale(lambda: number, maskP: ArrayLike<number>, maskR: ArrayLike<number>): Float32Array {
  let p = 0;
  let r = 0;
  for (let t = 0; t < maskP.length; t++) {
    p += maskP[t];
    r += maskR[t];
  }
  const y = p + r;
  const scaleP = p > 0 ? (lambda * y) / p : 0;
  const scaleR = r > 0 ? ((1 - lambda) * y) / r : 0;
  const out = new Float32Array(maskP.length);
  for (let t = 0; t < maskP.length; t++) out[t] = maskP[t] ? scaleP : maskR[t] ? scaleR : 1;
  return out;
}

/** Fraction of groups whose rewards have zero spread (no learning signal): logged every step. */
export function fracZeroStd(groups: readonly ArrayLike<number>[]): number {
  if (groups.length === 0) return 0;
  return groups.filter((g) => stdUnbiased(g) === 0).length / groups.length;
}
