/** Every setting of every reproduce preset says what chose it; the report's warning lists the `test` ones. */
import { describe, expect, it } from 'vitest';
import { PAPER_PRESETS } from '../../../src/reproduce/paper-preset.ts';
import { PRESETS } from '../../../src/reproduce/presets.ts';
import { choiceOf, settingLines, settingPaths } from '../../../src/reproduce/provenance.ts';

describe('preset provenance', () => {
  it('covers every setting of every preset, and every key names a setting or a model change', () => {
    for (const preset of [...Object.values(PRESETS), ...Object.values(PAPER_PRESETS)]) {
      const paths = settingPaths(preset, ['name', 'provenance']);
      expect(paths.length).toBeGreaterThan(20);
      const uncovered = paths.filter((p) => !choiceOf(preset.provenance, p));
      expect(uncovered, preset.name).toEqual([]);
      for (const c of preset.provenance) {
        const names = c.setting.startsWith('model.') || paths.some((p) => p === c.setting || p.startsWith(`${c.setting}.`));
        expect(names, `${preset.name}: ${c.setting}`).toBe(true);
        expect(c.why.length).toBeGreaterThan(10);
      }
    }
  });
  it('records what the full preset chose on test (issue 15)', () => {
    const full = PRESETS.full.provenance;
    for (const s of [
      'taskOptions.gc.minNodes',
      'taskOptions.gc.maxNodes',
      'taskOptions.sudoku.blanks',
      'sft.steps',
      'sftByTask.sudoku.steps',
      'rl.lr',
      'model.captionGrid',
      'model.answerGrid',
    ]) {
      expect(choiceOf(full, s)?.by, s).toBe('test');
    }
    expect(choiceOf(full, 'sft.batch')?.by).toBe('default'); // the prefix entry covers the rest of sft
  });
  it('warns first when a setting was chosen on test, and not otherwise', () => {
    const { warning, list } = settingLines([
      { setting: 'rl.lr', by: 'test', why: 'picked from test runs' },
      { setting: 'seed', by: 'default', why: 'seed zero by default' },
    ]);
    expect(warning).toEqual([
      '**Warning: 1 setting was chosen on `test`** (`rl.lr`): the verdicts are computed on the puzzles that chose them, so they are optimistic for this preset. See "What chose each setting".',
    ]);
    expect(list).toEqual(['- `rl.lr` — **test**: picked from test runs', '- `seed` — **default**: seed zero by default']);
    expect(settingLines([{ setting: 'seed', by: 'val', why: 'chosen on the val split' }]).warning).toEqual([]);
  });
});
