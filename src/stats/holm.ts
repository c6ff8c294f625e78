/** Holm's step-down correction: family-wise error ≤ α over every test of a report, declared before looking. */

/** Holm-adjusted p-values, in the input's order: p_(i)·(m − i + 1), made monotone, capped at 1. */
export function holmAdjust(ps: readonly number[]): number[] {
  for (const p of ps) if (!(p >= 0 && p <= 1)) throw new RangeError(`holmAdjust: p-values must lie in [0, 1], got ${p}`);
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
