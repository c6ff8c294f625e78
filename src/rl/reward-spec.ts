/**
 * `--reward` names where the perception term of R = α·perception + (1−α)·a comes from (docs/architecture.md §5):
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

/** The spec as `parseRewardSpec` reads it (`self:4`, `teacher:runs/t`): labels and command lines. */
export function rewardSpecText(spec: RewardSpec): string {
  switch (spec.kind) {
    case 'self':
      return `self:${spec.n}`;
    case 'teacher':
      return `teacher:${spec.policy}`;
    default:
      return spec.kind;
  }
}

/** A spec from a config: the typed value, or its text as flags and configs saved before the spec was typed hold it. */
export function toRewardSpec(value: unknown): RewardSpec {
  if (typeof value === 'string') return parseRewardSpec(value);
  const v = value as Partial<{ kind: unknown; n: unknown; policy: unknown }> | null;
  const text = v?.kind === 'self' ? `self:${String(v.n)}` : v?.kind === 'teacher' ? `teacher:${typeof v.policy === 'string' ? v.policy : ''}` : v?.kind;
  if (typeof text !== 'string') throw new Error(`reward ${JSON.stringify(value)} is not one of ${REWARD_FORMS}`);
  return parseRewardSpec(text);
}

/**
 * A list of rewards from a config: comma-separated text (`outcome,self:1,embed`, as `--rewards` gives it) or
 * an array of specs or their texts; at least one.
 */
export function toRewardSpecs(value: unknown): readonly RewardSpec[] {
  const items = typeof value === 'string' ? value.split(',').map((r) => r.trim()) : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (items === undefined || items.length === 0) throw new Error(`must be a comma-separated list of ${REWARD_FORMS}`);
  return items.map(toRewardSpec);
}

/**
 * An option table's reader (src/options.ts) for one reward (`toRewardSpec`) or a list (`toRewardSpecs`): the
 * reason prefixed with "is invalid:", so resolveOptions names it as `rl.reward is invalid: …, got 'x'`.
 */
export function readRewardOption<T>(read: (value: unknown) => T): (value: unknown) => T {
  return (value) => {
    try {
      return read(value);
    } catch (error) {
      throw new Error(`is invalid: ${(error as Error).message}`);
    }
  };
}

/** The one rule tying α to the reward: `outcome` has no perception term to weigh, so α must be 0; undefined when fine. */
export function alphaProblem(spec: RewardSpec, alpha: number): string | undefined {
  return spec.kind === 'outcome' && alpha !== 0 ? 'must be 0 with rl.reward outcome (there is no perception term)' : undefined;
}
