/**
 * One JSON-over-HTTP call with a per-attempt timeout and retries (docs/architecture.md §6): exponential backoff with jitter
 * on 429 (honouring Retry-After), 408, 5xx, network errors (reset, refused), timeouts and bodies that are not
 * the expected JSON (truncated, invalid, wrong shape). Never throws: the outcome says ok or why not.
 */

export interface BackoffOptions {
  readonly initialMs: number; // delay before the first retry (before jitter)
  readonly maxMs: number; // cap on one computed delay
  readonly factor: number; // growth per attempt
  readonly maxRetryAfterMs: number; // cap on a server's Retry-After, so a hostile value cannot stall a run
}

export interface RetryOptions {
  readonly timeoutMs: number; // per attempt, headers and body together
  readonly retries: number; // attempts after the first
  readonly backoff: BackoffOptions;
  readonly random?: () => number; // jitter source in [0,1); Math.random by default
  readonly sleep?: (ms: number) => Promise<void>; // injectable so tests can see the delays without waiting
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, maxRetryAfterMs: 120_000 };

export type HttpOutcome<T> =
  { readonly ok: true; readonly value: T; readonly attempts: number } | { readonly ok: false; readonly reason: string; readonly attempts: number };

/** Thrown by a `parse` callback when a 2xx body is not what the caller expects; the call is retried. */
export class BadResponseError extends Error {
  override readonly name = 'BadResponseError';
}

interface AttemptResult<T> {
  readonly value?: T;
  readonly reason?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

/** What vLLM, OpenAI and asymflow serve say for a prompt longer than the context window. */
const CONTEXT_LENGTH = /context[ _]length|maximum context|context_length_exceeded|prompt is too long|longer than the (model's )?(context|window)/i;

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as milliseconds: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delay before retry number `retry` (0-based): capped exponential with "equal jitter" (half fixed, half random). */
export function backoffDelay(retry: number, backoff: BackoffOptions, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** retry);
  return base / 2 + random() * (base / 2);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
  return `${error.message}${detail}`;
}

function errorMessageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (parsed.error && typeof parsed.error.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200);
}

async function attempt<T>(url: string, init: RequestInit, timeoutMs: number, parse: (json: unknown) => T): Promise<AttemptResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const body = await response.text(); // inside the timeout: a body that stalls mid-way is a timeout too
    if (!response.ok) {
      const status = response.status;
      // a prompt over the model's window fails the same way every time, whatever status a server gives it
      const retryable = (status === 429 || status === 408 || status >= 500) && !CONTEXT_LENGTH.test(body);
      const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      return { reason: `HTTP ${status}: ${errorMessageOf(body)}`, retryable, retryAfterMs };
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { reason: `invalid JSON in response (${body.length} bytes): ${body.slice(0, 80)}`, retryable: true };
    }
    try {
      return { value: parse(json), retryable: false };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { reason: `unexpected response: ${message}`, retryable: error instanceof BadResponseError };
    }
  } catch (error) {
    if (controller.signal.aborted) return { reason: `timeout after ${timeoutMs} ms`, retryable: true };
    return { reason: `network error: ${describeNetworkError(error)}`, retryable: true };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends `init` to `url` until `parse` accepts a 2xx JSON body or the retries run out. `onRetry` sees each
 * failed attempt that will be retried (for counting and logging).
 */
export async function requestJson<T>(
  url: string,
  init: RequestInit,
  options: RetryOptions,
  parse: (json: unknown) => T,
  onRetry?: (reason: string, delayMs: number) => void,
): Promise<HttpOutcome<T>> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? sleepReal;
  for (let retry = 0; ; retry++) {
    const result = await attempt(url, init, options.timeoutMs, parse);
    if (result.reason === undefined) return { ok: true, value: result.value as T, attempts: retry + 1 };
    if (!result.retryable || retry >= options.retries) {
      const suffix = result.retryable ? ` (after ${retry + 1} attempts)` : '';
      return { ok: false, reason: `${result.reason}${suffix}`, attempts: retry + 1 };
    }
    const delay =
      result.retryAfterMs !== undefined ? Math.min(result.retryAfterMs, options.backoff.maxRetryAfterMs) : backoffDelay(retry, options.backoff, random);
    onRetry?.(result.reason, delay);
    await sleep(delay);
  }
}
