/**
 * The paper's six findings (Sections 3.1–3.3, Tables 1–4) as checks on per-puzzle records, computed from the
 * measured numbers of one task over every seed run (src/reproduce/checks.ts says how a check is judged).
 * Each finding returns its checks; the report judges every check of every finding together (Holm) and a
 * finding reproduces only when all its checks do.
 */
import { pearson } from '../eval/stats.ts';
import type { DiagnoseValues } from '../rl/diagnose.ts';
import { bootstrapCheck, dependentCorrelationCheck, gainDifference, mcnemarCheck, notRun, paired, pct, pp, type Check, type Measured } from './checks.ts';

/** One task's parts for one seed, as far as they ran. */
export interface SeedParts {
  readonly sft?: { readonly init: Measured; readonly final: Measured };
  readonly lambdas?: readonly { readonly x: number; readonly label: string; readonly f: Measured }[];
  readonly ngdiff?: Measured;
  readonly rl?: readonly { readonly alpha: number; readonly before: Measured; readonly after: Measured }[];
  readonly diagnose?: DiagnoseValues;
  readonly surrogates?: readonly { readonly reward: string; readonly after: Measured }[];
  /** A paper preset's dose–response: standard SFT from the same initial model at each perception share, by share. */
  readonly shares?: readonly { readonly share: number; readonly label: string; readonly final: Measured }[];
}

export const PAPER_LAMBDAS = [0.1, 0.2, 0.5, 0.8, 0.9] as const;
export const NONINFERIORITY_MARGIN = 0.05; // finding 3: NGDiff "not worse" than the best λ by more than 5 points of a
export const MATCHED_START = 0.1; // finding 4: the RL start counts as matched when |a_p − a_r| ≤ 10 points
export const MIN_ROLLOUTS = 2500; // finding 5: the paper's claim is tested on at least this many rollouts

/** What a check not run says is missing, by part kind (`rl@0`: one setting); the report names the exact parts and seeds. */
export type Unrun = (kind: string) => string;
const defaultUnrun =
  (part: string): Unrun =>
  (kind) => {
    const [base, x] = kind.split('@');
    return `part ${part}/${base}${x === undefined ? '' : ` with α = ${x}`} has not run`;
  };

const every = <T>(seeds: readonly SeedParts[], pick: (s: SeedParts) => T | undefined): T[] | undefined => {
  const got = seeds.map(pick);
  return seeds.length > 0 && got.every((g) => g !== undefined) ? (got as T[]) : undefined;
};
const meanOf = (ms: readonly Measured[], m: 'a' | 'ap' | 'ar' | 'arCond') => {
  const v = ms.flatMap((x) => (x.perPuzzle?.[m] ?? []).filter((b) => b !== null)) as number[];
  return v.length ? v.reduce((s, b) => s + b, 0) / v.length : NaN;
};

/** (1) SFT raises a_r more than a_p (paired), and the a_p gain shrinks as the perception token share falls. */
export function sftGainChecks(seeds: readonly SeedParts[], part: string, unrun: Unrun = defaultUnrun(part)): Check[] {
  const sft = every(seeds, (s) => s.sft);
  const name = 'SFT: a_r gain > a_p gain';
  const gain = sft
    ? (() => {
        const pairs = paired(
          sft.map((s) => s.init),
          sft.map((s) => s.final),
          name,
        );
        return bootstrapCheck(name, 'mean per-puzzle (Δa_r − Δa_p)', typeof pairs === 'string' ? pairs : gainDifference(pairs, 'ar', 'ap'), 1);
      })()
    : notRun(name, unrun('sft'));
  return [gain, shareCheck(seeds)];
}

/**
 * (1, H1) The a_p gain shrinks as the perception token share falls: every share trains from the same initial
 * model on the same test puzzles, so the gain difference of the highest and the lowest share is their final
 * a_p difference, tested paired (exact McNemar over seeds' puzzles).
 */
function shareCheck(seeds: readonly SeedParts[]): Check {
  const name = 'a_p gain shrinks as the perception token share falls';
  const levels = every(seeds, (s) => (s.shares && s.shares.length >= 2 ? s.shares : undefined));
  if (!levels) return notRun(name, "needs SFT runs over a sweep of perception token shares (issue 16): the paper preset's share@V parts and sft");
  const lo = levels.map((l) => l[0]);
  const hi = levels.map((l) => l[l.length - 1]);
  return mcnemarCheck(
    name,
    paired(
      lo.map((l) => l.final),
      hi.map((l) => l.final),
      name,
    ),
    'ap',
    [`share ${lo[0].label}`, `share ${hi[0].label}`],
    1,
  );
}

/** (2) The best fixed λ beats standard SFT on a, with an interior optimum; the a_p-up / a_r-down trade-off. */
export function lambdaChecks(seeds: readonly SeedParts[], part: string, unrun: Unrun = defaultUnrun(part)): Check[] {
  const lambdas = every(seeds, (s) => s.lambdas);
  const sft = every(seeds, (s) => s.sft);
  const names = [
    'best fixed λ beats standard SFT on a',
    'the best a is at an interior λ, above the lowest λ',
    'the best a is at an interior λ, above the highest λ',
    'trade-off: a_p rises from the lowest to the highest λ',
    'trade-off: a_r falls from the lowest to the highest λ',
  ];
  if (!lambdas || lambdas[0].length === 0) return names.map((n) => notRun(n, unrun('lambda')));
  const axis = [...lambdas[0]].sort((p, q) => p.x - q.x).map((p) => p.x);
  const at = (x: number) => lambdas.map((l) => l.find((p) => p.x === x)!.f);
  const grid = axis.join(', ');
  const onPaper = axis.length === PAPER_LAMBDAS.length && axis.every((x, i) => x === PAPER_LAMBDAS[i]);
  const gridNote = onPaper ? '' : ` [on this preset's λ grid ${grid}, not the paper's ${PAPER_LAMBDAS.join(', ')}]`;
  const best = axis.reduce((b, x) => (meanOf(at(x), 'a') > meanOf(at(b), 'a') ? x : b), axis[0]);
  const checks: Check[] = [];
  checks.push(
    sft
      ? mcnemarCheck(
          `${names[0]}${gridNote}`,
          paired(
            sft.map((s) => s.final),
            at(best),
            names[0],
          ),
          'a',
          ['standard', `λ=${best}`],
          1,
          axis.length,
        )
      : notRun(names[0], unrun('sft')),
  );
  if (axis.length < 3) {
    checks.push(
      notRun(names[1], `only ${axis.length} λ settings ran; an interior optimum needs at least 3`),
      notRun(names[2], `only ${axis.length} λ settings ran`),
    );
  } else {
    const interior = axis.slice(1, -1).reduce((b, x) => (meanOf(at(x), 'a') > meanOf(at(b), 'a') ? x : b), axis[1]);
    const lo = axis[0];
    const hi = axis[axis.length - 1];
    checks.push(mcnemarCheck(names[1], paired(at(lo), at(interior), names[1]), 'a', [`λ=${lo}`, `λ=${interior} (best interior)`], 1));
    checks.push(mcnemarCheck(names[2], paired(at(hi), at(interior), names[2]), 'a', [`λ=${hi}`, `λ=${interior} (best interior)`], 1));
  }
  const [lo, hi] = [axis[0], axis[axis.length - 1]];
  checks.push(mcnemarCheck(names[3], paired(at(lo), at(hi), names[3]), 'ap', [`λ=${lo}`, `λ=${hi}`], 1));
  checks.push(mcnemarCheck(names[4], paired(at(lo), at(hi), names[4]), 'ar', [`λ=${lo}`, `λ=${hi}`], -1));
  return checks;
}

/** (3) NGDiff beats standard SFT, and is not worse than the best fixed λ (non-inferiority, 5-point margin). */
export function ngdiffChecks(seeds: readonly SeedParts[], part: string, unrun: Unrun = defaultUnrun(part)): Check[] {
  const ngdiff = every(seeds, (s) => s.ngdiff);
  const sft = every(seeds, (s) => s.sft);
  const lambdas = every(seeds, (s) => s.lambdas);
  const beat = 'NGDiff beats standard SFT on a';
  const notWorse = `NGDiff is not worse than the best fixed λ on a by more than ${pp(NONINFERIORITY_MARGIN).slice(1)}`;
  if (!ngdiff) return [notRun(beat, unrun('ngdiff')), notRun(notWorse, unrun('ngdiff'))];
  const checks = [
    sft
      ? mcnemarCheck(
          beat,
          paired(
            sft.map((s) => s.final),
            ngdiff,
            beat,
          ),
          'a',
          ['standard', 'NGDiff'],
          1,
        )
      : notRun(beat, unrun('sft')),
  ];
  if (!lambdas || lambdas[0].length === 0) return [...checks, notRun(notWorse, unrun('lambda'))];
  const xs = lambdas[0].map((p) => p.x);
  const at = (x: number) => lambdas.map((l) => l.find((p) => p.x === x)!.f);
  const best = xs.reduce((b, x) => (meanOf(at(x), 'a') > meanOf(at(b), 'a') ? x : b), xs[0]);
  const pairs = paired(at(best), ngdiff, notWorse);
  // One-sided non-inferiority as a two-sided bootstrap of (NGDiff − λ + margin): significant and positive
  // means NGDiff is above λ − margin; significant and negative means it is worse by more than the margin.
  const diffs = typeof pairs === 'string' ? pairs : pairs.map((q) => q.y.a.flatMap((v, i) => (v !== null && q.x.a[i] !== null ? [v - q.x.a[i]!] : [])));
  return [
    ...checks,
    bootstrapCheck(
      notWorse,
      `a NGDiff − best fixed λ=${best} (tested against −${(100 * NONINFERIORITY_MARGIN).toFixed(1)} pp):`,
      diffs,
      1,
      NONINFERIORITY_MARGIN,
    ),
  ];
}

/** (4) Outcome-only RL raises a_r significantly and more than a_p, from a matched start; α > 0 raises a_p. */
export function rlChecks(seeds: readonly SeedParts[], part: string, unrun: Unrun = defaultUnrun(part)): Check[] {
  const rl = every(seeds, (s) => s.rl);
  const names = ['outcome-only RL (α=0) raises a_r', 'outcome-only RL raises a_r more than a_p', 'RL starts from a checkpoint with a_p ≈ a_r'];
  if (!rl) return names.map((n) => notRun(n, unrun('rl')));
  const found = rl.map((r) => r.find((x) => x.alpha === 0));
  const base = found.every((b) => b) ? (found as { before: Measured; after: Measured }[]) : undefined;
  if (!base) return names.map((n) => notRun(n, 'the α sweep has no α = 0 (outcome-only) run'));
  const pairs = paired(
    base.map((b) => b.before),
    base.map((b) => b.after),
    names[0],
  );
  const checks: Check[] = [
    mcnemarCheck(names[0], pairs, 'ar', ['before', 'after'], 1),
    bootstrapCheck(names[1], 'mean per-puzzle (Δa_r − Δa_p)', typeof pairs === 'string' ? pairs : gainDifference(pairs, 'ar', 'ap'), 1),
  ];
  const startAp = meanOf(
    base.map((b) => b.before),
    'ap',
  );
  const startAr = meanOf(
    base.map((b) => b.before),
    'ar',
  );
  // (NaN when the records are missing: the checks above already say so.)
  if (Math.abs(startAp - startAr) > MATCHED_START) {
    checks.push(
      notRun(
        names[2],
        `the start is not matched (a_p ${pct(startAp)} vs a_r ${pct(startAr)} at the SFT checkpoint, more than ${pp(MATCHED_START).slice(1)} apart); needs a checkpoint with a_p ≈ a_r (issue 16)`,
      ),
    );
  }
  const alphas = [...new Set(rl[0].map((r) => r.alpha))].filter((a) => a > 0).sort((x, y) => x - y);
  for (const alpha of alphas) {
    const name = `α=${alpha} raises a_p against α=0`;
    const runs = rl.map((r) => r.find((x) => x.alpha === alpha)?.after);
    checks.push(
      runs.every((r) => r)
        ? mcnemarCheck(
            name,
            paired(
              base.map((b) => b.after),
              runs as Measured[],
              name,
            ),
            'ap',
            ['α=0', `α=${alpha}`],
            1,
          )
        : notRun(name, `a seed has no α=${alpha} run`),
    );
  }
  return checks;
}

/** (5) r(a, ã_r) > r(a, a_p) over the diagnostic's rollouts (Williams' test), on at least 2,500 rollouts. */
export function correlationChecks(seeds: readonly SeedParts[], part: string, unrun: Unrun = defaultUnrun(part)): Check[] {
  const name = 'r(a, ã_r) > r(a, a_p)';
  const d = every(seeds, (s) => s.diagnose);
  if (!d) return [notRun(name, `${unrun('diagnose')} (or ran before it recorded each rollout's values)`)];
  const cat = (k: 'a' | 'ap' | 'arCond') => d.flatMap((v) => [...v[k]]);
  const check = dependentCorrelationCheck(name, ['a', 'ã_r', 'a_p'], cat('a'), cat('arCond'), cat('ap'), 1);
  const n = cat('a').length;
  if (n < MIN_ROLLOUTS && !check.missing)
    return [notRun(name, `needs at least ${MIN_ROLLOUTS.toLocaleString('en')} rollouts; this run has ${n}`, check.detail)];
  return [check];
}

/** (6) The surrogates' r with a_p are distinguishable, and their order is the order of their a_p gains over outcome-only RL. */
export function surrogateChecks(seeds: readonly SeedParts[], part: string, unrun: Unrun = defaultUnrun(part)): Check[] {
  const name = 'surrogate order by r with a_p predicts the order of a_p gains';
  const d = every(seeds, (s) => s.diagnose);
  const sur = every(seeds, (s) => s.surrogates);
  const rl = every(seeds, (s) => s.rl?.find((r) => r.alpha === 0));
  if (!d) return [notRun(name, `${unrun('diagnose')} (or ran before it recorded each rollout's values)`)];
  if (!sur) return [notRun(name, unrun('surrogate-rl'))];
  if (!rl) return [notRun(name, `the a_p gains are measured against outcome-only RL: ${unrun('rl@0')}`)];
  const ap = d.flatMap((v) => [...v.ap]);
  const values = (reward: string) => (d.every((v) => v.surrogates[reward]) ? d.flatMap((v) => [...v.surrogates[reward]]) : undefined);
  // The oracle (perception) is a reference, not a surrogate: its r with a_p is 1 by definition.
  const rewards = sur[0].map((s) => s.reward).filter((r) => r !== 'perception' && values(r) && !Number.isNaN(pearsonR(values(r)!, ap)));
  if (rewards.length < 2) return [notRun(name, `fewer than two surrogates have a defined r with a_p (${sur[0].map((s) => s.reward).join(', ')})`)];
  const byR = [...rewards].sort((x, y) => pearsonR(values(y)!, ap) - pearsonR(values(x)!, ap));
  const after = (reward: string) => sur.map((s) => s.find((x) => x.reward === reward)!.after);
  const base = rl.map((r) => r.after);
  const gainOf = (reward: string) => meanOf(after(reward), 'ap') - meanOf(base, 'ap');
  const order = byR.map((r) => `${r} (r ${pearsonR(values(r)!, ap).toFixed(3)}, a_p gain over outcome-only RL ${pp(gainOf(r))})`).join(' > ');
  const checks: Check[] = [];
  for (let i = 0; i + 1 < byR.length; i++) {
    const [hi, lo] = [byR[i], byR[i + 1]];
    const rname = `r(a_p, ${hi}) > r(a_p, ${lo})${i === 0 ? ` [order by r: ${order}]` : ''}`;
    checks.push(dependentCorrelationCheck(rname, ['a_p', hi, lo], ap, values(hi)!, values(lo)!, 1));
    const gname = `a_p gain with ${hi} > with ${lo}`;
    checks.push(mcnemarCheck(gname, paired(after(lo), after(hi), gname), 'ap', [lo, hi], 1));
  }
  return checks;
}

const pearsonR = (x: readonly number[], y: readonly number[]) => pearson(x, y).r;

export const FINDINGS = [
  { claim: 'SFT improves a_r more than a_p (and the a_p gain follows the perception token share)', checks: sftGainChecks },
  { claim: 'the best fixed λ beats standard SFT, with an interior optimum and an a_p-up / a_r-down trade-off', checks: lambdaChecks },
  { claim: 'NGDiff beats standard SFT and is not worse than the best fixed λ', checks: ngdiffChecks },
  { claim: 'outcome-only RL raises a_r significantly and more than a_p (from a matched start); α > 0 raises a_p', checks: rlChecks },
  { claim: 'the outcome reward correlates more with ã_r than with a_p', checks: correlationChecks },
  { claim: 'surrogates with distinguishable r with a_p give a_p gains in the same order', checks: surrogateChecks },
] as const;
