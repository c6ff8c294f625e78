/**
 * The demo's reading is computed from the comparison: a lag or a lift is claimed only when its interval
 * excludes 0, the figures in the sentences are the comparison's own, and the verdict follows the two claims.
 */
import { describe, expect, it } from 'vitest';
import { pairedComparison } from '../../../src/eval/paired.ts';
import { formatP, sweepReading, type SweepComparison } from '../../../src/sft/sweep-reading.ts';

const scores = (ones: number, n: number) => Array.from({ length: n }, (_, i) => (i < ones ? 1 : 0));
/** x then y on the same n samples, with x's successes a subset of y's (or the reverse): a strong pairing. */
const compare = (x: number, y: number, n = 40) => pairedComparison(scores(x, n), scores(y, n));
const nothing = compare(20, 20);

function comparison(lag: number, ap: number): SweepComparison {
  return {
    baseline: 'standard',
    other: 'NGDiff',
    lag: { baseline: compare(10, 10 + lag), other: nothing },
    between: { ap: compare(10, 10 + ap), ar: nothing, a: nothing },
  };
}

describe('sweepReading', () => {
  it("claims the paper's point only when both the lag and the lift exclude 0", () => {
    const shown = sweepReading(comparison(20, 15));
    expect(shown[0]).toMatch(
      /^standard: a_p 25\.0% against a_r 75\.0% on the same 40 puzzles: perception lags reasoning \(a_r − a_p \+50\.0 points, 95% CI \+\d+\.\d to \+\d+\.\d points, exact McNemar p = < 0\.0001\)\.$/,
    );
    expect(shown[2]).toMatch(
      /^a_p: standard 25\.0% → NGDiff 62\.5%: NGDiff raises a_p by 37\.5 points .*; 15 puzzles only NGDiff gets right, 0 only standard\)\.$/,
    );
    expect(shown[5]).toBe(
      "The paper's point in miniature: under standard SFT perception lags reasoning, and NGDiff, which gives the perception tokens a larger share of the gradient, lifts a_p.",
    );
  });

  it('says plainly when a difference is not told apart, and what half shows', () => {
    const none = sweepReading(comparison(1, 1));
    expect(none[0]).toContain('not told apart (a_r − a_p +2.5 points');
    expect(none[2]).toContain('not told apart');
    expect(none[5]).toBe(
      "At this budget the paper's effect does not show: neither a perception lag under standard nor a lift of a_p by NGDiff lies outside its 95% interval.",
    );
    expect(sweepReading(comparison(20, 1))[5]).toContain('the asymmetry shows, the remedy does not');
    expect(sweepReading(comparison(1, 20))[5]).toContain("half of the paper's point");
    expect(sweepReading(comparison(-10, 1))[0]).toContain('perception leads reasoning (a_r − a_p −25.0 points, 95% CI −');
  });

  it('says when neither run solved anything, rather than comparing zeros', () => {
    const zero = compare(0, 0, 100);
    const reading = sweepReading({ baseline: 'standard', other: 'NGDiff', lag: { baseline: zero, other: zero }, between: { ap: zero, ar: zero, a: zero } });
    expect(reading[5]).toBe(
      "At this budget neither run perceives a single held-out puzzle correctly or solves one from its oracle caption (a_p = a_r = 0 for both on 100 puzzles): the paper's point cannot show here, and the table says only that.",
    );
  });

  it('formats p-values', () => {
    expect(formatP(0.5)).toBe('0.50');
    expect(formatP(0.004321)).toBe('0.0043');
    expect(formatP(1e-6)).toBe('< 0.0001');
  });
});
