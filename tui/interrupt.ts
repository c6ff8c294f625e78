/**
 * Ctrl-C for a running flow: the first interrupt (SIGINT, or Ctrl-C / q on the dashboard, which reads keys
 * in raw mode) asks the flow to stop after its current step — it checkpoints and ends — and the second
 * exits at once with 130 (128 + SIGINT), no checkpoint. A run stopped by SIGINT exits with 130 too, so a
 * script's `asymflow sft … && asymflow rl …` does not go on as if the run had finished.
 */
export interface InterruptOptions {
  /** Asks the flow to stop after its current step. */
  readonly onStop: () => void;
  /** Says what happens (stderr for the plain log; the dashboard shows "stopping…" itself). */
  readonly notify: (line: string) => void;
  /** Restores the terminal and ends the process (default: process.exit). */
  readonly exit?: (code: number) => void;
}

export interface Interrupts {
  /** One interrupt: `signal` true for SIGINT itself (sets the exit code 130), false for Ctrl-C read as a key. */
  interrupt(signal: boolean): void;
  /** `q`: stop after the current step; never escalates to an exit. */
  stop(): void;
  /** Stops listening for SIGINT (the run has ended). */
  dispose(): void;
}

export const INTERRUPTED_EXIT_CODE = 130;

export function handleInterrupts(options: InterruptOptions): Interrupts {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    options.onStop();
  };
  const interrupt = (signal: boolean) => {
    if (signal) process.exitCode = INTERRUPTED_EXIT_CODE;
    if (!stopping) {
      options.notify('interrupt: stopping after the current step (checkpoint, then exit); interrupt again to exit now');
      stop();
    } else {
      options.notify('interrupt: exiting now, without a checkpoint of the steps since the last one');
      exit(INTERRUPTED_EXIT_CODE);
    }
  };
  const onSigint = () => interrupt(true);
  process.on('SIGINT', onSigint);
  return { interrupt, stop, dispose: () => process.removeListener('SIGINT', onSigint) };
}
