import { describe, expect, it } from 'vitest';
import { keysOf, overlapLine, overlapOf, runAudit } from '../../../src/data/split-audit.ts';
import { puzzleAt } from '../../../src/data/split-sample.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';

describe('split audit', () => {
  it('counts the left keys found on the right, duplicates included', () => {
    expect(overlapOf(['a', 'b', 'a', 'c'], new Set(['a', 'c']))).toBe(3);
    expect(overlapOf([], new Set(['a']))).toBe(0);
  });

  it('writes one line that flags an overlap and tells the skips', () => {
    const clean = { left: 'test[0,4)', right: 'train_sft[0,500)', checked: 4, overlap: 0 };
    const dirty = { left: 'val[0,4)', right: 'train_rl[0,500)', checked: 4, overlap: 2 };
    expect(overlapLine([clean])).toBe('content overlap test[0,4) × train_sft[0,500): 0');
    expect(overlapLine([clean, dirty], 3)).toBe(
      'content overlap test[0,4) × train_sft[0,500): 0, val[0,4) × train_rl[0,500): 2 of 4 (NOT disjoint); held-out draws skipped: 3',
    );
  });

  it('keys puzzles with the task’s own key', () => {
    const options = { minNodes: 4, maxNodes: 4 };
    const puzzles = [0, 1].map((i) => puzzleAt(gcTask, { split: 'test', seed: 0, options }, i));
    expect(keysOf(gcTask, puzzles, options)).toEqual(puzzles.map((p) => gcTask.key(p, options)));
  });

  it('measures a run whose training split avoids the held-out puzzles as 0 overlap', () => {
    const options = { minNodes: 4, maxNodes: 4, verbosity: 0, heldOut: 6 };
    const audit = runAudit(gcTask, 1, options, { split: 'train_sft', n: 12 }, { split: 'test', n: 6 });
    expect(audit.overlap.map((o) => o.overlap)).toEqual(audit.overlap.map(() => 0));
    expect(audit.overlap[0]).toMatchObject({ left: 'train_sft[0,12)', right: 'test[0,6)' });
    expect(audit.overlap[0].checked).toBeGreaterThan(1); // distinct keys among the 12 draws (4-node graphs repeat)
    expect(audit.overlap.map((o) => o.right)).toEqual(['test[0,6)', 'test[0,6)', 'val[0,6)']); // the evaluation, then each held-out split
    expect(audit.line).toMatch(/^content overlap train_sft\[0,12\) × test\[0,6\): 0, /);
    expect(audit.line).toContain(`held-out draws skipped: ${audit.skipped}`);
  });
});
