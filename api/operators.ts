/** `asymflow/operators`: the RxJS operators flows are built from (sources, rendering, generation, scoring, recording). */
export { puzzleSource, type PuzzleSourceOptions } from '../operators/puzzle-source.ts';
export { render, type RenderOptions } from '../operators/render.ts';
export { generateWith, type GenerateWithOptions } from '../operators/generate-with.ts';
export { scoreEval } from '../operators/score-eval.ts';
export { batchSamples, type BatchSamplesOptions } from '../operators/batch-samples.ts';
export { orderedMap, type OrderedMapOptions } from '../operators/ordered-map.ts';
export { record } from '../operators/record.ts';
export { replay, type ReplayOptions } from '../operators/replay.ts';
export { pace, timeOf } from '../operators/pace.ts';
export { rollout } from '../operators/rollout.ts';
export { scoreRollouts } from '../operators/score-rollouts.ts';
export { rescoreRollouts, type RescoreOptions } from '../operators/rescore-rollouts.ts';
export { groupAdvantages } from '../operators/group-advantages.ts';
export { grpoUpdate } from '../operators/grpo-update.ts';
export { sftUpdate, type SftUpdateOptions } from '../operators/sft-update.ts';
export { stepTicks, type StepTicks } from '../operators/step-ticks.ts';
