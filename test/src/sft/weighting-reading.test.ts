import { describe, expect, it } from 'vitest';
import { MetricNames as N } from '../../../src/metric-names.ts';
import type { Metric } from '../../../src/records.ts';
import { weightingReading } from '../../../src/sft/weighting-reading.ts';

const at = (run: string, name: string, values: number[]): Metric[] => values.map((value, i) => ({ run, step: i + 1, name, value, time: 0 }));
const standard = { run: 'standard', label: 'standard' };
const ngdiff = { run: 'ngdiff', label: 'NGDiff' };

describe('weightingReading', () => {
  it('reads the token share, λ by thirds and the tail losses from the metrics', () => {
    const metrics = [
      ...at('standard', N.perceptionTokenFraction, [0.4, 0.44, 0.42]),
      ...at('ngdiff', N.lambda, [0.6, 0.5, 0.3]),
      ...at('standard', N.lossP, [3, 2]),
      ...at('standard', N.lossR, [4, 3]),
      ...at('ngdiff', N.lossP, [1, 1.5]),
      ...at('ngdiff', N.lossR, [5, 4]),
    ];
    expect(weightingReading(metrics, standard, ngdiff)).toEqual([
      "Perception is 42.0% of the response tokens here (the paper's GC: 2.2%), so standard SFT gives it 42.0% of the loss's weight.",
      'NGDiff gave perception a weight λ of 46.7% on average (60.0% over the first third of its 3 steps, 30.0% over the last): more than its token share.',
      'Per-token loss on perception / reasoning over the last 3 steps: standard 2.500 / 3.500, NGDiff 1.250 / 4.500.',
    ]);
  });

  it('reads λ within 2 points of the token share as about the same', () => {
    const metrics = [...at('standard', N.perceptionTokenFraction, [0.431]), ...at('ngdiff', N.lambda, [0.446])];
    expect(weightingReading(metrics, standard, ngdiff)[1]).toContain(
      '44.6% on average (44.6% over the first third of its 1 steps, 44.6% over the last): about its token share',
    );
  });

  it('says which run has no metrics instead of reading', () => {
    expect(weightingReading(at('standard', N.perceptionTokenFraction, [0.4]), standard, ngdiff)).toEqual([
      'NGDiff: no training metrics to read the perception weighting from.',
    ]);
  });
});
