import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-rec-'));
}

/** A rollout-shaped record with exactly representable typed arrays. */
export function rolloutLike(i: number, n = 12) {
  const tokens = new Int32Array(n).map((_, k) => ((i * 31 + k * 7) % 1000) - 3);
  const logprobs = new Float32Array(n).map((_, k) => -Math.fround((k + 1) / (i + 3)));
  return { sampleId: `gc-train-${i}`, group: i % 4, tokens, logprobs, text: `<caption>r${i}</caption>`, reward: i / 7 };
}

/** Collects what is written to stderr while `fn` runs. */
export async function captureStderr<T>(fn: () => T | Promise<T>): Promise<{ result: T; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { result: await fn(), stderr };
  } finally {
    spy.mockRestore();
  }
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of iterable) out.push(v);
  return out;
}
