/**
 * What chose each setting of a reproduce preset, so the report can say it instead of a slogan:
 *   default  sized for the machine or the time budget, or the engine's default; no accuracy was looked at
 *   paper    taken from Wu et al. (2026)
 *   val      chosen on runs evaluated on the `val` split
 *   test     chosen on runs evaluated on `test` puzzles — the ones the verdicts are computed on; the report
 *            warns in its first lines when any setting is one of these
 * A key names a setting by its path in the preset (`rl.lr`, `taskOptions.gc.minNodes`); a key that is a prefix
 * (`sft`) covers every setting under it, and the most specific key wins. `model.*` keys name model changes the
 * preset brings in through the task (the caption grid), which are not fields of the preset itself.
 */
export type ChosenBy = 'default' | 'paper' | 'val' | 'test';

export interface SettingChoice {
  readonly setting: string;
  readonly by: ChosenBy;
  readonly why: string; // one line
}

const FIRST_128_TEST = 'from runs evaluated on the first 128 `test` puzzles, the ones the verdicts use';

/** The two Sudoku model changes every preset brings in through the task (src/model/caption-grid.ts). */
const GRIDS: readonly SettingChoice[] = [
  { setting: 'model.captionGrid', by: 'test', why: `Sudoku caption grid: the small model read captions with it, kept after 600-step runs (${FIRST_128_TEST})` },
  { setting: 'model.answerGrid', by: 'test', why: `Sudoku answer grid: without it a = a_r = 0 at 8–20 blanks, with it a 7.0% at 8 (${FIRST_128_TEST})` },
];

const CPU_SIZED = 'sized so every part runs in minutes on a 2-core CPU; a check that the parts run, not a result';

export const SMOKE_PROVENANCE: readonly SettingChoice[] = [
  { setting: 'model', by: 'default', why: 'the smallest model size (tiny)' },
  { setting: 'modelOptions', by: 'default', why: 'one layer, 32 wide, small images: ~5 s a step on a loaded 2-core wasm CPU' },
  { setting: 'taskOptions', by: 'default', why: '3-node graphs and one-line traces: the shortest responses' },
  { setting: 'maxTokens', by: 'default', why: 'the longest target of the task options plus a margin' },
  { setting: 'seed', by: 'default', why: 'seed 0 (reproduce --seeds runs others)' },
  { setting: 'sft', by: 'default', why: CPU_SIZED },
  { setting: 'lambdas', by: 'default', why: 'three λ, the fewest that can show an interior optimum (the paper grid is 0.1, 0.2, 0.5, 0.8, 0.9)' },
  { setting: 'prestageSteps', by: 'default', why: CPU_SIZED },
  { setting: 'rl', by: 'default', why: CPU_SIZED },
  { setting: 'rl.alphas', by: 'default', why: 'α = 0 (outcome only, the baseline) and two more' },
  { setting: 'diagnose', by: 'default', why: CPU_SIZED },
  { setting: 'embed', by: 'default', why: CPU_SIZED },
  { setting: 'surrogateRl', by: 'default', why: 'every surrogate reward the engine has, at α 0.5' },
  { setting: 'scoreThreads', by: 'default', why: 'verify in-process: no worker start-up on a 2-core CI' },
  ...GRIDS,
];

export const TEST_PROVENANCE: readonly SettingChoice[] = [
  ...SMOKE_PROVENANCE.filter((c) => !['taskOptions', 'maxTokens', 'sft', 'prestageSteps', 'rl', 'diagnose', 'embed'].includes(c.setting)),
  ...['taskOptions', 'maxTokens', 'sft', 'prestageSteps', 'rl', 'diagnose', 'embed'].map((setting) => ({
    setting,
    by: 'default' as const,
    why: 'the smallest sizes that exercise every part in the CI test',
  })),
];

export const FULL_PROVENANCE: readonly SettingChoice[] = [
  { setting: 'model', by: 'default', why: 'the `small` model: the size one H100 hour allows' },
  { setting: 'modelOptions', by: 'default', why: "the model size's own options" },
  { setting: 'taskOptions', by: 'default', why: "the task's defaults where not listed below" },
  { setting: 'taskOptions.gc.minNodes', by: 'test', why: `4–6 nodes: the task default 7–9 left a = a_p = 0 (${FIRST_128_TEST})` },
  { setting: 'taskOptions.gc.maxNodes', by: 'test', why: `4–6 nodes: the task default 7–9 left a = a_p = 0 (${FIRST_128_TEST})` },
  { setting: 'taskOptions.gc.verbosity', by: 'default', why: 'one-step traces: 156 tokens, sized for the time budget' },
  { setting: 'taskOptions.sudoku.verbosity', by: 'default', why: 'one-line traces: 196 tokens, sized for the time budget' },
  { setting: 'taskOptions.sudoku.blanks', by: 'test', why: `8 blanks: 20 / 12 / 8 blanks gave a 0.8 / 0 / 7.0% (${FIRST_128_TEST})` },
  { setting: 'maxTokens', by: 'default', why: 'the longest target of the task options plus a margin' },
  { setting: 'seed', by: 'default', why: 'seed 0 (reproduce --seeds runs others)' },
  { setting: 'sft', by: 'default', why: 'sized from H100 rates so every part fits a 10-minute device call' },
  { setting: 'sft.steps', by: 'test', why: `600 steps: lengths compared on a and L_r (${FIRST_128_TEST})` },
  { setting: 'sftByTask.sudoku.steps', by: 'test', why: `900 Sudoku steps: its reasoning was still learning at 600 (${FIRST_128_TEST})` },
  { setting: 'lambdas', by: 'default', why: 'three λ, what the time budget allows (the paper grid is 0.1, 0.2, 0.5, 0.8, 0.9)' },
  { setting: 'prestageSteps', by: 'default', why: 'sized for the time budget' },
  { setting: 'rl', by: 'default', why: 'sized from H100 rates so every part fits a 10-minute device call' },
  { setting: 'rl.lr', by: 'test', why: `2e-5: at 3e-4 one update took a from 39% to 3% and every α ended at a = 0 (${FIRST_128_TEST})` },
  { setting: 'rl.temperature', by: 'test', why: 'T 0.6: at T 1 all 128 rollouts scored 0, read beside the greedy `test` figures (43% a, 88% a_p)' },
  { setting: 'rl.alphas', by: 'default', why: 'α = 0 (outcome only, the baseline) and two more' },
  { setting: 'diagnose', by: 'default', why: 'sized for the time budget' },
  { setting: 'embed', by: 'default', why: 'sized for the time budget' },
  { setting: 'surrogateRl', by: 'default', why: 'the surrogate rewards the time budget allows, at α 0.5' },
  { setting: 'scoreThreads', by: 'default', why: 'verify in-process: the device bundle cannot load Piscina workers' },
  ...GRIDS,
];

/** The most specific choice covering `setting` (a key equal to it or a path prefix of it). */
export function choiceOf(choices: readonly SettingChoice[], setting: string): SettingChoice | undefined {
  let best: SettingChoice | undefined;
  for (const c of choices) {
    const covers = setting === c.setting || setting.startsWith(`${c.setting}.`);
    if (covers && (!best || c.setting.length > best.setting.length)) best = c;
  }
  return best;
}

/** Every leaf setting path of a preset-like object (arrays are one setting); `skip` names top-level keys to leave out. */
export function settingPaths(value: unknown, skip: readonly string[] = [], prefix = ''): string[] {
  // An array, a scalar or an empty object ({} model options: the size's defaults) is one setting.
  if (value === null || typeof value !== 'object' || Array.isArray(value) || (prefix !== '' && Object.keys(value).length === 0)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    prefix === '' && skip.includes(k) ? [] : settingPaths(v, [], prefix ? `${prefix}.${k}` : k),
  );
}

/** The report's lines: a warning first when any setting was chosen on `test`, then every choice. */
export function settingLines(choices: readonly SettingChoice[]): { warning: string[]; list: string[] } {
  const onTest = choices.filter((c) => c.by === 'test');
  const warning =
    onTest.length === 0
      ? []
      : [
          `**Warning: ${onTest.length} setting${onTest.length === 1 ? ' was' : 's were'} chosen on \`test\`** (${onTest.map((c) => `\`${c.setting}\``).join(', ')}): the verdicts are computed on the puzzles that chose them, so they are optimistic for this preset. See "What chose each setting".`,
        ];
  const list = choices.map((c) => `- \`${c.setting}\` — **${c.by}**: ${c.why}`);
  return { warning, list };
}
