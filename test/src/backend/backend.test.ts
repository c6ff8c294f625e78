import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { BackendError, type ResolvedBackend, parseBackendRequest, requestedBackend, resolveBackend } from '../../../src/backend/index.ts';

describe('requestedBackend', () => {
  it('prefers the flag, then ASYMFLOW_BACKEND, then auto', () => {
    expect(requestedBackend('wasm', { ASYMFLOW_BACKEND: 'cpu' })).toBe('wasm');
    expect(requestedBackend(undefined, { ASYMFLOW_BACKEND: 'cpu' })).toBe('cpu');
    expect(requestedBackend('', { ASYMFLOW_BACKEND: ' WebGPU ' })).toBe('webgpu');
    expect(requestedBackend(undefined, {})).toBe('auto');
  });

  it('names the source and the known backends for an unknown name', () => {
    expect(() => requestedBackend('cuda', {})).toThrow("--backend: unknown backend 'cuda'; known: auto, tensorflow, webgpu, wasm, cpu");
    expect(() => requestedBackend(undefined, { ASYMFLOW_BACKEND: 'gpu' })).toThrow(BackendError);
    expect(() => parseBackendRequest('gpu', 'ASYMFLOW_BACKEND')).toThrow(/^ASYMFLOW_BACKEND: unknown backend 'gpu'/);
  });
});

describe('resolveBackend', () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  let last: ResolvedBackend | undefined;
  afterAll(async () => {
    await last?.dispose();
  });

  it('activates an explicit cpu and prints the choice', async () => {
    last = await resolveBackend('cpu', { env: {}, log });
    expect(last).toMatchObject({ name: 'cpu', device: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(lines.at(-1)).toBe('backend: cpu (cpu)');
  });

  it('takes wasm from ASYMFLOW_BACKEND and computes on it', async () => {
    last = await resolveBackend(undefined, { env: { ASYMFLOW_BACKEND: 'wasm' }, log });
    expect(last.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])); // [1, 1]
    expect(Array.from(await y.data())).toEqual([11]);
    y.dispose();
    expect(lines.at(-1)).toBe('backend: wasm (cpu (wasm))');
  });

  it('fails clearly when an explicit backend is not installed', async () => {
    // tfjs-node is never a dependency here (no download host), so the explicit request must say so.
    await expect(resolveBackend('tensorflow', { env: {}, log })).rejects.toThrow(
      "backend 'tensorflow' is not usable: @tensorflow/tfjs-node-gpu not installed, @tensorflow/tfjs-node not installed",
    );
  });

  it('rejects an unknown name before touching any backend', async () => {
    const before = tf.getBackend();
    await expect(resolveBackend('metal', { env: {}, log })).rejects.toThrow(/unknown backend 'metal'/);
    expect(tf.getBackend()).toBe(before);
  });
});
