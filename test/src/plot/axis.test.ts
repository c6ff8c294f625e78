/** Plot axes read like numbers: a flat series or equal sweep points no longer print "0.875000" ticks. */
import { describe, expect, it } from 'vitest';
import { valueScale } from '../../../src/plot/axis.ts';
import { curveCharts } from '../../../src/plot/curve-specs.ts';
import { specToSvg } from '../../../src/plot/render-png.ts';
import { tradeoffSpec } from '../../../src/plot/tradeoff-spec.ts';
import type { Metric } from '../../../src/records.ts';

/** The numeric text labels of a rendered chart. */
async function numbers(spec: Parameters<typeof specToSvg>[0]): Promise<string[]> {
  const svg = await specToSvg(spec);
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).filter((t) => /^-?[0-9.,e]+$/.test(t));
}

const series = (name: string, value: (step: number) => number): Metric[] => [1, 2, 3].map((step) => ({ run: 'r', step, name, value: value(step), time: 0 }));

describe('plot axes', () => {
  it('pads the domain of a flat series and trims trailing zeros', async () => {
    expect(valueScale([3, 3, 3])).toEqual({ domain: [2.7, 3.3], nice: true });
    expect(valueScale([0, 0])).toEqual({ domain: [-1, 1], nice: true });
    expect(valueScale([1, 2])).toEqual({ zero: false, nice: true });
    const [chart] = curveCharts(series('train/gradNormP', () => 3));
    const ticks = await numbers(chart.spec);
    expect(ticks).toContain('3');
    expect(ticks.filter((t) => /\.\d*0$/.test(t))).toEqual([]); // no "3.000000", no "2.80"
  });

  it('labels a trade-off whose points share a_p without six decimals', async () => {
    const ticks = await numbers(
      tradeoffSpec([
        { setting: 'standard', a: 0.25, ap: 0.875, ar: 0.5 },
        { setting: 'ngdiff', a: 0.25, ap: 0.875, ar: 0.5 },
      ]),
    );
    expect(ticks.some((t) => /\.\d{4,}/.test(t))).toBe(false);
    expect(ticks.length).toBeGreaterThan(4); // real axes, not one degenerate tick each
  });
});
