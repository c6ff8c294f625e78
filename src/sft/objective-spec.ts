/** An SFT objective by name: `standard`, `lambda:X` or `ngdiff` (the loss functions are in objective.ts). */
export type SftObjective = { readonly kind: 'standard' } | { readonly kind: 'lambda'; readonly lambda: number } | { readonly kind: 'ngdiff' };

export const OBJECTIVE_RULE = 'must be standard, lambda:X with X in [0, 1], or ngdiff';

/** Parses `standard`, `lambda:0.2` or `ngdiff` with an exact message. */
export function parseObjective(text: string): SftObjective {
  if (text === 'standard' || text === 'ngdiff') return { kind: text };
  const match = /^lambda:([0-9.eE+-]+)$/.exec(text);
  if (match) {
    const lambda = Number(match[1]);
    if (Number.isFinite(lambda) && lambda >= 0 && lambda <= 1) return { kind: 'lambda', lambda };
  }
  throw new Error(`objective ${OBJECTIVE_RULE}, got '${text}'`);
}

/** The objective as `parseObjective` reads it: `standard`, `lambda:0.2`, `ngdiff` (labels, command lines). */
export function objectiveName(objective: SftObjective): string {
  return objective.kind === 'lambda' ? `lambda:${objective.lambda}` : objective.kind;
}

/**
 * An objective from a config: the typed value, or its name as flags and checkpoints written before the
 * objective was typed carry it (`lambda:0.2`); anything else throws with the same message as parseObjective.
 */
export function toObjective(value: unknown): SftObjective {
  if (typeof value === 'string') return parseObjective(value);
  const o = value as Partial<{ kind: unknown; lambda: unknown }> | null;
  if (o && (o.kind === 'standard' || o.kind === 'ngdiff') && Object.keys(o).length === 1) return { kind: o.kind };
  if (o && o.kind === 'lambda' && typeof o.lambda === 'number') return parseObjective(`lambda:${o.lambda}`);
  throw new Error(`objective ${OBJECTIVE_RULE}, got ${JSON.stringify(value)}`);
}
