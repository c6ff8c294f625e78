/**
 * DIR/report.md of `asymflow reproduce`: what chose each setting (a warning first when any was chosen on
 * `test`), setup and versions, each part's status, backend, device, wall time and exact command lines, then
 * per task the Fig. 3 / Table 1 (Fig. 4) / Fig. 6 / Table 2 (Fig. 10) / Fig. 8 + Table 3 / Table 4 analogues
 * with linked PNGs (mean and per-seed spread when several seeds ran), and the "Verdicts" section: every
 * check of every finding (src/reproduce/verdicts.ts) judged together at α = 0.05 with Holm's correction.
 * Parts not run yet appear as such, and the checks that need them as "not run".
 */
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import path from 'node:path';
import { withCaptionGrid } from '../src/model/caption-grid.ts';
import type { ModelSize } from '../src/model/config.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { ReproduceTask } from '../src/reproduce/presets.ts';
import { settingLines } from '../src/reproduce/provenance.ts';
import { ALPHA, checkLine, combine, judge } from '../src/reproduce/checks.ts';
import { FINDINGS } from '../src/reproduce/verdicts.ts';
import { provenanceLines, readPartSummary, type PartSummary } from './reproduce-summary.ts';
import { DEVICE_TIME_FILE, deviceTimeByPart, readDeviceTime } from '../src/reproduce/device-time.ts';
import { taskSection, type ReportInput, type TaskSection } from './reproduce-task-section.ts';

export type { ReportInput } from './reproduce-task-section.ts';

function partsTable(input: ReportInput): string[] {
  const ledger = deviceTimeByPart(readDeviceTime(input.out));
  const lines = ['| part | seed | status | backend | device | wall time | device time (all calls) | finished |', '|---|---|---|---|---|---|---|---|'];
  let total = 0;
  for (const run of input.seeds) {
    for (const p of input.parts) {
      const s = readPartSummary(run.dir, p);
      if (s) total += s.wallMs;
      const d = ledger.get(run.dir === input.out ? p : `${path.relative(input.out, run.dir)}/${p}`);
      const device = d
        ? `${(d.deviceSeconds / 60).toFixed(1)} min (${d.attempts} attempt${d.attempts > 1 ? 's' : ''}, ${d.calls} call${d.calls > 1 ? 's' : ''})`
        : '';
      lines.push(
        s
          ? `| ${p} | ${s.seed} | done | ${s.backend} | ${s.device} | ${(s.wallMs / 1000).toFixed(1)} s | ${device} | ${s.finished} |`
          : `| ${p} | ${run.seed} | ${d ? 'started, not finished' : 'not run'} | | | | ${device} | |`,
      );
    }
  }
  const deviceS = [...ledger.values()].reduce((t, d) => t + d.deviceSeconds, 0);
  lines.push(
    '',
    `Total wall time of the finished parts: ${(total / 1000).toFixed(1)} s (the last attempt of each).` +
      (ledger.size > 0
        ? ` Device time of every attempt (DIR/${DEVICE_TIME_FILE}, bench/reproduce-session.ts; parts run side by side share it): ${(deviceS / 60).toFixed(1)} min.`
        : ''),
  );
  return lines;
}

/** A partial run says so before any number: how many parts finished, and which did not. */
function partialNote(input: ReportInput): string[] {
  // each part not finished, with the seeds lacking it when others have it
  const missing = input.parts.flatMap((p) => {
    const lacking = input.seeds.filter((run) => !readPartSummary(run.dir, p)).map((run) => run.seed);
    if (lacking.length === 0) return [];
    return [lacking.length < input.seeds.length || input.seeds.length > 1 ? `${p} (seed${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')})` : p];
  });
  const finished = input.seeds.reduce((t, run) => t + input.parts.filter((p) => readPartSummary(run.dir, p)).length, 0);
  if (missing.length === 0) return [];
  return [
    '',
    `**Partial run: ${finished} of ${input.seeds.length * input.parts.length} parts finished.** Not run: ${missing.join(', ')}. Tables and checks that need a part not run say so ("not run"); a finding reproduces only when every one of its checks ran and reproduced.`,
  ];
}

function commands(input: ReportInput): string[] {
  const lines: string[] = [];
  for (const run of input.seeds) {
    for (const p of input.parts) {
      const s: PartSummary | undefined = readPartSummary(run.dir, p);
      if (s)
        lines.push(
          `**${p}**${input.seeds.length > 1 ? ` (seed ${run.seed})` : ''}`,
          '',
          '```sh',
          ...s.commands.map((c) => c.split(input.out).join('DIR')),
          '```',
          '',
        );
    }
  }
  return lines;
}

/** The verdicts: every check of every task and finding judged together (Holm), then each finding's outcome. */
function verdictLines(sections: readonly (TaskSection & { task: ReproduceTask })[]): string[] {
  const flat = sections.flatMap((s) => s.findings.flatMap((checks, f) => checks.map((c) => ({ task: s.task, f, c }))));
  const judged = judge(flat.map((x) => x.c));
  const lines: string[] = [];
  FINDINGS.forEach((finding, f) => {
    const perTask = sections.map((s) => {
      const mine = judged.filter((_, k) => flat[k].task === s.task && flat[k].f === f);
      return { task: s.task, outcome: combine(mine.map((c) => c.outcome)), mine };
    });
    lines.push(`- **(${f + 1}) ${finding.claim}** — ${perTask.map((t) => `${t.task}: **${t.outcome}**`).join('; ')}`);
    for (const s of sections) if (s.seedNotes[f]) lines.push(`  - ${s.task}: ${s.seedNotes[f]}`);
    for (const t of perTask) for (const c of t.mine) lines.push(`  - ${t.task}: ${checkLine(c)}`);
  });
  const tested = judged.filter((c) => c.holmP !== null).length;
  return [`${tested} checks were tested (Holm over all of them); ${judged.length - tested} could not run.`, '', ...lines];
}

export async function writeReport(input: ReportInput): Promise<string> {
  const { out, preset, versions: v } = input;
  const sections: (TaskSection & { task: ReproduceTask })[] = [];
  for (const task of input.tasks) sections.push({ task, ...(await taskSection(input, task)) });
  const provenance = settingLines(preset.provenance);
  const modelOptions = await Promise.all(
    input.tasks.map(async (t) => withCaptionGrid((await getTask(t)).captionGrid?.(preset.taskOptions[t]), preset.model as ModelSize, preset.modelOptions[t])),
  );
  const seedList = input.seeds.map((s) => s.seed).join(',');
  const lines = [
    `# Reproducing the perception–reasoning asymmetry (Wu et al., 2026) — preset \`${preset.name}\``,
    ...(provenance.warning.length > 0 ? ['', ...provenance.warning] : []),
    ...partialNote(input),
    '',
    `Written ${new Date().toISOString()} by \`asymflow reproduce --preset ${preset.name} --tasks ${input.tasks.join(',')}${input.seeds.length > 1 || input.seeds[0].seed !== preset.seed ? ` --seeds ${seedList}` : ''} --backend ${input.backendRequest} --out DIR\`, DIR being this report's directory.`,
    `Evaluation uses the \`test\` split only (the first N samples, the same N everywhere in a table); training uses \`train_sft\` (SFT, the embed encoder) and \`train_rl\` (RL, the diagnostic's rollouts).`,
    ...(preset.name === 'full' || preset.name === 'paper'
      ? []
      : [
          '',
          `**Note:** the \`${preset.name}\` preset trains a ${preset.model} model for ${preset.sft.steps} SFT steps and evaluates ${preset.sft.evalN} samples: it checks that every part runs end to end, and its numbers are noise. Read the verdicts of a \`--preset full\` run.`,
        ]),
    '',
    '## Setup',
    '',
    ...provenanceLines(
      input.seeds.flatMap((run) => input.parts.map((p) => readPartSummary(run.dir, p)).filter((s) => s !== undefined)),
      v,
    ),
    `- model \`${preset.model}\`, seed${input.seeds.length > 1 ? 's' : ''} ${seedList}; task options ${input.tasks.map((t) => `${t} ${JSON.stringify(preset.taskOptions[t])}`).join(', ')}; model options (the caption grid filled in where a task has one) ${input.tasks.map((t, i) => `${t} ${JSON.stringify(modelOptions[i])}`).join(', ')}`,
    '',
    '```json',
    JSON.stringify({ ...preset, provenance: undefined }, null, 2),
    '```',
    '',
    '## What chose each setting',
    '',
    '`default`: sized for the machine or time budget, no accuracy looked at; `paper`: from Wu et al. (2026); `val`: chosen on the `val` split; `test`: chosen on runs evaluated on `test` puzzles.',
    '',
    ...provenance.list,
    '',
    '## Parts',
    '',
    ...partsTable(input),
    '',
    ...sections.flatMap((s) => s.markdown),
    '## Verdicts',
    '',
    `Declared before the numbers: every check is a two-sided test on per-puzzle records — exact McNemar for two accuracies on the same puzzles, a seeded paired bootstrap over ${input.seeds.length > 1 ? 'seeds and ' : ''}puzzles for gains and gain differences, Williams' t for two correlations sharing a variable — at α = ${ALPHA} with Holm's correction over every check below. A check reproduces when its Holm-adjusted p < ${ALPHA} and its effect has the claimed sign; significant with the other sign it does not reproduce; otherwise it is inconclusive and gives the minimal detectable effect at the n used. A check without its data is "not run" and says what is missing. A finding reproduces only when all its checks do.`,
    '',
    ...verdictLines(sections),
    '',
    '## Commands',
    '',
    'The equivalent `asymflow` command line of each finished part (every run directory also holds its resolved config.json):',
    '',
    ...commands(input),
  ];
  const file = path.join(out, 'report.md');
  writeFileAtomic(file, `${lines.join('\n')}\n`);
  return file;
}
