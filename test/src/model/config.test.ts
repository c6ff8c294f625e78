import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { modelConfig, patchCount, patchDim } from '../../../src/model/config.ts';
import { createVlm, disposeVlm, parameterCount } from '../../../src/model/vlm.ts';
import { VOCAB_SIZE } from '../../../src/tokenizer.ts';
import { useCpu } from './fixtures.ts';

describe('model config', () => {
  it('names three sizes with the parameter counts the design asks for', () => {
    const counts = { tiny: parameterCount(modelConfig('tiny')), small: parameterCount(modelConfig('small')), base: parameterCount(modelConfig('base')) };
    expect(counts.tiny).toBeLessThan(300_000);
    expect(counts.small).toBeGreaterThan(3_000_000);
    expect(counts.small).toBeLessThan(5_000_000);
    expect(counts.base).toBeGreaterThan(18_000_000);
    expect(counts.base).toBeLessThan(22_000_000);
    expect(patchCount(modelConfig('small'))).toBe(81);
    expect(patchDim(modelConfig('small'))).toBe(256);
    expect(modelConfig('tiny').vocab).toBe(VOCAB_SIZE);
  });

  it('rejects bad values with exact messages', () => {
    expect(() => modelConfig('tiny', { heads: 3 })).toThrow('model.d (64) must be divisible by model.heads (3)');
    expect(() => modelConfig('tiny', { patch: 7 })).toThrow('model.inputSize (72) must be divisible by model.patch (7)');
    expect(() => modelConfig('tiny', { dropout: 0.1 })).toThrow('model.dropout must be 0 (dropout is not implemented), got 0.1');
    expect(() => modelConfig('tiny', { width: 3 })).toThrow("unknown option 'model.width'");
    expect(() => modelConfig('huge' as 'tiny')).toThrow('model.size must be one of tiny, small, base, got "huge"');
    expect(modelConfig('tiny', { d: '128' }).d).toBe(128);
  });

  it('builds named variables with the layout shapes, the same weights from the same seed', async () => {
    await useCpu();
    const c = modelConfig('tiny');
    const before = tf.memory().numTensors;
    const a = createVlm(c, 7);
    const b = createVlm(c, 7);
    let total = 0;
    for (const v of a.params.values()) total += v.size;
    expect(total).toBe(parameterCount(c));
    expect(a.params.get('blocks.1.attn.q.w')!.shape).toEqual([64, 64]);
    expect(a.params.get('blocks.0.mlp.fc.w')!.shape).toEqual([64, 256]);
    expect(a.params.get('patch.w')!.shape).toEqual([64, 64]);
    expect(a.params.get('patchPos')!.shape).toEqual([81, 64]);
    expect(a.params.get('textPos')!.shape).toEqual([512, 64]);
    expect([...a.params.keys()]).toEqual([...a.params.keys()].sort());
    expect(await a.params.get('tokEmb')!.data()).toEqual(await b.params.get('tokEmb')!.data());
    expect(parameterCount(modelConfig('tiny', { tiedHead: false }))).toBe(parameterCount(c) + 64 * c.vocab);
    disposeVlm(a);
    disposeVlm(b);
    expect(tf.memory().numTensors).toBe(before);
  });
});
