import { describe, expect, it } from 'vitest';
import { configChanges, SFT_DEFAULTS } from '../../../src/sft/sft-config.ts';

describe('configChanges', () => {
  it('reads a setting a checkpoint predates as its default, and still names a real change', () => {
    const saved = { ...SFT_DEFAULTS, out: 'runs/x' } as Record<string, unknown>;
    delete saved.imageDropout; // written before --image-dropout existed
    expect(configChanges(saved, { ...SFT_DEFAULTS, out: 'runs/x' }, SFT_DEFAULTS)).toEqual([]);
    expect(configChanges(saved, { ...SFT_DEFAULTS, out: 'runs/x', imageDropout: 0.5 }, SFT_DEFAULTS)).toEqual(['imageDropout (0 → 0.5)']);
    expect(configChanges(saved, { ...SFT_DEFAULTS, out: 'runs/x' })).toEqual(['imageDropout (undefined → 0)']);
  });
});
