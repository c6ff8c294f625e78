/**
 * The disentangled protocol's four accuracy figures (docs/architecture.md), one type wherever they travel:
 *   a       end-to-end accuracy
 *   ap      perception accuracy, Acc(p = p*)
 *   ar      counterfactual reasoning accuracy (the answer given p*)
 *   arCond  ã_r = Acc(r | p): reasoning given the model's own correct perception
 * As proportions with counts and Wilson intervals (`Accuracy`: summaries, tables, before/after figures) or as
 * their values (`Accuracy<number>`: the per-evaluation history, sweep rows and plots).
 */
import type { Proportion } from './stats.ts';

export interface Accuracy<T = Proportion> {
  readonly a: T;
  readonly ap: T;
  readonly ar: T;
  readonly arCond: T;
}

/** The four figures of anything that carries them (and nothing else). */
export function accuracyOf<T>(x: Accuracy<T>): Accuracy<T> {
  return { a: x.a, ap: x.ap, ar: x.ar, arCond: x.arCond };
}

/** The four proportions' values. */
export function accuracyValues(x: Accuracy): Accuracy<number> {
  return { a: x.a.value, ap: x.ap.value, ar: x.ar.value, arCond: x.arCond.value };
}
