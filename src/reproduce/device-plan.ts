/**
 * Which reproduce parts go into which device call of a session (bench/reproduce-plan.ts prints it,
 * bench/reproduce-session.ts runs it): the parts in priority order — first those of the finding whose checks
 * can run for the least estimated device time, then the next cheapest, then the rest in run order — packed
 * `lanes` at a time on the one GPU, each started only once its needs (src/reproduce/part-needs.ts) have
 * finished and only when it can finish before the session's device time runs out (its progress would be lost
 * with the machine). A part may run across a call boundary: it continues from its runs' checkpoints in the
 * next call, on the same warm machine; a part that cannot resume (diagnose) must finish inside its call.
 *
 * Packing: `lanes` parts at once run at `speedup` times one part's throughput, shared equally — one `small`
 * part already fills the H200, so two at once gained 1.15× (docs/queue.md, `reproduce --parallel 2`, full
 * preset's gc/sft + gc/ngdiff) and at most 1.4× (one long SFT run against eight); more than two lanes buy
 * nothing and slow every part, so two lanes.
 */
import { estimatePartSeconds, type ReproducePreset, type ReproduceTask } from './presets.ts';
import { isNeeded, partNeeds, resumable } from './part-needs.ts';
import { MIN_ROLLOUTS } from './verdicts.ts';

/** One part as the planner sees it: its --only name, estimated seconds alone on the GPU, what it waits for. */
export interface PlanPart {
  readonly name: string; // `gc/sft`, or `seed-1/gc/sft` in a --seeds run
  readonly seconds: number;
  readonly needs: readonly string[]; // names of parts that must finish first
  readonly resumable: boolean;
}

export interface DeviceBudget {
  readonly budgetS: number; // the session's device seconds (a machine's start and every call counted)
  readonly callS: number; // seconds a call gives the parts (the 600-s command cap less unpacking and packing)
  readonly startS: number; // a fresh machine's start, counted against the budget
  readonly callOverheadS: number; // per call: unpacking .device, starting node, packing what comes back
  readonly lanes: number; // parts at once on the GPU
  readonly speedup: number; // throughput of `lanes` parts at once over one part alone
}

/** 30 device minutes, the 10-minute command cap, two lanes at the measured 1.15× (see the file comment). */
export const DEFAULT_BUDGET: DeviceBudget = { budgetS: 1800, callS: 540, startS: 120, callOverheadS: 40, lanes: 2, speedup: 1.15 };

/** A part's stretch inside one call: from/to in seconds since the call's parts started. */
export interface CallRun {
  readonly name: string;
  readonly lane: number;
  readonly from: number;
  readonly to: number;
  readonly finishes: boolean; // false: it continues in the next call from its checkpoints
}

export interface SessionPlan {
  readonly calls: readonly { readonly workS: number; readonly runs: readonly CallRun[] }[];
  readonly finished: readonly string[]; // in finishing order
  readonly later: readonly string[]; // the parts left for later sessions, in priority order
  readonly usedS: number; // device seconds the plan spends: start + calls
}

/** The parts of `tasks` × `seeds` of a preset, in run order, named as `reproduce --only` takes them. */
export function planParts(preset: ReproducePreset, tasks: readonly ReproduceTask[], seeds: readonly number[]): PlanPart[] {
  const own = seeds.length === 1 && seeds[0] === preset.seed; // reproduce runs the preset's own seed alone in DIR itself
  return seeds.flatMap((seed) =>
    tasks.flatMap((task) => {
      const est = estimatePartSeconds(preset, task);
      const prefix = own ? `${task}/` : `seed-${seed}/${task}/`;
      const kinds = Object.keys(est);
      return kinds.map((kind) => ({
        name: prefix + kind,
        seconds: est[kind],
        needs: kinds.filter((k) => isNeeded(partNeeds(kind, preset.paper !== undefined), k)).map((k) => prefix + k),
        resumable: resumable(kind),
      }));
    }),
  );
}

/**
 * The part kinds each finding's checks read (src/reproduce/verdicts.ts): a kind names all its grid parts
 * (`rl` is every `rl@α`), `kind@x` one. Finding 5 also needs ≥ MIN_ROLLOUTS diagnostic rollouts, pooled over seeds.
 */
export const FINDING_KINDS: readonly (readonly string[])[] = [
  ['sft', 'share'],
  ['sft', 'lambda'],
  ['sft', 'ngdiff', 'lambda'],
  ['rl'],
  ['diagnose'],
  ['diagnose', 'surrogate-rl', 'rl@0', 'rl'],
];

const kindOf = (name: string) => name.split('/').at(-1)!;
const matches = (spec: string, kind: string) => (spec.includes('@') ? kind === spec : kind.split('@')[0] === spec);

export interface FindingCost {
  readonly finding: number; // 1…6
  readonly task: string;
  readonly parts: readonly string[]; // every part its checks need, with what those need, in run order
  readonly seconds: number; // estimated seconds of those not finished yet
  readonly decidable: boolean; // false: the seeds given cannot supply its data (finding 5's rollouts)
}

/** Each finding of each task: the parts its checks need in the first seed(s), and their estimated cost. */
export function findingCosts(preset: ReproducePreset, parts: readonly PlanPart[], done: ReadonlySet<string>): FindingCost[] {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const withNeeds = (names: string[]): Set<string> => {
    const out = new Set<string>();
    const visit = (n: string) => {
      if (out.has(n)) return;
      out.add(n);
      byName.get(n)?.needs.forEach(visit);
    };
    names.forEach(visit);
    return out;
  };
  const seedOf = (name: string) => (name.startsWith('seed-') ? name.split('/')[0] : '');
  const seeds = [...new Set(parts.map((p) => seedOf(p.name)))];
  const tasks = [...new Set(parts.map((p) => p.name.split('/').at(-2)!))];
  return tasks.flatMap((task) =>
    FINDING_KINDS.map((specs, f) => {
      // finding 5 pools diagnostic rollouts over seeds until there are enough
      const want = f === 4 || f === 5 ? Math.ceil(MIN_ROLLOUTS / Math.max(1, preset.diagnose.n)) : 1;
      const use = seeds.slice(0, want);
      const direct = parts.filter((p) => use.includes(seedOf(p.name)) && p.name.split('/').at(-2) === task && specs.some((s) => matches(s, kindOf(p.name))));
      const all = withNeeds(direct.map((p) => p.name));
      const names = parts.map((p) => p.name).filter((n) => all.has(n));
      const seconds = names.filter((n) => !done.has(n)).reduce((t, n) => t + byName.get(n)!.seconds, 0);
      return { finding: f + 1, task, parts: names, seconds, decidable: use.length >= want && direct.length > 0 };
    }),
  );
}

/** The parts in priority order: the cheapest decidable finding's first, then the next, then the rest in run order. */
export function priorityOrder(preset: ReproducePreset, parts: readonly PlanPart[], done: ReadonlySet<string>): string[] {
  const costs = findingCosts(preset, parts, done)
    .filter((c) => c.decidable)
    .sort((a, b) => a.seconds - b.seconds || a.finding - b.finding);
  const order = [...costs.flatMap((c) => c.parts), ...parts.map((p) => p.name)];
  return [...new Set(order)].filter((n) => !done.has(n));
}

/** Seconds of work each call gives under the budget (the last one shorter when the budget ends inside it). */
export function callWindows(b: DeviceBudget): number[] {
  const out: number[] = [];
  let used = b.startS;
  while (true) {
    const work = Math.min(b.callS, b.budgetS - used - b.callOverheadS);
    if (work < 60) return out; // a call with under a minute of work is not worth its overhead
    out.push(work);
    used += work + b.callOverheadS;
  }
}

/** Each of n parts' share of progress a second when n run at once. */
const rate = (n: number, b: DeviceBudget) => (n <= 1 ? 1 : Math.min(n, b.speedup) / n);

/**
 * Simulates one session: the parts in `order` (names of `parts`) start as lanes free up, each once its needs
 * are in `ready` (finished earlier with their weights on the machine) or finished in this session, and only
 * when every running part still finishes in time at the new concurrency (by the session's end; a part that
 * cannot resume, by its call's end). `done`: finished earlier (not run again).
 */
export function planSession(
  parts: readonly PlanPart[],
  order: readonly string[],
  done: ReadonlySet<string>,
  b: DeviceBudget,
  ready: ReadonlySet<string> = done,
): SessionPlan {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const windows = callWindows(b);
  const ends = windows.map((_, i) => windows.slice(0, i + 1).reduce((t, w) => t + w, 0));
  const total = ends.at(-1) ?? 0;
  const available = new Set(ready);
  const finishOrder: string[] = [];
  const running = new Map<string, { left: number; lane: number; since: number; deadline: number }>();
  const runs: CallRun[][] = windows.map(() => []);
  let t = 0;
  while (t < total - 1e-9) {
    const call = ends.findIndex((e) => t < e - 1e-9);
    for (const name of order) {
      if (running.size >= b.lanes) break;
      const p = byName.get(name);
      if (!p || done.has(name) || available.has(name) || running.has(name) || !p.needs.every((n) => available.has(n))) continue;
      // every part, this one too, must still meet its deadline at the new concurrency (held until it ends: the slowest case)
      const r = rate(running.size + 1, b);
      const deadline = p.resumable ? total : ends[call];
      if (![...running.values(), { left: p.seconds, deadline }].every((x) => t + x.left / r <= x.deadline + 1e-6)) continue;
      const lane = [...Array(b.lanes).keys()].find((l) => ![...running.values()].some((x) => x.lane === l))!;
      running.set(name, { left: p.seconds, lane, since: t, deadline });
    }
    if (running.size === 0) break;
    const r = rate(running.size, b);
    const next = Math.min(ends[call], t + Math.min(...[...running.values()].map((x) => x.left / r)));
    const base = call === 0 ? 0 : ends[call - 1];
    for (const [name, x] of running) {
      x.left -= (next - t) * r;
      const finishes = x.left <= 1e-6;
      if (finishes || next >= ends[call] - 1e-9) {
        runs[call].push({ name, lane: x.lane, from: x.since - base, to: next - base, finishes });
        x.since = next;
      }
      if (finishes) {
        running.delete(name);
        available.add(name);
        finishOrder.push(name);
      }
    }
    t = next;
  }
  // the calls the session needs: up to the one the last part ends in, that one only as long as its work
  const last = t <= 0 ? -1 : ends.findIndex((e) => t <= e + 1e-9);
  const calls = windows.slice(0, last + 1).map((w, i) => ({ workS: i === last ? t - (i === 0 ? 0 : ends[i - 1]) : w, runs: runs[i] }));
  return {
    calls,
    finished: finishOrder,
    later: order.filter((n) => !available.has(n) && !done.has(n)),
    usedS: calls.length === 0 ? 0 : b.startS + calls.reduce((sum, c) => sum + c.workS + b.callOverheadS, 0),
  };
}

/** The findings whose every needed part is finished (earlier or in `plan`). */
export const decided = (costs: readonly FindingCost[], done: ReadonlySet<string>, plan: SessionPlan): FindingCost[] =>
  costs.filter((c) => c.decidable && c.parts.every((n) => done.has(n) || plan.finished.includes(n)));

/**
 * The session at the lane count (1 … b.lanes) that decides the most findings, then finishes the most estimated
 * part-seconds: a second lane slows the first part, which can cost a finding when the budget is short.
 */
export function bestSession(
  preset: ReproducePreset,
  parts: readonly PlanPart[],
  done: ReadonlySet<string>,
  b: DeviceBudget,
  ready: ReadonlySet<string> = done,
): { plan: SessionPlan; lanes: number; order: string[]; costs: FindingCost[] } {
  const order = priorityOrder(preset, parts, done);
  const costs = findingCosts(preset, parts, done);
  const seconds = new Map(parts.map((p) => [p.name, p.seconds]));
  const score = (plan: SessionPlan) => [decided(costs, done, plan).length, plan.finished.reduce((t, n) => t + seconds.get(n)!, 0)];
  let best: { plan: SessionPlan; lanes: number } | undefined;
  for (let lanes = 1; lanes <= b.lanes; lanes++) {
    const plan = planSession(parts, order, done, { ...b, lanes }, ready);
    const [d, s] = score(plan);
    const [bd, bs] = best ? score(best.plan) : [-1, -1];
    if (d > bd || (d === bd && s > bs + 1e-6)) best = { plan, lanes };
  }
  return { ...best!, order, costs };
}
