/** `asymflow/flows`: whole runs, as the CLI verbs run them, with their config resolvers. */
export { runDemo, demoConfig, type DemoOptions } from '../flows/demo.ts';
export { runGenerate, shardFile, parquetFile, imageFile, type GenerateRunOptions, type GenerateSummary } from '../flows/generate.ts';
export { runImport, type ImportOptions, type ImportSummary } from '../flows/import-parquet.ts';
export { runEvaluate, formatSummary, type EvaluateRunOptions } from '../flows/evaluate.ts';
export { runEval, type EvalRunIo } from '../flows/eval.ts';
export { runServe, type ServeConfig } from '../flows/serve.ts';
export { runTrainEmbed, type TrainEmbedConfig, type TrainEmbedResult } from '../flows/train-embed.ts';
export { replayJsonl, replayWatch, summarize as summarizeRecording } from '../flows/replay.ts';
/** `SftWatch` is the name `RunWatch` had when only SFT offered one; kept so code written against it still compiles. */
export type { RunInfo, RunWatch, RunWatch as SftWatch } from '../flows/watch.ts';
export { runSft, type SftRunOptions, type SftRunResult } from '../flows/sft.ts';
export { runSweepSft, type SweepSftOptions, type SweepSftResult } from '../flows/sweep-sft.ts';
export { runRl, type RlRunOptions, type RlSummary } from '../flows/rl.ts';
export { runSweepRl, type SweepRlOptions } from '../flows/sweep-rl.ts';
export { runDiagnose, type DiagnoseResult, type DiagnoseRunOptions } from '../flows/diagnose.ts';
export { runReproduce, type ReproduceOptions, type ReproduceResult } from '../flows/reproduce.ts';
export { openRun, type RunContext, type RunOptions } from '../flows/run-context.ts';
export { GEN_DEFAULTS, resolveGenConfig, type GenConfig } from '../src/data/gen-config.ts';
export { EVAL_DEFAULTS, resolveEvalConfig, type EvalConfig } from '../src/eval/eval-config.ts';
export { resolveSftConfig, SFT_DEFAULTS, type SftConfig } from '../src/sft/sft-config.ts';
export { resolveRlConfig, RL_DEFAULTS, type RlConfig } from '../src/rl/rl-config.ts';
export { resolveBackend, type ResolvedBackend } from '../src/backend/index.ts';
