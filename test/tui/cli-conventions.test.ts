/**
 * CLI conventions: `--version` from package.json, option defaults in help, the task options listed with the
 * tasks' own defaults, and `asymflow --help` and `asymflow <verb> --help` must not load tfjs, WebGPU, vega, sharp or ink: every verb
 * module imports those inside its action. Checked on the import graph (esbuild's metafile), not by timing:
 * the modules that tui/cli.ts reaches through static imports alone name none of the heavy packages.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { getTask, TASK_NAMES } from '../../src/tasks/registry.ts';
import { buildProgram } from '../../tui/cli.ts';
import { TASK_OPTION_HELP } from '../../tui/commands/task-flags.ts';

const HEAVY = /^(@tensorflow\/|webgpu$|vega|sharp$|ink$|react$)/;

/** Static-import paths from `entry` to each heavy package it reaches, one chain per package. */
async function heavyChains(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    outdir: 'unused',
  });
  const inputs = result.metafile.inputs;
  const parent = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  const chains: string[] = [];
  const chainTo = (file: string): string[] => (file === '' ? [] : [...chainTo(parent.get(file)!), file]);
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imp of inputs[file]?.imports ?? []) {
      if (imp.kind !== 'import-statement') continue; // dynamic imports and type-only imports load nothing at start
      if (inputs[imp.path]) {
        if (!parent.has(imp.path)) (parent.set(imp.path, file), queue.push(imp.path));
      } else if (HEAVY.test(imp.path)) {
        chains.push([...chainTo(file), imp.path].join(' → '));
      }
    }
  }
  return chains;
}

describe('the CLI loads heavy packages only when a verb runs', () => {
  it('tui/cli.ts reaches no tfjs, webgpu, vega, sharp, ink or react through static imports', async () => {
    expect(await heavyChains('tui/cli.ts')).toEqual([]);
  });

  it('the check would see a heavy import (it is not vacuous)', async () => {
    expect((await heavyChains('src/backend/index.ts')).some((chain) => chain.endsWith('@tensorflow/tfjs'))).toBe(true);
  });
});

/** The help text of `asymflow <path…>`, as commander prints it. */
function helpOf(...path: string[]): string {
  let command: Command = buildProgram();
  for (const name of path) command = command.commands.find((c) => c.name() === name)!;
  command.configureOutput({ getOutHelpWidth: () => 1000 }); // one line per option
  return command.helpInformation();
}

describe('conventional CLI', () => {
  it('prints the package version for --version and -V', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      let printed = '';
      const program = buildProgram()
        .exitOverride()
        .configureOutput({ writeOut: (text) => (printed += text) });
      await expect(program.parseAsync(['node', 'asymflow', flag])).rejects.toThrow(version);
      expect(printed.trim()).toBe(version);
    }
  });

  it('shows option defaults in help, from the configs that own them', () => {
    const sft = helpOf('sft');
    expect(sft).toMatch(/--task <name> +task: gc or sudoku \(default: gc\)/);
    expect(sft).toMatch(/--lr <lr> .*\(default: tiny 0\.01, small 0\.0025, base 0\.00125\)/);
    expect(sft).toMatch(/--eval-n <m> .*\(default: 100\)/);
    expect(helpOf('sweep', 'sft')).toMatch(/--eval-n <m> .*\(default: 100\)/);
    expect(helpOf('rl')).toMatch(/--group <g> .*\(default: 8\)/);
    expect(helpOf('eval')).toMatch(/--n <count> .*\(default: 500\)/);
    expect(helpOf('gen')).toMatch(/--seed <s> .*\(default: 0\)/);
  });

  it('lists every task option with the default the task itself has', async () => {
    for (const name of TASK_NAMES) {
      const line = TASK_OPTION_HELP.split('\n').find((l) => l.trim().startsWith(`${name} `))!;
      const { defaults } = await getTask(name);
      for (const [key, value] of Object.entries(defaults)) {
        expect(line, `${name}.${key}`).toMatch(new RegExp(`\\b${key}=(${value}\\b|[^ ]* \\(${value}\\))`));
      }
    }
    for (const verb of [['gen'], ['eval'], ['sft'], ['pretrain'], ['rl'], ['diagnose'], ['train-embed'], ['sweep', 'sft'], ['sweep', 'rl']]) {
      let command: Command = buildProgram();
      for (const name of verb) command = command.commands.find((c) => c.name() === name)!;
      expect(
        command.options.map((o) => o.long),
        verb.join(' '),
      ).toContain('--task-option');
    }
  });
});
