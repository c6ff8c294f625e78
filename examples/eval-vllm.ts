/**
 * Evaluate a Qwen3-VL served by vLLM on Graph Coloring under the disentangled protocol (docs/architecture.md §6):
 * end-to-end a, perception a_p, conditional reasoning ã_r, and counterfactual a_r with the oracle caption
 * forced as the start of the assistant turn. Not run in tests: it needs a GPU and a vLLM server.
 *
 * 1. Start vLLM (any OpenAI-compatible server works; vLLM ≥ 0.6 understands continue_final_message):
 *
 *      pip install vllm
 *      vllm serve Qwen/Qwen3-VL-2B-Instruct --port 8000 --max-model-len 16384 \
 *        --limit-mm-per-prompt '{"image": 1}'
 *
 *    (add `--api-key SECRET` and `export OPENAI_API_KEY=SECRET` to require a key.)
 *
 * 2. Either use the command line:
 *
 *      asymflow eval --task gc --policy openai --base-url http://127.0.0.1:8000/v1 \
 *        --n 500 --mode both --temperature 0.7 --top-p 1.0 --max-tokens 10000 --seed 0 \
 *        --concurrency 32 --out runs/qwen3vl-gc
 *
 *    or run this file, which does the same in code and prints the summary:
 *
 *      npx tsx examples/eval-vllm.ts [BASE_URL] [N]
 *
 * What goes over the wire, per sample and mode: one chat completion request with the 448-px PNG as a
 * `data:image/png;base64,…` image_url part and the task's query as a text part; for counterfactual
 * evaluation a final assistant message `<caption>p*</caption>` with `continue_final_message: true` and
 * `add_generation_prompt: false`, whose continuation (returned without the prefix) is re-attached and
 * scored as a_r = Acc(r' | p*). Requests are retried on 429 (Retry-After honoured), 5xx, timeouts and
 * network errors; a request that still fails is recorded as failed and counted in `requestFailures`.
 */
import { generatedSamples, getTask, OpenAIPolicy, PAPER_SAMPLING, runEvaluate } from 'asymflow';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:8000/v1';
const n = Number(process.argv[3] ?? 50);

const task = await getTask('gc');
const policy = new OpenAIPolicy({
  baseUrl, // the model name defaults to the first of GET /v1/models
  concurrency: 32, // requests in flight; vLLM batches them on the GPU
  timeoutMs: 10 * 60_000, // 10,000 tokens can take minutes per request under load
  retries: 4,
});

const summary = await runEvaluate({
  policy,
  task,
  samples: generatedSamples(task, { split: 'test', n, seed: 0 }),
  mode: 'both',
  sampling: { ...PAPER_SAMPLING, seed: 0 }, // temperature 0.7, top-p 1.0, max 10,000 tokens, n = 1
  batchSize: 8,
  concurrency: 4, // batches in flight: 4 × 8 samples keep 32 requests busy
  out: `runs/eval-vllm-${Date.now()}`,
  config: { example: 'eval-vllm', baseUrl, n },
});

// The same figures are in <out>/summary.json, and every response in <out>/records.jsonl.
console.log(`a = ${summary.a.value.toFixed(3)}, a_p = ${summary.ap.value.toFixed(3)}, a_r = ${summary.ar.value.toFixed(3)}`);
console.log(`requests: ${JSON.stringify(policy.stats())}`);
