/**
 * `asymflow reproduce` presets: how big each part of the paper's diagnosis runs. `smoke` is the CPU check
 * (tiny model, every part, a few minutes on 2 cores); `full` is sized for one H100 hour with the `small`
 * model, every part under 10 minutes so it runs through the device tool one part per call; `test` is the
 * smallest real run (hidden from --help) that the reproduce test drives.
 */
import { modelConfig, patchCount, type ModelSize } from '../model/config.ts';
import type { TaskOptions } from '../tasks/task.ts';
import { FULL_PROVENANCE, SMOKE_PROVENANCE, TEST_PROVENANCE, type SettingChoice } from './provenance.ts';

export type ReproduceTask = 'gc' | 'sudoku';
export const REPRODUCE_TASKS: readonly ReproduceTask[] = ['gc', 'sudoku'];

export interface ReproducePreset {
  readonly name: string;
  readonly model: string; // tiny | small | base
  readonly modelOptions: Readonly<Record<ReproduceTask, Readonly<Record<string, number>>>>;
  readonly taskOptions: Readonly<Record<ReproduceTask, TaskOptions>>;
  readonly maxTokens: Readonly<Record<ReproduceTask, number>>; // rollouts, RL evaluation, self-reward hops: the longest target + a margin
  readonly seed: number;
  readonly sft: {
    readonly steps: number;
    readonly batch: number;
    readonly lr: number;
    readonly warmupSteps: number;
    readonly trainN: number;
    readonly evalN: number; // held-out test samples per evaluation (the same first N of `test` everywhere)
    readonly evalEvery: number; // the Fig. 3 curve's spacing
    readonly checkpointEvery?: number; // default evalEvery; a paper preset's parts checkpoint often so a cut part resumes in the next device call
    readonly evalBatch: number;
    readonly bucket: number; // pad prompt/response columns to multiples of this (also RL's)
  };
  /** Per-task changes to `sft` (e.g. a task that needs more steps to learn its reasoning); read through sftOf. */
  readonly sftByTask?: Readonly<Partial<Record<ReproduceTask, Partial<ReproducePreset['sft']>>>>;
  readonly lambdas: readonly number[]; // fixed-λ settings (Table 1); at least 3 for an interior optimum to exist
  readonly prestageSteps: number; // perception-only steps before NGDiff (Fig. 6)
  readonly rl: {
    readonly steps: number;
    readonly prompts: number;
    readonly group: number;
    readonly lr: number;
    readonly evalN: number;
    readonly rolloutBatch: number;
    readonly temperature: number; // rollouts and the diagnostic's fresh samples; evaluations stay greedy
    readonly alphas: readonly number[]; // must hold 0 (outcome only, finding 4's baseline) and ≥ 3 values
  };
  readonly diagnose: { readonly n: number; readonly batch: number; readonly rewards: readonly string[] };
  readonly embed: { readonly samples: number; readonly steps: number; readonly batch: number };
  readonly surrogateRl: { readonly alpha: number; readonly rewards: readonly string[] }; // `rl.steps` each
  readonly scoreThreads: number; // 0: verify in-process (no worker start-up on a 2-core CI)
  readonly provenance: readonly SettingChoice[]; // what chose each setting above (src/reproduce/provenance.ts)
  /** The paper preset's additions (src/reproduce/paper-preset.ts); absent in the others, whose parts stay as they were. */
  readonly paper?: PaperParts;
}

/**
 * What the paper preset adds: every grid runs one setting a part (`gc/lambda@0.1`, `gc/rl@0.5`, …) so each
 * fits a 10-minute device call, the share dose–response (`share@V`: standard SFT at trace verbosity V) and the
 * RL token-reweighting control (`token-lambda@λ`: outcome-only RL with `--token-lambda λ`).
 */
export interface PaperParts {
  readonly shares: Readonly<Record<ReproduceTask, readonly number[]>>; // verbosity levels besides taskOptions' own
  readonly tokenLambdas: readonly number[];
  readonly surrogateSteps: number; // GRPO steps of each surrogate-reward run (self:4 re-solves four times a rollout)
  readonly h200Scale: number; // H200 seconds per H100-estimated second (the measured ratio, see paper-preset.ts)
  /**
   * The pre-post-training stage (`asymflow pretrain`, docs/pretrain.md) as part `pretrain`: every SFT part
   * then starts from its checkpoint (`sft --init`), and part `scratch` trains standard SFT from the seed's
   * fresh weights beside it. evalN: its own evaluation on `val`.
   */
  readonly pretrain?: {
    readonly captionSteps: number;
    readonly reasoningSteps: number;
    readonly evalN: number;
    readonly samples?: number; // captioning and reasoning samples each (default: pretrain's own 2,000); the tiny presets' few steps need few
  };
}

const SMOKE: ReproducePreset = {
  name: 'smoke',
  model: 'tiny',
  // One layer, 32 wide, small images: a tiny-model step at full size takes ~5 s on a loaded 2-core wasm CPU.
  modelOptions: {
    gc: { inputSize: 32, d: 32, layers: 1, maxText: 320 },
    sudoku: { inputSize: 36, patch: 4, d: 32, layers: 1, maxText: 512 },
  },
  // 3-node graphs and the shortest traces (GC responses ≤50 tokens, Sudoku 197). Too few steps to learn:
  // 20 steps at batch 8 still gave a = a_p = 0 for standard SFT here, and took 2 minutes for GC alone.
  // heldOut 0: the four 3-node graphs leave no room for content-disjoint splits (the run headers report the overlap).
  taskOptions: { gc: { minNodes: 3, maxNodes: 3, verbosity: 0, heldOut: 0 }, sudoku: { verbosity: 0 } },
  maxTokens: { gc: 56, sudoku: 208 },
  seed: 0,
  sft: { steps: 10, batch: 4, lr: 1e-2, warmupSteps: 2, trainN: 32, evalN: 8, evalEvery: 5, evalBatch: 8, bucket: 16 },
  lambdas: [0.2, 0.5, 0.8],
  prestageSteps: 3,
  rl: { steps: 2, prompts: 2, group: 4, lr: 1e-4, evalN: 8, rolloutBatch: 8, temperature: 1, alphas: [0, 0.5, 1] },
  diagnose: { n: 16, batch: 16, rewards: ['self:1', 'self:4', 'embed'] },
  embed: { samples: 16, steps: 4, batch: 4 },
  surrogateRl: { alpha: 0.5, rewards: ['perception', 'self:1', 'self:4', 'embed'] },
  scoreThreads: 0,
  provenance: SMOKE_PROVENANCE,
};

/** The test's preset: the smoke preset on 3-node graphs with fewer steps, samples and tokens (seconds a part). */
const TEST: ReproducePreset = {
  ...SMOKE,
  name: 'test',
  taskOptions: { gc: { minNodes: 3, maxNodes: 3, verbosity: 0, heldOut: 0 }, sudoku: { verbosity: 0 } },
  maxTokens: { gc: 24, sudoku: 24 },
  sft: { steps: 4, batch: 4, lr: 3e-3, warmupSteps: 1, trainN: 8, evalN: 4, evalEvery: 2, evalBatch: 4, bucket: 16 },
  prestageSteps: 2,
  rl: { steps: 1, prompts: 2, group: 2, lr: 1e-4, evalN: 4, rolloutBatch: 4, temperature: 1, alphas: [0, 0.5, 1] },
  diagnose: { n: 8, batch: 8, rewards: ['self:1', 'self:4', 'embed'] },
  embed: { samples: 8, steps: 2, batch: 4 },
  provenance: TEST_PROVENANCE,
};

/**
 * Full: the `small` model on one H100 through webgpu. GC runs 4–6-node graphs with one-step traces (156 tokens,
 * 16.9% perception; `npx tsx bench/gc-trace-tokens.ts`-style count): at the task's 7–9-node default, 100–200
 * `small` steps left a = a_p = 0 on the H100 (docs/gpu-runs.md), and a part that learns nothing
 * can confirm no finding. Sudoku: 8 blanks and one-line traces (196 tokens, 45% perception) with the model's
caption grid (src/model/caption-grid.ts). At 20, 14 and 8 blanks, 600 steps gave a = a_r = 0 without the
answer grid (train L_r 0.29–0.47 a token); with it, 600 steps at 20 / 12 / 8 blanks gave a 0.8 / 0 / 7.0%,
train L_r 0.133 / 0.097 / 0.039 (H100, one call of three side-by-side `asymflow sft` runs, 2026-11-24).
 * Sized from rates measured on the H100 on 2026-11-24 (docs/gpu-runs.md): ≈0.6 s per SFT step of
 * 32 samples at ≈1,100 positions (every objective takes two backward passes, for the gradient-share
 * diagnostics), assumed linear in positions (`trainS` below), and ≈20 ms per decode step of a sampling batch of
 * up to 128 rows. `estimatePartSeconds` is the arithmetic; a test keeps every part under 10 minutes and the
 * whole under an hour.
 */
const FULL: ReproducePreset = {
  name: 'full',
  model: 'small',
  modelOptions: { gc: {}, sudoku: {} },
  taskOptions: { gc: { minNodes: 4, maxNodes: 6, verbosity: 1 }, sudoku: { verbosity: 0, blanks: 8 } },
  maxTokens: { gc: 264, sudoku: 208 },
  seed: 0,
  sft: { steps: 600, batch: 32, lr: 1e-3, warmupSteps: 30, trainN: 6000, evalN: 128, evalEvery: 100, evalBatch: 128, bucket: 64 },
  // Sudoku's reasoning was still learning at 600 steps (8 blanks: train L_r 0.039 a token, falling; the most
  // steps whose three-setting λ part the estimates keep under 10 minutes).
  sftByTask: { sudoku: { steps: 900 } },
  lambdas: [0.2, 0.5, 0.8],
  prestageSteps: 100,
  // Rollouts at T 0.6: the SFT checkpoint's 128 samples at T 1 (gc/diagnose, first run) all scored a = a_p = 0
  // (character-level traces of ~160 tokens garble at T 1 after 600 steps) against a 43% and a_p 88% greedy, and a
  // group whose rewards are all 0 gives GRPO nothing to learn from.
  // lr 2e-5: at 3e-4 one update took the rollouts' a from 39% to 3% (KL 0.34; every α ended at a = 0): a fresh
  // AdamW's first steps move every weight by about lr whatever its gradient, and SFT had ended at 1e-4.
  rl: { steps: 12, prompts: 16, group: 8, lr: 2e-5, evalN: 128, rolloutBatch: 128, temperature: 0.6, alphas: [0, 0.5, 1] },
  diagnose: { n: 128, batch: 128, rewards: ['self:1', 'self:4', 'embed'] },
  embed: { samples: 512, steps: 300, batch: 32 },
  surrogateRl: { alpha: 0.5, rewards: ['perception', 'self:1', 'embed'] },
  scoreThreads: 0, // the device runs a bundle, where Piscina workers cannot load: verify in process
  provenance: FULL_PROVENANCE,
};

/** The SFT sizes of `task` under preset `p`: `sft` with the task's `sftByTask` changes. */
export const sftOf = (p: ReproducePreset, task: ReproduceTask): ReproducePreset['sft'] => ({ ...p.sft, ...p.sftByTask?.[task] });

export const PRESETS: Readonly<Record<string, ReproducePreset>> = { smoke: SMOKE, full: FULL, test: TEST };
export const PUBLIC_PRESETS = ['smoke', 'full'] as const;

/** The measured H100/webgpu rates the full preset is sized from (see FULL). */
export const H100_RATES = { trainStepS: 0.6, trainBatch: 32, trainPositions: 1100, decodeStepS: 0.02, decodeRows: 128, embedStepS: 0.1 } as const;

const decodePasses = (rows: number) => Math.ceil(rows / H100_RATES.decodeRows);
/**
 * A training row's cost per position grows with its length through attention: per layer and position about
 * 12·d² multiply-adds in the linear layers and 4·L·d in attention. Past the rates' 1,100 positions the
 * estimate scales by that ratio (an assumption, not measured; never below 1, so shorter rows keep the rate).
 */
const attentionFactor = (positions: number, d: number) => Math.max(1, (12 * d * d + 4 * positions * d) / (12 * d * d + 4 * H100_RATES.trainPositions * d));
/** `steps` optimizer steps of `batch` rows of `positions` each (image prefix + bucketed prompt + response) of a width-d model. */
const trainS = (steps: number, batch: number, positions: number, d: number) =>
  steps * H100_RATES.trainStepS * (batch / H100_RATES.trainBatch) * (positions / H100_RATES.trainPositions) * attentionFactor(positions, d);
/** One evaluation: end-to-end and counterfactual sampling passes of `maxTokens` decode steps each. */
const evalS = (n: number, maxTokens: number) => 2 * decodePasses(n) * maxTokens * H100_RATES.decodeStepS;
/** One GRPO step: P·G rollouts (plus N re-solves for self:N), then one update over them. */
const rlStepS = (p: ReproducePreset, maxTokens: number, positions: number, d: number, resolves: number) =>
  (1 + resolves) * decodePasses(p.rl.prompts * p.rl.group) * maxTokens * H100_RATES.decodeStepS + trainS(1, p.rl.prompts * p.rl.group, positions, d);
const resolvesOf = (reward: string) => (reward.startsWith('self:') ? Number(reward.slice(5)) : 0);

/**
 * Estimated seconds of each part of one task: on the H100 (the arithmetic behind FULL), or for a paper preset
 * on the H200, the H100 arithmetic times its measured `h200Scale`, one entry per part (`lambda@0.1`, …).
 */
export function estimatePartSeconds(p: ReproducePreset, task: ReproduceTask): Record<string, number> {
  const m = p.maxTokens[task];
  const s = sftOf(p, task);
  const mc = modelConfig(p.model as ModelSize, p.modelOptions[task]);
  // A training row: the model's image prefix, the prompt in one bucket, the response; a paper preset's rows can
  // fill the whole window (its prompts take three buckets), so its estimate takes the window itself.
  const positions = patchCount(mc) + (p.paper ? mc.maxText : s.bucket + m);
  const train = (steps: number, batch = s.batch) => trainS(steps, batch, positions, mc.d);
  const rlRun = (reward: string, steps = p.rl.steps) => steps * rlStepS(p, m, positions, mc.d, resolvesOf(reward)) + 2 * evalS(p.rl.evalN, m);
  const sftRun = train(s.steps) + evalS(s.evalN, m);
  const parts: Record<string, number> = {
    sft: train(s.steps) + (2 + Math.floor((s.steps - 1) / s.evalEvery)) * evalS(s.evalN, m),
    lambda: p.lambdas.length * sftRun,
    ngdiff: sftRun, // every objective's step already takes two backward passes
    prestage: train(p.prestageSteps) + train(s.steps) + (1 + Math.floor((p.prestageSteps + s.steps - 1) / s.evalEvery)) * evalS(s.evalN, m),
    rl: p.rl.alphas.reduce((t) => t + rlRun('perception'), 0),
    diagnose:
      p.embed.steps * H100_RATES.embedStepS +
      p.diagnose.rewards.reduce((t, r) => t + resolvesOf(r), 1) * decodePasses(p.diagnose.n) * m * H100_RATES.decodeStepS,
    // perception at an α of the sweep reuses that run (flows/reproduce-parts.ts)
    'surrogate-rl': p.surrogateRl.rewards.filter((r) => r !== 'perception' || !p.rl.alphas.includes(p.surrogateRl.alpha)).reduce((t, r) => t + rlRun(r), 0),
  };
  if (!p.paper) return parts;
  const x = p.paper;
  const pre = x.pretrain;
  const paper: Record<string, number> = {
    ...(pre ? { pretrain: train(pre.captionSteps + pre.reasoningSteps) + evalS(pre.evalN, m) } : {}),
    sft: parts.sft,
    ...(pre ? { scratch: sftRun } : {}),
    ...Object.fromEntries(p.lambdas.map((l) => [`lambda@${l}`, sftRun])),
    ngdiff: sftRun,
    prestage: parts.prestage,
    ...Object.fromEntries(x.shares[task].map((v) => [`share@${v}`, sftRun])), // the longest traces' cost: shorter ones cost less
    ...Object.fromEntries(p.rl.alphas.map((a) => [`rl@${a}`, rlRun('perception')])),
    ...Object.fromEntries(x.tokenLambdas.map((l) => [`token-lambda@${l}`, rlRun('outcome')])),
    diagnose: parts.diagnose,
    ...Object.fromEntries(p.surrogateRl.rewards.map((r) => [`surrogate-rl@${surrogateLabel(r)}`, rlRun(r, x.surrogateSteps)])),
  };
  return Object.fromEntries(Object.entries(paper).map(([k, v]) => [k, v * x.h200Scale]));
}

/** A surrogate reward's part and directory name: `self:4` → `self4`, `teacher:…` → `teacher`. */
export const surrogateLabel = (reward: string): string => (reward.startsWith('self:') ? `self${reward.slice(5)}` : reward.split(':')[0]);
