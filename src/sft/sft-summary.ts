/**
 * An SFT run's summary.json: the final disentangled figures (a, a_p, a_r, ã_r as proportions with counts and
 * Wilson 95% intervals), the evaluation history, training throughput over the whole run (resumes included),
 * and the sha256 of the final weights (the same hash a resumed run must reproduce).
 */
import type { EvalSummary } from '../eval/eval-summary.ts';
import type { Accuracy } from '../eval/accuracy.ts';
import type { Proportion } from '../eval/stats.ts';
import type { PerPuzzle } from '../eval/per-puzzle.ts';
import type { SftProgress } from './sft-checkpoint.ts';
import type { EvalPoint } from './sft-eval.ts';
import { objectiveName, type SftObjective } from './objective-spec.ts';

export interface SftSummary extends Accuracy {
  readonly run: string;
  readonly task: string;
  readonly objective: string; // its name: standard, lambda:0.2, ngdiff
  readonly model: string;
  readonly steps: number; // optimizer steps done
  readonly totalSteps: number;
  readonly prePerceptionSteps: number;
  readonly stopped?: 'quit'; // ended early at the user's request (no final evaluation)
  readonly eval: Pick<EvalSummary, 'n' | 'mode' | 'sampling' | 'parseFailures' | 'requestFailures'> | null;
  readonly evaluations: readonly EvalPoint[];
  readonly perPuzzle?: PerPuzzle; // the last evaluation's outcomes puzzle by puzzle
  readonly trainTokens: number;
  readonly trainSamples: number;
  readonly tokensPerSec: number; // response tokens per second of update time
  readonly samplesPerSec: number;
  readonly trainSeconds: number;
  readonly wallTimeMs: number; // this process, setup to summary
  readonly droppedSamples: number; // training samples longer than the model's text positions
  readonly weightsSha256: string;
  readonly backend: string;
  readonly device: string;
}

const NONE: Proportion = { value: 0, successes: 0, count: 0, ci95: [0, 1] };

export interface SummaryInput {
  readonly run: string;
  readonly config: { task: string; objective: SftObjective; model: string; prePerceptionSteps: number };
  readonly steps: number;
  readonly totalSteps: number;
  readonly stopped?: 'quit';
  readonly evaluation?: EvalSummary; // the last one
  readonly perPuzzle?: PerPuzzle;
  readonly progress: SftProgress;
  readonly wallTimeMs: number;
  readonly droppedSamples: number;
  readonly weightsSha256: string;
  readonly backend: { name: string; device: string };
}

export function sftSummary(input: SummaryInput): SftSummary {
  const { progress, evaluation: e } = input;
  const seconds = progress.trainMs / 1000;
  return {
    run: input.run,
    task: input.config.task,
    objective: objectiveName(input.config.objective),
    model: input.config.model,
    steps: input.steps,
    totalSteps: input.totalSteps,
    prePerceptionSteps: input.config.prePerceptionSteps,
    ...(input.stopped ? { stopped: input.stopped } : {}),
    a: e?.a ?? NONE,
    ap: e?.ap ?? NONE,
    ar: e?.ar ?? NONE,
    arCond: e?.arCond ?? NONE,
    eval: e ? { n: e.n, mode: e.mode, sampling: e.sampling, parseFailures: e.parseFailures, requestFailures: e.requestFailures } : null,
    evaluations: progress.evaluations,
    ...(input.evaluation && input.perPuzzle ? { perPuzzle: input.perPuzzle } : {}),
    trainTokens: progress.trainTokens,
    trainSamples: progress.trainSamples,
    tokensPerSec: seconds > 0 ? progress.trainTokens / seconds : 0,
    samplesPerSec: seconds > 0 ? progress.trainSamples / seconds : 0,
    trainSeconds: seconds,
    wallTimeMs: input.wallTimeMs,
    droppedSamples: input.droppedSamples,
    weightsSha256: input.weightsSha256,
    backend: input.backend.name,
    device: input.backend.device,
  };
}
