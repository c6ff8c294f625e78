/**
 * `asymflow reproduce --preset paper`: the paper's regime (issue 16) — perception ≤ 5% of every SFT target,
 * paper-size tasks, the paper's grids, ≥ 500 test puzzles, three seeds — cut into parts that each fit a
 * 10-minute call on one H200; and `paper-test`, the same parts at tiny sizes for the CPU test (hidden).
 *
 * Traces (measured by `npx tsx bench/perception-share.ts`, docs/reproduce.md): GC at the task's 7–9 nodes
 * drawn with `layout=spring` (reading the graph is real work: no fixed slots) at verbosity 4 — the search
 * with the colouring so far restated after every assignment and every node checked at the end — 1,569 tokens
 * on average, 4.0% perception (the paper: 2.2%); Sudoku at 45 blanks (36 givens) at verbosity 3 — candidates
 * up front, eliminations, a final check — 2,161 tokens, 4.1% perception (the paper: 2.5%). Sudoku at 55
 * blanks reaches 2.8% but averages 3,338 tokens with a tail to 11,032: no window a 10-minute part can train.
 *
 * Model: `small` with 2,560 text positions (maxText; the position table is the only change) — not `base`:
 * a 2,560-position `base` step costs ~4× a `small` one and no SFT part of useful length would fit 10 minutes
 * with a 512-puzzle evaluation of ~2,400-token responses. 2,560 holds a prompt (152 GC / 175 Sudoku tokens)
 * and all but the longest targets (the bench's "over" column: those are dropped and counted, never cut);
 * with the 81 image patches that is 2,641 cache slots, past the webgpu decoder's 2,048: it takes its
 * 4,096-slot kernel (src/webgpu/decode-attention.ts).
 *
 * Sizes: estimatePartSeconds (presets.ts) on the H100 rates with an attention term past 1,100 positions,
 * times `h200Scale` 0.35 — the larger ratio of H200 wall time to that arithmetic on the two full-preset parts
 * re-run on an H200 (gc/sft 62 s against 208 s estimated, gc/ngdiff 49 s against 144 s; issue 16; and
 * docs/queue.md: 107.3 s for both, 0.30). A test keeps every part ≤ 600 s. Starting point: standard SFT from
 * scratch (`small` at 7–9 nodes from scratch learned nothing in 100–200 steps on the H100, docs/gpu-runs.md);
 * the pre-post-training stage (issue 16 item 3, `asymflow pretrain`, docs/pretrain.md) is part `pretrain`, the
 * SFT parts' `--init`; part `scratch` is standard SFT from fresh weights beside it.
 */
import { PAPER_PROVENANCE, PAPER_TEST_PROVENANCE } from './paper-provenance.ts';
import { PRESETS, type ReproducePreset } from './presets.ts';

/** Text positions of the paper preset's model (see the file comment). */
export const PAPER_MAX_TEXT = 2560;

/** The paper's perception token shares of its SFT targets (Wu et al., 2026), beside ours in the bench. */
export const PAPER_SHARES = { gc: 0.022, sudoku: 0.025 } as const;

const PAPER: ReproducePreset = {
  name: 'paper',
  model: 'small',
  // gridStart 0: no Sudoku caption grid — the full preset chose it on test puzzles, and this preset chooses nothing there
  modelOptions: { gc: { maxText: PAPER_MAX_TEXT }, sudoku: { maxText: PAPER_MAX_TEXT, gridStart: 0 } },
  taskOptions: { gc: { layout: 'spring', verbosity: 4 }, sudoku: { blanks: 45, verbosity: 3 } },
  // every target the window holds: maxText − the prompt
  maxTokens: { gc: PAPER_MAX_TEXT - 152, sudoku: PAPER_MAX_TEXT - 175 },
  seed: 0,
  // 280 steps of 32: what a part holds beside two 512-puzzle evaluations (the initial model's and the final one)
  // a checkpoint every 40 steps (≈ 1 H200 minute): a part stopped at a device call's deadline continues from it in the next call
  sft: { steps: 280, batch: 32, lr: 1e-3, warmupSteps: 30, trainN: 8960, evalN: 512, evalEvery: 280, checkpointEvery: 40, evalBatch: 128, bucket: 64 },
  lambdas: [0.1, 0.2, 0.5, 0.8, 0.9],
  prestageSteps: 40,
  rl: { steps: 14, prompts: 16, group: 8, lr: 1e-5, evalN: 512, rolloutBatch: 128, temperature: 1, alphas: [0, 0.2, 0.5, 0.8, 1] },
  // 896 rollouts a seed: 2,688 over the three seeds, which the report pools (finding 5 needs ≥ 2,500)
  diagnose: { n: 896, batch: 128, rewards: ['self:1', 'embed', 'teacher:prestage'] },
  embed: { samples: 2048, steps: 300, batch: 32 },
  surrogateRl: { alpha: 0.5, rewards: ['perception', 'self:1', 'self:4', 'embed', 'teacher:prestage'] },
  scoreThreads: 0,
  provenance: PAPER_PROVENANCE,
  paper: {
    // GC: 53.1 / 27.6 / 9.7% at verbosity 0 / 1 / 2 beside the preset's 4.0%; Sudoku at 45 blanks: 45.2 / 17.4 / 10.5% beside 4.1%
    shares: { gc: [0, 1, 2], sudoku: [0, 1, 2] },
    tokenLambdas: [0.1, 0.2, 0.5],
    surrogateSteps: 3, // self:4 re-solves each rollout four times: 3 steps is what fits a part
    h200Scale: 0.35,
    // the stage before post-training: captioning renders of another distribution, then reasoning from a given caption (mixed)
    pretrain: { captionSteps: 250, reasoningSteps: 300, evalN: 128 },
  },
};

/** The paper preset's parts at the test preset's tiny sizes (seconds a part on the CPU); GC's grids shortened. */
const PAPER_TEST: ReproducePreset = {
  ...PRESETS.test,
  name: 'paper-test',
  taskOptions: { gc: { minNodes: 3, maxNodes: 3, verbosity: 0, heldOut: 0 }, sudoku: { verbosity: 0 } },
  lambdas: [0.2, 0.8],
  rl: { ...PRESETS.test.rl, alphas: [0, 1] },
  diagnose: { ...PRESETS.test.diagnose, rewards: ['self:1', 'teacher:prestage'] },
  surrogateRl: { alpha: 1, rewards: ['perception', 'teacher:prestage'] },
  provenance: PAPER_TEST_PROVENANCE,
  paper: {
    shares: { gc: [1], sudoku: [1] },
    tokenLambdas: [0.5],
    surrogateSteps: 1,
    h200Scale: 0.35,
    pretrain: { captionSteps: 1, reasoningSteps: 1, evalN: 4, samples: 16 },
  },
};

/**
 * The paper preset's window and traces at the test preset's width and steps (hidden): GC at 7–9 nodes, spring
 * layout, verbosity 4 (targets of ~1,560 tokens, a few past 2,048 positions) on a one-layer 16-wide model with
 * the paper's 2,560 text positions and its 2,408-token sampling limit, so every evaluation's KV cache holds
 * more than 2,048 slots and the webgpu decoder takes its 4,096-slot kernel. test/lavapipe runs its parts on
 * `--backend webgpu` (Mesa's lavapipe): the paper preset's GPU path end to end, minus the width.
 */
const PAPER_WINDOW: ReproducePreset = {
  ...PAPER_TEST,
  name: 'paper-window',
  modelOptions: {
    gc: { d: 16, heads: 2, layers: 1, inputSize: 32, maxText: PAPER_MAX_TEXT },
    sudoku: { d: 16, heads: 2, layers: 1, inputSize: 36, patch: 4, maxText: PAPER_MAX_TEXT, gridStart: 0 },
  },
  taskOptions: PAPER.taskOptions,
  maxTokens: PAPER.maxTokens,
  sft: { ...PAPER_TEST.sft, steps: 2, batch: 2, trainN: 4, evalN: 2, evalEvery: 2, evalBatch: 2, bucket: 64 },
};

export const PAPER_PRESETS: Readonly<Record<string, ReproducePreset>> = { paper: PAPER, 'paper-test': PAPER_TEST, 'paper-window': PAPER_WINDOW };
