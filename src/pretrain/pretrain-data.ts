/**
 * The pretraining stage's rows (docs/pretrain.md), in the SftData shape the SFT machinery trains on:
 *
 *   caption rows    renders of another distribution (caption-distribution.ts), target <caption>p*</caption>:
 *                   the emulated vision encoder's training, image → text
 *   reasoning rows  the task's own puzzles without their image — blank pixels, p* given in the prompt as the
 *                   forced caption prefix (src/model/no-image.ts) — target the solver's reasoning and answer:
 *                   the emulated language model's training on long chains of thought from a given perception
 *
 * Each kind draws from its own stream (`<task>/pretrain_caption`, `<task>/pretrain_reasoning`: puzzle i a
 * function of seed and i alone), redrawing any puzzle whose content key under the run's task options is
 * held out — the first `heldOut` of test, val and the task's other test views — or among the run's
 * evaluation samples. The overlap is then measured, not assumed, and a non-zero one refuses the run (unless
 * heldOut=0 asked for splits not kept disjoint: then it is only reported).
 */
import { collect, splitSamples } from '../data/training-samples.ts';
import { heldOutKeys, heldOutSize, MAX_REDRAWS, puzzleId, puzzleRng } from '../data/held-out.ts';
import { sampleOf } from '../data/split-sample.ts';
import { keysOf, overlapLine, overlapOf, trainingAudit, type Overlap } from '../data/split-audit.ts';
import { yieldIfDue } from '../event-loop.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Sample } from '../records.ts';
import type { SftData } from '../sft/sft-data.ts';
import { trainRows } from '../sft/train-rows.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { captionDistribution, describeShift } from './caption-distribution.ts';
import type { PretrainConfig } from './pretrain-config.ts';

export const CAPTION_STREAM = 'pretrain_caption';
export const REASONING_STREAM = 'pretrain_reasoning';

export interface StreamRequest {
  readonly task: Task;
  readonly stream: string;
  readonly n: number;
  readonly seed: number;
  readonly options: TaskOptions; // what the puzzles are generated and rendered with
  readonly keyOptions: TaskOptions; // what their content keys are taken under: the run's
  readonly avoid: ReadonlySet<string>;
}

/** The first `n` puzzles of a pretraining stream, rendered, none of them with an avoided key. */
export async function streamSamples(r: StreamRequest): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < r.n; i++) {
    const rng = puzzleRng(r.seed, r.task.name, r.stream, i);
    const id = puzzleId(r.task.name, r.stream, i);
    let puzzle = r.task.generate(rng, id, rng.seed, r.options);
    for (let redraws = 1; r.avoid.has(r.task.key(puzzle, r.keyOptions)); redraws++) {
      if (redraws >= MAX_REDRAWS) throw new Error(`pretrain: ${r.stream} puzzle ${i} drew ${MAX_REDRAWS} held-out puzzles in a row; draw from a larger space`);
      puzzle = r.task.generate(rng, id, rng.seed, r.options);
    }
    out.push(await sampleOf(r.task, puzzle, false, r.options));
    await yieldIfDue();
  }
  return out;
}

/** The keys no pretraining puzzle may have: every held-out split's first `heldOut`, and the evaluation samples'. */
function avoidedKeys(task: Task, seed: number, options: TaskOptions, evaluation: readonly Sample[]): Set<string> {
  const keys = new Set(
    keysOf(
      task,
      evaluation.map((s) => s.puzzle),
      options,
    ),
  );
  if (heldOutSize(options) > 0) for (const split of heldOutKeys(task, seed, options).bySplit.values()) for (const k of split) keys.add(k);
  return keys;
}

/** Overlap of `samples` (keys under the run's options) with the evaluation samples and every held-out split. */
export function pretrainAudit(
  task: Task,
  label: string,
  samples: readonly Sample[],
  evaluation: readonly Sample[],
  seed: number,
  options: TaskOptions,
  evalLabel: string,
): Overlap[] {
  const keys = keysOf(
    task,
    samples.map((s) => s.puzzle),
    options,
  );
  const evalKeys = new Set(
    keysOf(
      task,
      evaluation.map((s) => s.puzzle),
      options,
    ),
  );
  return [{ left: label, right: evalLabel, checked: keys.length, overlap: overlapOf(keys, evalKeys) }, ...trainingAudit(task, label, keys, seed, options)];
}

export async function loadPretrainData(
  config: PretrainConfig,
  task: Task,
  mc: ModelConfig,
  taskOptions: TaskOptions,
  log: (line: string) => void,
): Promise<SftData> {
  const options = { ...taskOptions, inputSize: mc.inputSize }; // render at the model's input size
  const captionOptions = { ...captionDistribution(task, options), ...config.captionOptions, inputSize: mc.inputSize };
  const evaluation = await collect(splitSamples({ task, split: config.evalSplit, n: config.evalN, seed: config.seed, options }));
  const avoid = avoidedKeys(task, config.seed, options, evaluation);
  const draw = (stream: string, n: number, drawn: TaskOptions) =>
    streamSamples({ task, stream, n, seed: config.seed, options: drawn, keyOptions: options, avoid });
  const captions = await draw(CAPTION_STREAM, config.captionN, captionOptions);
  const reasoning = await draw(REASONING_STREAM, config.reasoningN, options);
  const evalLabel = `${config.evalSplit}[0,${evaluation.length})`;
  const overlap = [
    ...pretrainAudit(task, `captions (${captions.length})`, captions, evaluation, config.seed, options, evalLabel),
    ...pretrainAudit(task, `reasoning (${reasoning.length})`, reasoning, evaluation, config.seed, options, evalLabel),
  ];
  log(`pretrain: ${overlapLine(overlap)}`);
  const leaked = overlap.filter((o) => o.overlap > 0);
  // heldOut=0 asks for splits not kept disjoint (tiny puzzle spaces): the overlap is reported, as sft does
  if (leaked.length > 0 && heldOutSize(options) > 0)
    throw new Error(`pretrain: training puzzles overlap held-out ones (${leaked.map((o) => `${o.left} × ${o.right}: ${o.overlap}`).join(', ')})`);
  log(`pretrain: caption renders differ from the task's in ${describeShift(options, captionOptions, task.defaults)}`);
  const captionRows = trainRows(task, captions, mc, captionOptions, 'perception');
  const reasoningRows = trainRows(task, reasoning, mc, options, 'full', { share: 1, seed: config.seed }); // every row without its image
  for (const [what, rows] of [
    ['caption', captionRows],
    ['reasoning', reasoningRows],
  ] as const) {
    if (rows.dropped > 0) log(`pretrain: dropped ${rows.dropped} ${what} samples longer than model.maxText ${mc.maxText}`);
    if (rows.rows.length === 0)
      throw new Error(`pretrain: no ${what} sample fits model.maxText ${mc.maxText}; use a smaller trace (--task-option verbosity=1) or a larger model`);
  }
  log(
    `pretrain: ${captionRows.rows.length} caption rows, ${reasoningRows.rows.length} reasoning rows (${config.schedule}), ${evaluation.length} held-out ${config.evalSplit} samples`,
  );
  const sequence = config.schedule === 'sequence';
  return {
    perception: sequence ? captionRows.rows : [],
    main: sequence ? reasoningRows.rows : [...captionRows.rows, ...reasoningRows.rows],
    dropped: captionRows.dropped + reasoningRows.dropped,
    evalSamples: evaluation,
    // the evaluation answers with caption, reasoning and answer: the longest reasoning target plus its caption
    evalMaxTokens: config.evalMaxTokens || Math.min(reasoningRows.longestTarget + captionRows.longestTarget + 8, mc.maxText),
  };
}
