/**
 * Process-wide settings the CLI takes from its command line and environment before anything else loads
 * (tui/cli.ts imports this module first: chalk, which Ink draws with, picks its colour level on import).
 *
 *  - `--verbose`, anywhere before `--`: taken out of argv and turned into ASYMFLOW_VERBOSE=1, which worker
 *    threads inherit; src/backend/index.ts then shows library banners (tfjs's).
 *  - NO_COLOR (https://no-color.org), set and not empty: FORCE_COLOR=0 unless FORCE_COLOR is set, since
 *    chalk 5 reads only FORCE_COLOR; the dashboard and the plain log then print no colour codes.
 */
export function applyNoColor(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '' && env.FORCE_COLOR === undefined) env.FORCE_COLOR = '0';
}

/** `argv` without its `--verbose` flags (those before `--`); sets ASYMFLOW_VERBOSE=1 when there was one. */
export function takeVerbose(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  const kept = head.filter((arg) => arg !== '--verbose');
  if (kept.length !== head.length) env.ASYMFLOW_VERBOSE = '1';
  return end === -1 ? kept : [...kept, ...argv.slice(end)];
}

applyNoColor();
