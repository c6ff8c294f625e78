/**
 * The non-TTY monitor (CI, pipes, `> file`): plain text lines at a fixed cadence, from the same shared
 * metric stream the dashboard and recorder read. A line goes out when a step is complete (a metric of a
 * later step arrived, or the stream ended) and either `everySteps` steps or `everyMs` ms have passed since
 * the last line; log$ lines pass straight through.
 *
 *   metrics$  -1-1-2-2-3-3-4-4-|
 *   lines$    -----a---------b-(cd|)    everySteps=2: a = "step 2/4 …", b = "step 4/4 …"... d = "done …"
 */
import { EMPTY, Observable } from 'rxjs';
import type { Metric } from '../src/records.ts';
import { MetricNames as N, rewardComponent } from '../src/metric-names.ts';
import { captionDiff } from './dashboard/caption-diff.ts';
import type { LatestSample, RunInfo } from './dashboard/dashboard-store.ts';
import { formatDuration, formatValue } from './format.ts';

export interface PlainLogOptions {
  readonly metrics$: Observable<Metric>;
  readonly samples$?: Observable<LatestSample>;
  readonly log$?: Observable<string>;
  readonly info: RunInfo;
  readonly everySteps?: number; // default: totalSteps/20 (at least 1), or 10 without a total
  readonly everyMs?: number; // default 10,000: a line at least this often while steps complete
  readonly now?: () => number;
}

/** Fixed order for the known names; anything else follows in order of first appearance. */
const ORDER: readonly string[] = [N.loss, N.lossP, N.lossR, N.a, N.ap, N.ar, N.arCond, N.lambda, N.gradShareP, N.gradNormP, N.gradNormR, N.kl];
const THROUGHPUT_LABELS: Readonly<Record<string, string>> = {
  [N.tokensPerSec]: 'tok/s',
  [N.samplesPerSec]: 'samples/s',
  [N.rolloutsPerSec]: 'rollouts/s',
};

/** An ASCII key for a log line: 'eval/ap' → 'ap', 'reward/self/mean' → 'r.self', 'throughput/tokensPerSec' → 'tok/s'. */
export function plainKey(name: string): string {
  const reward = rewardComponent(name);
  if (reward !== undefined) return `r.${reward}`;
  if (THROUGHPUT_LABELS[name]) return THROUGHPUT_LABELS[name];
  if (name.startsWith('eval/') || name.startsWith('train/')) return name.slice(name.indexOf('/') + 1);
  return name;
}

export function plainLogLines$(options: PlainLogOptions): Observable<string> {
  const { info, now = Date.now } = options;
  const total = info.totalSteps;
  const everySteps = Math.max(1, options.everySteps ?? (total ? Math.ceil(total / 20) : 10));
  const everyMs = options.everyMs ?? 10_000;
  if (!Number.isInteger(everySteps)) throw new Error(`plainLog: everySteps must be an integer ≥ 1, got ${everySteps}`);

  return new Observable<string>((subscriber) => {
    const startedAt = now();
    const latest = new Map<string, number>(); // insertion order = first appearance
    let step: number | undefined; // the step being filled
    let lastLoggedStep: number | undefined;
    let lastLineAt = startedAt;
    let sample: LatestSample | undefined;
    let sampleShown = true;

    const line = (s: number) => {
      const names = [...ORDER.filter((n) => latest.has(n)), ...[...latest.keys()].filter((n) => !ORDER.includes(n))];
      const values = names.map((n) => `${plainKey(n)}=${formatValue(latest.get(n))}`);
      const elapsed = now() - startedAt;
      const eta = total && s > 0 ? (elapsed / s) * (total - s) : undefined;
      const head = total === undefined ? `step ${s}` : `step ${s}/${total}`;
      subscriber.next(`${head} ${values.join(' ')} elapsed=${formatDuration(elapsed)}${eta === undefined ? '' : ` eta=${formatDuration(eta)}`}`);
      if (sample && !sampleShown) (subscriber.next(`  ${describeSample(sample)}`), (sampleShown = true));
      lastLoggedStep = s;
      lastLineAt = now();
    };
    const close = (s: number, final: boolean) => {
      const due = lastLoggedStep === undefined ? s >= everySteps : s - lastLoggedStep >= everySteps;
      if (final ? lastLoggedStep !== s : due || now() - lastLineAt >= everyMs) line(s);
    };

    const side = (options.log$ ?? EMPTY).subscribe({ next: (text) => subscriber.next(text) });
    const samples = (options.samples$ ?? EMPTY).subscribe({ next: (s) => ((sample = s), (sampleShown = false)) });
    const metrics = options.metrics$.subscribe({
      next: (m) => {
        if (step !== undefined && m.step > step) close(step, false);
        if (step === undefined || m.step > step) step = m.step;
        latest.set(m.name, m.value);
      },
      error: (error: unknown) => {
        if (step !== undefined) close(step, true);
        subscriber.next(`failed after ${formatDuration(now() - startedAt)}: ${error instanceof Error ? error.message : String(error)}`);
        subscriber.complete();
      },
      complete: () => {
        if (step !== undefined) close(step, true);
        subscriber.next(`done: ${step ?? 0}${total === undefined ? '' : `/${total}`} steps in ${formatDuration(now() - startedAt)}`);
        subscriber.complete();
      },
    });
    return () => {
      metrics.unsubscribe();
      samples.unsubscribe();
      side.unsubscribe();
    };
  });
}

function describeSample(sample: LatestSample): string {
  const diff = captionDiff(sample.caption, sample.pStar);
  const id = sample.sampleId ? `sample ${sample.sampleId}: ` : 'sample: ';
  const caption = diff.equal
    ? 'caption=p*'
    : diff.mode === 'edges'
      ? `caption!=p* (missing ${diff.missing.join(',') || '-'}; extra ${diff.extra.join(',') || '-'})`
      : diff.mode === 'grid'
        ? `caption!=p* (${diff.missing.length} wrong cells)`
        : 'caption!=p*';
  const verdict = sample.verdict.correct ? 'answer correct' : `answer wrong (${sample.verdict.reason})`;
  return `${id}${caption}, ${verdict}`;
}
