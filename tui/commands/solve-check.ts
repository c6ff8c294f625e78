/**
 * `asymflow solve --task gc|sudoku` and `asymflow check --task gc|sudoku`: JSON lines on stdin, one JSON line
 * per input line on stdout, in order (src/tasks/solve-check.ts has the formats). Streamed line by line with
 * back-pressure, so a huge input never sits in memory; a bad line answers `{"error": "line N: …"}`.
 */
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { ConfigError } from '../../src/config.ts';
import { TASK_NAMES, isTaskName } from '../../src/tasks/registry.ts';
import { answerLine, type SolveCheckVerb } from '../../src/tasks/solve-check.ts';

/** Answers every line of `input` on `output`; resolves with the number of lines. */
export async function solveCheckStream(verb: SolveCheckVerb, task: string, input: Readable, output: Writable): Promise<number> {
  if (!isTaskName(task)) throw new ConfigError(`${verb}.task must be one of ${TASK_NAMES.join(', ')}, got ${JSON.stringify(task)}`);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let count = 0;
  for await (const line of lines) {
    count++;
    if (!output.write(`${answerLine(verb, task, line, count)}\n`)) await new Promise<void>((resolve) => output.once('drain', resolve));
  }
  return count;
}

function register(program: Command, verb: SolveCheckVerb, description: string, example: string): void {
  program
    .command(verb)
    .description(description)
    .requiredOption('--task <name>', 'gc or sudoku')
    .addHelpText('after', `\nExample:\n  ${example}`)
    .action(async (opts: { task: string }) => {
      await solveCheckStream(verb, opts.task, process.stdin, process.stdout);
    });
}

export function registerSolve(program: Command): void {
  register(
    program,
    'solve',
    'JSONL {"perception", "nodes"?} on stdin → {"chromatic", "answer"} (gc) or {"solutions", "answer"} (sudoku) on stdout',
    `echo '{"perception": "(0,1),(1,2),(0,2)"}' | asymflow solve --task gc   # {"chromatic":3,"answer":"0:1,1:2,2:3"}`,
  );
}

export function registerCheck(program: Command): void {
  register(
    program,
    'check',
    'JSONL {"perception", "answer", "nodes"?} on stdin → {"correct", "reason"} on stdout',
    `echo '{"perception": "(0,1)", "answer": "0:1,1:1"}' | asymflow check --task gc`,
  );
}
