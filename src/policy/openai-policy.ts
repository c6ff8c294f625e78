/**
 * A Policy behind any OpenAI-compatible chat endpoint (vLLM, SGLang, `asymflow serve`, …). One request per
 * sample (asking for `n` choices), at most `concurrency` in flight across all calls, each with a timeout
 * and retries. A request that still fails becomes `n` completions with `failed: reason` — counted by the
 * caller, never dropped, never thrown out of `generate`.
 */
import type { Sample } from '../records.ts';
import { DEFAULT_BACKOFF, requestJson, type BackoffOptions, type RetryOptions } from './http-retry.ts';
import { limitConcurrency, type Limited } from './limit-concurrency.ts';
import { chatRequestBody, choiceTexts, modelIds, modelInputSize } from './openai-messages.ts';
import { prefixFor, type Completion, type GenerateOptions, type Policy } from './policy.ts';
import { sampleImage, type ImageSource } from './sample-image.ts';
import { sampleSeed } from './seeds.ts';

export interface OpenAIPolicyOptions {
  readonly baseUrl: string; // e.g. http://127.0.0.1:8000 or http://127.0.0.1:8000/v1
  readonly model?: string; // default: the first id of GET /v1/models
  readonly apiKeyEnv?: string; // environment variable holding the bearer token; none sent when unset
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly backoff?: Partial<BackoffOptions>;
  readonly image?: ImageSource; // 'png' (default): the dataset image; 'pixels': the model input (asymflow serve)
  readonly random?: () => number; // jitter source (tests)
  readonly sleep?: (ms: number) => Promise<void>; // backoff sleeper (tests)
}

/** What the policy has done so far; `retries` counts attempts that were repeated. */
export interface OpenAIPolicyStats {
  readonly requests: number;
  readonly attempts: number;
  readonly retries: number;
  readonly failures: number;
}

export const OPENAI_POLICY_DEFAULTS = { apiKeyEnv: 'OPENAI_API_KEY', concurrency: 8, timeoutMs: 600_000, retries: 4 } as const;

/**
 * `…/v1` for a base URL given with or without it (trailing slashes ignored). Checked before any request: a
 * URL that cannot be one (`notaurl`, `ftp://…`) fails here with the value, not as N failed requests.
 */
export function apiRoot(baseUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new RangeError(`base URL must be an http:// or https:// URL (e.g. http://127.0.0.1:8000/v1), got ${JSON.stringify(baseUrl.slice(0, 200))}`);
  }
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

export class OpenAIPolicy implements Policy {
  name: string; // `openai:<model>@<root>`; the model part is filled in once resolved
  private readonly root: string;
  private readonly retry: RetryOptions;
  private readonly limit: Limited;
  private readonly headers: Record<string, string>;
  private modelPromise?: Promise<string>;
  private inputSizePromise?: Promise<number | undefined>;
  private counts = { requests: 0, attempts: 0, retries: 0, failures: 0 };

  constructor(private readonly options: OpenAIPolicyOptions) {
    const concurrency = options.concurrency ?? OPENAI_POLICY_DEFAULTS.concurrency;
    const timeoutMs = options.timeoutMs ?? OPENAI_POLICY_DEFAULTS.timeoutMs;
    const retries = options.retries ?? OPENAI_POLICY_DEFAULTS.retries;
    if (!(timeoutMs > 0)) throw new RangeError(`OpenAIPolicy timeoutMs must be a positive number, got ${timeoutMs}`);
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`OpenAIPolicy retries must be a non-negative integer, got ${retries}`);
    this.root = apiRoot(options.baseUrl);
    this.limit = limitConcurrency(concurrency);
    this.retry = { timeoutMs, retries, backoff: { ...DEFAULT_BACKOFF, ...options.backoff }, random: options.random, sleep: options.sleep };
    const key = process.env[options.apiKeyEnv ?? OPENAI_POLICY_DEFAULTS.apiKeyEnv];
    this.headers = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
    this.name = `openai:${options.model ?? '?'}@${this.root}`;
    if (options.model !== undefined) this.modelPromise = Promise.resolve(options.model);
  }

  stats(): OpenAIPolicyStats {
    return { ...this.counts };
  }

  /** The model name requests use: the configured one, else the first served one (asked once). */
  model(): Promise<string> {
    this.modelPromise ??= this.limit(async () => {
      const outcome = await this.send('GET', '/models', undefined, (json) => {
        const ids = modelIds(json);
        if (ids.length === 0) throw new Error('the server lists no models');
        return ids[0];
      });
      if (outcome.ok) this.name = `openai:${outcome.value}@${this.root}`;
      if (!outcome.ok) {
        this.modelPromise = undefined; // a later call may try again
        throw new Error(`could not list models at ${this.root}/models: ${outcome.reason}`);
      }
      return outcome.value;
    });
    return this.modelPromise;
  }

  /**
   * The model-input image side the server lists for the model (`input_size`: `asymflow serve` does, vLLM
   * does not → undefined), asked once. Pixels sent with `image: 'pixels'` must be rendered at this size:
   * the server would otherwise resize them, which is close to but not the same as drawing at that size.
   */
  servedInputSize(): Promise<number | undefined> {
    this.inputSizePromise ??= this.model().then((model) =>
      this.limit(async () => {
        const outcome = await this.send('GET', '/models', undefined, (json) => modelInputSize(json, model));
        if (outcome.ok) return outcome.value;
        this.inputSizePromise = undefined; // a later call may try again
        throw new Error(`could not list models at ${this.root}/models: ${outcome.reason}`);
      }),
    );
    return this.inputSizePromise;
  }

  async generate(samples: readonly Sample[], options: GenerateOptions): Promise<Completion[][]> {
    let model: string;
    let inputSize: number | undefined;
    try {
      model = await this.model();
      if (this.options.image === 'pixels' && options.withImage !== false) inputSize = await this.servedInputSize();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.counts.failures += samples.length;
      return samples.map(() => failedCompletions(options.n, reason));
    }
    return Promise.all(samples.map((sample, i) => this.limit(() => this.generateOne(sample, i, options, model, inputSize))));
  }

  private async generateOne(sample: Sample, index: number, options: GenerateOptions, model: string, inputSize?: number): Promise<Completion[]> {
    let body: string;
    try {
      if (inputSize !== undefined && (sample.width !== inputSize || sample.height !== inputSize)) {
        throw new Error(
          `sample ${sample.puzzle.id} has ${sample.width}×${sample.height} model-input pixels; the served model takes ${inputSize}×${inputSize} (render at inputSize ${inputSize})`,
        );
      }
      const prefix = prefixFor(options, index);
      const png = options.withImage === false ? undefined : await sampleImage(sample, this.options.image ?? 'png');
      body = JSON.stringify(chatRequestBody(sample, options, prefix, png, model, sampleSeed(options.seed, sample.puzzle.id)));
    } catch (error) {
      this.counts.failures++;
      return failedCompletions(options.n, error instanceof Error ? error.message : String(error));
    }
    const parse = (json: unknown) => choiceTexts(json, options.n);
    let outcome = await this.send('POST', '/chat/completions', body, parse);
    // max_tokens is a cap to us (in process, sampling stops at the model's window too); a server that refuses
    // one past its window (vLLM, asymflow serve) is asked again without it: the reply may then run to the window.
    if (!outcome.ok && /^HTTP 400: .*maximum context length.*in the completion/s.test(outcome.reason)) {
      const { max_tokens: _cap, ...uncapped } = JSON.parse(body) as Record<string, unknown>;
      outcome = await this.send('POST', '/chat/completions', JSON.stringify(uncapped), parse);
    }
    if (!outcome.ok) {
      this.counts.failures++;
      return failedCompletions(options.n, outcome.reason);
    }
    return outcome.value.map((text, i) => (text === undefined ? { text: '', failed: `the server returned no choice ${i}` } : { text }));
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body: string | undefined, parse: (json: unknown) => T) {
    this.counts.requests++;
    const outcome = await requestJson(`${this.root}${path}`, { method, headers: this.headers, body }, this.retry, parse, () => {
      this.counts.retries++;
    });
    this.counts.attempts += outcome.attempts;
    return outcome;
  }
}

function failedCompletions(n: number, reason: string): Completion[] {
  return Array.from({ length: n }, () => ({ text: '', failed: reason }));
}
