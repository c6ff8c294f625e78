/** `asymflow/tasks`: the puzzle tasks (Graph Coloring, Sudoku), their records and the response grammar. */
export { getTask, isTaskName, TASK_NAMES } from '../src/tasks/registry.ts';
export type { Rendered, Task, TaskName, TaskOptions, Verdict } from '../src/tasks/task.ts';
export type { Group, Metric, ParseFailure, Puzzle, Rollout, Sample, Scored, Span } from '../src/records.ts';
export { ANSWER_CLOSE, ANSWER_OPEN, CAPTION_CLOSE, CAPTION_OPEN, parseResponse, type ParsedResponse, type ResponseParts } from '../src/grammar.ts';
export { decode, encode, tokenCount } from '../src/tokenizer.ts';
export { generatedSamples, type GeneratedSplit } from '../src/data/generated-samples.ts';
export { oracleCaptionPrefix, scoreCounterfactual, scoreResponse, type ResponseScore } from '../src/eval/score.ts';
export { hashString, Rng, type RngState } from '../src/rng.ts';
