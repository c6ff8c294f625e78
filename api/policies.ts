/** `asymflow/policies`: what generates responses (our model, any OpenAI-compatible endpoint), rewards, and serving. */
export { PAPER_SAMPLING, prefixFor, type Completion, type GenerateOptions, type Policy } from '../src/policy/policy.ts';
export { OpenAIPolicy, type OpenAIPolicyOptions } from '../src/policy/openai-policy.ts';
export { loadTfjsPolicy, TfjsPolicy, type TfjsPolicyOptions } from '../src/policy/tfjs-policy.ts';
export type { Seeding } from '../src/policy/seeds.ts';
export { sampleSeed } from '../src/policy/seeds.ts';
export { evaluatePolicy, type EvaluateOptions, type Evaluation } from '../src/eval/evaluate.ts';
export { captionOf, rewardInputs, type RewardInput, type SurrogateReward } from '../src/rl/rewards/surrogate.ts';
export { startServer, type RunningServer, type ServeOptions } from '../src/serve/server.ts';
export type { ServedModel } from '../src/policy/served-model.ts';
export { loadCheckpoint, saveCheckpoint } from '../src/model/checkpoint.ts';
export { modelConfig, type ModelConfig, type ModelSize } from '../src/model/config.ts';
export { createVlm, disposeVlm, type Vlm } from '../src/model/vlm.ts';
