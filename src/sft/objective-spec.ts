/** An SFT objective by name: `standard`, `lambda:X` or `ngdiff` (the loss functions are in objective.ts). */
export type SftObjective = { readonly kind: 'standard' } | { readonly kind: 'lambda'; readonly lambda: number } | { readonly kind: 'ngdiff' };

/** Parses `standard`, `lambda:0.2` or `ngdiff` with an exact message. */
export function parseObjective(text: string): SftObjective {
  if (text === 'standard' || text === 'ngdiff') return { kind: text };
  const match = /^lambda:([0-9.eE+-]+)$/.exec(text);
  if (match) {
    const lambda = Number(match[1]);
    if (Number.isFinite(lambda) && lambda >= 0 && lambda <= 1) return { kind: 'lambda', lambda };
  }
  throw new Error(`objective must be standard, lambda:X with X in [0, 1], or ngdiff, got '${text}'`);
}
