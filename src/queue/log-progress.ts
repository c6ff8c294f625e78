/**
 * Progress read from a run's log line, for jobs whose runs report no structured progress (a reproduce part
 * runs several flows, logging as it goes): `rl step 3/12: …` gives the step, `eval @ step 200: a 12.5% a_p
 * 40.0% … a_r 3.1%` the step and the accuracies. Every line is also the job's last line. A line that says
 * none of this gives only the line; the reader merges it over what it knew.
 */
import type { JobProgress } from './job-spec.ts';

const ACCURACIES: readonly (readonly [RegExp, string])[] = [
  [/(?:^|\s)a ([\d.]+)%/, 'eval/a'],
  [/(?:^|\s)a_p ([\d.]+)%/, 'eval/ap'],
  [/(?:^|\s)a_r ([\d.]+)%/, 'eval/ar'],
];

export function progressFromLine(line: string): JobProgress {
  const steps = /\bstep (\d+)\/(\d+)\b/.exec(line);
  if (steps) return { line, step: Number(steps[1]), totalSteps: Number(steps[2]) };
  const evaluation = /\beval @ step (\d+): (.*)$/.exec(line);
  if (!evaluation) return { line };
  const metrics: Record<string, number> = {};
  for (const [pattern, name] of ACCURACIES) {
    const m = pattern.exec(evaluation[2]);
    if (m) metrics[name] = Number(m[1]) / 100;
  }
  return { line, step: Number(evaluation[1]), ...(Object.keys(metrics).length > 0 ? { metrics } : {}) };
}

/** `next` over `known`: newer fields win, accuracies add up (a line with a_p alone keeps the last a). */
export function mergeProgress(known: JobProgress | undefined, next: JobProgress): JobProgress {
  return { ...known, ...next, metrics: next.metrics ? { ...known?.metrics, ...next.metrics } : known?.metrics };
}
