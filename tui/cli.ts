/**
 * The `asymflow` command line. Each verb lives in `tui/commands/<verb>.ts` and registers itself on the
 * program; this file only wires them up and turns thrown errors into one clear line and exit code 1.
 */
import { takeVerbose } from './terminal-env.ts'; // first: it settles NO_COLOR before chalk loads
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../src/build-info.ts';
import { commands } from './commands/index.ts';
import { expandTaskOptionAliases } from './commands/task-flags.ts';

/**
 * package.json's version: the one number `asymflow --version` and `npm ls` agree on. Read from the package
 * root found upwards (the sources and dist/ sit at different depths); no git call, so --help stays fast.
 */
export function packageVersion(): string {
  const root = packageRoot();
  if (!root) return 'unknown';
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

export function buildProgram(): Command {
  const program = new Command('asymflow')
    .description('Perception–reasoning asymmetry laboratory: tasks, SFT, GRPO, disentangled evaluation')
    .version(packageVersion(), '-V, --version', 'print the asymflow version')
    .option('--verbose', 'show library banners (accepted anywhere on the line)')
    .showHelpAfterError()
    .enablePositionalOptions();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI on `argv` (node, script, args…) in this process: bin/asymflow.js and `tsx tui/cli.ts`. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(expandTaskOptionAliases(takeVerbose(argv)));
  } catch (error: unknown) {
    process.stderr.write(`asymflow: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) await main();
