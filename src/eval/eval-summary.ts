/**
 * The summary of an evaluation (`summary.json`, docs/architecture.md §6): a, a_p, ã_r (end-to-end) and a_r
 * (counterfactual) as proportions with Wilson 95% intervals, parse failures by kind and request failures by
 * reason. Request failures are excluded from the proportions' counts (they say nothing about the model) and
 * reported beside them; parse failures are the model's and score 0.
 */
import type { ParseFailure } from '../records.ts';
import type { Accuracy } from './accuracy.ts';
import { proportion } from './stats.ts';
import type { EvalMode, EvalModes, EvalRecord } from './eval-record.ts';

export interface EvalSampling {
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly seed: number;
  readonly n: number; // completions per sample and mode
}

export interface EvalSummary extends Accuracy {
  readonly task: string;
  readonly policy: string;
  readonly mode: EvalModes;
  readonly n: number; // samples
  readonly sampling: EvalSampling;
  readonly parseFailures: { readonly total: number } & Readonly<Record<EvalMode, Partial<Record<ParseFailure, number>>>>;
  readonly requestFailures: { readonly total: number; readonly reasons: Readonly<Record<string, number>> } & Readonly<Record<EvalMode, number>>;
  readonly records: number; // completions recorded, failed ones included
  readonly wallTimeMs: number;
}

/** Counts records as they arrive; `summary` can be taken at any time (for live metrics) and at the end. */
export class EvalTally {
  private readonly hits = { a: 0, ap: 0, arCond: 0, ar: 0 };
  private readonly scored: Record<EvalMode, number> = { e2e: 0, counterfactual: 0 };
  private readonly parse: Record<EvalMode, Partial<Record<ParseFailure, number>>> = { e2e: {}, counterfactual: {} };
  private readonly failedBy: Record<EvalMode, number> = { e2e: 0, counterfactual: 0 };
  private readonly reasons: Record<string, number> = {};
  private readonly samples = new Set<string>();
  private count = 0;

  add(record: EvalRecord): this {
    this.count++;
    this.samples.add(record.sampleId);
    if (record.failed !== undefined) {
      this.failedBy[record.mode]++;
      this.reasons[record.failed] = (this.reasons[record.failed] ?? 0) + 1;
      return this;
    }
    this.scored[record.mode]++;
    if (record.parseFailure) {
      const kinds = this.parse[record.mode];
      kinds[record.parseFailure] = (kinds[record.parseFailure] ?? 0) + 1;
    }
    if (record.mode === 'e2e') {
      this.hits.a += record.a ?? 0;
      this.hits.ap += record.ap ?? 0;
      this.hits.arCond += record.arCond ?? 0;
    } else this.hits.ar += record.ar ?? 0;
    return this;
  }

  summary(meta: { task: string; policy: string; mode: EvalModes; sampling: EvalSampling; wallTimeMs: number }): EvalSummary {
    const sum = (kinds: Partial<Record<ParseFailure, number>>) => Object.values(kinds).reduce((s, v) => s + (v ?? 0), 0);
    return {
      task: meta.task,
      policy: meta.policy,
      mode: meta.mode,
      n: this.samples.size,
      sampling: meta.sampling,
      a: proportion(this.hits.a, this.scored.e2e),
      ap: proportion(this.hits.ap, this.scored.e2e),
      arCond: proportion(this.hits.arCond, this.scored.e2e),
      ar: proportion(this.hits.ar, this.scored.counterfactual),
      parseFailures: {
        total: sum(this.parse.e2e) + sum(this.parse.counterfactual),
        e2e: { ...this.parse.e2e },
        counterfactual: { ...this.parse.counterfactual },
      },
      requestFailures: { total: this.failedBy.e2e + this.failedBy.counterfactual, ...this.failedBy, reasons: { ...this.reasons } },
      records: this.count,
      wallTimeMs: meta.wallTimeMs,
    };
  }
}
