/**
 * `--reward` names where the perception term of R = α·perception + (1−α)·a comes from (DESIGN §5):
 *   outcome        no perception term: R = a (α must be 0)
 *   perception     the oracle check a_p = 1(p = p*)
 *   self:N         self-reward: the policy re-solves N times from its own caption, image withheld
 *   teacher:POLICY a teacher transcribes the image (a checkpoint directory or an http(s) endpoint URL)
 *   embed          image–caption similarity of a contrastive encoder (`asymflow train-embed`)
 */
export type RewardSpec =
  | { readonly kind: 'outcome' }
  | { readonly kind: 'perception' }
  | { readonly kind: 'self'; readonly n: number }
  | { readonly kind: 'teacher'; readonly policy: string }
  | { readonly kind: 'embed' };

export const REWARD_FORMS = 'outcome, perception, self:N, teacher:POLICY or embed';

/** Parses one reward name; undefined with the reason in `problem` when malformed. */
export function parseRewardSpec(text: string): RewardSpec {
  if (text === 'outcome' || text === 'perception' || text === 'embed') return { kind: text };
  if (text.startsWith('self:')) {
    const n = Number(text.slice(5));
    if (!Number.isInteger(n) || n < 1) throw new Error(`reward '${text}': self:N needs a positive integer N (re-solves per rollout)`);
    return { kind: 'self', n };
  }
  if (text.startsWith('teacher:')) {
    const policy = text.slice(8);
    if (policy === '') throw new Error(`reward '${text}': teacher:POLICY needs a checkpoint directory or an endpoint URL`);
    return { kind: 'teacher', policy };
  }
  throw new Error(`reward '${text}' is not one of ${REWARD_FORMS}`);
}

/** The name a reward's values are recorded under in `Scored.rewards` and `reward/<name>/mean`. */
export function rewardName(spec: RewardSpec): string {
  switch (spec.kind) {
    case 'self':
      return `self${spec.n}`;
    case 'teacher':
      return 'teacher';
    default:
      return spec.kind;
  }
}
