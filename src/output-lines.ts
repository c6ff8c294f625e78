/**
 * The one rule every verb follows for what it prints: progress, logs, warnings and the `backend:` line go to
 * stderr; the verb's result (its figures, table, JSON lines, the files it wrote) goes to stdout. So
 * `asymflow eval … > result.txt`, `| jq` or `$(…)` get the result alone, and a terminal still shows both.
 * The live dashboard is the exception: it draws on stdout because it needs a terminal (tui/monitor.ts).
 */
export type LineSink = (line: string) => void;

/** Progress and logs. */
export const toStderr: LineSink = (line) => void process.stderr.write(`${line}\n`);

/** A verb's result. */
export const toStdout: LineSink = (line) => void process.stdout.write(`${line}\n`);

export interface OutputLines {
  readonly log: LineSink;
  readonly result: LineSink;
}

/**
 * A flow's two sinks from its options: `log` defaults to stderr; `result` to the caller's `log` when one is
 * given (code that collects a flow's lines gets all of them in order), else stdout.
 */
export function outputLines(options: { readonly log?: LineSink; readonly result?: LineSink }): OutputLines {
  return { log: options.log ?? toStderr, result: options.result ?? options.log ?? toStdout };
}
