/**
 * The perception token share of each reproduce preset's SFT targets, measured on the real targets
 * (src/reproduce/perception-share.ts): share = perception tokens / response tokens over the first N
 * `train_sft` puzzles (pooled), with the mean of the per-target ratios; "over" = targets whose prompt +
 * response exceed the model's text window (SFT drops them). The paper
 * preset's rows include its dose–response levels (`share@V`). Paper figures: Wu et al. (2026), 2.2% GC, 2.5% Sudoku.
 *   npx tsx bench/perception-share.ts [puzzles=200] [seed=0]
 */
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { perceptionShare, type PerceptionShare } from '../src/reproduce/perception-share.ts';
import { PAPER_PRESETS, PAPER_SHARES } from '../src/reproduce/paper-preset.ts';
import { PRESETS, REPRODUCE_TASKS, type ReproducePreset, type ReproduceTask } from '../src/reproduce/presets.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { TaskOptions } from '../src/tasks/task.ts';

export interface ShareRow extends PerceptionShare {
  readonly preset: string;
  readonly task: ReproduceTask;
  readonly setting: string; // the part it trains, with the task options that differ
}

/** The share rows of one preset and task: its own targets, and for a paper preset each dose–response level. */
export async function shareRows(p: ReproducePreset, task: ReproduceTask, n: number, seed: number): Promise<ShareRow[]> {
  const t = await getTask(task);
  const { maxText } = modelConfig(p.model as ModelSize, p.modelOptions[task]);
  const levels: { setting: string; options: TaskOptions }[] = [
    { setting: `sft (${JSON.stringify(p.taskOptions[task])})`, options: p.taskOptions[task] },
    ...(p.paper?.shares[task] ?? []).map((v) => ({ setting: `share@${v} (verbosity ${v})`, options: { ...p.taskOptions[task], verbosity: v } })),
  ];
  return levels.map(({ setting, options }) => ({ preset: p.name, task, setting, ...perceptionShare(t, options, maxText, n, seed) }));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const seed = Number(process.argv[3] ?? 0);
  console.log(`perception token share of the SFT targets: the first ${n} train_sft puzzles, seed ${seed}`);
  console.log('| preset | task | part (task options) | perception share | mean of ratios | mean tokens | over the window | the paper |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const preset of [PRESETS.smoke, PRESETS.full, PAPER_PRESETS.paper]) {
    for (const task of REPRODUCE_TASKS) {
      for (const r of await shareRows(preset, task, n, seed)) {
        console.log(
          `| ${r.preset} | ${r.task} | ${r.setting} | ${pct(r.share)} | ${pct(r.meanRatio)} | ${r.meanTokens.toFixed(0)} | ${pct(r.over)} | ${pct(PAPER_SHARES[task])} |`,
        );
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
