import { describe, expect, it } from 'vitest';
import { dataUrlBytes, decodeModelInput } from '../../../src/serve/decode-image.ts';
import { pixelsPng } from '../../../src/policy/sample-image.ts';
import { Rng } from '../../../src/rng.ts';
import { getTask } from '../../../src/tasks/registry.ts';

const INPUT = 72;

async function gcRendered(index: number, options: Record<string, number | string>) {
  const task = await getTask('gc');
  const puzzle = task.generate(new Rng(`decode-test/${index}`), `gc-test-${index}`, index, {});
  return task.render(puzzle, { inputSize: INPUT, ...options });
}

function diff(a: Float32Array, b: Float32Array) {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

describe('served image decoding matches Task.render pixels', () => {
  it('is bit-exact for a PNG rendered at the model input size', async () => {
    for (const index of [0, 1, 2]) {
      const rendered = await gcRendered(index, { pngSize: INPUT });
      const decoded = await decodeModelInput(rendered.png, INPUT);
      expect(decoded).toEqual(rendered.pixels);
    }
  });

  it('is bit-exact for model-input pixels sent as a PNG (OpenAIPolicy image: pixels)', async () => {
    const rendered = await gcRendered(3, {});
    const decoded = await decodeModelInput(await pixelsPng(rendered.pixels, INPUT, INPUT), INPUT);
    expect(decoded).toEqual(rendered.pixels);
  });

  it('stays within a stated tolerance when resizing the 448-px dataset PNG', async () => {
    // Rasterising the drawing at 72 px and resizing a 448-px raster differ at anti-aliased edges only.
    for (const index of [4, 5]) {
      const rendered = await gcRendered(index, {});
      const decoded = await decodeModelInput(rendered.png, INPUT);
      const { mean } = diff(decoded, rendered.pixels);
      expect(mean).toBeLessThan(0.03);
    }
  });

  it('reads data URLs with parameters and rejects non-base64', () => {
    expect([...dataUrlBytes('data:image/png;charset=x;base64,AQID', 'p')]).toEqual([1, 2, 3]);
    expect(() => dataUrlBytes('data:image/png;base64,A', 'p')).toThrow(/invalid base64/);
    expect(() => dataUrlBytes(42, 'p')).toThrow(/p must be a string/);
  });
});
