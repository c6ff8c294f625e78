/**
 * Yielding to the event loop from long compute loops. On the cpu and wasm backends `await tensor.data()`
 * resolves as a microtask, so a training, evaluation or sampling loop built only of awaits never lets timers,
 * key presses or signal handlers run: the dashboard freezes and q / Ctrl-C wait for the end of the run.
 *
 * `yieldToEventLoop()` takes one macrotask turn (setImmediate: due timers, I/O and signal handlers run
 * first). `yieldIfDue()` takes one only when `budgetMs` has passed since the last turn taken here, so a
 * per-token loop pays a clock read per iteration and a turn (microseconds) every ~25 ms: nothing a GPU run
 * notices, whose own reads already wait for the device.
 */
let lastTurn = performance.now();

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      lastTurn = performance.now();
      resolve();
    }),
  );
}

/** A turn of the event loop when `budgetMs` has passed since the last one; else nothing to wait for. */
export function yieldIfDue(budgetMs = 25): Promise<void> | undefined {
  return performance.now() - lastTurn >= budgetMs ? yieldToEventLoop() : undefined;
}
