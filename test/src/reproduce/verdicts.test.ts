/** The six findings' verdicts follow the numbers: clear wins reproduce, clear losses do not, overlaps are inconclusive. */
import { describe, expect, it } from 'vitest';
import { pearson, proportion } from '../../../src/eval/stats.ts';
import { estimatePartSeconds, PRESETS, REPRODUCE_TASKS } from '../../../src/reproduce/presets.ts';
import {
  bothVerdict, correlationVerdict, differenceCi, gainVerdict, interiorOptimumVerdict, ngdiffVerdict, surrogateOrderVerdict, type SettingPoint,
} from '../../../src/reproduce/verdicts.ts';

const p = (k: number, n = 200) => proportion(k, n);
const point = (x: number, a: number, ap = 100, ar = 100): SettingPoint => ({ label: `λ=${x}`, x, a: p(a), ap: p(ap), ar: p(ar) });

describe('reproduce verdicts', () => {
  it('(1)/(4a) judge the a_r gain against the a_p gain on the interval of their difference', () => {
    expect(gainVerdict({ ap: p(20), ar: p(20) }, { ap: p(30), ar: p(120) }, 'SFT').outcome).toBe('reproduces');
    expect(gainVerdict({ ap: p(20), ar: p(20) }, { ap: p(120), ar: p(30) }, 'SFT').outcome).toBe('does not reproduce');
    const close = gainVerdict({ ap: p(20), ar: p(20) }, { ap: p(30), ar: p(33) }, 'SFT');
    expect(close.outcome).toBe('inconclusive');
    expect(close.detail).toContain('SFT: a_r 10.0% → 16.5% (+6.5 pp), a_p 10.0% → 15.0% (+5.0 pp); difference +1.5 pp');
    expect(gainVerdict({ ap: proportion(0, 0), ar: p(1) }, { ap: p(1), ar: p(2) }, 'x').outcome).toBe('inconclusive');
  });

  it('(2)/(4b) need the best a interior and clear of both ends', () => {
    expect(interiorOptimumVerdict([point(0.8, 40), point(0.2, 40), point(0.5, 120)], 'λ').outcome).toBe('reproduces');
    expect(interiorOptimumVerdict([point(0.2, 40), point(0.5, 45), point(0.8, 120)], 'λ').outcome).toBe('does not reproduce');
    expect(interiorOptimumVerdict([point(0.2, 40), point(0.5, 48), point(0.8, 42)], 'λ').outcome).toBe('inconclusive');
    expect(interiorOptimumVerdict([point(0.2, 0), point(0.5, 0), point(0.8, 0)], 'λ').detail).toContain('a is the same at every setting');
    expect(interiorOptimumVerdict([point(0.2, 10), point(0.5, 90)], 'λ').outcome).toBe('inconclusive');
  });

  it('(3) NGDiff at or above the best fixed λ reproduces; behind with apart intervals does not', () => {
    const lambdas = [point(0.2, 40), point(0.5, 100), point(0.8, 60)];
    expect(ngdiffVerdict(p(100), lambdas).outcome).toBe('reproduces');
    expect(ngdiffVerdict(p(95), lambdas).outcome).toBe('inconclusive');
    expect(ngdiffVerdict(p(40), lambdas).outcome).toBe('does not reproduce');
    expect(ngdiffVerdict(p(0), [point(0.2, 0), point(0.5, 0)]).detail).toContain('no setting solved any test puzzle');
    expect(bothVerdict({ outcome: 'reproduces', detail: 'x' }, { outcome: 'inconclusive', detail: 'y' }).outcome).toBe('inconclusive');
    expect(bothVerdict({ outcome: 'reproduces', detail: 'x' }, { outcome: 'does not reproduce', detail: 'y' }).outcome).toBe('does not reproduce');
  });

  it('(5) compares r(a, ã_r) with r(a, a_p) on their Fisher-z intervals', () => {
    const n = 400;
    const a = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const arCond = a.map((x, i) => (i % 10 === 1 ? 1 - x : x)); // agrees with a 90% of the time
    const ap = a.map((x, i) => (i % 3 === 0 ? 1 : x * (i % 4 === 0 ? 1 : 0))); // weakly related
    expect(correlationVerdict(pearson(a, ap), pearson(a, arCond), n).outcome).toBe('reproduces');
    expect(correlationVerdict(pearson(a, arCond), pearson(a, ap), n).outcome).toBe('does not reproduce');
    const constant = pearson(a, a.map(() => 0));
    expect(correlationVerdict(constant, pearson(a, arCond), n).outcome).toBe('inconclusive');
  });

  it('(6) checks that the perception gains follow the surrogates’ order by r', () => {
    const r = (x: number, half = 0.05) => ({ r: x, n: 1000, ci95: [x - half, x + half] as const });
    const gain = (x: number, half = 0.02) => ({ gain: x, gainCi: [x - half, x + half] as const });
    expect(surrogateOrderVerdict([{ reward: 'embed', r: r(0.2), ...gain(0.01) }, { reward: 'self:4', r: r(0.8), ...gain(0.2) }, { reward: 'self:1', r: r(0.5), ...gain(0.1) }]).outcome).toBe('reproduces');
    expect(surrogateOrderVerdict([{ reward: 'embed', r: r(0.2), ...gain(0.3) }, { reward: 'self:4', r: r(0.8), ...gain(0.01) }]).outcome).toBe('does not reproduce');
    expect(surrogateOrderVerdict([{ reward: 'embed', r: r(0.2), ...gain(0.03) }, { reward: 'self:4', r: r(0.8), ...gain(0.01) }]).outcome).toBe('inconclusive');
    expect(surrogateOrderVerdict([{ reward: 'embed', r: { r: NaN, n: 5, ci95: [NaN, NaN] }, ...gain(0) }]).outcome).toBe('inconclusive');
    const level = surrogateOrderVerdict([{ reward: 'embed', r: r(0.2), ...gain(0.0) }, { reward: 'perception', r: r(1), ...gain(0.023) }]);
    expect(level.outcome).toBe('inconclusive'); // in order, but the gains' intervals overlap
    expect(level.detail).toContain('the gains follow the order but within overlapping intervals');
    const [lo, hi] = differenceCi(p(120), p(100));
    expect(lo).toBeLessThan(0.1);
    expect(hi).toBeGreaterThan(0.1);
  });

  it('sizes every full-preset part under 10 device minutes and the whole under one H100 hour', () => {
    let total = 0;
    for (const task of REPRODUCE_TASKS) {
      for (const [part, seconds] of Object.entries(estimatePartSeconds(PRESETS.full, task))) {
        expect(seconds, `${task}/${part}`).toBeLessThan(600);
        total += seconds;
      }
    }
    expect(total).toBeLessThan(3600);
  });
});
