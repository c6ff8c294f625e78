/**
 * Flow: disentangled evaluation of one policy on one task (docs/architecture.md §6) — `asymflow eval`.
 *
 *   samples ─ bufferCount(batch) ─ generateWith(policy, e2e|counterfactual) ─ scoreEval(task)
 *           ─ record DIR/scored.msgpack (+ --record FILE) ─ DIR/records.jsonl ─ tally ─ DIR/summary.json
 *
 * End-to-end completions give a, a_p and ã_r; counterfactual ones (oracle caption forced, re-attached before
 * parsing) give a_r. Requests that fail after retries are recorded with their reason and counted, never
 * dropped; the summary and the metric stream (eval/a, eval/ap, eval/arCond, eval/ar) come from one tally.
 */
import fs from 'node:fs';
import { bufferCount, from, lastValueFrom, tap, type Observable } from 'rxjs';
import { generateWith } from '../operators/generate-with.ts';
import { record } from '../operators/record.ts';
import { scoreEval } from '../operators/score-eval.ts';
import type { EvalModes, EvalRecord } from '../src/eval/eval-record.ts';
import { EvalTally, type EvalSampling, type EvalSummary } from '../src/eval/eval-summary.ts';
import { evalMetrics } from '../src/eval/eval-metrics.ts';
import type { Policy } from '../src/policy/policy.ts';
import type { Sample } from '../src/records.ts';
import type { Task } from '../src/tasks/task.ts';
import { checkRecordPath } from '../src/io/output-path.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';
import { openRun } from './run-context.ts';

export interface EvaluateRunOptions {
  readonly policy: Policy;
  readonly task: Task;
  readonly samples: Observable<Sample> | AsyncIterable<Sample> | Iterable<Sample>;
  readonly mode: EvalModes;
  readonly sampling: EvalSampling;
  readonly batchSize: number; // samples per policy call
  readonly concurrency: number; // policy calls in flight
  readonly out: string; // run directory
  readonly record?: string; // an extra recording of the scored records
  readonly overwrite?: boolean; // replace an existing eval run in `out` and an existing --record FILE
  readonly config: unknown; // the resolved command config, saved with the run
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the summary's lines; default: the log given, else stdout
  /** Called after each scored record with the count so far; given, it replaces the per-batch log line. */
  readonly onProgress?: (records: number) => void;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One line per figure for the plain log. */
export function formatSummary(s: EvalSummary): string[] {
  const line = (name: string, p: EvalSummary['a']) =>
    `${name.padEnd(7)} ${pct(p.value).padStart(6)}  (${p.successes}/${p.count}, 95% CI ${pct(p.ci95[0])}–${pct(p.ci95[1])})`;
  const lines = [`eval ${s.task} · ${s.policy} · mode ${s.mode} · ${s.n} samples · ${(s.wallTimeMs / 1000).toFixed(1)} s`];
  if (s.mode !== 'counterfactual') lines.push(line('a', s.a), line('a_p', s.ap), line('ã_r', s.arCond));
  if (s.mode !== 'e2e') lines.push(line('a_r', s.ar));
  lines.push(`parse failures ${s.parseFailures.total}, request failures ${s.requestFailures.total}`);
  for (const [reason, count] of Object.entries(s.requestFailures.reasons)) lines.push(`  ${count}× ${reason}`);
  return lines;
}

export async function runEvaluate(options: EvaluateRunOptions): Promise<EvalSummary> {
  const { policy, task, sampling } = options;
  const { log, result } = outputLines(options);
  const started = Date.now();
  const run = openRun({ out: options.out, config: options.config, verb: 'eval', overwrite: options.overwrite });
  try {
    if (options.record) checkRecordPath(options.record, run.dir, 'eval', options.overwrite ?? false);
  } catch (error) {
    run.close();
    throw error;
  }
  const jsonl = run.file('records.jsonl');
  fs.writeFileSync(jsonl, '');
  const tally = new EvalTally();
  const meta = () => ({ task: task.name, policy: policy.name, mode: options.mode, sampling, wallTimeMs: Date.now() - started });
  const emitFigures = (step: number) => run.emitMany(step, evalMetrics(tally.summary(meta())));
  let samplesRead = 0;
  let records = 0;
  const perBatch = options.batchSize * sampling.n * (options.mode === 'both' ? 2 : 1);

  const records$ = from(options.samples as Observable<Sample>).pipe(
    tap(() => samplesRead++),
    bufferCount(options.batchSize),
    generateWith(policy, { modes: options.mode, sampling, concurrency: options.concurrency }),
    scoreEval(task),
    run.record<EvalRecord>('scored'),
    options.record ? record<EvalRecord>(options.record, { kind: 'scored', config: options.config }, { atomic: true }) : (source) => source,
    tap((r) => {
      fs.appendFileSync(jsonl, `${JSON.stringify(r)}\n`);
      tally.add(r);
      options.onProgress?.(++records);
      if (records % perBatch === 0) {
        emitFigures(records);
        if (!options.onProgress) log(`eval: ${records} records scored, ${samplesRead} samples read`);
      }
    }),
  );
  try {
    await lastValueFrom(records$, { defaultValue: undefined });
    const summary = tally.summary(meta());
    emitFigures(summary.records);
    run.writeSummary(summary);
    for (const line of formatSummary(summary)) result(line);
    return summary;
  } finally {
    run.close(); // the policy is the caller's to close
  }
}

/**
 * An evaluation in which every request failed measured nothing: the error (exit code 1) says how many and
 * why, instead of a headline of 0/0. Some failures are counted and reported, not fatal.
 */
export function throwIfAllFailed(s: EvalSummary, out: string): void {
  const failed = s.requestFailures.total;
  if (failed === 0 || failed < s.records) return;
  const reasons = Object.entries(s.requestFailures.reasons)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([r, n]) => `${n}× ${r.slice(0, 200)}`);
  throw new Error(`eval: all ${failed} requests failed (${reasons.join('; ')}); nothing was measured (records in ${out})`);
}
