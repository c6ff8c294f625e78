/**
 * `asymflow solve --task gc|sudoku` and `asymflow check --task gc|sudoku`: JSON lines on stdin, one JSON line
 * per input line on stdout, in order (src/tasks/solve-check.ts has the formats). Streamed line by line with
 * back-pressure, so a huge input never sits in memory; a bad line answers `{"error": "line N: …"}`.
 * Lines end at `\n` only (a `\r\n` ending is trimmed; a bare `\r` inside JSON is whitespace, as JSON says),
 * and a reader that goes away (`| head -2`: EPIPE) is a normal end of output, not a crash.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { answerLine, SOLVE_BUDGET_MS, type SolveCheckVerb } from '../../src/tasks/solve-check.ts';
import { resolveSolveCheckConfig, SOLVE_CHECK_OPTIONS } from '../../src/tasks/solve-check-config.ts';
import { addOptionFlags } from './option-flags.ts';

/** The lines of a byte stream, split at `\n` alone; a final line without one counts too. */
export async function* jsonLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of input) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let at: number;
    while ((at = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, at);
      rest = rest.slice(at + 1);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
  }
  rest += decoder.end();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** Answers every line of `input` on `output`; resolves with the number of lines answered. */
export async function solveCheckStream(verb: SolveCheckVerb, task: string, input: Readable, output: Writable, budgetMs = SOLVE_BUDGET_MS): Promise<number> {
  const config = resolveSolveCheckConfig(verb, { task, budgetMs });
  let closed = false; // the reader went away (EPIPE): stop answering, end normally
  let wake: (() => void) | undefined;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    closed = true;
    wake?.();
  };
  output.on('error', onError);
  let count = 0;
  try {
    for await (const line of jsonLines(input)) {
      if (closed) break;
      count++;
      if (!output.write(`${answerLine(verb, config.task, line, count, config.budgetMs)}\n`)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          output.once('drain', resolve);
        });
      }
    }
  } finally {
    output.off('error', onError);
    if (closed) output.on('error', () => {}); // later EPIPEs of the same closed pipe
  }
  return count;
}

function register(program: Command, verb: SolveCheckVerb, description: string, example: string): void {
  const command = program.command(verb).description(description);
  addOptionFlags(command, SOLVE_CHECK_OPTIONS, { required: ['task'] })
    .addHelpText('after', `\nExample:\n  ${example}`)
    .action(async (opts: { task: string; budgetMs?: string }) => {
      const { budgetMs } = resolveSolveCheckConfig(verb, opts);
      await solveCheckStream(verb, opts.task, process.stdin, process.stdout, budgetMs);
      process.stdin.destroy(); // stop reading a producer we no longer answer (after EPIPE)
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
