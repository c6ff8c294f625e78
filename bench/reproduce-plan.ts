/**
 * Dry run of a device session of `reproduce` (src/reproduce/device-plan.ts): which parts go into which device
 * call under a budget of device minutes, packed how, which findings that decides, and what is left — from the
 * parts already finished in DIR when --dir is given. Runs nothing; the estimates are the preset's
 * (`reproduce --list`), so the device calls' own logs are the measurement.
 *
 *   npx tsx bench/reproduce-plan.ts --preset paper --tasks gc --seeds 0,1,2 --budget-min 30
 *   npx tsx bench/reproduce-plan.ts --preset paper --tasks gc,sudoku --seeds 0,1,2 --budget-min 30 --dir runs/paper
 * Flags: --lanes (2), --speedup (1.15), --call-s (540), --start-s (120), --call-overhead-s (40).
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { parseSeeds } from '../flows/reproduce-seeds.ts';
import { parseTasks, presetOf } from '../src/reproduce/preset-lookup.ts';
import { bestSession, decided, DEFAULT_BUDGET, planParts, type DeviceBudget } from '../src/reproduce/device-plan.ts';
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { createVlm, disposeVlm } from '../src/model/vlm.ts';
import { hasCheckpoint } from '../src/sft/sft-checkpoint.ts';

/** The run of each part kind whose checkpoint later parts start from (flows/reproduce-part-kit.ts), under DIR/<task>/<kind>/. */
const WEIGHTS: Readonly<Record<string, string>> = {
  pretrain: 'pretrain/run/checkpoints',
  sft: 'sft/standard/checkpoints',
  prestage: 'prestage/prestage-ngdiff/checkpoints',
};

tf.env().set('PROD', true); // counting a model's weights needs no banner

/** The plan's lines for these options (the test reads them too). */
export function planLines(argv: readonly string[]): string[] {
  const arg = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  const num = (name: string, fallback: number) => {
    const v = Number(arg(name, String(fallback)));
    if (!(v >= 0)) throw new Error(`reproduce-plan: --${name} must be a non-negative number, got '${arg(name, '')}'`);
    return v;
  };
  const preset = presetOf(arg('preset', 'paper'));
  const tasks = parseTasks(arg('tasks', 'gc'));
  const seeds = parseSeeds(arg('seeds', String(preset.seed)));
  const b: DeviceBudget = {
    budgetS: 60 * num('budget-min', DEFAULT_BUDGET.budgetS / 60),
    callS: num('call-s', DEFAULT_BUDGET.callS),
    startS: num('start-s', DEFAULT_BUDGET.startS),
    callOverheadS: num('call-overhead-s', DEFAULT_BUDGET.callOverheadS),
    lanes: Math.max(1, Math.round(num('lanes', DEFAULT_BUDGET.lanes))),
    speedup: num('speedup', DEFAULT_BUDGET.speedup),
  };
  const parts = planParts(preset, tasks, seeds);
  const dir = argv.includes('--dir') ? path.resolve(arg('dir', '')) : undefined;
  const done = new Set(dir ? parts.filter((p) => fs.existsSync(path.join(dir, ...p.name.split('/'), 'summary.json'))).map((p) => p.name) : []);
  // a finished part whose checkpoint later parts start from counts only when that checkpoint is in DIR (the carry)
  const ready = new Set(
    [...done].filter((n) => !(n.split('/').at(-1)! in WEIGHTS) || hasCheckpoint(path.join(dir!, ...n.split('/').slice(0, -1), WEIGHTS[n.split('/').at(-1)!]))),
  );
  const { plan, lanes, costs } = bestSession(preset, parts, done, b, ready);
  const weightsMiB = tasks.map((t) => {
    const m = createVlm(modelConfig(preset.model as ModelSize, preset.modelOptions[t]), 0);
    const mib = [...m.params.values()].reduce((n, v) => n + v.size, 0) / 2 ** 18;
    disposeVlm(m);
    return `${t} ${mib.toFixed(1)} MiB`;
  });
  const s = (x: number) => `${Math.round(x)} s`;
  const lines = [
    `plan: preset ${preset.name}, tasks ${tasks.join(',')}, seeds ${seeds.join(',')}; ${(b.budgetS / 60).toFixed(0)} device minutes (machine start ${s(b.startS)}, calls of ≤ ${s(b.callS)} of parts + ${s(b.callOverheadS)}), up to ${b.lanes} lanes at ${b.speedup}× together`,
    `finished before: ${done.size} of ${parts.length} parts${dir ? ` in ${dir}` : ''}${ready.size < done.size ? `; ${done.size - ready.size} without the checkpoint later parts start from (not carried: their dependents wait; remove their summary.json to run them again)` : ''}`,
    `a checkpoint's weights (what later parts start from; the carry holds 64 MiB with .device): ${weightsMiB.join(', ')}`,
    'findings by the estimated seconds of the parts they still need (alone on the GPU):',
    ...[...costs]
      .sort((x, y) => Number(y.decidable) - Number(x.decidable) || x.seconds - y.seconds)
      .map(
        (c) =>
          `  ${c.task} (${c.finding}): ${c.decidable ? s(c.seconds) : 'not with these seeds (its ≥ 2,500 rollouts need more)'} — ${c.parts.filter((n) => !done.has(n)).length} parts`,
      ),
    `lanes: ${lanes} (the count, 1 … ${b.lanes}, that decides the most findings, then finishes the most)`,
  ];
  plan.calls.forEach((c, i) => {
    lines.push(`call ${i + 1} (${s(c.workS)} of parts):`);
    for (const r of c.runs)
      lines.push(
        `  lane ${r.lane + 1}  ${r.name.padEnd(36)} ${s(r.from).padStart(6)} → ${s(r.to).padStart(6)}  ${r.finishes ? 'finishes' : 'continues in the next call'}`,
      );
  });
  const got = decided(costs, done, plan);
  const cheapest = costs.filter((c) => c.decidable && !got.includes(c)).sort((x, y) => x.seconds - y.seconds)[0];
  lines.push(
    `device time: ${s(plan.usedS)} of ${s(b.budgetS)}; ${plan.finished.length} part(s) finish: ${plan.finished.join(' ') || '(none)'}`,
    `findings decidable after it: ${got.map((c) => `${c.task} (${c.finding})`).join(', ') || 'none'}${cheapest ? `; next cheapest: ${cheapest.task} (${cheapest.finding}), ${s(cheapest.seconds)} of parts` : ''}`,
    `left for later sessions: ${plan.later.length} part(s)`,
    `PARTS="${plan.finished.join(' ')}"`,
  );
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(planLines(process.argv.slice(2)).join('\n'));
