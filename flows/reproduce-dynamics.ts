/**
 * The report's training-dynamics figures, from the runs' own records (each run directory's metrics.msgpack
 * and, for RL, its rollouts.msgpack), for every preset:
 *   Fig. 9 analogue    the rollouts' a and a_p over GRPO steps, one curve per α (metrics reward/outcome, reward/perception)
 *   Fig. 11 analogue   r(R, a_p) over each α run's rollouts against that run's Δa_p on the held-out puzzles
 *   token fraction     the rollouts' perception token fraction at the first and the last GRPO step (diag/*Tokens)
 *   SFT shares         the perception loss share and gradient-norm share over SFT steps, per objective
 * A run whose records are missing (a carried directory drops rollouts) is left out and said so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pearson } from '../src/eval/stats.ts';
import { MetricNames as N, rewardMetricName } from '../src/metric-names.ts';
import { loadMetrics } from '../src/plot/load-metrics.ts';
import { writeSelectedCurves } from '../src/plot/write-plots.ts';
import { readRecording } from '../src/recording/index.ts';
import type { Metric, Scored } from '../src/records.ts';
import { RlMetricNames } from '../src/rl/step-metrics.ts';

const METRICS = 'metrics.msgpack';

/** One seed's directory (reproduce-seeds.ts SeedRun; not imported: the rl part imports this file). */
interface SeedRun {
  readonly seed: number;
  readonly dir: string;
}
const A = rewardMetricName('outcome');
const AP = rewardMetricName('perception');

/** Run directories (holding metrics.msgpack) under a seed's parts of `task` whose kind is one of `kinds` (`rl`, `rl@0.5`, …). */
function runDirs(run: SeedRun, parts: readonly string[], task: string, kinds: readonly string[]): { label: string; dir: string }[] {
  const mine = parts.filter((p) => kinds.some((k) => p === `${task}/${k}` || p.startsWith(`${task}/${k}@`)));
  return mine.flatMap((p) => {
    const top = path.join(run.dir, ...p.split('/'));
    if (!fs.existsSync(top)) return [];
    return fs
      .readdirSync(top, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(top, e.name, METRICS)))
      .map((e) => ({ label: e.name, dir: path.join(top, e.name) }));
  });
}

const at = (ms: readonly Metric[], name: string, step: number) => ms.find((m) => m.name === name && m.step === step)?.value;
const fmt = (x: number | undefined, digits = 3) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));

/** Pearson r of the final reward with a_p over a run's recorded rollouts, or undefined when it kept none. */
export async function rolloutCorrelation(dir: string): Promise<number | undefined> {
  const file = path.join(dir, 'rollouts.msgpack');
  if (!fs.existsSync(file)) return undefined;
  const reward: number[] = [];
  const ap: number[] = [];
  for await (const batch of (await readRecording<Scored | Scored[]>(file)).batches())
    for (const frame of batch)
      for (const s of Array.isArray(frame) ? frame : [frame]) {
        reward.push(s.reward);
        ap.push(s.ap);
      }
  return reward.length > 2 ? pearson(reward, ap).r : undefined;
}

export interface DynamicsInput {
  readonly seeds: readonly SeedRun[];
  readonly parts: readonly string[];
}

/** Fig. 9, the token fraction before/after RL and the SFT shares for one task (markdown with linked PNGs). */
export async function dynamicsSection(
  input: DynamicsInput,
  task: string,
  plots: string,
  figure: (alt: string, draw: () => Promise<string | undefined>) => Promise<string>,
): Promise<string[]> {
  const md: string[] = [];
  const rl = input.seeds.flatMap((run) => runDirs(run, input.parts, task, ['rl']).map((r) => ({ ...r, seed: run.seed })));
  md.push("### Fig. 9 analogue — RL dynamics: the rollouts' a and a_p over GRPO steps, and their perception token fraction before and after", '');
  if (rl.length > 0) {
    const rows: string[] = [
      '| run | seed | steps | a: first → last step | a_p: first → last step | perception token fraction: first → last step |',
      '|---|---|---|---|---|---|',
    ];
    const curves: Metric[] = [];
    for (const r of rl) {
      const ms = await loadMetrics(path.join(r.dir, METRICS));
      const steps = [...new Set(ms.filter((m) => m.name === A).map((m) => m.step))].sort((x, y) => x - y);
      if (steps.length === 0) continue;
      const [first, last] = [steps[0], steps[steps.length - 1]];
      const frac = (s: number) => {
        const p = at(ms, RlMetricNames.perceptionTokens, s);
        const t = at(ms, RlMetricNames.responseTokens, s);
        return p !== undefined && t ? p / t : undefined;
      };
      rows.push(
        `| ${r.label} | ${r.seed} | ${steps.length} | ${fmt(at(ms, A, first))} → ${fmt(at(ms, A, last))} | ${fmt(at(ms, AP, first))} → ${fmt(at(ms, AP, last))} | ${fmt(frac(first))} → ${fmt(frac(last))} |`,
      );
      if (r.seed === input.seeds[0].seed) curves.push(...ms.filter((m) => m.name === A || m.name === AP).map((m) => ({ ...m, run: r.label })));
    }
    md.push(...rows, '', await figure(`${task} Fig. 9: RL dynamics`, () => writeSelectedCurves(curves, [A, AP], path.join(plots, 'fig9.png'))), '');
  } else md.push('_No RL run has recorded metrics yet._', '');

  const sft = input.seeds.flatMap((run) =>
    runDirs(run, input.parts, task, ['pretrain', 'sft', 'scratch', 'lambda', 'ngdiff', 'prestage', 'share']).map((r) => ({ ...r, seed: run.seed })),
  );
  md.push('### Perception loss share and gradient-norm share during SFT (train metrics: first → last step)', '');
  if (sft.length > 0) {
    md.push('| run | seed | L_p a token | L_r a token | perception loss share | perception gradient-norm share |', '|---|---|---|---|---|---|');
    const curves: Metric[] = [];
    for (const r of sft) {
      const ms = await loadMetrics(path.join(r.dir, METRICS));
      const steps = [...new Set(ms.filter((m) => m.name === N.lossP).map((m) => m.step))].sort((x, y) => x - y);
      if (steps.length === 0) continue;
      const [first, last] = [steps[0], steps[steps.length - 1]];
      const span = (name: string) => `${fmt(at(ms, name, first))} → ${fmt(at(ms, name, last))}`;
      md.push(`| ${r.label} | ${r.seed} | ${span(N.lossP)} | ${span(N.lossR)} | ${span(N.perceptionLossShare)} | ${span(N.gradShareP)} |`);
      if (r.seed === input.seeds[0].seed)
        curves.push(...ms.filter((m) => m.name === N.perceptionLossShare || m.name === N.gradShareP).map((m) => ({ ...m, run: r.label })));
    }
    md.push(
      '',
      await figure(`${task}: perception loss share during SFT`, () =>
        writeSelectedCurves(curves, [N.perceptionLossShare], path.join(plots, 'sft-loss-share.png')),
      ),
      await figure(`${task}: perception gradient-norm share during SFT`, () =>
        writeSelectedCurves(curves, [N.gradShareP], path.join(plots, 'sft-grad-share.png')),
      ),
      '',
    );
  } else md.push('_No SFT run has recorded metrics yet._', '');
  return md;
}
