/**
 * The device planner (src/reproduce/device-plan.ts) and its dry run (bench/reproduce-plan.ts) on the paper
 * preset's estimates: priority by the cheapest finding, dependencies, lanes, the 10-minute calls, the budget,
 * and a part that cannot resume never crossing a call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLines } from '../../../bench/reproduce-plan.ts';
import { PAPER_PRESETS } from '../../../src/reproduce/paper-preset.ts';
import {
  bestSession,
  callWindows,
  DEFAULT_BUDGET,
  findingCosts,
  planParts,
  planSession,
  priorityOrder,
  type SessionPlan,
} from '../../../src/reproduce/device-plan.ts';
import { deviceTimeByPart, SharedClock, type DeviceAttempt } from '../../../src/reproduce/device-time.ts';

const paper = PAPER_PRESETS.paper;

/** Every rule a session plan must keep, checked on its call-by-call runs. */
function expectValid(plan: SessionPlan, parts: ReturnType<typeof planParts>, budgetS: number, lanes: number): void {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const endOf = new Map<string, number>(); // global seconds a part finished
  const startOf = new Map<string, number>();
  let base = 0;
  expect(plan.usedS).toBeLessThanOrEqual(budgetS);
  for (const c of plan.calls) {
    expect(c.workS).toBeLessThanOrEqual(DEFAULT_BUDGET.callS + 1e-6);
    for (const r of c.runs) {
      expect(r.to).toBeLessThanOrEqual(c.workS + 1e-6);
      if (!startOf.has(r.name)) startOf.set(r.name, base + r.from);
      if (r.finishes) endOf.set(r.name, base + r.to);
      else expect(byName.get(r.name)!.resumable, `${r.name} cannot resume, yet crosses a call`).toBe(true);
      // at no moment more than `lanes` parts: count the runs covering this run's midpoint
      const mid = (r.from + r.to) / 2;
      expect(c.runs.filter((x) => x.from <= mid && mid < x.to).length).toBeLessThanOrEqual(lanes);
    }
    base += c.workS;
  }
  for (const name of plan.finished) {
    expect(endOf.has(name)).toBe(true);
    for (const need of byName.get(name)!.needs)
      expect(endOf.get(need), `${name} started before ${need} finished`).toBeLessThanOrEqual(startOf.get(name)! + 1e-6);
  }
}

describe('the device planner', () => {
  it('names the parts as reproduce --only takes them, with their needs and whether they resume', () => {
    const one = planParts(paper, ['gc'], [0]);
    expect(one.map((p) => p.name)).toContain('gc/rl@0.5');
    expect(one.find((p) => p.name === 'gc/sft')!.needs).toEqual(['gc/pretrain']);
    expect(one.find((p) => p.name === 'gc/diagnose')).toMatchObject({ needs: ['gc/sft', 'gc/prestage'], resumable: false });
    const three = planParts(paper, ['gc'], [0, 1, 2]);
    expect(three).toHaveLength(3 * one.length);
    expect(three.find((p) => p.name === 'seed-2/gc/surrogate-rl@embed')!.needs).toEqual(['seed-2/gc/prestage', 'seed-2/gc/diagnose']);
  });

  it('puts the cheapest decidable finding first: GC finding 1 (pretrain, sft, the share dose–response) on one seed', () => {
    const parts = planParts(paper, ['gc'], [0, 1, 2]);
    const costs = findingCosts(paper, parts, new Set());
    const f1 = costs.find((c) => c.finding === 1)!;
    expect(f1.parts).toEqual(['seed-0/gc/pretrain', 'seed-0/gc/sft', 'seed-0/gc/share@0', 'seed-0/gc/share@1', 'seed-0/gc/share@2']);
    expect(Math.min(...costs.filter((c) => c.decidable).map((c) => c.seconds))).toBe(f1.seconds);
    // finding 5 pools ≥ 2,500 rollouts: 896 a seed, so all three seeds' diagnose; with one seed it cannot be decided
    expect(costs.find((c) => c.finding === 5)!.parts.filter((n) => n.endsWith('/diagnose'))).toHaveLength(3);
    expect(findingCosts(paper, planParts(paper, ['gc'], [0]), new Set()).find((c) => c.finding === 5)!.decidable).toBe(false);
    expect(priorityOrder(paper, parts, new Set()).slice(0, 5)).toEqual(f1.parts);
    // what already finished costs nothing and is not planned again
    const done = new Set(['seed-0/gc/pretrain', 'seed-0/gc/sft']);
    expect(findingCosts(paper, parts, done).find((c) => c.finding === 1)!.seconds).toBeCloseTo(f1.seconds - parts[0].seconds - parts[1].seconds, 6);
    expect(priorityOrder(paper, parts, done)).not.toContain('seed-0/gc/sft');
  });

  it('plans calls of at most the cap within the budget, needs first, two lanes, diagnose inside one call', () => {
    const parts = planParts(paper, ['gc'], [0, 1, 2]);
    for (const budgetS of [1800, 3600, 4 * 3600]) {
      const b = { ...DEFAULT_BUDGET, budgetS };
      const plan = planSession(parts, priorityOrder(paper, parts, new Set()), new Set(), b);
      expectValid(plan, parts, budgetS, 2);
      expect(plan.finished.length + plan.later.length).toBe(parts.length);
    }
    const long = planSession(parts, priorityOrder(paper, parts, new Set()), new Set(), { ...DEFAULT_BUDGET, budgetS: 4 * 3600 });
    expect(long.finished).toContain('seed-0/gc/diagnose');
    expect(long.calls.some((c) => c.runs.some((r) => !r.finishes))).toBe(true); // parts do run across calls
    expect(callWindows({ ...DEFAULT_BUDGET, budgetS: 1800 })).toEqual([540, 540, 480]);
  });

  it('runs nothing whose needs are missing: a part finished earlier counts only when its weights are here', () => {
    const parts = planParts(paper, ['gc'], [0]);
    const done = new Set(['gc/pretrain', 'gc/sft']);
    const order = priorityOrder(paper, parts, done);
    const withWeights = planSession(parts, order, done, DEFAULT_BUDGET);
    expect(withWeights.calls[0].runs.map((r) => r.name)).toEqual(['gc/share@0', 'gc/share@1']);
    const without = planSession(parts, order, done, DEFAULT_BUDGET, new Set());
    expect(without.finished).toEqual([]); // every remaining part needs pretrain's or sft's checkpoint
  });

  it('prints the 30-minute plan for GC seed 0 first and says plainly that it decides no finding', () => {
    const lines = planLines(['--preset', 'paper', '--tasks', 'gc', '--seeds', '0,1,2', '--budget-min', '30']);
    const text = lines.join('\n');
    expect(text).toContain("a checkpoint's weights (what later parts start from; the carry holds 64 MiB with .device): gc 15.0 MiB");
    expect(text).toMatch(/^call 1 \(540 s of parts\):$/m);
    expect(text).toMatch(/lane 1 {2}seed-0\/gc\/pretrain/);
    expect(text).toMatch(/findings decidable after it: none; next cheapest: gc \(1\), 2245 s of parts/);
    expect(lines.at(-1)).toMatch(/^PARTS="seed-0\/gc\/pretrain .*seed-0\/gc\/sft"$/);
    const hour = planLines(['--preset', 'paper', '--tasks', 'gc', '--seeds', '0,1,2', '--budget-min', '60']).join('\n');
    expect(hour).toMatch(/findings decidable after it: gc \(1\)/);
    // the same plan from a directory where GC seed 0's pretrain finished
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-plan-'));
    try {
      fs.mkdirSync(path.join(dir, 'seed-0', 'gc', 'pretrain'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'seed-0', 'gc', 'pretrain', 'summary.json'), '{}');
      const from = planLines(['--preset', 'paper', '--tasks', 'gc', '--seeds', '0,1,2', '--budget-min', '30', '--dir', dir]).join('\n');
      expect(from).toMatch(/finished before: 1 of 81 parts in .*; 1 without the checkpoint later parts start from \(not carried/);
      expect(from).toMatch(/^PARTS="seed-1\/gc\/pretrain/m); // seed 0's sft cannot start: its pretrain checkpoint is not here
      expect(from).not.toMatch(/lane \d {2}seed-0\/gc\/pretrain/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(bestSession(paper, planParts(paper, ['gc'], [0]), new Set(), DEFAULT_BUDGET).lanes).toBeGreaterThanOrEqual(1);
  });
});

describe('device time per part', () => {
  it('splits each second among the parts running then, and sums attempts over calls', () => {
    let now = 0;
    const clock = new SharedClock(() => now);
    now = 10; // a alone for 10 s
    clock.change(['a']);
    now = 30; // a and b together for 20 s
    clock.change(['a', 'b']);
    expect(clock.take('a')).toBe(20);
    now = 40;
    clock.change(['b']);
    expect(clock.take('b')).toBe(20);
    const attempts: DeviceAttempt[] = [
      { part: 'gc/sft', call: 'c1', started: '', seconds: 500, deviceSeconds: 250, status: 'cut' },
      { part: 'gc/sft', call: 'c2', started: '', seconds: 100, deviceSeconds: 100, status: 'done' },
      { part: 'gc/pretrain', call: 'c1', started: '', seconds: 400, deviceSeconds: 400, status: 'done' },
    ];
    expect(deviceTimeByPart(attempts).get('gc/sft')).toEqual({ attempts: 2, calls: 2, seconds: 600, deviceSeconds: 350 });
  });
});
