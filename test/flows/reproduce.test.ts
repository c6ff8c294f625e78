/**
 * `asymflow reproduce` end to end on the CPU with the hidden `test` preset (the smoke preset's parts and
 * report on a one-layer, 32-wide model): every part runs, report.md has every table, figure link and six
 * verdict lines computed from the parts' numbers, --resume after deleting one part's summary re-runs
 * that part only, and a part killed after its checkpoint continues from it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partNames } from '../../flows/reproduce.ts';
import type { SftPartResult } from '../../flows/reproduce-parts.ts';
import type { PartSummary } from '../../flows/reproduce-summary.ts';
import { buildInfo } from '../../src/build-info.ts';
import { buildProgram } from '../../tui/cli.ts';
import { reproduceCommand } from '../../tui/commands/reproduce.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-reproduce-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FLAGS = { preset: 'test', tasks: 'gc', backend: 'wasm' };
const PARTS = ['gc/sft', 'gc/lambda', 'gc/ngdiff', 'gc/prestage', 'gc/rl', 'gc/diagnose', 'gc/surrogate-rl'];
const summary = (part: string) => JSON.parse(fs.readFileSync(path.join(dir, ...part.split('/'), 'summary.json'), 'utf8')) as PartSummary;

describe('reproduce', () => {
  it('runs every part, writes the report with every table, plot and six verdicts, and resumes only a missing part', { timeout: 600_000 }, async () => {
    const lines: string[] = [];
    const result = await reproduceCommand({ ...FLAGS, out: dir }, (l) => lines.push(l));
    expect(result).toMatchObject({ ran: PARTS, skipped: [] });

    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    for (const heading of [
      'Fig. 3 analogue',
      'Table 1 analogue',
      'Fig. 6 analogue',
      'Table 2 analogue',
      'Fig. 8 and Table 3 analogues',
      'Table 4 analogue',
      '## Verdicts',
      '## Commands',
    ]) {
      expect(report).toContain(heading);
    }
    expect(report).not.toContain('Not run yet');
    // Provenance from the parts' own records, and no machine path (DIR stands for the report's directory).
    expect(report).not.toContain(dir);
    expect(report).toMatch(/^- runs on: backend `wasm`, device .+ \(every part\)$/m);
    expect(report).toContain(`- runs by: asymflow ${buildInfo().version} (commit ${buildInfo().commit ?? 'unknown'})`);
    // Provenance instead of a slogan: the warning in the first lines (the grids were chosen on test), the list.
    expect(report.split('\n').slice(0, 6).join('\n')).toContain('**Warning: 2 settings were chosen on `test`** (`model.captionGrid`, `model.answerGrid`)');
    expect(report).toContain('## What chose each setting');
    expect(report).toContain('- `sft` — **default**: the smallest sizes that exercise every part in the CI test');
    expect(report).not.toContain('nothing was tuned');
    // Every linked plot exists as a real PNG.
    const links = [...report.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].map((m) => m[1]);
    expect(links).toEqual([
      'plots/gc/fig3/accuracies.png',
      'plots/gc/fig4/tradeoff.png',
      'plots/gc/fig6/accuracies.png',
      'plots/gc/fig10/tradeoff.png',
      'plots/gc/fig8.png',
      'plots/gc/fig9.png',
      'plots/gc/sft-loss-share.png',
      'plots/gc/sft-grad-share.png',
    ]);
    // The dynamics from the runs' own records: every α run's steps, every SFT run's shares, r per α (Fig. 11).
    expect(report).toMatch(/\| alpha-0 \| 0 \| 1 \| \d\.\d{3} → \d\.\d{3} \|/);
    expect(report).toMatch(/\| standard \| 0 \| \d+\.\d{3} → \d+\.\d{3} \|/);
    expect(report).toMatch(
      /### Fig\. 11 analogue[^\n]*\n\n\| α \| r\(R, a_p\) \| Δa_p \(pp\) \|\n\|---\|---\|---\|\n\| 0 \| (-?\d\.\d{3}|NaN|– \(rollouts not recorded\)) \| -?\d+\.\d \|/,
    );
    for (const l of links) expect(fs.statSync(path.join(dir, l)).size).toBeGreaterThan(1000);
    // Six findings, each with an outcome for gc and its checks beneath, every tested check with its p-values.
    const verdicts = report.split('\n').filter((l) => /^- \*\*\(\d\) /.test(l));
    expect(verdicts).toHaveLength(6);
    for (const v of verdicts) expect(v).toMatch(/— gc: \*\*(reproduces|does not reproduce|inconclusive|incomplete|not run)\*\*$/);
    const checks = report.split('\n').filter((l) => l.startsWith('  - gc: '));
    expect(checks.length).toBeGreaterThanOrEqual(12);
    for (const c of checks) expect(c).toMatch(/\*\*not run\*\* — |[:,] p = [0-9.e-]+.*Holm-adjusted p = [0-9.e-]+/);
    expect(report).toContain("with Holm's correction over every check below");
    // Finding (1)'s first check is computed from the SFT part's per-puzzle records; its dose–response check is not run.
    expect(checks[0]).toMatch(
      /^  - gc: SFT: a_r gain > a_p gain: \*\*(reproduces|does not reproduce|inconclusive)\*\* — mean per-puzzle \(Δa_r − Δa_p\) [+−]\d+\.\d pp, 95% CI .*paired bootstrap over 4 puzzles/,
    );
    expect(checks[1]).toContain('a_p gain shrinks as the perception token share falls: **not run** — needs SFT runs over a sweep of perception token shares');
    const sft = summary('gc/sft').result as SftPartResult;
    expect(sft.final.perPuzzle?.ids).toHaveLength(4);
    // Table 1 rows: standard, the λ list, NGDiff.
    expect(report).toMatch(/\| standard \|[^\n]*\n\| λ=0\.2 \|[^\n]*\n\| λ=0\.5 \|[^\n]*\n\| λ=0\.8 \|[^\n]*\n\| NGDiff \|/);
    // Each part records its command line, backend, device, seed and wall time.
    for (const p of PARTS) {
      const s = summary(p);
      expect(s.backend).toBe('wasm');
      expect(s.seed).toBe(0);
      expect(s.wallMs).toBeGreaterThan(0);
      expect(s.commands.length).toBeGreaterThan(0);
    }
    // Every recorded command line names only options its verb has.
    const program = buildProgram();
    for (const line of PARTS.flatMap((p) => summary(p).commands).filter((l) => l.startsWith('asymflow '))) {
      const words = line.split(' ').slice(1);
      let command = program;
      while (words.length > 0 && !words[0].startsWith('--')) {
        const verb = words.shift();
        command = command.commands.find((c) => c.name() === verb)!;
      }
      const known = new Set(command.options.map((o) => o.long));
      expect(
        words.filter((w) => w.startsWith('--') && !known.has(w)),
        line,
      ).toEqual([]);
    }
    expect(summary('gc/lambda').commands[0]).toMatch(/^asymflow sweep sft --lambda 0\.2,0\.5,0\.8 --task gc --model tiny --steps 4 /);
    expect(summary('gc/rl').commands[0]).toMatch(/^asymflow sweep rl --alpha 0,0\.5,1 --task gc --init \S+\/gc\/sft\/standard\/checkpoints /);

    // A finished directory is refused without --resume; with it, only the part whose summary is gone runs again.
    await expect(reproduceCommand({ ...FLAGS, out: dir }, () => {})).rejects.toThrow(
      `reproduce: ${dir} already holds finished parts (${PARTS.join(', ')}); pass --resume to skip them, or choose another --out`,
    );
    const before = summary('gc/lambda').finished;
    fs.rmSync(path.join(dir, 'gc', 'diagnose', 'summary.json'));
    const again = await reproduceCommand({ ...FLAGS, out: dir, resume: true }, () => {});
    expect(again).toMatchObject({ ran: ['gc/diagnose'], skipped: PARTS.filter((p) => p !== 'gc/diagnose') });
    expect(fs.existsSync(path.join(dir, 'gc', 'diagnose', 'summary.json'))).toBe(true);
    expect(summary('gc/lambda').finished).toBe(before);

    // Killed inside a part (its checkpoint written, no summaries yet): the part's run continues from the checkpoint.
    const runSummary = path.join(dir, 'gc', 'sft', 'standard', 'summary.json');
    const sha = (JSON.parse(fs.readFileSync(runSummary, 'utf8')) as { weightsSha256: string }).weightsSha256;
    fs.rmSync(path.join(dir, 'gc', 'sft', 'summary.json'));
    fs.rmSync(runSummary);
    const resumed: string[] = [];
    expect(await reproduceCommand({ ...FLAGS, out: dir, resume: true, only: 'gc/sft' }, (l) => resumed.push(l))).toMatchObject({
      ran: ['gc/sft'],
      skipped: [],
    });
    expect(resumed.some((l) => l.includes('sft: resuming') && l.includes('at step 4 of 4'))).toBe(true);
    expect((JSON.parse(fs.readFileSync(runSummary, 'utf8')) as { weightsSha256: string }).weightsSha256).toBe(sha);
  });

  it('runs --seeds into DIR/seed-S and pools the seeds in the report', { timeout: 300_000 }, async () => {
    const seedsDir = path.join(dir, 'seeds');
    const result = await reproduceCommand({ ...FLAGS, out: seedsDir, seeds: '0,1', only: 'gc/sft' }, () => {});
    expect(result).toMatchObject({ ran: ['seed-0/gc/sft', 'seed-1/gc/sft'], skipped: [] });
    const s1 = JSON.parse(fs.readFileSync(path.join(seedsDir, 'seed-1', 'gc', 'sft', 'summary.json'), 'utf8')) as PartSummary;
    expect(s1.seed).toBe(1);
    expect(s1.commands[1]).toContain('--seed 1');
    const report = fs.readFileSync(path.join(seedsDir, 'report.md'), 'utf8');
    expect(report).toContain('--seeds 0,1');
    expect(report).toContain('Fig. 3 analogue — standard SFT: accuracies over steps — mean over seeds 0, 1');
    expect(report).toMatch(/\| standard \| [^|]*\(seeds [0-9.]+ \/ [0-9.]+\) \|/);
    expect(report).toMatch(/SFT: a_r gain > a_p gain: \*\*\w[^*]*\*\* — .*over 8 puzzles and 2 seeds/);
    expect(report).toContain('| gc/lambda | 1 | not run |');
    await expect(reproduceCommand({ ...FLAGS, out: seedsDir, seeds: '0,x' })).rejects.toThrow("--seeds must list non-negative integers like 0,1,2, got '0,x'");
    await expect(reproduceCommand({ ...FLAGS, out: seedsDir, seeds: '1,1' })).rejects.toThrow("--seeds lists a seed twice: '1,1'");
  });

  it('lists the parts and validates its flags with exact messages', async () => {
    const listed: string[] = [];
    expect(await reproduceCommand({ tasks: 'gc,sudoku', list: true }, (l) => listed.push(l))).toEqual(partNames(['gc', 'sudoku']));
    expect(listed).toHaveLength(14);
    await expect(reproduceCommand({ preset: 'huge', out: dir })).rejects.toThrow("reproduce: --preset must be smoke, full or paper, got 'huge'");
    await expect(reproduceCommand({ tasks: 'gc,chess', out: dir })).rejects.toThrow("reproduce: --tasks must list gc and/or sudoku, got 'gc,chess'");
    await expect(reproduceCommand({ tasks: 'gc' })).rejects.toThrow('reproduce: --out DIR is required (the report and every run go there)');
    await expect(reproduceCommand({ tasks: 'gc', backend: 'tpu', out: dir })).rejects.toThrow("--backend: unknown backend 'tpu'");
    await expect(reproduceCommand({ ...FLAGS, out: dir, only: 'gc/sft,gc/dance' })).rejects.toThrow(
      "reproduce: unknown part 'gc/dance'; the parts are gc/sft, gc/lambda",
    );
    await expect(reproduceCommand({ preset: 'smoke', tasks: 'gc', out: dir, resume: true })).rejects.toThrow(
      `reproduce: ${dir} holds a --preset test run; use --preset test or another --out`,
    );
  });
});
