/**
 * Durations, ETAs and a plain-line progress report for counted work, shared by the flows (an SFT
 * evaluation's lines) and the terminal (tui/progress.ts's bar), so a long evaluation never goes silent.
 */

/** 0:07, 3:05, 1:02:09; '—' for a missing or negative duration. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The time left at the mean rate so far, or undefined before the first unit (nothing to go on) or after the last. */
export function etaMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (done <= 0 || done >= total) return undefined;
  return (elapsedMs / done) * (total - done);
}

/** "ETA 1:05", or '' when there is no estimate yet. */
export function etaText(done: number, total: number, elapsedMs: number): string {
  const eta = etaMs(done, total, elapsedMs);
  return eta === undefined ? '' : `ETA ${formatDuration(eta)}`;
}

/**
 * A reporter that writes "LABEL: done/total (p%) · elapsed · ETA …" at each tenth and at the end; call it
 * with the units done so far.
 */
export function progressLines(
  label: string,
  total: number,
  write: (line: string) => void,
  now: () => number = () => performance.now(),
): (done: number) => void {
  const started = now();
  let lastTenth = 0;
  return (done) => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const tenth = Math.floor(fraction * 10);
    if (tenth <= lastTenth && done < total) return;
    lastTenth = tenth;
    const elapsed = now() - started;
    const eta = etaText(done, total, elapsed);
    write(`${label}: ${done}/${total} (${Math.floor(fraction * 100)}%) · ${formatDuration(elapsed)}${eta ? ` · ${eta}` : ''}`);
  };
}
