/**
 * Model sizes by name (docs/architecture.md §4). `tiny` trains in CPU tests in seconds, `small` (≈3.4M parameters) has the
 * shape of ../shared/bench/torch_reference.py's defaults, `base` (≈20M) is for the GPU. Every size is a plain
 * typed object validated once, so a checkpoint's saved config rebuilds the same model.
 */
import { checks, ConfigError, resolveConfig, type Checks } from '../config.ts';
import { VOCAB_SIZE } from '../tokenizer.ts';

export interface ModelConfig {
  readonly d: number; // model width
  readonly layers: number; // transformer blocks
  readonly heads: number; // attention heads (d % heads === 0)
  readonly ffnMult: number; // MLP hidden width = ffnMult · d
  readonly inputSize: number; // model-input image side in pixels (greyscale, inputSize² values)
  readonly patch: number; // patch side in pixels (inputSize % patch === 0)
  readonly maxText: number; // text positions (prompt + response tokens)
  readonly vocab: number; // tokenizer vocabulary
  readonly dropout: number; // always 0: not implemented, kept so configs say so explicitly
  readonly tiedHead: boolean; // output head = token embedding transposed
  readonly initStd: number; // std of the normal init of weight matrices
  // Caption grid (0 = off; caption-grid.ts): the text token at gridStart + r·gridStride + c also receives
  // patch (r, c)'s and cell (r, c)'s embeddings; the one at gridAnswerStart + r·gridStride + c (0 = none) the cell's.
  readonly gridStart: number;
  readonly gridStride: number;
  readonly gridAnswerStart: number;
}

export type ModelSize = 'tiny' | 'small' | 'base';
export const MODEL_SIZES: readonly ModelSize[] = ['tiny', 'small', 'base'];

const common = { vocab: VOCAB_SIZE, dropout: 0, tiedHead: true, initStd: 0.02, ffnMult: 4, gridStart: 0, gridStride: 0, gridAnswerStart: 0 } as const;

const SIZES: Record<ModelSize, ModelConfig> = {
  tiny: { ...common, d: 64, layers: 2, heads: 2, inputSize: 72, patch: 8, maxText: 512 },
  small: { ...common, d: 256, layers: 4, heads: 4, inputSize: 144, patch: 16, maxText: 1024 },
  base: { ...common, d: 512, layers: 6, heads: 8, inputSize: 144, patch: 16, maxText: 1024 },
};

const rules: Checks<ModelConfig> = {
  d: checks.positiveInt,
  layers: checks.positiveInt,
  heads: checks.positiveInt,
  ffnMult: checks.positiveInt,
  inputSize: checks.positiveInt,
  patch: checks.positiveInt,
  maxText: checks.positiveInt,
  vocab: (v) => (Number.isInteger(v) && (v as number) >= VOCAB_SIZE ? undefined : `must be an integer >= ${VOCAB_SIZE} (the tokenizer's vocabulary)`),
  dropout: (v) => (v === 0 ? undefined : 'must be 0 (dropout is not implemented)'),
  tiedHead: checks.boolean,
  initStd: checks.positive,
  gridStart: checks.nonNegativeInt,
  gridStride: checks.nonNegativeInt,
  gridAnswerStart: checks.nonNegativeInt,
};

/** The named size merged with `overrides` (e.g. `--model.d=128`), validated with exact messages. */
export function modelConfig(size: ModelSize | ModelConfig = 'tiny', overrides: Readonly<Record<string, unknown>> = {}): ModelConfig {
  let defaults: ModelConfig;
  if (typeof size === 'string') {
    if (!MODEL_SIZES.includes(size)) throw new ConfigError(`model.size must be one of ${MODEL_SIZES.join(', ')}, got ${JSON.stringify(size)}`);
    defaults = SIZES[size];
  } else defaults = { ...NO_GRID, ...size }; // checkpoints from before the caption grid lack its fields
  const config = resolveConfig('model', defaults, overrides, rules);
  if (config.d % config.heads !== 0) throw new ConfigError(`model.d (${config.d}) must be divisible by model.heads (${config.heads})`);
  if (config.inputSize % config.patch !== 0) {
    throw new ConfigError(`model.inputSize (${config.inputSize}) must be divisible by model.patch (${config.patch})`);
  }
  if (config.gridStart > 0) {
    const side = config.inputSize / config.patch;
    const span = (side - 1) * config.gridStride + side; // text positions one grid covers
    if (config.gridStride < side) throw new ConfigError(`model.gridStride (${config.gridStride}) must be at least the patch grid's side (${side})`);
    for (const key of ['gridStart', 'gridAnswerStart'] as const) {
      const last = config[key] + span - 1;
      if (last >= config.maxText)
        throw new ConfigError(`model.${key}/gridStride put patch row ${side - 1} at text position ${last}, past model.maxText (${config.maxText})`);
    }
    if (config.gridAnswerStart > 0 && config.gridAnswerStart < config.gridStart + span) {
      throw new ConfigError(
        `model.gridAnswerStart (${config.gridAnswerStart}) must come after the caption grid (text positions ${config.gridStart}…${config.gridStart + span - 1})`,
      );
    }
  } else if (config.gridAnswerStart > 0) {
    throw new ConfigError(`model.gridAnswerStart (${config.gridAnswerStart}) needs model.gridStart > 0`);
  }
  return config;
}

const NO_GRID = { gridStart: 0, gridStride: 0, gridAnswerStart: 0 } as const;

/** Image prefix length: (inputSize / patch)². */
export const patchCount = (c: ModelConfig): number => (c.inputSize / c.patch) ** 2;
/** Values per patch: patch². */
export const patchDim = (c: ModelConfig): number => c.patch * c.patch;
