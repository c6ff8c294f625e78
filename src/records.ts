/**
 * The readonly records that flow through every stream (docs/architecture.md §2). Typed arrays carry tokens, pixels and
 * log-probs so they can be transferred to workers and recorded without conversion.
 */

/** The tasks there are (src/tasks/registry.ts maps each to its implementation). */
export type TaskName = 'gc' | 'sudoku';

/** A generated puzzle with its oracle perception and solution data; no pixels. */
export interface Puzzle {
  readonly id: string; // `${task}-${split}-${index}`
  readonly task: TaskName;
  readonly seed: number; // the seed this puzzle was generated from (reproduces it alone)
  readonly difficulty: string; // task-specific knob, e.g. 'n=8' or 'blanks=20'
  readonly pStar: string; // oracle perception, canonical text (docs/architecture.md §3)
  readonly solution: string; // one correct answer in the task's answer format
  readonly meta: Readonly<Record<string, number | string>>; // task data the verifier/renderer need (e.g. nodes, chromatic)
}

/** A puzzle with its rendered image, model input and prompt; `response` is the SFT target. */
export interface Sample {
  readonly puzzle: Puzzle;
  readonly png?: Uint8Array; // dataset image (448×448 for GC); absent when a stream drops pixel data
  readonly pixels?: Float32Array; // model input, greyscale in [0,1], row-major (height × width)
  readonly width: number; // model-input width
  readonly height: number; // model-input height
  readonly query: string;
  readonly response?: string;
}

/** Half-open token index range [start, end) within a generated response. */
export type Span = readonly [number, number];

/** One sampled response to a sample's prompt. */
export interface Rollout {
  readonly sampleId: string;
  readonly group: number; // index within the G rollouts of one prompt
  readonly tokens: Int32Array; // generated token ids (no prompt)
  readonly logprobs: Float32Array; // per-token log-probs under the sampling (old) policy
  readonly refLogprobs?: Float32Array; // per-token log-probs under the frozen reference policy
  readonly text: string; // decoded response, including any forced prefix
  readonly perceptionSpan: Span; // tokens of the caption content
  readonly reasoningSpan: Span; // tokens after </caption>
  readonly failed?: string; // a request that failed after retries (OpenAI policies): reason
}

/**
 * A task's caption-grid layout for given task options (src/model/caption-grid.ts turns it into model options):
 * its query is fixed, so the response starts at text position `start` and its first token (<caption>) predicts
 * cell (0, 0); `stride` tokens a grid row of `side` cells; `answerStart`, when the answer's position is fixed
 * too, is the text position of the token that predicts the answer's cell (0, 0).
 */
export interface CaptionGrid {
  readonly start: number;
  readonly side: number;
  readonly stride: number;
  readonly answerStart?: number;
}

export type ParseFailure = 'no-caption' | 'unclosed-caption' | 'no-answer' | 'unclosed-answer' | 'order' | 'empty';

/** A rollout with its verdicts and rewards. */
export interface Scored extends Rollout {
  readonly a: number; // Acc(r | p*) ∈ {0,1}
  readonly ap: number; // 1(p = p*) ∈ {0,1}
  readonly arCond: number; // Acc(r | p) with the model's own p ∈ {0,1}
  readonly parseFailure?: ParseFailure;
  readonly rewards: Readonly<Record<string, number>>; // each named reward component
  readonly reward: number; // the final reward used for the advantage
}

/** The G scored rollouts of one prompt with their advantages. */
export interface Group {
  readonly sampleId: string;
  readonly scored: readonly Scored[];
  readonly advantages: Float32Array; // one per rollout
}

/** One measured value; the dashboard, the log and the recorder all subscribe to the same stream. */
export interface Metric {
  readonly run: string;
  readonly step: number;
  readonly name: string;
  readonly value: number;
  readonly time: number; // ms since epoch
}
