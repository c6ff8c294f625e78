/**
 * One line of `asymflow solve` / `asymflow check` (issue 2): a JSON request in, a JSON reply out, never a
 * throw — a bad line becomes `{"error": "line N: …"}` so the stream goes on.
 *
 *   solve gc      {"perception": "(0,1),(0,3)", "nodes"?: 8}   → {"chromatic": 3, "answer": "0:1,1:2,…"}
 *   solve sudoku  {"perception": "530070000/…"}                → {"solutions": 0|1|2, "answer": "534678912/…"|null}
 *   check T       {"perception": P, "answer": A, "nodes"?: n}  → {"correct": true|false, "reason": "…"}
 */
import { clip, show } from '../clip.ts';
import { checkGc, solveGc } from './gc/index.ts';
import { checkSudoku, solveSudoku } from './sudoku/index.ts';
import { SearchBudgetError } from './search-budget.ts';
import type { TaskName } from './task.ts';

export type SolveCheckVerb = 'solve' | 'check';

const KEYS: Readonly<Record<SolveCheckVerb, Readonly<Record<TaskName, readonly string[]>>>> = {
  solve: { gc: ['perception', 'nodes'], sudoku: ['perception'] },
  check: { gc: ['perception', 'answer', 'nodes'], sudoku: ['perception', 'answer'] },
};

function request(verb: SolveCheckVerb, task: TaskName, line: string): { perception: string; answer?: string; nodes?: number } {
  if (line.trim() === '') throw new Error('empty line, expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  const fields = value as Record<string, unknown>;
  const known = KEYS[verb][task];
  for (const key of Object.keys(fields)) {
    if (!known.includes(key)) throw new Error(`unknown key '${clip(key)}' for ${verb} --task ${task}; expected ${known.join(', ')}`);
  }
  if (typeof fields.perception !== 'string') throw new Error(`"perception" must be a string, got ${show(fields.perception)}`);
  if (verb === 'check' && typeof fields.answer !== 'string') throw new Error(`"answer" must be a string, got ${show(fields.answer)}`);
  if (fields.nodes !== undefined && !Number.isInteger(fields.nodes)) throw new Error(`"nodes" must be an integer, got ${show(fields.nodes)}`);
  return fields as { perception: string; answer?: string; nodes?: number };
}

function reply(verb: SolveCheckVerb, task: TaskName, line: string, deadline: number): object {
  const { perception, answer, nodes } = request(verb, task, line);
  if (verb === 'solve') return task === 'gc' ? solveGc(perception, nodes, deadline) : solveSudoku(perception, deadline);
  const verdict = task === 'gc' ? checkGc(perception, answer as string, nodes) : checkSudoku(perception, answer as string);
  return { correct: verdict.correct, reason: clip(verdict.reason, 1000) };
}

/** Default per-line time budget of `solve`: an unsolvable or huge puzzle answers an error instead of stalling the stream. */
export const SOLVE_BUDGET_MS = 10_000;

/** The reply to input line `lineNumber` (1-based) as one JSON text; errors are replies too (their text clipped). */
export function answerLine(verb: SolveCheckVerb, task: TaskName, line: string, lineNumber: number, budgetMs = SOLVE_BUDGET_MS): string {
  try {
    return JSON.stringify(reply(verb, task, line, Date.now() + budgetMs));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return JSON.stringify({
      error: `line ${lineNumber}: ${clip(message, 1000)}${error instanceof SearchBudgetError ? ` (budget ${budgetMs} ms; raise it with --budget-ms)` : ''}`,
    });
  }
}
