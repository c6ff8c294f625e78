/** The paper preset (issue 16): targets at the paper's perception share, a window that holds them, parts sized for 10-minute H200 calls. */
import { describe, expect, it } from 'vitest';
import { shareRows } from '../../../bench/perception-share.ts';
import { modelConfig, type ModelSize } from '../../../src/model/config.ts';
import { PAPER_MAX_TEXT, PAPER_PRESETS } from '../../../src/reproduce/paper-preset.ts';
import { estimatePartSeconds, PRESETS, REPRODUCE_TASKS } from '../../../src/reproduce/presets.ts';
import { choiceOf } from '../../../src/reproduce/provenance.ts';

const paper = PAPER_PRESETS.paper;

describe('paper preset', () => {
  it('trains on targets ≤ 5% perception that the window holds, and its dose–response levels span ≈ 10–50%', async () => {
    for (const task of REPRODUCE_TASKS) {
      const [own, ...levels] = await shareRows(paper, task, 12, 0);
      expect(own.share, task).toBeLessThanOrEqual(0.05);
      expect(own.over, task).toBeLessThan(0.1);
      expect(levels.map((l) => l.share).every((s) => s > 0.09 && s < 0.6)).toBe(true);
      expect(Math.max(...levels.map((l) => l.share))).toBeGreaterThan(0.4);
    }
    expect(modelConfig(paper.model as ModelSize, paper.modelOptions.gc).maxText).toBe(PAPER_MAX_TEXT);
  });

  it('sizes every part at most 10 H200 minutes, one grid setting a part', () => {
    for (const task of REPRODUCE_TASKS) {
      const parts = estimatePartSeconds(paper, task);
      for (const [part, seconds] of Object.entries(parts)) expect(seconds, `${task}/${part}`).toBeLessThanOrEqual(600);
      expect(Object.keys(parts)).toEqual(
        expect.arrayContaining(['lambda@0.1', 'lambda@0.9', 'rl@0', 'rl@1', 'share@0', 'token-lambda@0.5', 'surrogate-rl@self4']),
      );
    }
    // the other presets' estimates keep their shape (no attention term below 1,100 positions)
    expect(Object.keys(estimatePartSeconds(PRESETS.full, 'gc'))).toEqual(['sft', 'lambda', 'ngdiff', 'prestage', 'rl', 'diagnose', 'surrogate-rl']);
  });

  it('has the paper grids, ≥ 500 test puzzles, ≥ 2,500 diagnostic rollouts over three seeds, and nothing chosen on test', () => {
    expect(paper.lambdas).toEqual([0.1, 0.2, 0.5, 0.8, 0.9]);
    expect(paper.rl.alphas).toEqual([0, 0.2, 0.5, 0.8, 1]);
    expect(paper.paper?.tokenLambdas).toEqual([0.1, 0.2, 0.5]);
    expect(paper.sft.evalN).toBeGreaterThanOrEqual(500);
    expect(paper.rl.evalN).toBeGreaterThanOrEqual(500);
    expect(3 * paper.diagnose.n).toBeGreaterThanOrEqual(2500);
    expect(paper.surrogateRl.rewards).toEqual(expect.arrayContaining(['self:1', 'self:4', 'embed']));
    expect(paper.provenance.filter((c) => c.by === 'test')).toEqual([]);
    expect(choiceOf(paper.provenance, 'rl.lr')?.by).not.toBe('test');
  });
});
