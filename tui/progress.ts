/**
 * Progress of a counted job: a bar redrawn in place on a terminal, or a plain line every 10 % (and at the
 * end) otherwise, so CI logs stay short (docs/architecture.md §8).
 *
 *   TTY:    gen gc test ███████████░░░░░░░░░ 55% 275/500 · 412/s · 0:01 · ETA 0:01
 *   plain:  gen gc test: 250/500 (50%) · 410/s · ETA 0:01
 */
import { etaText } from '../src/progress-lines.ts';
import { formatDuration } from './format.ts';

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly isTTY?: boolean; // default process.stderr.isTTY
  readonly write?: (text: string) => void; // default process.stderr.write (stdout stays for data)
  readonly width?: number; // bar characters
}

export type ProgressReporter = (done: number) => void;

export function progressReporter({ label, total, isTTY = process.stderr.isTTY === true, write, width = 24 }: ProgressOptions): ProgressReporter {
  const out = write ?? ((text: string) => void process.stderr.write(text));
  const started = performance.now();
  let lastDraw = 0;
  let lastTenth = 0;
  return (done) => {
    const now = performance.now();
    const rate = done / Math.max(1e-3, (now - started) / 1000);
    const fraction = total > 0 ? done / total : 1;
    const eta = etaText(done, total, now - started);
    const etaPart = eta ? ` · ${eta}` : '';
    if (isTTY) {
      if (done < total && now - lastDraw < 100) return; // ~10 frames/s
      lastDraw = now;
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      out(
        `\r${label} ${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total} · ${rate.toFixed(0)}/s · ${formatDuration(now - started)}${etaPart}${done >= total ? '\n' : ''}`,
      );
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > lastTenth || done >= total) {
      lastTenth = tenth;
      out(`${label}: ${done}/${total} (${Math.floor(fraction * 100)}%) · ${rate.toFixed(0)}/s${etaPart}\n`);
    }
  };
}
