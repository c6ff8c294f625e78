import { describe, expect, it } from 'vitest';
import { etaMs, etaText, formatDuration, progressLines } from '../../src/progress-lines.ts';

describe('progress lines with an ETA', () => {
  it('estimates the time left from the mean rate so far', () => {
    expect(etaMs(0, 10, 5000)).toBeUndefined(); // nothing to go on yet
    expect(etaMs(10, 10, 5000)).toBeUndefined(); // done
    expect(etaMs(2, 10, 4000)).toBe(16_000);
    expect(etaText(1, 4, 65_000)).toBe('ETA 3:15');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });

  it('writes a line at each tenth and at the end, with elapsed time and ETA', () => {
    let clock = 0;
    const lines: string[] = [];
    const report = progressLines(
      'sft: evaluating step 5',
      20,
      (l) => lines.push(l),
      () => clock,
    );
    for (let i = 1; i <= 20; i++) {
      clock += 3000;
      report(i);
    }
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('sft: evaluating step 5: 2/20 (10%) · 0:06 · ETA 0:54');
    expect(lines[9]).toBe('sft: evaluating step 5: 20/20 (100%) · 1:00');
  });
});
